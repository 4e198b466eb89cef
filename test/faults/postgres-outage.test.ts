// Scenario c: PostgreSQL is stopped for 10 s mid-run. No accepted event is lost, and our own outage
// spends no endpoint's retry budget: activities throw, Temporal retries them, no delivery fails.
import {
  publishMany,
  receiverFigures,
  reportFigures,
  setUpTenant,
  sleep,
  startFaultStack,
  waitFor,
  waitUntilFinished,
  type FaultStack,
} from './fault-stack';

const DELIVERIES = 300;

describe('fault: PostgreSQL down for 10 s mid-run', () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('delivers every accepted event, none failed, every delivery succeeded on its first counted attempt', async () => {
    const started = Date.now();
    // One attempt only: had the outage been counted against the endpoint, deliveries would fail.
    const { tenantId } = await setUpTenant(stack, { retryPolicy: { strategy: 'schedule', delaysSeconds: [], jitter: 0 } });
    stack.receiver.respondWith(() => ({ status: 200, body: 'ok', delayMs: 20 }));
    // Paced over about 20 s, so publishes meet the outage too.
    const publishing = publishMany(stack, tenantId, DELIVERIES, { perSecond: 15 });
    await waitFor(() => stack.receiver.requests.length >= DELIVERIES / 3, 120_000);

    const stoppedAt = Date.now();
    await stack.stopPostgres();
    await sleep(10_000);
    await stack.startPostgres();
    await sleep(2_000);
    // The worker must ride the outage out, not die of it.
    if (stack.worker.child.exitCode !== null || stack.worker.child.signalCode !== null) {
      console.log(
        `worker exited (${stack.worker.child.exitCode ?? stack.worker.child.signalCode}) during the outage:\n${stack.worker.output().slice(-6000)}`,
      );
    }
    expect({ workerExitCode: stack.worker.child.exitCode }).toEqual({ workerExitCode: null });
    const { ids: eventIds, refusals } = await publishing;
    const tally = await waitUntilFinished(stack.db, DELIVERIES, 330_000);
    const seen = receiverFigures(stack.receiver, eventIds);
    const attemptCounts = await stack.db.selectFrom('deliveries').select(['attempt_count']).execute();
    reportFigures({
      scenario: 'c. PostgreSQL down 10 s',
      deliveries: tally.total,
      succeeded: tally.succeeded,
      lost: seen.missing.length + (DELIVERIES - tally.succeeded),
      failed: tally.failed,
      duplicates: seen.duplicates,
      recoverySeconds: (Date.now() - stoppedAt) / 1000,
      totalSeconds: (Date.now() - started) / 1000,
      note: `publish answers during the outage, retried: ${JSON.stringify(refusals)}`,
    });
    // Our outage is a 503 ("retry"), never a 500.
    const serverErrors = stack.api
      .output()
      .split('\n')
      .filter((line) => line.includes('"request failed"') && line.includes('"status":500'));
    expect({ refusedWith500: refusals['500'] ?? 0, serverErrors: serverErrors.slice(0, 3) }).toEqual({
      refusedWith500: 0,
      serverErrors: [],
    });
    expect(eventIds).toHaveLength(DELIVERIES);
    expect(tally).toEqual({ total: DELIVERIES, succeeded: DELIVERIES, failed: 0, other: 0 });
    expect(seen.missing).toEqual([]);
    expect(new Set(attemptCounts.map((row) => row.attempt_count))).toEqual(new Set([1]));
  }, 540_000);
});
