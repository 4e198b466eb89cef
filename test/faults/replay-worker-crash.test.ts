// Scenario f: a replay of 500 failed deliveries is under way when its worker is killed with
// SIGKILL; a new worker starts. The replay must carry on from where its steps left off and send
// each failed delivery exactly once: one resend per original. The kill comes a quarter in, with
// POSTs in flight; those may reach the receiver twice with the same webhook-id (the attempt's own
// at-least-once retry, as in scenario a), and nothing else may.
import { seedFailedDeliveries } from '../support/failed-deliveries';
import { receiverFigures, reportFigures, setUpTenant, sleep, useFaultStack, waitFor } from './fault-stack';

const DELIVERIES = 500;

/** The endpoint's rate limit (50/s) and a POST of a few ms leave far fewer in flight than this. */
const MAX_IN_FLIGHT_AT_KILL = 20;

describe('fault: worker killed mid-replay', () => {
  const faultStack = useFaultStack();

  it('a replay of 500 failed deliveries survives kill -9 of its worker and sends each exactly once', async () => {
    const stack = faultStack();
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

    // A quarter in: the job is mid-way, with its next steps to come and POSTs in flight. A POST
    // cut short by the kill is its delivery's own at-least-once retry (the same webhook-id, at
    // most one per POST in flight); the replay itself must create each resend exactly once.
    await waitFor(() => stack.receiver.requests.length >= DELIVERIES / 4, 300_000);
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
    // Only POSTs in flight at the kill may come twice (the worker's POST slots bound them).
    expect(seen.duplicates).toBeLessThanOrEqual(MAX_IN_FLIGHT_AT_KILL);
    expect(stack.receiver.requests).toHaveLength(DELIVERIES + seen.duplicates);
  }, 600_000);
});
