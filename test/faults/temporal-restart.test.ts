// Scenario b: the file-backed Temporal dev server is restarted mid-run. No accepted event is lost.
import { expectEveryDeliverySucceeded, publishMany, setUpTenant, sleep, useFaultStack, waitFor } from './fault-stack';

const DELIVERIES = 300;

describe('fault: Temporal restarted mid-run', () => {
  const faultStack = useFaultStack();

  it('delivers every accepted event after the Temporal server restarts', async () => {
    const stack = faultStack();
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
    await expectEveryDeliverySucceeded(stack, {
      scenario: 'b. Temporal restart mid-run',
      expected: DELIVERIES,
      eventIds,
      started,
      faultAt: stoppedAt,
      note: `publish answers during the outage, retried: ${JSON.stringify(refusals)}`,
    });
  }, 540_000);
});
