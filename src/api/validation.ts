// Parses request parts with zod, turning failures into InvalidInputError with field paths.
import type { z } from 'zod';
import { InvalidInputError } from '../domain/errors';
import { zodFieldErrors } from './problems';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' | 'headers'): z.infer<S> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) {
    throw new InvalidInputError(`The request ${where} is invalid`, zodFieldErrors(result.error, where));
  }
  return result.data;
}
