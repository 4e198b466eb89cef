// A replay over 2,000 failed deliveries after the receiver comes back sends each exactly once, at
// the endpoint's rate limit, against a real worker, Temporal dev server, PostgreSQL and receiver
// (a stack of its own: the job keeps its worker busy for a while).
import { createTenant, ensureEventType } from '../support/api';
import { seedFailedDeliveries } from '../support/failed-deliveries';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

describe('a replay at scale', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([startTestHookrelay({ HOOKRELAY_CIRCUIT_ENABLED: 'false' }), startReceiver()]);
    await ensureEventType(hookrelay, 'invoice.activated');
  });
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });

  async function createEndpoint(tenantId: string, body: Record<string, unknown> = {}): Promise<string> {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'receiver', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true, ...body },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function replayWhen(tenantId: string, id: string, predicate: (body: any) => boolean, what: string, timeoutMs: number) {
    let last = 0;
    return waitFor(
      async () => {
        const res = await hookrelay.request('GET', `/v1/tenants/${tenantId}/replays/${id}`);
        expect(res.status).toBe(200);
        if (Date.now() - last > 30_000) {
          last = Date.now();
          console.log(`[replay progress] ${res.body.status} ${JSON.stringify(res.body.counts)}`);
        }
        return predicate(res.body) ? res.body : undefined;
      },
      { what, timeoutMs },
    );
  }

  const webhookIds = (r: Receiver) => r.requests.map((request) => String(request.headers['webhook-id']));

  it('resends each of 2,000 failed deliveries exactly once after the receiver comes back, at the endpoint rate limit', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId, { rateLimitPerSecond: 100 });
    // What a day-long outage left: 2,000 deliveries failed with 503, 40 refused with 400, 30 that got through.
    const outage = await seedFailedDeliveries(hookrelay.db, { tenantId, endpointId, count: 2000, lastResponseStatus: 503 });
    const refused = await seedFailedDeliveries(hookrelay.db, { tenantId, endpointId, count: 40, lastResponseStatus: 400 });
    await seedFailedDeliveries(hookrelay.db, { tenantId, endpointId, count: 30, status: 'succeeded', lastResponseStatus: 200 });

    const created = await hookrelay.request('POST', `/v1/tenants/${tenantId}/replays`, {
      body: { mode: 'failed', endpointIds: [endpointId], statusClass: '5xx' },
    });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ mode: 'failed', filter: { endpointIds: [endpointId], statusClass: '5xx' } });
    const startedAt = Date.now();
    const done = await replayWhen(tenantId, created.body.id, (r) => r.status === 'completed', 'the replay to complete', 1_080_000);
    const seconds = (Date.now() - startedAt) / 1000;

    expect(done.counts).toEqual({ matched: 2000, started: 2000, delivered: 2000, failed: 0 });
    const ids = webhookIds(receiver);
    expect(ids).toHaveLength(2000);
    expect(new Set(ids)).toEqual(new Set(outage.eventIds));
    for (const id of refused.eventIds) expect(ids).not.toContain(id);
    // Paced: 2,000 at 100/s take 20 s at least; no second holds more than the limit and its burst.
    const times = receiver.requests.map((request) => request.receivedAt).sort((a, b) => a - b);
    let busiestSecond = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1000) j++;
      busiestSecond = Math.max(busiestSecond, i - j + 1);
    }
    console.log(`[replay figures] 2000 deliveries in ${seconds.toFixed(1)} s; busiest second ${busiestSecond}`);
    expect(times[times.length - 1]! - times[0]!).toBeGreaterThanOrEqual(18_000);
    expect(busiestSecond).toBeLessThanOrEqual(115);
    // Every resend names its original and the replay.
    const rows = await hookrelay.db.selectFrom('deliveries').select(['retry_of_id']).where('replay_id', '=', created.body.id).execute();
    expect(new Set(rows.map((row) => row.retry_of_id))).toEqual(new Set(outage.deliveryIds));
  }, 1_200_000);
});
