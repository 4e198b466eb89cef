// Scenario c: PostgreSQL is stopped for 10 s mid-run. No accepted event is lost, and our own outage
// spends no endpoint's retry budget: activities throw, Temporal retries them, no delivery fails.
import { expectEveryDeliverySucceeded, publishMany, setUpTenant, sleep, useFaultStack, waitFor } from './fault-stack';

const DELIVERIES = 300;

describe('fault: PostgreSQL down for 10 s mid-run', () => {
  const faultStack = useFaultStack();

  it('delivers every accepted event, none failed, every delivery succeeded on its first counted attempt', async () => {
    const stack = faultStack();
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
    await expectEveryDeliverySucceeded(stack, {
      scenario: 'c. PostgreSQL down 10 s',
      expected: DELIVERIES,
      eventIds,
      started,
      faultAt: stoppedAt,
      note: `publish answers during the outage, retried: ${JSON.stringify(refusals)}`,
    });
    const attemptCounts = await stack.db.selectFrom('deliveries').select(['attempt_count']).execute();
    // Our outage is a 503 ("retry"), never a 500.
    const serverErrors = stack.api
      .output()
      .split('\n')
      .filter((line) => line.includes('"request failed"') && line.includes('"status":500'));
    expect({ refusedWith500: refusals['500'] ?? 0, serverErrors: serverErrors.slice(0, 3) }).toEqual({
      refusedWith500: 0,
      serverErrors: [],
    });
    expect(new Set(attemptCounts.map((row) => row.attempt_count))).toEqual(new Set([1]));
  }, 540_000);
});
