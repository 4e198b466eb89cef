// The endpoint-wide circuit on loopback (issue 12 part 3): what the receiver sees when it answers
// 503 with Retry-After, when it keeps timing out, and when it names a healthCheckUrl; the state in
// the API and the metrics; and the failing-for-days give-up rule behind an open circuit.
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { createTenant, ensureEventType, expectProblem } from '../support/api';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

const retries = { strategy: 'schedule', delaysSeconds: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], jitter: 0 };

function harness(env: Record<string, string>) {
  const h = {} as { hookrelay: TestHookrelay; receiver: Receiver; health: Receiver };
  beforeAll(async () => {
    [h.hookrelay, h.receiver, h.health] = await Promise.all([startTestHookrelay(env), startReceiver(), startReceiver()]);
    await ensureEventType(h.hookrelay, 'invoice.paid');
  });
  afterAll(async () => {
    await h.hookrelay?.close();
    await Promise.all([h.receiver?.close(), h.health?.close()]);
  });
  return h;
}

async function createEndpoint(hookrelay: TestHookrelay, tenantId: string, body: Record<string, unknown>): Promise<string> {
  const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
    body: { name: 'receiver', eventTypes: ['invoice.paid'], enabled: true, retryPolicy: retries, ...body },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function publish(hookrelay: TestHookrelay, tenantId: string, n: number): Promise<string> {
  const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, { body: { type: 'invoice.paid', data: { n } } });
  expect([200, 202]).toContain(res.status);
  return res.body.id as string;
}

