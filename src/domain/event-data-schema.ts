// JSON Schemas that event types may attach to their `data`, checked by ajv: JSON Schema draft
// 2020-12 by default, draft-07 when the schema says so in `$schema`.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export interface SchemaViolation {
  /** Dotted path inside `data` ('' for `data` itself). */
  path: string;
  message: string;
}

const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;

// allErrors: report every violation at once, like the zod validation of the rest of the request.
const draft2020 = addFormats(new Ajv2020({ allErrors: true, strict: false }));
const draft07 = addFormats(new Ajv({ allErrors: true, strict: false }));

// Schemas arrive as fresh objects from the database on every publish; ajv caches by object
// identity, so compiled validators are kept here by their JSON text instead.
const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 500;

function compile(schema: Record<string, unknown>): ValidateFunction {
  const text = JSON.stringify(schema);
  const cached = compiled.get(text);
  if (cached) return cached;
  const ajv = typeof schema.$schema === 'string' && DRAFT_07.test(schema.$schema) ? draft07 : draft2020;
  // A schema with an $id is registered under it; an edited version must replace the old one.
  if (typeof schema.$id === 'string') ajv.removeSchema(schema.$id);
  const validate = ajv.compile(schema);
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
  compiled.set(text, validate);
  return validate;
}

/** Returns why `schema` is not a usable JSON Schema, or null when it is. */
export function jsonSchemaProblem(schema: Record<string, unknown>): string | null {
  try {
    compile(schema);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Checks `data` against an event type's schema; an empty list means it conforms. */
export function eventDataViolations(schema: Record<string, unknown>, data: unknown): SchemaViolation[] {
  const validate = compile(schema);
  if (validate(data)) return [];
  return (validate.errors ?? []).map(toViolation);
}

function toViolation(error: ErrorObject): SchemaViolation {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  // "required" points at the object; name the missing property itself, as zod does.
  if (error.keyword === 'required' && typeof error.params.missingProperty === 'string') segments.push(error.params.missingProperty);
  if (error.keyword === 'additionalProperties' && typeof error.params.additionalProperty === 'string')
    segments.push(error.params.additionalProperty);
  return { path: segments.join('.'), message: error.message ?? `fails "${error.keyword}"` };
}
