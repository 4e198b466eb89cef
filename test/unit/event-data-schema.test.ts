// The JSON Schemas event types attach to `data`: which schemas are usable, and how violations
// become field paths.
import { eventDataViolations, jsonSchemaProblem } from '../../src/domain/event-data-schema';

describe('event data schemas', () => {
  const invoice = {
    type: 'object',
    required: ['invoiceId'],
    additionalProperties: false,
    properties: {
      invoiceId: { type: 'string', minLength: 3 },
      'a/b': { type: 'integer' },
      lines: { type: 'array', items: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' } } } },
      email: { type: 'string', format: 'email' },
    },
  };

  it('accepts data that conforms', () => {
    expect(eventDataViolations(invoice, { invoiceId: 'inv_1', lines: [{ sku: 'x' }], email: 'a@example.com' })).toEqual([]);
  });

  it('reports every violation with a dotted path inside data', () => {
    const violations = eventDataViolations(invoice, { 'a/b': 'one', lines: [{ sku: 'x' }, {}], extra: true, email: 'nope' });
    expect(violations.map((v) => v.path).sort()).toEqual(['a/b', 'email', 'extra', 'invoiceId', 'lines.1.sku'].sort());
    expect(violations.find((v) => v.path === 'invoiceId')!.message).toMatch(/required/);
  });

  it('reports a violation of data itself with an empty path', () => {
    expect(eventDataViolations({ type: 'object', minProperties: 1 }, {})).toEqual([
      { path: '', message: expect.stringMatching(/fewer than 1/) },
    ]);
  });

  it('uses draft 2020-12 by default and draft-07 when $schema says so', () => {
    const prefixItems = { type: 'object', properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] } } };
    expect(eventDataViolations(prefixItems, { pair: ['a', 'b'] })).toEqual([{ path: 'pair.1', message: 'must be number' }]);
    expect(
      jsonSchemaProblem({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', definitions: { id: { type: 'string' } } }),
    ).toBeNull();
  });

  it('names what is wrong with an unusable schema', () => {
    expect(jsonSchemaProblem({ type: 'strange' })).toMatch(/schema is invalid/);
    expect(jsonSchemaProblem({ $ref: '#/nowhere' })).toMatch(/can't resolve reference/);
    expect(jsonSchemaProblem(invoice)).toBeNull();
  });

  it('lets a schema with an $id be replaced by an edited version', () => {
    const v1 = { $id: 'https://example.com/order.json', type: 'object', required: ['a'] };
    const v2 = { $id: 'https://example.com/order.json', type: 'object', required: ['b'] };
    expect(eventDataViolations(v1, { b: 1 }).map((v) => v.path)).toEqual(['a']);
    expect(eventDataViolations(v2, { a: 1 }).map((v) => v.path)).toEqual(['b']);
  });
});
