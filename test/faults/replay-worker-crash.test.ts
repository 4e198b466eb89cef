// Scenario f: a replay of 500 failed deliveries is under way when its worker is killed with
// SIGKILL; a new worker starts. The replay must carry on from where its steps left off and send
// each failed delivery exactly once: one resend per original, each webhook-id received once.
import { seedFailedDeliveries } from '../support/failed-deliveries';
import { receiverFigures, reportFigures, setUpTenant, sleep, startFaultStack, waitFor, type FaultStack } from './fault-stack';

const DELIVERIES = 500;

describe('fault: worker killed mid-replay', () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('a replay of 500 failed deliveries survives kill -9 of its worker and sends each exactly once', async () => {
    const started = Date.now();
    const { tenantId, endpointId } = await setUpTenant(stack, { rateLimitPerSecond: 50 });
    const { eventIds, deliveryIds } = await seedFailedDeliveries(stack.db, {
      tenantId,
      endpointId,
      count: DELIVERIES,
      lastResponseStatus: 503,
    });
    stack.receiver.respondWith(() => ({ status: 200, body: 'ok' }));
    const created = await stack.api.request('POST', `/v1/tenants/${tenantId}/replays`, { body: { mode: 'failed' } });
    expect(created.status).toBe(202);

    await waitFor(() => stack.receiver.requests.length >= DELIVERIES / 4, 300_000);
    // Between two steps (nothing arrived for a second), so no POST is in flight: a POST cut short
    // by the kill is the delivery's own at-least-once retry, not the replay's business.
    const quietUntil = Date.now() + 60_000;
    for (let seen = -1; Date.now() < quietUntil && seen !== stack.receiver.requests.length;) {
      seen = stack.receiver.requests.length;
      await sleep(1000);
    }
    await stack.worker.kill();
    const killedAt = Date.now();
    const seenAtKill = stack.receiver.requests.length;
    await stack.startWorker();

    let replay: any;
    for (const deadline = Date.now() + 420_000; Date.now() < deadline; await sleep(1000)) {
      replay = (await stack.api.request('GET', `/v1/tenants/${tenantId}/replays/${created.body.id}`)).body;
      if (replay.status === 'completed') break;
    }
    const recoverySeconds = (Date.now() - killedAt) / 1000;
    const seen = receiverFigures(stack.receiver, eventIds);
    const resends = await stack.db
      .selectFrom('deliveries')
      .select(['retry_of_id', 'status'])
      .where('replay_id', '=', created.body.id)
      .execute();
    reportFigures({
      scenario: 'f. worker kill -9 mid-replay',
      deliveries: resends.length,
      succeeded: resends.filter((row) => row.status === 'succeeded').length,
      lost: seen.missing.length,
      failed: resends.filter((row) => row.status === 'failed').length,
      duplicates: seen.duplicates,
      recoverySeconds,
      totalSeconds: (Date.now() - started) / 1000,
      note: `${seenAtKill} received before the kill; replay ${replay?.status} ${JSON.stringify(replay?.counts)}`,
    });
    expect(replay).toMatchObject({
      status: 'completed',
      counts: { matched: DELIVERIES, started: DELIVERIES, delivered: DELIVERIES, failed: 0 },
    });
    expect(resends).toHaveLength(DELIVERIES);
    expect(new Set(resends.map((row) => row.retry_of_id))).toEqual(new Set(deliveryIds));
    expect(seen.missing).toEqual([]);
    expect(seen.duplicates).toBe(0);
    expect(stack.receiver.requests).toHaveLength(DELIVERIES);
  }, 600_000);
});
