// Parses request parts with zod, turning failures into InvalidInputError with field paths. Text
// that cannot be stored (NUL, unpaired surrogates) and overly deep nesting are refused first.
import type { z } from 'zod';
import { InvalidInputError } from '../domain/errors';
import { unstorableJsonIssues } from '../domain/storable-json';
import { zodFieldErrors } from './problems';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' | 'headers'): z.infer<S> {
  const unstorable = unstorableJsonIssues(value, where);
  if (unstorable.length > 0) throw new InvalidInputError(`The request ${where} is invalid`, unstorable);
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) {
    throw new InvalidInputError(`The request ${where} is invalid`, zodFieldErrors(result.error, where));
  }
  return result.data;
}
