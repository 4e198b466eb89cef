// Payload filters on real components: validated on create and update with field errors, applied at
// fan-out (an event a filter refuses gets no delivery row and no POST, and is counted), and tried
// with POST …/endpoints/:id/filter/test against a given, a stored and the newest event.
import { filterTestResponse } from '../../src/api/response-schemas';
import { newId } from '../../src/domain/ids';
import { publishEvent } from '../../src/temporal/client';
import { createKey, createTenant, ensureEventType, expectProblem } from '../support/api';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

const bigInvoices = { 'data.amount': { $gt: 100 }, operation: { $in: ['INSERT', 'UPDATE'] } };

describe('payload filters', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let tenantId: string;
  let filtered: string;
  let unfiltered: string;

  const endpoints = `/v1/tenants/${'TENANT'}/endpoints`;
  const path = (suffix = '') => `${endpoints.replace('TENANT', tenantId)}${suffix}`;
  const publish = async (body: Record<string, unknown>) => {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, { body: { type: 'invoice.paid', ...body } });
    expect(res.status).toBe(202);
    return res.body as { id: string; deliveryCount: number };
  };
  const deliveredEndpoints = async (eventId: string) =>
    (await hookrelay.db.selectFrom('deliveries').select('endpoint_id').where('event_id', '=', eventId).execute()).map(
      (row) => row.endpoint_id,
    );
  const filteredOutCount = async () => {
    const text = await (await fetch(`${hookrelay.apiUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith('hookrelay_events_filtered_out_total '));
    return Number(line?.split(' ')[1] ?? NaN);
  };

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([startTestHookrelay(), startReceiver()]);
    await Promise.all(['invoice.paid', 'order.placed'].map((name) => ensureEventType(hookrelay, name)));
    tenantId = await createTenant(hookrelay);
    const create = async (name: string, extra: Record<string, unknown>) => {
      const res = await hookrelay.request('POST', path(), {
        body: { name, url: `${receiver.url}/${name}`, eventTypes: ['invoice.paid'], enabled: true, ...extra },
      });
      expect(res.status).toBe(201);
      return res.body;
    };
    const created = await create('big', { filter: bigInvoices });
    expect(created.filter).toEqual(bigInvoices);
    filtered = created.id;
    unfiltered = (await create('all', {})).id;
  });
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });

  it('creates no delivery for an event the filter refuses, and counts it', async () => {
    const before = await filteredOutCount();
    const small = await publish({ data: { amount: 50 }, operation: 'UPDATE' });
    const big = await publish({ data: { amount: 500 }, operation: 'INSERT' });
    const deleted = await publish({ data: { amount: 500 }, operation: 'DELETE' });
    expect([small.deliveryCount, big.deliveryCount, deleted.deliveryCount]).toEqual([1, 2, 1]);
    expect(await deliveredEndpoints(small.id)).toEqual([unfiltered]);
    expect((await deliveredEndpoints(big.id)).sort()).toEqual([filtered, unfiltered].sort());
    expect(await deliveredEndpoints(deleted.id)).toEqual([unfiltered]);
    expect(await filteredOutCount()).toBe(before + 2);
    const ours = () => receiver.requests.filter((r) => [small.id, big.id, deleted.id].includes(String(r.headers['webhook-id'])));
    await receiver.waitForRequests(4);
    expect(ours()).toHaveLength(4);
    const toFiltered = receiver.requests.filter((r) => r.url.endsWith('/big')).map((r) => r.headers['webhook-id']);
    expect(toFiltered).toEqual([big.id]);
  });

  it('filters events published through the typed client (the publish workflow) the same way', async () => {
    const before = await filteredOutCount();
    const eventId = newId('evt');
    const result = await publishEvent(
      hookrelay.temporal,
      { eventId, tenantId, type: 'invoice.paid', data: { amount: 1 } },
      { taskQueue: hookrelay.taskQueue },
    );
    expect(result.deliveryCount).toBe(1);
    expect(await deliveredEndpoints(eventId)).toEqual([unfiltered]);
    expect(await filteredOutCount()).toBe(before + 1);
  });

  it('filters each event of a batch publish', async () => {
    const before = await filteredOutCount();
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events/batch`, {
      body: {
        events: [
          { type: 'invoice.paid', data: { amount: 5 }, operation: 'INSERT' },
          { type: 'invoice.paid', data: { amount: 5000 }, operation: 'INSERT' },
        ],
      },
    });
    expect(res.status).toBe(202);
    const [small, big] = res.body.results;
    expect([small.deliveryCount, big.deliveryCount]).toEqual([1, 2]);
    expect(await deliveredEndpoints(small.id)).toEqual([unfiltered]);
    expect(await filteredOutCount()).toBe(before + 1);
  });

  it('refuses a bad filter on create and update with field errors, and changes nothing', async () => {
    const bad = { 'data.amount': { $gt: true }, amount: 1, $or: [] };
    const created = await hookrelay.request('POST', path(), {
      body: { name: 'bad', url: `${receiver.url}/bad`, eventTypes: ['invoice.paid'], filter: bad },
    });
    expectProblem(created, 400, ['body.filter.data.amount.$gt', 'body.filter.amount', 'body.filter.$or']);
    expect(created.body.errors.find((e: { path: string }) => e.path === 'body.filter.amount').message).toMatch(/unknown field amount/);
    const count = await hookrelay.db
      .selectFrom('endpoints')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
    expectProblem(await hookrelay.request('PATCH', path(`/${filtered}`), { body: { filter: { 'data.amount': { $regex: '^1' } } } }), 400, [
      'body.filter.data.amount.$regex',
    ]);
    expectProblem(await hookrelay.request('PATCH', path(`/${filtered}`), { body: { filter: [] } }), 400, ['body.filter']);
    expect((await hookrelay.request('GET', path(`/${filtered}`))).body.filter).toEqual(bigInvoices);
  });

  it('changes and clears a filter with PATCH', async () => {
    const other = await hookrelay.request('POST', path(), {
      body: { name: 'patched', url: `${receiver.url}/patched`, eventTypes: ['invoice.paid'] },
    });
    expect(other.body.filter).toBeNull();
    const id = other.body.id as string;
    const changed = await hookrelay.request('PATCH', path(`/${id}`), { body: { filter: { 'previous.status': 'open' } } });
    expect(changed.status).toBe(200);
    expect(changed.body.filter).toEqual({ 'previous.status': 'open' });
    const cleared = await hookrelay.request('PATCH', path(`/${id}`), { body: { filter: null } });
    expect(cleared.body.filter).toBeNull();
  });

  describe('filter/test', () => {
    const test = (id: string, body: unknown, key?: string) =>
      hookrelay.request('POST', path(`/${id}/filter/test`), { body, ...(key && { key }) });

    it("tries the endpoint's own filter on a given event and says why it did not match", async () => {
      const res = await test(filtered, { event: { type: 'invoice.paid', data: { amount: 50 }, operation: 'UPDATE' } });
      expect(res.status).toBe(200);
      const verdict = filterTestResponse.parse(res.body);
      expect(verdict).toMatchObject({ matched: false, subscribed: true, eventSource: 'given', filter: bigInvoices });
      expect(verdict.reason).toBe('data.amount is 50: $gt 100 does not hold');
      expect(verdict.event).toMatchObject({ type: 'invoice.paid', tenantId, data: { amount: 50 }, operation: 'UPDATE' });
      expect(verdict.explanation).toMatchObject({ condition: '$and', matched: false });
    });

    it('tries a filter before it is saved, on a stored event', async () => {
      const { id: eventId } = await publish({ data: { amount: 7, customer: { tier: 'gold' } } });
      const res = await test(filtered, { eventId, filter: { 'data.customer.tier': { $in: ['gold', 'platinum'] } } });
      expect(res.body).toMatchObject({
        matched: true,
        eventSource: 'stored',
        reason: 'data.customer.tier is "gold": $in ["gold","platinum"] holds',
      });
      expect(res.body.event.id).toBe(eventId);
      expect((await hookrelay.request('GET', path(`/${filtered}`))).body.filter).toEqual(bigInvoices);
    });

    it('uses the newest event of a subscribed type when given none, and says when the type is not subscribed', async () => {
      const { id: newest } = await publish({ data: { amount: 1000 }, operation: 'INSERT' });
      const res = await test(filtered, {});
      expect(res.body).toMatchObject({ matched: true, eventSource: 'newest', reason: 'all 2 conditions hold' });
      expect(res.body.event.id).toBe(newest);
      const other = await test(filtered, { event: { type: 'order.placed', data: { amount: 1000 }, operation: 'INSERT' } });
      expect(other.body).toMatchObject({ matched: true, subscribed: false });
      const none = await test(unfiltered, { event: { type: 'invoice.paid', data: {} } });
      expect(none.body).toMatchObject({ matched: true, filter: null, explanation: null });
    });

    it('refuses bad input and hides other tenants', async () => {
      expectProblem(await test(filtered, { filter: { nope: 1 } }), 400, ['body.filter.nope']);
      expectProblem(await test(filtered, { event: { type: 'invoice.paid', data: {} }, eventId: newId('evt') }), 400, ['body.eventId']);
      expectProblem(await test(filtered, { event: { type: 'invoice.paid' } }), 400, ['body.event.data']);
      expectProblem(await test(filtered, { extra: true }), 400);
      expectProblem(await test(filtered, { eventId: newId('evt') }), 404);
      expectProblem(await test(newId('ep'), {}), 404);
      const quiet = await createTenant(hookrelay, 'Quiet');
      const quietEndpoint = await hookrelay.request('POST', `/v1/tenants/${quiet}/endpoints`, {
        body: { name: 'q', url: `${receiver.url}/q`, eventTypes: ['order.placed'] },
      });
      expectProblem(
        await hookrelay.request('POST', `/v1/tenants/${quiet}/endpoints/${quietEndpoint.body.id}/filter/test`, { body: {} }),
        404,
      );
      const otherKey = await createKey(hookrelay, quiet, ['endpoints:read']);
      expectProblem(await test(filtered, {}, otherKey), 404);
      const publishOnly = await createKey(hookrelay, tenantId, ['events:publish']);
      expectProblem(await test(filtered, {}, publishOnly), 403);
    });
  });
});
