// Batch publishing: POST …/events/batch and the typed client's publishEvents. Every event of a
// batch is recorded in one transaction or none; each keeps its own idempotency key and result.
import { publishBatchResponse } from '../../src/api/response-schemas';
import { MAX_BATCH_EVENTS } from '../../src/domain/publish-batch';
import { InvalidInputError } from '../../src/domain/errors';
import { publishBatchWorkflowId, publishEvents } from '../../src/temporal/client';
import { createKey, createTenant, ensureEventType, expectProblem } from '../support/api';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

describe('batch publish', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let tenantId: string;
  let otherTenantId: string;
  let publishKey: string;
  let otherKey: string;
  const batchPath = () => `/v1/tenants/${tenantId}/events/batch`;

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([startTestHookrelay(), startReceiver()]);
    await ensureEventType(hookrelay, 'invoice.activated');
    await ensureEventType(hookrelay, 'invoice.paid', {
      schema: { type: 'object', properties: { amount: { type: 'integer' } }, required: ['amount'] },
    });
    [tenantId, otherTenantId] = await Promise.all([createTenant(hookrelay, 'batch'), createTenant(hookrelay, 'other')]);
    [publishKey, otherKey] = await Promise.all([
      createKey(hookrelay, tenantId, ['events:publish']),
      createKey(hookrelay, otherTenantId, ['events:publish']),
    ]);
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'receiver', url: receiver.url, eventTypes: ['invoice.activated', 'invoice.paid'], enabled: true },
    });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });

  const requestsFor = (eventId: string) => receiver.requests.filter((request) => request.headers['webhook-id'] === eventId);
  const eventCount = async () =>
    Number(
      (
        await hookrelay.db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('tenant_id', '=', tenantId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('answers 202 with one result per event, in order, and delivers every event once', async () => {
    const events = [
      { type: 'invoice.activated', data: { n: 1 }, idempotencyKey: 'batch-a' },
      { type: 'invoice.paid', data: { amount: 5 }, resourceId: 'inv_2' },
      { type: 'invoice.activated', data: { n: 3 } },
    ];
    const res = await hookrelay.request('POST', batchPath(), { key: publishKey, body: { events } });
    expect(res.status).toBe(202);
    expect(publishBatchResponse.parse(res.body).results).toHaveLength(3);
    const ids = (res.body.results as Array<{ id: string }>).map((result) => result.id);
    expect(new Set(ids).size).toBe(3);
    expect(res.body.results).toEqual(ids.map((id) => ({ id, deliveryCount: 1, duplicate: false })));
    await waitFor(async () => ids.every((id) => requestsFor(id).length === 1), { what: 'the three deliveries' });
    const bodies = ids.map((id) => JSON.parse(requestsFor(id)[0]!.body) as { type: string; data: unknown; resourceId?: string });
    expect(bodies.map((body) => [body.type, body.data])).toEqual(events.map((event) => [event.type, event.data]));
    expect(bodies[1]!.resourceId).toBe('inv_2');
  });

  it('answers each repeated idempotency key as a duplicate of its original, within the batch and across batches', async () => {
    const first = await hookrelay.request('POST', batchPath(), {
      key: publishKey,
      body: {
        events: [
          { type: 'invoice.activated', data: { n: 1 }, idempotencyKey: 'batch-dup' },
          { type: 'invoice.activated', data: { n: 2 }, idempotencyKey: 'batch-dup' },
        ],
      },
    });
    expect(first.status).toBe(202);
    const [original, repeat] = first.body.results as Array<{ id: string; deliveryCount: number; duplicate: boolean }>;
    expect(original).toEqual({ id: expect.any(String), deliveryCount: 1, duplicate: false });
    expect(repeat).toEqual({ id: original!.id, deliveryCount: 1, duplicate: true });

    const again = await hookrelay.request('POST', batchPath(), {
      key: publishKey,
      body: { events: [{ type: 'invoice.activated', data: { n: 1 }, idempotencyKey: 'batch-dup' }] },
    });
    expect(again.status).toBe(200);
    expect(again.body.results).toEqual([{ id: original!.id, deliveryCount: 1, duplicate: true }]);
    await waitFor(async () => requestsFor(original!.id).length === 1, { what: 'the delivery' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(requestsFor(original!.id)).toHaveLength(1);
  });

  it('refuses the whole batch when one event is refused, pointing at it, and records nothing', async () => {
    const before = await eventCount();
    const catalog = await hookrelay.request('POST', batchPath(), {
      key: publishKey,
      body: {
        events: [
          { type: 'invoice.activated', data: { n: 1 }, idempotencyKey: 'refused-batch' },
          { type: 'invoice.paid', data: { amount: 'five' } },
          { type: 'no.such.type', data: {} },
        ],
      },
    });
    expectProblem(catalog, 400, ['body.events.1.data.amount']);
    const schema = await hookrelay.request('POST', batchPath(), {
      key: publishKey,
      body: {
        events: [
          { type: 'invoice.activated', data: { n: 1 } },
          { type: 'invoice.activated', data: 'not an object' },
        ],
      },
    });
    expectProblem(schema, 400);
    expect(JSON.stringify(schema.body.errors)).toContain('events');
    const operational = await hookrelay.request('POST', batchPath(), {
      key: publishKey,
      body: {
        events: [
          { type: 'invoice.activated', data: {} },
          { type: 'endpoint.disabled', data: {} },
        ],
      },
    });
    expectProblem(operational, 400, ['body.events.1.type']);
    const unstorable = await hookrelay.request('POST', batchPath(), {
      key: publishKey,
      body: {
        events: [
          { type: 'invoice.activated', data: {} },
          { type: 'invoice.activated', data: { note: 'nul \u0000 here' } },
        ],
      },
    });
    expectProblem(unstorable, 400, ['body.events.1.data.note']);
    expect(await eventCount()).toBe(before);

    // Nothing of the refused batch was kept: its key publishes afresh.
    const retried = await hookrelay.request('POST', batchPath(), {
      key: publishKey,
      body: { events: [{ type: 'invoice.activated', data: { n: 1 }, idempotencyKey: 'refused-batch' }] },
    });
    expect(retried.status).toBe(202);
    expect(retried.body.results[0].duplicate).toBe(false);
  });

  it('refuses an empty batch, one over the limit, unknown fields and the Idempotency-Key header', async () => {
    const over = Array.from({ length: MAX_BATCH_EVENTS + 1 }, (_, n) => ({ type: 'invoice.activated', data: { n } }));
    expectProblem(await hookrelay.request('POST', batchPath(), { key: publishKey, body: { events: [] } }), 400, ['body.events']);
    expectProblem(await hookrelay.request('POST', batchPath(), { key: publishKey, body: { events: over } }), 400, ['body.events']);
    expectProblem(await hookrelay.request('POST', batchPath(), { key: publishKey, body: { events: [], extra: 1 } }), 400);
    expectProblem(
      await hookrelay.request('POST', batchPath(), {
        key: publishKey,
        body: { events: [{ type: 'invoice.activated', data: {} }] },
        headers: { 'idempotency-key': 'one-for-all' },
      }),
      400,
      ['headers.idempotency-key'],
    );
  });

  it("keeps tenants apart: another tenant's key gets 404 and nothing is recorded", async () => {
    const before = await eventCount();
    const res = await hookrelay.request('POST', batchPath(), {
      key: otherKey,
      body: { events: [{ type: 'invoice.activated', data: {} }] },
    });
    expectProblem(res, 404);
    expect(await eventCount()).toBe(before);
  });

  it('publishEvents runs one publish workflow for the whole batch, whose repeat is harmless', async () => {
    const requests = Array.from({ length: 20 }, (_, n) => ({
      tenantId,
      type: 'invoice.activated',
      data: { n },
      idempotencyKey: `client-batch-${n}`,
    }));
    const results = await publishEvents(hookrelay.temporal, requests, { taskQueue: hookrelay.taskQueue });
    expect(results).toHaveLength(20);
    expect(results.every((result) => result.deliveryCount === 1 && !result.duplicate)).toBe(true);
    await waitFor(async () => results.every((result) => requestsFor(result.eventId).length === 1), { what: 'twenty deliveries' });

    const workflowId = publishBatchWorkflowId(requests.map((request, n) => ({ ...request, eventId: results[n]!.eventId })));
    const history = await hookrelay.temporal.workflow.getHandle(workflowId).fetchHistory();
    // Started, one workflow task with the local activity's marker, completed: as a single publish.
    expect(history.events).toHaveLength(6);

    const repeated = await publishEvents(hookrelay.temporal, requests, { taskQueue: hookrelay.taskQueue });
    expect(repeated.map((result) => result.eventId)).toEqual(results.map((result) => result.eventId));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(results.every((result) => requestsFor(result.eventId).length === 1)).toBe(true);
  });

  it('publishEvents refuses a batch with a refused event as InvalidInputError, recording nothing', async () => {
    const before = await eventCount();
    const refused = publishEvents(
      hookrelay.temporal,
      [
        { tenantId, type: 'invoice.activated', data: { n: 1 } },
        { tenantId, type: 'invoice.paid', data: { amount: 'x' } },
      ],
      { taskQueue: hookrelay.taskQueue },
    );
    await expect(refused).rejects.toBeInstanceOf(InvalidInputError);
    await expect(refused).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'body.events.1.data.amount' })] });
    await expect(publishEvents(hookrelay.temporal, [], { taskQueue: hookrelay.taskQueue })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(
      publishEvents(hookrelay.temporal, [{ tenantId, type: 'endpoint.disabled', data: {} }], { taskQueue: hookrelay.taskQueue }),
    ).rejects.toMatchObject({ errors: [expect.objectContaining({ path: 'events.0.type' })] });
    expect(await eventCount()).toBe(before);
  });
});
