// Replays against a real worker, Temporal dev server, PostgreSQL and receivers: `missing` finds
// exactly what the endpoint missed while disabled; keys, cancel, filters, the endpoint circuit, and
// a step repeated after a crash between its commit and its starts. The 2,000-delivery replay has a
// stack of its own (replay-at-scale.test.ts).
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { newId } from '../../src/domain/ids';
import { MAX_MISSING_SCANNED_PER_STEP } from '../../src/services/replay-matching.service';
import { runReplayStep } from '../../src/services/replay-steps.service';
import { createTenant, ensureEventType, expectProblem } from '../support/api';
import { seedFailedDeliveries } from '../support/failed-deliveries';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

describe('replays', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let other: Receiver;

  beforeAll(async () => {
    [hookrelay, receiver, other] = await Promise.all([
      startTestHookrelay({ HOOKRELAY_CIRCUIT_ENABLED: 'false' }),
      startReceiver(),
      startReceiver(),
    ]);
    for (const type of ['invoice.activated', 'invoice.paid']) await ensureEventType(hookrelay, type);
  });
  afterAll(async () => {
    await hookrelay?.close();
    await Promise.all([receiver?.close(), other?.close()]);
  });
  beforeEach(() => {
    receiver.requests.length = 0;
    other.requests.length = 0;
  });

  async function createEndpoint(tenantId: string, body: Record<string, unknown> = {}): Promise<string> {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'receiver', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true, ...body },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function replayWhen(tenantId: string, id: string, predicate: (body: any) => boolean, what: string, timeoutMs = 30_000) {
    return waitFor(
      async () => {
        const res = await hookrelay.request('GET', `/v1/tenants/${tenantId}/replays/${id}`);
        expect(res.status).toBe(200);
        return predicate(res.body) ? res.body : undefined;
      },
      { what, timeoutMs },
    );
  }

  /** Runs the replay's step by hand, as its workflow would, until it answers finished. */
  const stepUntilFinished = (replayId: string) =>
    waitFor(
      async () => {
        const step = await runReplayStep(hookrelay.ctx, replayId);
        return step.outcome === 'finished' ? step : undefined;
      },
      { what: 'the replay completing' },
    );
  const webhookIds = (r: Receiver) => r.requests.map((request) => String(request.headers['webhook-id']));

  it('missing: sends exactly the events an endpoint was subscribed to but never got while disabled', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId);
    const bystander = await createEndpoint(tenantId, { url: other.url, eventTypes: ['invoice.activated', 'invoice.paid'] });
    const publish = async (type = 'invoice.activated') => {
      const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, { body: { type, data: { n: 1 } } });
      expect(res.status).toBe(202);
      return res.body.id as string;
    };
    const before = [await publish(), await publish()];
    await waitFor(async () => receiver.requests.length === 2, { what: 'the first two delivered' });
    expect((await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointId}/disable`)).status).toBe(200);
    const whileDisabled = [await publish(), await publish(), await publish()];
    await publish('invoice.paid'); // not subscribed: never missing
    expect((await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointId}/enable`)).status).toBe(200);
    const after = [await publish()];
    await waitFor(async () => receiver.requests.length === 3, { what: 'the one after enabling delivered' });
    expect((await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointId}/test`)).status).toBe(202);
    await waitFor(async () => receiver.requests.length === 4, { what: 'the test event delivered' });
    await waitFor(async () => other.requests.length === 7, { what: 'the bystander got every event' });
    receiver.requests.length = 0;
    other.requests.length = 0;

    const created = await hookrelay.request('POST', `/v1/tenants/${tenantId}/replays`, { body: { mode: 'missing' } });
    expect(created.status).toBe(202);
    const done = await replayWhen(tenantId, created.body.id, (r) => r.status === 'completed', 'the missing replay');
    expect(done.counts).toEqual({ matched: 3, started: 3, delivered: 3, failed: 0 });
    expect(webhookIds(receiver).sort()).toEqual([...whileDisabled].sort());
    expect(other.requests).toHaveLength(0);
    for (const id of [...before, ...after]) expect(webhookIds(receiver)).not.toContain(id);
    const deliveries = await hookrelay.db
      .selectFrom('deliveries')
      .select(['endpoint_id'])
      .where('replay_id', '=', created.body.id)
      .execute();
    expect(deliveries.every((d) => d.endpoint_id === endpointId && d.endpoint_id !== bystander)).toBe(true);

    // Now nothing is missing: a second replay finds nothing.
    const again = await hookrelay.request('POST', `/v1/tenants/${tenantId}/replays`, {
      body: { mode: 'missing', endpointIds: [endpointId] },
    });
    const empty = await replayWhen(tenantId, again.body.id, (r) => r.status === 'completed', 'the empty replay');
    expect(empty.counts).toEqual({ matched: 0, started: 0, delivered: 0, failed: 0 });
  }, 60_000);

  it("missing honours the endpoint's current payload filter as fan-out does: what it refuses was never missing", async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId, { filter: { 'data.amount': { $gt: 100 } } });
    const publish = async (amount: number) => {
      const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
        body: { type: 'invoice.activated', data: { amount } },
      });
      expect(res.status).toBe(202);
      return { id: res.body.id as string, deliveryCount: res.body.deliveryCount as number };
    };
    // Enabled: fan-out sends the 200 and creates no delivery for the 10.
    const refusedWhileEnabled = await publish(10);
    const sentWhileEnabled = await publish(200);
    expect([refusedWhileEnabled.deliveryCount, sentWhileEnabled.deliveryCount]).toEqual([0, 1]);
    await waitFor(async () => receiver.requests.length === 1, { what: 'the 200 delivered' });
    expect((await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointId}/disable`)).status).toBe(200);
    const whileDisabled = [await publish(50), await publish(150), await publish(99), await publish(500)];
    expect((await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointId}/enable`)).status).toBe(200);
    // The filter as it is now decides: 150 and 500 pass it, 99 would pass the old one too but not this.
    const narrowed = await hookrelay.request('PATCH', `/v1/tenants/${tenantId}/endpoints/${endpointId}`, {
      body: { filter: { 'data.amount': { $gt: 120 } } },
    });
    expect(narrowed.status).toBe(200);
    receiver.requests.length = 0;

    const created = await hookrelay.request('POST', `/v1/tenants/${tenantId}/replays`, { body: { mode: 'missing' } });
    expect(created.status).toBe(202);
    const done = await replayWhen(tenantId, created.body.id, (r) => r.status === 'completed', 'the filtered missing replay');
    expect(done.counts).toEqual({ matched: 2, started: 2, delivered: 2, failed: 0 });
    expect(webhookIds(receiver).sort()).toEqual([whileDisabled[1]!.id, whileDisabled[3]!.id].sort());
    expect(webhookIds(receiver)).not.toContain(refusedWhileEnabled.id);
  }, 60_000);

  it('missing reads past long runs the filter refuses in bounded steps, and counts only what passes', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId, { filter: { 'data.amount': { $gte: 1000 } } });
    const endpoint = await hookrelay.db.selectFrom('endpoints').select('created_at').where('id', '=', endpointId).executeTakeFirstOrThrow();
    // 6,003 events the endpoint never got, a microsecond apart; only three pass its filter.
    const total = MAX_MISSING_SCANNED_PER_STEP + 1_003;
    const passing = [2_500, MAX_MISSING_SCANNED_PER_STEP + 500, total];
    await sql`
      insert into events (id, tenant_id, type, data, occurred_at, created_at)
      select 'evt_scan' || lpad(i::text, 5, '0'), ${tenantId}, 'invoice.activated',
             jsonb_build_object('amount', case when i = any(${passing}::int[]) then 1000 + i else 1 end), t, t
      from generate_series(1, ${total}) as i,
           lateral (select ${endpoint.created_at}::timestamptz + i * interval '1 microsecond' as t) as at`.execute(hookrelay.db);
    const replayId = newId('rpl');
    await hookrelay.db
      .insertInto('replays')
      .values({
        id: replayId,
        tenant_id: tenantId,
        mode: 'missing',
        filter: JSON.stringify({ endpointIds: [endpointId], until: new Date(endpoint.created_at.getTime() + 60_000).toISOString() }),
        workflow_id: `replay-${replayId}`,
      })
      .execute();
    const replay = () => hookrelay.db.selectFrom('replays').selectAll().where('id', '=', replayId).executeTakeFirstOrThrow();
    const planned = async () =>
      (await hookrelay.db.selectFrom('deliveries').select('event_id').where('replay_id', '=', replayId).execute()).map((d) => d.event_id);

    // Step 1 reads its bound: one candidate passes (the 2,500th); the 5,000 it read are not read again.
    expect(await runReplayStep(hookrelay.ctx, replayId)).toEqual({ outcome: 'continue', waitMs: 1000 });
    const first = await replay();
    expect(first.cursor).toMatchObject({ id: `evt_scan${String(MAX_MISSING_SCANNED_PER_STEP).padStart(5, '0')}` });
    expect(first.planning_done).toBe(false);
    expect(first.matched).toBe(total - (MAX_MISSING_SCANNED_PER_STEP - 1)); // an upper bound, lowered by what was refused
    expect(await planned()).toEqual(['evt_scan02500']);
    // Step 2 reads the rest: the other two, and planning is done with the exact count.
    await runReplayStep(hookrelay.ctx, replayId);
    const second = await replay();
    expect(second.planning_done).toBe(true);
    expect(second.matched).toBe(3);
    expect((await planned()).sort()).toEqual(passing.map((i) => `evt_scan${String(i).padStart(5, '0')}`).sort());
    await waitFor(async () => receiver.requests.length === 3, { what: 'the three delivered' });
    const settled = await stepUntilFinished(replayId);
    expect(settled).toEqual({ outcome: 'finished', status: 'completed' });
    expect((await replay()).matched).toBe(3);
  }, 90_000);

  it('is idempotent per Idempotency-Key: a repeat answers 200 with the same replay and sends nothing twice', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId);
    const seeded = await seedFailedDeliveries(hookrelay.db, { tenantId, endpointId, count: 5, lastErrorKind: 'timeout' });
    const request = () =>
      hookrelay.request('POST', `/v1/tenants/${tenantId}/replays`, {
        body: { mode: 'failed', errorKind: 'timeout' },
        headers: { 'idempotency-key': 'replay-after-outage' },
      });
    const [first, second] = await Promise.all([request(), request()]);
    expect([first.status, second.status].sort()).toEqual([200, 202]);
    expect(second.body.id).toBe(first.body.id);
    await replayWhen(tenantId, first.body.id, (r) => r.status === 'completed', 'the replay');
    const third = await request();
    expect(third.status).toBe(200);
    expect(third.body).toMatchObject({ id: first.body.id, status: 'completed', idempotencyKey: 'replay-after-outage' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(webhookIds(receiver).sort()).toEqual([...seeded.eventIds].sort());
    const list = await hookrelay.request('GET', `/v1/tenants/${tenantId}/replays`);
    expect(list.body.data.map((r: { id: string }) => r.id)).toEqual([first.body.id]);
  });

  it('cancel: a replay starts nothing more, keeps what it sent, and a second cancel is a conflict', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId, { rateLimitPerSecond: 5 });
    await seedFailedDeliveries(hookrelay.db, { tenantId, endpointId, count: 200 });
    const created = await hookrelay.request('POST', `/v1/tenants/${tenantId}/replays`, { body: { mode: 'failed' } });
    await waitFor(async () => receiver.requests.length >= 5, { what: 'the first step sent' });
    const cancelled = await hookrelay.request('POST', `/v1/tenants/${tenantId}/replays/${created.body.id}/cancel`);
    expect(cancelled.status).toBe(202);
    const done = await replayWhen(tenantId, created.body.id, (r) => r.status === 'cancelled', 'the replay cancelled');
    expect(done.counts.matched).toBe(200);
    expect(done.counts.started).toBeLessThan(200);
    await waitFor(async () => receiver.requests.length === done.counts.started, { what: 'the started ones delivered' });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(receiver.requests).toHaveLength(done.counts.started);
    expectProblem(await hookrelay.request('POST', `/v1/tenants/${tenantId}/replays/${created.body.id}/cancel`), 409);
  });

  it('holds while the endpoint circuit is not healthy and goes on once it is', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId);
    await seedFailedDeliveries(hookrelay.db, { tenantId, endpointId, count: 3 });
    // As the circuit leaves it after a failed probe: open, the next probe a while away.
    const setHealth = (health_state: 'open' | 'healthy') =>
      hookrelay.db
        .updateTable('endpoints')
        .set({ health_state, health_next_probe_at: health_state === 'open' ? new Date(Date.now() + 60_000) : null })
        .where('id', '=', endpointId)
        .execute();
    await setHealth('open');
    const created = await hookrelay.request('POST', `/v1/tenants/${tenantId}/replays`, { body: { mode: 'failed' } });
    await replayWhen(tenantId, created.body.id, (r) => r.status === 'running', 'the replay running');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(receiver.requests).toHaveLength(0);
    await setHealth('healthy');
    const done = await replayWhen(tenantId, created.body.id, (r) => r.status === 'completed', 'the replay after recovery', 45_000);
    expect(done.counts).toEqual({ matched: 3, started: 3, delivered: 3, failed: 0 });
  }, 60_000);

  it('a step whose starts failed after its commit is finished by the next step, without a second delivery', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId);
    const seeded = await seedFailedDeliveries(hookrelay.db, { tenantId, endpointId, count: 4 });
    const replayId = newId('rpl');
    await hookrelay.db
      .insertInto('replays')
      .values({
        id: replayId,
        tenant_id: tenantId,
        mode: 'failed',
        filter: JSON.stringify({ endpointIds: [endpointId], until: new Date().toISOString() }),
        workflow_id: `replay-${replayId}`,
      })
      .execute();
    // Temporal unreachable for this step: it commits its deliveries, and their starts fail.
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const first = await runReplayStep({ ...hookrelay.ctx, temporal: unreachable }, replayId);
    expect(first).toEqual({ outcome: 'continue', waitMs: 1000 });
    const planned = await hookrelay.db
      .selectFrom('deliveries')
      .select(['id', 'workflow_started_at'])
      .where('replay_id', '=', replayId)
      .execute();
    expect(planned).toHaveLength(4);
    expect(planned.every((row) => row.workflow_started_at === null)).toBe(true);

    // The step again (its activity retried, on any worker): it starts those, plans nothing new.
    await runReplayStep(hookrelay.ctx, replayId);
    await waitFor(async () => receiver.requests.length === 4, { what: 'the four delivered' });
    const settled = await stepUntilFinished(replayId);
    expect(settled).toEqual({ outcome: 'finished', status: 'completed' });
    expect(webhookIds(receiver).sort()).toEqual([...seeded.eventIds].sort());
    expect(await hookrelay.db.selectFrom('deliveries').select('id').where('replay_id', '=', replayId).execute()).toHaveLength(4);
    await unreachable.connection.close();
  }, 90_000);

  it('refuses bad requests with a problem and records nothing', async () => {
    const tenantId = await createTenant(hookrelay);
    const otherTenant = await createTenant(hookrelay, 'Other');
    const foreign = await createEndpoint(otherTenant);
    const post = (body: unknown) => hookrelay.request('POST', `/v1/tenants/${tenantId}/replays`, { body });
    expectProblem(await post({}), 400, ['body.mode']);
    expectProblem(await post({ mode: 'sometimes' }), 400, ['body.mode']);
    expectProblem(await post({ mode: 'missing', statusClass: '5xx' }), 400, ['body.statusClass']);
    expectProblem(await post({ mode: 'failed', statusClass: '6xx' }), 400, ['body.statusClass']);
    expectProblem(await post({ mode: 'failed', status: ['succeeded'] }), 400, ['body.status.0']);
    expectProblem(await post({ mode: 'failed', since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' }), 400, ['body.since']);
    expectProblem(await post({ mode: 'failed', since: new Date(Date.now() + 3_600_000).toISOString() }), 400, ['body.since']);
    expectProblem(await post({ mode: 'failed', endpointIds: [foreign] }), 400, ['body.endpointIds.0']);
    expectProblem(await post({ mode: 'failed', surprise: true }), 400);
    expectProblem(
      await hookrelay.request('POST', `/v1/tenants/${tenantId}/replays`, {
        body: { mode: 'failed', idempotencyKey: 'a' },
        headers: { 'idempotency-key': 'b' },
      }),
      400,
      ['headers.idempotency-key'],
    );
    expect(await hookrelay.db.selectFrom('replays').select('id').where('tenant_id', '=', tenantId).execute()).toEqual([]);
    expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenantId}/replays/rpl_00000000000000000000000000`), 404);
    const foreignReplay = await hookrelay.request('POST', `/v1/tenants/${otherTenant}/replays`, { body: { mode: 'failed' } });
    expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenantId}/replays/${foreignReplay.body.id}`), 404);
  });
});
