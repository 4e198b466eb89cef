// Scenario a: the worker is killed with SIGKILL while 1,000 deliveries are in flight; a new worker
// starts. Every delivery must end succeeded and the receiver must have seen every webhook-id.
import { expectEveryDeliverySucceeded, publishMany, setUpTenant, useFaultStack, waitFor } from './fault-stack';

const DELIVERIES = 1000;

describe('fault: worker killed mid-run', () => {
  const faultStack = useFaultStack();

  it('delivers every one of 1,000 in-flight deliveries after kill -9 and a new worker', async () => {
    const stack = faultStack();
    const started = Date.now();
    const { tenantId } = await setUpTenant(stack);
    // A slow receiver keeps many attempts open at the moment of the kill.
    stack.receiver.respondWith(() => ({ status: 200, body: 'ok', delayMs: 50 }));
    const publishing = publishMany(stack, tenantId, DELIVERIES);
    await waitFor(() => stack.receiver.requests.length >= DELIVERIES / 4, 120_000);

    await stack.worker.kill();
    const killedAt = Date.now();
    const seenAtKill = stack.receiver.requests.length;
    await stack.startWorker();
    const { ids: eventIds } = await publishing;
    await expectEveryDeliverySucceeded(stack, {
      scenario: 'a. worker kill -9 mid-run',
      expected: DELIVERIES,
      eventIds,
      started,
      faultAt: killedAt,
      // Attempts running on the killed worker are retried once their activity's start-to-close timeout (3 min) expires.
      note: `${seenAtKill} received before the kill`,
    });
  }, 540_000);
});
