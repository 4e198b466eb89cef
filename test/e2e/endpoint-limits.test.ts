// Enforced receiver protection, measured at real loopback receivers: an endpoint's rate limit and
// its concurrency limit hold across two workers on one task queue, whatever arrives at once,
// and waiting spends no attempt.
import { rateLimitBurst } from '../../src/domain/rate-limit';
import { createTenant, ensureEventType } from '../support/api';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';
import { maxInWindow, mostInFlight } from '../support/windows';

describe('endpoint rate and concurrency limits', () => {
  let hookrelay: TestHookrelay;
  let secondWorker: { stop(): Promise<void> };
  let receiver: Receiver;

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([startTestHookrelay(), startReceiver()]);
    secondWorker = await hookrelay.startAnotherWorker();
    await ensureEventType(hookrelay, 'invoice.paid');
  });
  afterAll(async () => {
    await secondWorker?.stop();
    await hookrelay?.close();
    await receiver?.close();
  });

  async function createEndpoint(tenantId: string, body: Record<string, unknown>): Promise<string> {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'limited', url: receiver.url, eventTypes: ['invoice.paid'], enabled: true, ...body },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function publishBurst(tenantId: string, count: number): Promise<void> {
    await Promise.all(
      Array.from({ length: count }, async (_, n) => {
        const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, { body: { type: 'invoice.paid', data: { n } } });
        expect([200, 202]).toContain(res.status);
      }),
    );
  }

  async function deliveriesOf(endpointId: string) {
    return hookrelay.db.selectFrom('deliveries').selectAll().where('endpoint_id', '=', endpointId).execute();
  }

  it('accepts, returns and validates maxConcurrentRequests', async () => {
    const tenantId = await createTenant(hookrelay);
    const created = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'c', url: receiver.url, eventTypes: ['invoice.paid'], maxConcurrentRequests: 3 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ maxConcurrentRequests: 3, rateLimitPerSecond: null });
    const path = `/v1/tenants/${tenantId}/endpoints/${created.body.id}`;
    for (const bad of [0, 1001, 1.5, '2']) {
      const res = await hookrelay.request('PATCH', path, { body: { maxConcurrentRequests: bad } });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.maxConcurrentRequests');
    }
    expect((await hookrelay.request('GET', path)).body.maxConcurrentRequests).toBe(3);
    const cleared = await hookrelay.request('PATCH', path, { body: { maxConcurrentRequests: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.maxConcurrentRequests).toBeNull();
  });

  it('never lets a 5/s endpoint receive more than 5 + burst POSTs in any second, across two workers, and delivers all without spending attempts', async () => {
    const perSecond = 5;
    const count = 40;
    const tenantId = await createTenant(hookrelay, 'Rate limited');
    const endpointId = await createEndpoint(tenantId, { rateLimitPerSecond: perSecond });
    const before = receiver.requests.length;
    await publishBurst(tenantId, count);

    // While the burst drains, deliveries wait for their slot, visibly, in the API.
    const waiting = await waitFor(
      async () => {
        const res = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries?endpointId=${endpointId}&status=waiting`);
        return res.body.data?.length > 0 ? res.body.data[0] : undefined;
      },
      { what: 'a delivery waiting for its rate-limit slot' },
    );
    expect(waiting).toMatchObject({ status: 'waiting', waitReason: 'rate_limit', attemptCount: 0, nextAttemptAt: expect.any(String) });
    expect(waiting.statusReason).toMatch(/rate limit 5\/s/);

    await receiver.waitForRequests(before + count, 30_000);
    const arrivals = receiver.requests.slice(before).map((request) => request.receivedAt);
    expect(arrivals).toHaveLength(count);
    expect(maxInWindow(arrivals, 1000)).toBeLessThanOrEqual(perSecond + rateLimitBurst({ perSecond }));
    // Delivered as soon as capacity allows: the burst, then one slot every 1/N s, plus slack for a
    // loaded machine (a refused delivery's first slot may come sooner than its workflow can turn around).
    const spanMs = Math.max(...arrivals) - Math.min(...arrivals);
    expect(spanMs).toBeLessThan(((count - rateLimitBurst({ perSecond })) / perSecond) * 1000 + 6_000);

    await waitFor(async () => (await deliveriesOf(endpointId)).every((d) => d.status === 'succeeded'), { what: 'all succeeded' });
    const deliveries = await deliveriesOf(endpointId);
    expect(deliveries.map((d) => d.attempt_count)).toEqual(Array.from({ length: count }, () => 1));
    expect(deliveries.every((d) => d.wait_reason === null)).toBe(true);
    const metrics = await (await fetch(`${hookrelay.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/hookrelay_delivery_attempts_deferred_total\{reason="rate_limit"\} [1-9]/);
  }, 60_000);

  it('never has more than 2 POSTs in flight at a concurrency-limited endpoint with a slow receiver, and delivers all', async () => {
    const slow = await startReceiver();
    slow.respondWith(() => ({ status: 200, body: 'ok', delayMs: 400 }));
    try {
      const count = 12;
      const tenantId = await createTenant(hookrelay, 'Concurrency limited');
      const endpointId = await createEndpoint(tenantId, { url: slow.url, maxConcurrentRequests: 2, timeoutMs: 15_000 });
      const startedAt = Date.now();
      await publishBurst(tenantId, count);
      const waiting = await waitFor(
        async () => (await deliveriesOf(endpointId)).find((d) => d.status === 'waiting' && d.wait_reason === 'concurrency_limit'),
        { what: 'a delivery waiting for a concurrency slot' },
      );
      expect(waiting.attempt_count).toBe(0);
      await waitFor(async () => slow.requests.length >= count, { what: `${count} POSTs received`, timeoutMs: 30_000 });
      // Each freed slot woke the oldest waiter: 12 POSTs of 400 ms, 2 at a time, take about 2.4 s,
      // well before the fallback timers (the endpoint timeout plus the lease margin, 20 s here).
      expect(Date.now() - startedAt).toBeLessThan(12_000);
      await waitFor(async () => (await deliveriesOf(endpointId)).every((d) => d.status === 'succeeded'), { what: 'all succeeded' });
      expect(slow.requests).toHaveLength(count);
      expect(mostInFlight(slow.requests)).toBe(2);
      const deliveries = await deliveriesOf(endpointId);
      expect(deliveries.map((d) => d.attempt_count)).toEqual(Array.from({ length: count }, () => 1));
      const leases = await hookrelay.db
        .selectFrom('endpoint_concurrency_leases')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
        .execute();
      expect(leases).toEqual([]);
    } finally {
      await slow.close();
    }
  }, 60_000);
});
