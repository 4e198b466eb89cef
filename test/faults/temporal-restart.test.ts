// Scenario b: the file-backed Temporal dev server is restarted mid-run. No accepted event is lost.
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

describe('fault: Temporal restarted mid-run', () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('delivers every accepted event after the Temporal server restarts', async () => {
    const started = Date.now();
    const { tenantId } = await setUpTenant(stack);
    stack.receiver.respondWith(() => ({ status: 200, body: 'ok', delayMs: 20 }));
    // Paced over about 20 s, so publishes meet the outage too: they are accepted once PostgreSQL has
    // them, and their deliveries start when the Temporal client or, failing it, the sweeper gets through.
    const publishing = publishMany(stack, tenantId, DELIVERIES, { perSecond: 15 });
    await waitFor(() => stack.receiver.requests.length >= DELIVERIES / 3, 120_000);

    const stoppedAt = Date.now();
    await stack.stopTemporal();
    await sleep(3_000);
    await stack.startTemporal();
    const { ids: eventIds, refusals } = await publishing;
    const tally = await waitUntilFinished(stack.db, DELIVERIES, 330_000);
    const seen = receiverFigures(stack.receiver, eventIds);
    reportFigures({
      scenario: 'b. Temporal restart mid-run',
      deliveries: tally.total,
      succeeded: tally.succeeded,
      lost: seen.missing.length + (DELIVERIES - tally.succeeded),
      failed: tally.failed,
      duplicates: seen.duplicates,
      recoverySeconds: (Date.now() - stoppedAt) / 1000,
      totalSeconds: (Date.now() - started) / 1000,
      note: `publish answers during the outage, retried: ${JSON.stringify(refusals)}`,
    });
    expect(eventIds).toHaveLength(DELIVERIES);
    expect(tally).toEqual({ total: DELIVERIES, succeeded: DELIVERIES, failed: 0, other: 0 });
    expect(seen.missing).toEqual([]);
  }, 540_000);
});
