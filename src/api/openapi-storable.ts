// What every request part must be for hookrelay to store it (domain/storable-json.ts), stated in
// the OpenAPI document itself so that a client or a contract tool knows it before it asks: text
// without NUL characters, and free-form JSON (metadata, event data, schemas) whose keys and text
// at every depth are the same. The zod schemas leave these out (parseInput checks them first,
// for every route at once); this pass adds them to the generated document.
import { MAX_JSON_DEPTH } from '../domain/storable-json';

/** Text PostgreSQL can store: anything but NUL (as the document's regular expressions spell it). */
export const STORABLE_TEXT_PATTERN = '^[^\\u0000]*$';
const STORABLE_TEXT = { pattern: STORABLE_TEXT_PATTERN };
export const STORABLE_JSON_COMPONENT = 'StorableJson';
const STORABLE_JSON_REF = { $ref: `#/components/schemas/${STORABLE_JSON_COMPONENT}` };

type Node = Record<string, unknown>;

const STORABLE_JSON_SCHEMA = {
  description:
    `Any JSON value whose text and keys contain no NUL character and that nests at most ${MAX_JSON_DEPTH} levels ` +
    '(strings must be valid Unicode: no unpaired surrogates)',
  anyOf: [
    { type: 'null' },
    { type: 'boolean' },
    { type: 'number' },
    { type: 'string', ...STORABLE_TEXT },
    { type: 'array', items: STORABLE_JSON_REF },
    { type: 'object', propertyNames: STORABLE_TEXT, additionalProperties: STORABLE_JSON_REF },
  ],
};

function isObject(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasType(schema: Node, type: string): boolean {
  return schema.type === type || (Array.isArray(schema.type) && schema.type.includes(type));
}

/** A free-form value: `{}` (zod's unknown), which accepts anything. */
function isAnyValue(value: unknown): boolean {
  return isObject(value) && Object.keys(value).length === 0;
}

function declareInSchema(schema: Node): void {
  if (hasType(schema, 'string') && !('pattern' in schema) && !('format' in schema) && !('enum' in schema) && !('const' in schema)) {
    schema.pattern = STORABLE_TEXT_PATTERN;
  }
  if (hasType(schema, 'object') && schema.additionalProperties !== false && !('propertyNames' in schema)) {
    schema.propertyNames = STORABLE_TEXT;
    if (isAnyValue(schema.additionalProperties)) schema.additionalProperties = STORABLE_JSON_REF;
  }
  if (hasType(schema, 'array') && isAnyValue(schema.items)) schema.items = STORABLE_JSON_REF;
}

function walk(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item);
    return;
  }
  if (!isObject(node)) return;
  if (typeof node.type === 'string' || Array.isArray(node.type)) declareInSchema(node);
  for (const value of Object.values(node)) walk(value);
}

/** Adds the storable-text rules to every schema of the document, in place, and returns it. */
export function declareStorableText<T extends object>(document: T): T {
  walk(document);
  const components = ((document as Node).components ??= {}) as Node;
  const schemas = (components.schemas ??= {}) as Node;
  schemas[STORABLE_JSON_COMPONENT] = STORABLE_JSON_SCHEMA;
  return document;
}
