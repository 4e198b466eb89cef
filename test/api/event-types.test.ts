// The event type catalog: create with an optional JSON Schema for `data`, list grouped, and the
// admin's edits; and publishing checked against the schema.
import { eventTypeResponse } from '../../src/api/response-schemas';
import { createKey, createTenant, expectProblem } from '../support/api';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

describe('event types API', () => {
  let hookrelay: TestHookrelay;
  let tenant: string;
  let tenantKey: string;

  const invoiceSchema = {
    type: 'object',
    properties: {
      invoiceId: { type: 'string' },
      amount: { type: 'integer', minimum: 0 },
      lines: { type: 'array', items: { type: 'object', required: ['sku'] } },
    },
    required: ['invoiceId', 'amount'],
  };

  beforeAll(async () => {
    hookrelay = await startTestHookrelay();
    tenant = await createTenant(hookrelay);
    tenantKey = await createKey(hookrelay, tenant, ['endpoints:read', 'endpoints:write', 'events:publish']);
  });
  afterAll(async () => {
    await hookrelay?.close();
  });

  it('creates an event type with a schema (admin only) and rejects duplicates', async () => {
    const res = await hookrelay.request('POST', '/v1/event-types', {
      body: { name: 'invoice.created', group: 'Invoice', description: 'New invoice', schema: invoiceSchema },
    });
    expect(res.status).toBe(201);
    expect(eventTypeResponse.parse(res.body)).toMatchObject({
      name: 'invoice.created',
      group: 'Invoice',
      description: 'New invoice',
      schema: invoiceSchema,
      archived: false,
    });
    expectProblem(await hookrelay.request('POST', '/v1/event-types', { body: { name: 'invoice.created' } }), 409);
    expectProblem(await hookrelay.request('POST', '/v1/event-types', { key: tenantKey, body: { name: 'tenant.made' } }), 403);
    expectProblem(await hookrelay.request('POST', '/v1/event-types', { key: null, body: { name: 'anon.made' } }), 401);
  });

  it('rejects a bad JSON Schema, a bad name and unknown fields with 400', async () => {
    expectProblem(await hookrelay.request('POST', '/v1/event-types', { body: { name: 'bad.schema', schema: { type: 'strange' } } }), 400, [
      'body.schema',
    ]);
    expectProblem(await hookrelay.request('POST', '/v1/event-types', { body: { name: 'bad.schema', schema: { minimum: 'ten' } } }), 400, [
      'body.schema',
    ]);
    expectProblem(await hookrelay.request('POST', '/v1/event-types', { body: { name: 'has space' } }), 400, ['body.name']);
    expectProblem(await hookrelay.request('POST', '/v1/event-types', { body: { name: 'x.y', colour: 'red' } }), 400);
    const stored = await hookrelay.db.selectFrom('event_types').select('name').where('name', '=', 'bad.schema').execute();
    expect(stored).toEqual([]);
  });

  it('accepts draft-07 schemas too', async () => {
    const res = await hookrelay.request('POST', '/v1/event-types', {
      body: {
        name: 'legacy.thing',
        schema: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          required: ['id'],
          additionalProperties: false,
          properties: { id: { type: 'string' } },
        },
      },
    });
    expect(res.status).toBe(201);
    const published = await hookrelay.request('POST', `/v1/tenants/${tenant}/events`, {
      key: tenantKey,
      body: { type: 'legacy.thing', data: { id: 'x', extra: 1 } },
    });
    expectProblem(published, 400, ['body.data.extra']);
  });

  it('checks published data against the schema, reporting every violation as a field error', async () => {
    const bad = await hookrelay.request('POST', `/v1/tenants/${tenant}/events`, {
      key: tenantKey,
      body: { type: 'invoice.created', data: { amount: -5, lines: [{ sku: 'a' }, {}] } },
    });
    expectProblem(bad, 400, ['body.data.invoiceId', 'body.data.amount', 'body.data.lines.1.sku']);
    expect(await hookrelay.db.selectFrom('events').select('id').execute()).toEqual([]);

    const good = await hookrelay.request('POST', `/v1/tenants/${tenant}/events`, {
      key: tenantKey,
      body: { type: 'invoice.created', data: { invoiceId: 'inv_1', amount: 5 } },
    });
    expect(good.status).toBe(202);
  });

  it('lists the catalog grouped by group to any key, archived ones only on request', async () => {
    for (const [name, group] of [
      ['order.placed', 'Order'],
      ['order.shipped', 'Order'],
      ['account.closed', 'Account'],
    ] as const) {
      expect((await hookrelay.request('POST', '/v1/event-types', { body: { name, group } })).status).toBe(201);
    }
    expect((await hookrelay.request('PATCH', '/v1/event-types/account.closed', { body: { archived: true } })).status).toBe(200);
    // hookrelay's own operational types cannot be archived: disabling an endpoint and test sends raise them.
    for (const name of ['endpoint.disabled', 'webhook.test']) {
      expectProblem(await hookrelay.request('PATCH', `/v1/event-types/${name}`, { body: { archived: true } }), 400, ['body.archived']);
    }

    const res = await hookrelay.request('GET', '/v1/event-types', { key: tenantKey });
    expect(res.status).toBe(200);
    for (const item of res.body.data) eventTypeResponse.parse(item);
    const names = res.body.data.map((t: { name: string }) => t.name);
    expect(names).not.toContain('account.closed');
    expect(res.body.groups).toEqual(
      expect.arrayContaining([
        { group: 'Order', eventTypes: ['order.placed', 'order.shipped'] },
        { group: 'Invoice', eventTypes: ['invoice.created'] },
      ]),
    );
    // Ordered by group, then name.
    const groupOrder = res.body.data.map((t: { group: string }) => t.group);
    expect(groupOrder).toEqual([...groupOrder].sort());
    expect(res.body.nextCursor).toBeNull();

    const all = await hookrelay.request('GET', '/v1/event-types?includeArchived=true', { key: tenantKey });
    expect(all.body.groups).toContainEqual({ group: 'Account', eventTypes: ['account.closed'] });
    expect(all.body.data.find((t: { name: string }) => t.name === 'account.closed')).toMatchObject({ archived: true });

    expectProblem(await hookrelay.request('GET', '/v1/event-types?includeArchived=maybe'), 400, ['query.includeArchived']);
    expectProblem(await hookrelay.request('GET', '/v1/event-types?group=Order'), 400);
    expectProblem(await hookrelay.request('GET', '/v1/event-types', { key: null }), 401);
  });

  it('lets the admin archive, unarchive, describe, regroup and change the schema', async () => {
    await hookrelay.request('POST', '/v1/event-types', { body: { name: 'user.created', group: 'Users' } });
    const path = '/v1/event-types/user.created';

    const archived = await hookrelay.request('PATCH', path, { body: { archived: true, description: 'A user signed up', group: 'People' } });
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ name: 'user.created', archived: true, description: 'A user signed up', group: 'People' });

    // Archived types take no new subscriptions and no new events.
    const endpoint = await hookrelay.request('POST', `/v1/tenants/${tenant}/endpoints`, {
      key: tenantKey,
      body: { name: 'x', url: 'https://example.com', eventTypes: ['user.created'] },
    });
    expectProblem(endpoint, 400, ['body.eventTypes']);
    expectProblem(
      await hookrelay.request('POST', `/v1/tenants/${tenant}/events`, { key: tenantKey, body: { type: 'user.created', data: {} } }),
      400,
      ['body.type'],
    );

    const unarchived = await hookrelay.request('PATCH', path, {
      body: { archived: false, schema: { type: 'object', required: ['userId'] } },
    });
    expect(unarchived.body).toMatchObject({ archived: false, schema: { type: 'object', required: ['userId'] } });
    expectProblem(
      await hookrelay.request('POST', `/v1/tenants/${tenant}/events`, { key: tenantKey, body: { type: 'user.created', data: {} } }),
      400,
      ['body.data.userId'],
    );

    const schemaRemoved = await hookrelay.request('PATCH', path, { body: { schema: null } });
    expect(schemaRemoved.body.schema).toBeNull();
    expect(
      (await hookrelay.request('POST', `/v1/tenants/${tenant}/events`, { key: tenantKey, body: { type: 'user.created', data: {} } }))
        .status,
    ).toBe(202);

    expectProblem(await hookrelay.request('PATCH', path, { body: { schema: { type: 12 } } }), 400, ['body.schema']);
    expectProblem(await hookrelay.request('PATCH', path, { body: { name: 'renamed' } }), 400);
    expectProblem(await hookrelay.request('PATCH', path, { key: tenantKey, body: { archived: true } }), 403);
    expectProblem(await hookrelay.request('PATCH', path, { key: null, body: { archived: true } }), 401);
    expectProblem(await hookrelay.request('PATCH', '/v1/event-types/no.such.type', { body: { archived: true } }), 404);
    expectProblem(await hookrelay.request('PATCH', '/v1/event-types/bad%20name', { body: { archived: true } }), 400, ['params.name']);
  });
});
