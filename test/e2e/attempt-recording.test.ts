// One POST, one record: whatever fails after a POST (PostgreSQL refusing a value, PostgreSQL
// unreachable), the receiver is never POSTed again for it; cancel stops a delivery even while a
// step retries; a delivery that cannot be sent from what is stored fails instead of looping.
// Each stack runs on its own cloned database, which these tests break and repair.
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { Client as PgClient } from 'pg';
import { deliveryWorkflowId } from '../../src/domain/ids';
import { createLogger } from '../../src/logger';
import { cancelSignal } from '../../src/workflows/messages';
import { createTenant, ensureEventType } from '../support/api';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, testStack, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

jest.setTimeout(90_000);

describe('attempt recording', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    [hookrelay, receiver] = await Promise.all([startTestHookrelay({}, { logger }), startReceiver()]);
    await ensureEventType(hookrelay, 'invoice.activated');
  });
  afterEach(async () => {
    await setDatabaseReachable(true);
  });
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });

  const databaseName = () => new URL(hookrelay.config.DATABASE_URL!).pathname.slice(1);

  /** Takes this test file's own database away (every session ended, no new ones) or brings it back. */
  async function setDatabaseReachable(reachable: boolean): Promise<void> {
    const admin = new PgClient({ connectionString: testStack().postgresUrl.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${databaseName()} ALLOW_CONNECTIONS ${reachable}`);
      if (!reachable) {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
          databaseName(),
        ]);
      }
    } finally {
      await admin.end();
    }
  }

  async function setup(retryPolicy: unknown, path: string) {
    const tenantId = await createTenant(hookrelay);
    const endpoint = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: path, url: receiver.url.replace('/webhook', path), eventTypes: ['invoice.activated'], enabled: true, retryPolicy },
    });
    expect(endpoint.status).toBe(201);
    return { tenantId, endpointId: endpoint.body.id as string };
  }

  async function publish(tenantId: string) {
    const published = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, { body: { type: 'invoice.activated', data: {} } });
    expect(published.status).toBe(202);
    const row = await hookrelay.db
      .selectFrom('deliveries')
      .select('id')
      .where('event_id', '=', published.body.id)
      .executeTakeFirstOrThrow();
    return row.id;
  }

  const postsTo = (path: string) => receiver.requests.filter((request) => request.url === path);

  async function finalDelivery(tenantId: string, deliveryId: string) {
    return waitFor(
      async () => {
        const res = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${deliveryId}`);
        return ['succeeded', 'failed', 'cancelled'].includes(res.body?.status) ? res.body : undefined;
      },
      { what: 'a final delivery', timeoutMs: 45_000 },
    );
  }

  async function metric(name: string): Promise<number> {
    const body = (await (await fetch(`${hookrelay.apiUrl}/metrics`)).text()) as string;
    const line = body.split('\n').find((l) => l.startsWith(name));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  it('ends an attempt whose details PostgreSQL refuses as record_failed, POSTs once, and goes on by the rules', async () => {
    // PostgreSQL refuses the attempt row when the receiver's headers carry a marker, as jsonb
    // refuses NUL (SQLSTATE 22P05); the summary without the receiver's details is accepted.
    await sql
      .raw(
        `CREATE FUNCTION refuse_marked_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF NEW.response_headers ? 'x-refuse-me' THEN
             RAISE EXCEPTION 'unsupported Unicode escape sequence' USING ERRCODE = '22P05';
           END IF;
           RETURN NEW;
         END $$`,
      )
      .execute(hookrelay.db);
    await sql
      .raw(
        'CREATE TRIGGER refuse_marked_attempts BEFORE INSERT OR UPDATE ON attempts FOR EACH ROW EXECUTE FUNCTION refuse_marked_attempts()',
      )
      .execute(hookrelay.db);
    const refusedBefore = await metric('hookrelay_attempt_record_failures_total{reason="refused"}');
    const { tenantId } = await setup({ strategy: 'schedule', delaysSeconds: [1], jitter: 0 }, '/refused');
    receiver.respondWith((request, index) =>
      request.url === '/refused' && postsTo('/refused').length === 1
        ? { status: 500, headers: { 'x-refuse-me': 'yes' }, body: 'down' }
        : { status: 200, body: `ok ${index}` },
    );
    const deliveryId = await publish(tenantId);
    const delivery = await finalDelivery(tenantId, deliveryId);
    await sleep(2_000);

    // The refused attempt is one POST, one attempt; the retry policy then gives a second.
    expect(postsTo('/refused')).toHaveLength(2);
    expect(delivery.status).toBe('succeeded');
    expect(delivery.attempts).toHaveLength(2);
    expect(delivery.attempts[0]).toMatchObject({
      number: 1,
      response: { status: 500, headers: {}, body: '' },
      error: { kind: 'record_failed', message: expect.stringContaining('SQLSTATE 22P05') },
    });
    expect(delivery.attempts[1]).toMatchObject({ number: 2, response: { status: 200 }, error: null });
    expect(await metric('hookrelay_attempt_record_failures_total{reason="refused"}')).toBe(refusedBefore + 1);
    expect(lines).toContainEqual(
      expect.objectContaining({
        deliveryId,
        attemptNumber: 1,
        status: 500,
        msg: 'attempt recorded without its details: the database refused them',
      }),
    );
  });

  it('records an attempt after PostgreSQL comes back when it went away right after the POST, without a second POST', async () => {
    const { tenantId } = await setup({ strategy: 'schedule', delaysSeconds: [1, 1, 1], jitter: 0 }, '/outage');
    let broken: Promise<void> | undefined;
    receiver.respondWith((request) => {
      if (request.url !== '/outage') return { status: 200 };
      broken ??= setDatabaseReachable(false);
      return { status: 200, body: 'received', delayMs: 500 }; // answered once the database is gone
    });
    const deliveryId = await publish(tenantId);
    await waitFor(async () => broken !== undefined, { what: 'the POST' });
    await broken;
    await waitFor(
      async () => lines.some((l) => l.deliveryId === deliveryId && l.msg === 'attempt not recorded yet; recording it in a step of its own'),
      {
        what: 'the attempt step failing to record',
        timeoutMs: 20_000,
      },
    );
    await sleep(3_000); // the recording step retries while PostgreSQL is away
    await setDatabaseReachable(true);

    const delivery = await finalDelivery(tenantId, deliveryId);
    await sleep(1_500);
    expect(postsTo('/outage')).toHaveLength(1);
    expect(delivery).toMatchObject({ status: 'succeeded', attemptCount: 1, lastResponseStatus: 200 });
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({
      number: 1,
      response: { status: 200, body: 'received', bodyEncoding: 'utf8' },
      error: null,
    });
  });

  it('cancels a delivery while its attempt step is retrying our own fault, with no further POST', async () => {
    const { tenantId } = await setup({ strategy: 'schedule', delaysSeconds: [2], jitter: 0 }, '/cancel');
    receiver.respondWith(() => ({ status: 500 }));
    const deliveryId = await publish(tenantId);
    await waitFor(
      async () =>
        (await hookrelay.db.selectFrom('deliveries').select('status').where('id', '=', deliveryId).executeTakeFirst())?.status ===
        'retrying',
      { what: 'the delivery waiting for its retry' },
    );
    await setDatabaseReachable(false);
    // The retry is due after 2 s; its attempt step cannot load the delivery and retries.
    await sleep(4_000);
    const handle = hookrelay.temporal.workflow.getHandle(deliveryWorkflowId(deliveryId));
    await handle.signal(cancelSignal, { reason: 'stopped by the test' });
    await sleep(1_000);
    await setDatabaseReachable(true);

    const state = await handle.result();
    expect(state).toMatchObject({ status: 'cancelled', reason: 'stopped by the test', attempts: 1 });
    await sleep(2_000);
    expect(postsTo('/cancel')).toHaveLength(1);
    const delivery = await finalDelivery(tenantId, deliveryId);
    expect(delivery).toMatchObject({ status: 'cancelled', statusReason: 'stopped by the test', attemptCount: 1 });
    expect(delivery.attempts).toHaveLength(1);
  });

  it.each([
    [500, 'cancelled'],
    [200, 'succeeded'],
  ])('lets a POST already on its way when cancel arrives finish and records it (receiver answers %i → %s)', async (status, final) => {
    const path = `/cancel-in-flight-${status}`;
    const { tenantId } = await setup({ strategy: 'schedule', delaysSeconds: [60], jitter: 0 }, path);
    receiver.respondWith((request) => (request.url === path ? { status, body: 'late answer', delayMs: 1_500 } : { status: 200 }));
    const deliveryId = await publish(tenantId);
    await waitFor(async () => postsTo(path).length === 1 || undefined, { what: 'the POST to reach the receiver' });
    const handle = hookrelay.temporal.workflow.getHandle(deliveryWorkflowId(deliveryId));
    await handle.signal(cancelSignal, { reason: 'stopped mid-POST' });

    // The workflow's own view may miss the attempt (a signal arriving while the workflow task
    // that ran it completes makes the server replay that task), but its end status follows the log.
    expect(await handle.result()).toMatchObject({ status: final });
    const delivery = await finalDelivery(tenantId, deliveryId);
    expect(delivery).toMatchObject({ status: final, attemptCount: 1, lastResponseStatus: status });
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({ number: 1, response: { status, body: 'late answer' }, error: null });
    await sleep(1_000);
    expect(postsTo(path)).toHaveLength(1);
  });

  it.each([
    ['a malformed stored retry policy', { retry_policy: JSON.stringify({ strategy: 'forever' }) }],
    ['a sealed secret that cannot be opened', { auth_sealed: 'v1.not-a-sealed-value' }],
  ])('fails a delivery that cannot be sent (%s) at once, visibly, without a POST', async (what, broken) => {
    const path = `/undeliverable-${what.length}`;
    const { tenantId, endpointId } = await setup(null, path);
    await hookrelay.db.updateTable('endpoints').set(broken).where('id', '=', endpointId).execute();
    const deliveryId = await publish(tenantId);
    const delivery = await finalDelivery(tenantId, deliveryId);
    expect(delivery).toMatchObject({
      status: 'failed',
      attemptCount: 0,
      statusReason: expect.stringContaining('cannot send this delivery'),
    });
    expect(delivery.attempts).toEqual([]);
    expect(postsTo(path)).toHaveLength(0);
    expect(lines).toContainEqual(expect.objectContaining({ deliveryId, msg: 'delivery cannot be sent' }));
  });
});
