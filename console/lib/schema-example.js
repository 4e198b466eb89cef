// An example value for a JSON Schema: the schema's own examples, default, const or first enum
// value when it has one, else a value of its type built from its properties and items.
const MAX_DEPTH = 6;

const STRING_FORMATS = {
  'date-time': '2026-01-01T00:00:00.000Z',
  date: '2026-01-01',
  time: '12:00:00Z',
  email: 'jane@example.com',
  uri: 'https://example.com',
  url: 'https://example.com',
  uuid: '00000000-0000-4000-8000-000000000000',
};

function firstType(schema) {
  if (Array.isArray(schema.type)) return schema.type.find((type) => type !== 'null') ?? 'null';
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
}

export function exampleFromSchema(schema, depth = 0) {
  if (!schema || typeof schema !== 'object' || depth > MAX_DEPTH) return null;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(alternatives) && alternatives.length) return exampleFromSchema(alternatives[0], depth + 1);
  if (Array.isArray(schema.allOf) && schema.allOf.length) {
    return Object.assign({}, ...schema.allOf.map((part) => exampleFromSchema(part, depth + 1)).filter((v) => v && typeof v === 'object'));
  }
  switch (firstType(schema)) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([name, property]) => [name, exampleFromSchema(property, depth + 1)]),
      );
    case 'array':
      return schema.items ? [exampleFromSchema(schema.items, depth + 1)] : [];
    case 'string':
      return STRING_FORMATS[schema.format] ?? (schema.minLength > 6 ? 'x'.repeat(schema.minLength) : 'string');
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return true;
    default:
      return null;
  }
}

/** What a receiver gets for an event of this type (SPEC §4), with an example `data`. */
export function exampleEnvelope(eventType, tenantId) {
  return {
    id: 'evt_01jexample0000000000000000',
    type: eventType.name,
    timestamp: '2026-01-01T00:00:00.000Z',
    tenantId,
    resourceId: 'res_123',
    data: eventType.schema ? exampleFromSchema(eventType.schema) : {},
  };
}