async function health(hookrelay: TestHookrelay, tenantId: string, endpointId: string) {
  const res = await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}`);
  return res.body.health as { state: string; since: string | null; reason: string | null; nextProbeAt: string | null };
}

async function healthWhen(hookrelay: TestHookrelay, tenantId: string, endpointId: string, state: string, timeoutMs = 20_000) {
  return waitFor(
    async () => {
      const current = await health(hookrelay, tenantId, endpointId);
      return current.state === state ? current : undefined;
    },
    { what: `endpoint ${state}`, timeoutMs },
  );
}

async function deliveriesOf(hookrelay: TestHookrelay, endpointId: string) {
  return hookrelay.db.selectFrom('deliveries').selectAll().where('endpoint_id', '=', endpointId).execute();
}

async function allSucceeded(hookrelay: TestHookrelay, endpointId: string, count: number, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const rows = await deliveriesOf(hookrelay, endpointId);
      return rows.length === count && rows.every((row) => row.status === 'succeeded') ? rows : undefined;
    },
    { what: `${count} deliveries succeeded`, timeoutMs },
  );
}

const DEFERRED_BACKING_OFF = 'hookrelay_delivery_attempts_deferred_total{reason="endpoint_backing_off"}';

function metric(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(line + ' '));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

describe('endpoint circuit', () => {
  const h = harness({ HOOKRELAY_CIRCUIT_BACKOFF_BASE_MS: '500', HOOKRELAY_CIRCUIT_BACKOFF_MAX_MS: '1500' });

  // Publishing 20 events takes ~4 s on the shared 2-core test machine: with Retry-After: 1 the back-off
  // would be over before most of them exist, so the endpoint asks for 6 s (the rule is the same).
  const RETRY_AFTER = 6;

  it('a 503 with Retry-After holds every delivery back: one request, one probe after the Retry-After, then the rest', async () => {
    const { hookrelay, receiver } = h;
    const tenantId = await createTenant(hookrelay);
    const before = receiver.requests.length;
    receiver.respondWith((_request, index) =>
      index === before ? { status: 503, headers: { 'retry-after': String(RETRY_AFTER) } } : { status: 200 },
    );
    const endpointId = await createEndpoint(hookrelay, tenantId, { url: receiver.url });
    expect(await health(hookrelay, tenantId, endpointId)).toEqual({ state: 'healthy', since: null, reason: null, nextProbeAt: null });

    await publish(hookrelay, tenantId, 0);
    await receiver.waitForRequests(before + 1);
    const backingOff = await healthWhen(hookrelay, tenantId, endpointId, 'backing-off');
    expect(backingOff.reason).toMatch(new RegExp(`503 with Retry-After ${RETRY_AFTER} s`));
    expect(Date.parse(backingOff.nextProbeAt!) - receiver.requests[before]!.receivedAt).toBeGreaterThanOrEqual(RETRY_AFTER * 1000 - 100);

    const deferredBefore = metric((await hookrelay.metrics.scrape()).body, DEFERRED_BACKING_OFF);
    await Promise.all(Array.from({ length: 20 }, (_, n) => publish(hookrelay, tenantId, n + 1)));
    // The newcomers wait without an attempt, saying why and until when.
    const waiting = await waitFor(
      async () => {
        const rows = await deliveriesOf(hookrelay, endpointId);
        const held = rows.filter((row) => row.status === 'waiting' && row.wait_reason === 'endpoint_backing_off');
        return held.length > 0 ? held : undefined;
      },
      { what: 'deliveries waiting behind the back-off' },
    );
    expect(waiting.every((row) => row.attempt_count === 0 && row.next_attempt_at !== null)).toBe(true);
    const shown = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${waiting[0]!.id}`);
    expect(shown.body).toMatchObject({ status: 'waiting', waitReason: 'endpoint_backing_off', nextAttemptAt: expect.any(String) });

    const delivered = await allSucceeded(hookrelay, endpointId, 21);
    const [first, probe, ...rest] = receiver.requests.slice(before);
    expect(receiver.requests.length - before).toBe(22); // the 503, then 21 successes (the first delivery's retry among them)
    expect(probe!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(RETRY_AFTER * 1000);
    // Nothing but the probe before the probe's answer closed the circuit.
    expect(rest.every((request) => request.receivedAt >= probe!.receivedAt)).toBe(true);
    // Waiting spent no attempt: every delivery but the one that got the 503 succeeded at its first.
    expect(delivered.filter((row) => row.attempt_count === 1)).toHaveLength(20);
    // Recovery is prompt (a woken batch), not a crawl: the rest arrive within 5 s of the probe (~0.5 s idle, ~3 s loaded).
    expect(rest.at(-1)!.receivedAt - probe!.receivedAt).toBeLessThan(5_000);

    const healthy = await health(hookrelay, tenantId, endpointId);
    expect(healthy).toMatchObject({ state: 'healthy', reason: null, nextProbeAt: null, since: expect.any(String) });
    const metrics = (await hookrelay.metrics.scrape()).body;
    expect(metric(metrics, 'hookrelay_endpoint_health_transitions_total{from="healthy",to="backing-off"}')).toBeGreaterThanOrEqual(1);
    expect(metric(metrics, 'hookrelay_endpoint_health_transitions_total{from="backing-off",to="healthy"}')).toBeGreaterThanOrEqual(1);
    // Every newcomer was held back at least once (one that came after the probe's answer would not be).
    expect(metric(metrics, DEFERRED_BACKING_OFF) - deferredBefore).toBeGreaterThanOrEqual(20);
    expect(metrics).toMatch(/hookrelay_endpoints_by_health\{state="healthy"\} \d+/);
  }, 45_000);

  it('timeouts in a row open the circuit: one probe at a time, each failure waits longer, then it recovers', async () => {
    const { hookrelay, receiver } = h;
    const tenantId = await createTenant(hookrelay);
    let down = true;
    receiver.respondWith(() => (down ? { status: 200, delayMs: 1_500 } : { status: 200 }));
    const endpointId = await createEndpoint(hookrelay, tenantId, { url: receiver.url, timeoutMs: 300 });
    const before = receiver.requests.length;

    for (let n = 0; n < 3; n++) await publish(hookrelay, tenantId, n);
    const backingOff = await healthWhen(hookrelay, tenantId, endpointId, 'backing-off');
    expect(backingOff.reason).toMatch(/timed out \(3 attempts in a row without an answer\)/);
    for (let n = 3; n < 13; n++) await publish(hookrelay, tenantId, n);
    const open = await healthWhen(hookrelay, tenantId, endpointId, 'open');
    expect(open.reason).toMatch(/delivery probe 1 timed out; next probe in 1 s/);
    // Let at least two more probes fail, then bring the receiver back.
    await waitFor(
      async () => receiver.requests.slice(before).filter((request) => request.receivedAt > Date.parse(backingOff.since!)).length >= 3,
      { what: 'three probes', timeoutMs: 20_000 },
    );
    down = false;
    await allSucceeded(hookrelay, endpointId, 13);

    const seen = receiver.requests.slice(before);
    // Every probe started after the previous one had timed out (300 ms): never two in flight.
    // The probes: the requests after the endpoint began backing off, until the receiver came back.
    const probing = seen.filter((request) => request.receivedAt > Date.parse(backingOff.since!)).slice(0, 3);
    for (let i = 1; i < probing.length; i++) expect(probing[i]!.receivedAt - probing[i - 1]!.receivedAt).toBeGreaterThanOrEqual(300);
    // The first failed probe waited 1 s (500 ms doubled), the next ones at least as long (capped at 1.5 s).
    expect(probing[1]!.receivedAt - probing[0]!.receivedAt).toBeGreaterThanOrEqual(1_000);
    expect(probing[2]!.receivedAt - probing[1]!.receivedAt).toBeGreaterThanOrEqual(1_000);
    expect((await health(hookrelay, tenantId, endpointId)).state).toBe('healthy');
    // Waiting behind the circuit spent no attempt: every attempt recorded is a request the receiver saw.
    const rows = await deliveriesOf(hookrelay, endpointId);
    expect(rows.reduce((sum, row) => sum + row.attempt_count, 0)).toBe(seen.length);
    expect(rows.filter((row) => row.attempt_count === 1).length).toBeGreaterThanOrEqual(13 - (seen.length - 13));
  }, 60_000);

  it('with a healthCheckUrl the probes go there, signed, while the real deliveries wait', async () => {
    const { hookrelay, receiver, health: checks } = h;
    const tenantId = await createTenant(hookrelay);
    const before = receiver.requests.length;
    const checksBefore = checks.requests.length;
    receiver.respondWith((_request, index) => (index === before ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    checks.respondWith((_request, index) => (index === checksBefore ? { status: 500 } : { status: 200 }));
    const endpointId = await createEndpoint(hookrelay, tenantId, {
      url: receiver.url,
      healthCheckUrl: checks.url.replace('/webhook', '/health'),
    });
    const secret = (await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}/secret`)).body.secret as string;
    const metricsBefore = (await hookrelay.metrics.scrape()).body;

    await publish(hookrelay, tenantId, 0);
    await healthWhen(hookrelay, tenantId, endpointId, 'backing-off');
    for (let n = 1; n <= 5; n++) await publish(hookrelay, tenantId, n);
    const open = await healthWhen(hookrelay, tenantId, endpointId, 'open');
    expect(open.reason).toMatch(/health check probe 1 answered 500/);
    await allSucceeded(hookrelay, endpointId, 6);

    const seen = receiver.requests.slice(before);
    const probes = checks.requests.slice(checksBefore);
    expect(probes).toHaveLength(2);
    // The real deliveries waited for the passing check: nothing reached the receiver in between.
    expect(seen).toHaveLength(7);
    expect(seen.slice(1).every((request) => request.receivedAt >= probes[1]!.receivedAt)).toBe(true);
    for (const probe of probes) {
      expect(probe).toMatchObject({ method: 'POST', url: '/health' });
      const body = new Webhook(secret).verify(probe.body, probe.headers as Record<string, string>) as Record<string, unknown>;
      expect(body).toMatchObject({ type: 'hookrelay.health_check', endpointId });
      expect(String(probe.headers['webhook-id'])).toMatch(/^hc_/);
    }
    // Checks are not attempts: five deliveries succeeded at their first attempt.
    const rows = await deliveriesOf(hookrelay, endpointId);
    expect(rows.filter((row) => row.attempt_count === 1)).toHaveLength(5);
    const metrics = (await hookrelay.metrics.scrape()).body;
    const counted = (result: string) =>
      metric(metrics, `hookrelay_endpoint_health_checks_total{result="${result}"}`) -
      metric(metricsBefore, `hookrelay_endpoint_health_checks_total{result="${result}"}`);
    expect({ healthy: counted('healthy'), unhealthy: counted('unhealthy') }).toEqual({ healthy: 1, unhealthy: 1 });
  }, 45_000);

  it('a healthy endpoint costs the circuit no write: its row is untouched by successful deliveries', async () => {
    const { hookrelay, receiver } = h;
    const tenantId = await createTenant(hookrelay);
    receiver.respondWith(() => ({ status: 200 }));
    const endpointId = await createEndpoint(hookrelay, tenantId, { url: receiver.url });
    const version = async () =>
      (await sql<{ xmin: string }>`select xmin::text from endpoints where id = ${endpointId}`.execute(hookrelay.db)).rows[0]!.xmin;
    const before = await version();
    await Promise.all(Array.from({ length: 5 }, (_, n) => publish(hookrelay, tenantId, n)));
    await allSucceeded(hookrelay, endpointId, 5);
    expect(await version()).toBe(before);
  });

  it('refuses a healthCheckUrl the url rules refuse, and clears it with null', async () => {
    const { hookrelay, receiver } = h;
    const tenantId = await createTenant(hookrelay);
    const bad = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'x', url: receiver.url, eventTypes: ['invoice.paid'], healthCheckUrl: 'ftp://example.com/health' },
    });
    expectProblem(bad, 400, ['body.healthCheckUrl']);
    const endpointId = await createEndpoint(hookrelay, tenantId, { url: receiver.url, healthCheckUrl: receiver.url + '/health' });
    const patched = await hookrelay.request('PATCH', `/v1/tenants/${tenantId}/endpoints/${endpointId}`, { body: { healthCheckUrl: null } });
    expect(patched.status).toBe(200);
    expect(patched.body.healthCheckUrl).toBeNull();
    const refused = await hookrelay.request('PATCH', `/v1/tenants/${tenantId}/endpoints/${endpointId}`, {
      body: { healthCheckUrl: 'nope' },
    });
    expectProblem(refused, 400, ['body.healthCheckUrl']);
  });
});

describe('endpoint circuit and the failing-for-days rule', () => {
  // 0.001 h = 3.6 s of failing without a success disables the endpoint.
  const h = harness({
    HOOKRELAY_CIRCUIT_BACKOFF_BASE_MS: '500',
    HOOKRELAY_CIRCUIT_BACKOFF_MAX_MS: '1000',
    HOOKRELAY_DISABLE_FAILING_ENDPOINT_AFTER_HOURS: '0.001',
  });

  it('an endpoint that stays open past the limit is still disabled, though its health checks never spent an attempt', async () => {
    const { hookrelay, receiver, health: checks } = h;
    const tenantId = await createTenant(hookrelay);
    receiver.respondWith(() => ({ status: 503 }));
    checks.respondWith(() => ({ status: 503 }));
    const endpointId = await createEndpoint(hookrelay, tenantId, { url: receiver.url, healthCheckUrl: checks.url });
    await publish(hookrelay, tenantId, 0);
    await healthWhen(hookrelay, tenantId, endpointId, 'backing-off');
    await publish(hookrelay, tenantId, 1);
    await waitFor(async () => checks.requests.length >= 1, { what: 'a failed health check', timeoutMs: 20_000 });
    const disabled = await waitFor(
      async () => {
        const res = await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}`);
        return res.body.enabled === false ? res.body : undefined;
      },
      { what: 'endpoint disabled', timeoutMs: 30_000 },
    );
    expect(disabled.disabledReason).toMatch(/every delivery failed/);
    expect(disabled.health.state).toBe('open');
  }, 45_000);
});
