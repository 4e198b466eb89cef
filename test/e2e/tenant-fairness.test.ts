// Tenant fairness (issue 12): a tenant whose endpoint answers slowly holds at most its share of
// the worker's POST slots; its other deliveries wait on timers (no slot held, no attempt spent)
// while another tenant's deliveries go straight through. Measured at the receivers on loopback.
import { createTenantWithEndpoint } from '../support/fixtures';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';
import { mostInFlight } from '../support/windows';

const SLOW_MS = 1_500;

describe('tenant fairness', () => {
  let hookrelay: TestHookrelay;
  let slow: Receiver;
  let fast: Receiver;

  beforeAll(async () => {
    // 4 POST slots; a tenant alone may hold half of them.
    [hookrelay, slow, fast] = await Promise.all([
      startTestHookrelay({ HOOKRELAY_WORKER_MAX_CONCURRENT_POSTS: '4', HOOKRELAY_TENANT_FAIR_SHARE: '0.5' }),
      startReceiver(),
      startReceiver(),
    ]);
    slow.respondWith(() => ({ status: 200, body: 'late', delayMs: SLOW_MS }));
  });
  afterAll(async () => {
    await hookrelay?.close();
    await slow?.close();
    await fast?.close();
  });

  async function publish(tenantId: string, type: string, n: number): Promise<string> {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, { body: { type, data: { n } } });
    expect(res.status).toBe(202);
    return res.body.id as string;
  }

  it('holds a slow tenant to its share, delivers another tenant at once, and spends no attempt on the wait', async () => {
    const a = await createTenantWithEndpoint(hookrelay.ctx, { url: slow.url, eventTypes: ['fair.slow'] });
    const b = await createTenantWithEndpoint(hookrelay.ctx, { url: fast.url, eventTypes: ['fair.fast'] });
    for (let i = 0; i < 8; i++) await publish(a.tenantId, a.eventType, i);
    await slow.waitForRequests(2, 10_000);

    // A's line is waiting on timers: B's delivery is not behind it.
    const sentAt = Date.now();
    await publish(b.tenantId, b.eventType, 1);
    const [received] = await fast.waitForRequests(1, 10_000);
    expect(received!.receivedAt - sentAt).toBeLessThan(SLOW_MS);

    const waiting = await hookrelay.request('GET', `/v1/tenants/${a.tenantId}/deliveries?status=waiting`);
    expect(waiting.status).toBe(200);
    expect(waiting.body.data.length).toBeGreaterThan(0);
    expect(waiting.body.data[0]).toMatchObject({ status: 'waiting', waitReason: 'tenant_fair_share', attemptCount: 0 });

    // Every one of A's deliveries arrives in the end, on its first attempt, never more than 2 at a time.
    await waitFor(
      async () => {
        const { count } = await hookrelay.db
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .where('tenant_id', '=', a.tenantId)
          .where('status', '=', 'succeeded')
          .executeTakeFirstOrThrow();
        return Number(count) === 8;
      },
      { timeoutMs: 60_000, what: "all of A's deliveries" },
    );
    expect(slow.requests).toHaveLength(8);
    expect(mostInFlight(slow.requests)).toBe(2);
    const attempts = await hookrelay.db.selectFrom('deliveries').select('attempt_count').where('tenant_id', '=', a.tenantId).execute();
    expect(attempts.every((row) => row.attempt_count === 1)).toBe(true);
  });
});
