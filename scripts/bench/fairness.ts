// (f) Fairness between tenants (issue 12): tenant B's endpoint answers at once and B publishes at
// a steady rate; B's publish→receive latency is measured with tenant A idle, then again while A
// has --fairness-backlog deliveries queued for an endpoint that answers after --fairness-delay
// seconds: once while A's deliveries still arrive at the worker, and once they are all queued
// (waiting on timers or at A's receiver). The goal: B's p99 with A's backlog queued within 2× of
// its p99 with A idle; the arriving figure is printed beside it.
import { disableEndpoint } from '../../src/services/endpoint-control.service';
import { createEndpoint } from '../../src/services/endpoints.service';
import { createTenant } from '../../src/services/tenants.service';
import { publishViaApi } from './fixtures';
import { FAIRNESS, log, SHORT } from './flags';
import { closedLoop, endToEndAtRate, StopLoop } from './load';
import { measured } from './measured';
import { startBenchReceiver } from './receiver';
import type { Stack } from './stack';
import { round1 } from './stats';

export async function measureFairness(stack: Stack) {
  const { ctx, db } = stack;
  const slowReceiver = await startBenchReceiver({ answerAfterMs: FAIRNESS.delaySeconds * 1000 });
  try {
    const tenantA = await createTenant(ctx, { name: 'bench-fairness-a' });
    const slow = await createEndpoint(ctx, tenantA.id, {
      name: 'slow',
      url: slowReceiver.url('/slow'),
      eventTypes: ['bench.event'],
      enabled: true,
      // Longer than the receiver's delay: every POST of A's succeeds, late.
      timeoutMs: (FAIRNESS.delaySeconds + 10) * 1000,
    });
    // B's receiver is its own origin, as another tenant's server would be.
    const tenantB = await createTenant(ctx, { name: 'bench-fairness-b' });
    await createEndpoint(ctx, tenantB.id, { name: 'fast', url: stack.receiver.url('/fair-b'), eventTypes: ['bench.event'], enabled: true });
    const publishB = publishViaApi(stack, tenantB.id);
    const runB = (name: string) =>
      measured(`fairness: B at ${FAIRNESS.rate}/s, ${name}, ${SHORT}s`, [], () =>
        endToEndAtRate(stack.receiver, publishB, FAIRNESS.rate, SHORT),
      );

    const idle = await runB('A idle');
    log(`(f) B with A idle: p50 ${idle.p50Ms.toFixed(0)} ms, p99 ${idle.p99Ms.toFixed(0)} ms`);

    const publishA = publishViaApi(stack, tenantA.id);
    let published = 0;
    const backlogStarted = performance.now();
    await closedLoop(600, 16, async () => {
      if (published >= FAIRNESS.backlog) throw new StopLoop();
      published++;
      await publishA();
    });
    log(`(f) A: ${published} deliveries published in ${((performance.now() - backlogStarted) / 1000).toFixed(1)} s`);
    // First while A's deliveries are still arriving at the worker (each one's first attempt is a
    // deferral), then with A's backlog queued: every delivery of A's waiting or at its receiver.
    const arriving = await runB(`A's ${FAIRNESS.backlog} arriving at a ${FAIRNESS.delaySeconds}s endpoint`);
    log(`(f) B while A's backlog arrives: p50 ${arriving.p50Ms.toFixed(0)} ms, p99 ${arriving.p99Ms.toFixed(0)} ms`);
    const settledAfterS = await waitUntilQueued(db, tenantA.id, published, () => slowReceiver.received.size, 120_000);
    log(`(f) A's backlog queued ${settledAfterS.toFixed(1)} s after B's run`);
    const backlog = await runB(`A with ${FAIRNESS.backlog} waiting on a ${FAIRNESS.delaySeconds}s endpoint`);
    const receivedByA = slowReceiver.received.size;
    log(
      `(f) B with A's backlog queued: p50 ${backlog.p50Ms.toFixed(0)} ms, p99 ${backlog.p99Ms.toFixed(0)} ms; A's receiver got ${receivedByA}`,
    );

    // A's leftovers would go on loading the stack: disabling the endpoint cancels them.
    await disableEndpoint(ctx, tenantA.id, slow.row.id, 'benchmark over');
    await waitUntilFinished(db, tenantA.id, 60_000);
    return {
      backlog: FAIRNESS.backlog,
      slowAnswerSeconds: FAIRNESS.delaySeconds,
      bPerSecond: FAIRNESS.rate,
      bIdleP50Ms: idle.p50Ms,
      bIdleP99Ms: idle.p99Ms,
      bArrivingP50Ms: arriving.p50Ms,
      bArrivingP99Ms: arriving.p99Ms,
      bArrivingLost: arriving.lost,
      arrivingP99Ratio: round1(arriving.p99Ms / idle.p99Ms),
      bBacklogP50Ms: backlog.p50Ms,
      bBacklogP99Ms: backlog.p99Ms,
      // Undelivered within the drain's two minutes count as lost; a ratio over lost samples would flatter.
      bBacklogLost: backlog.lost,
      p99Ratio: round1(backlog.p99Ms / idle.p99Ms),
      aReceivedDuringRun: receivedByA,
    };
  } finally {
    await slowReceiver.close();
  }
}

/** Seconds until each of A's deliveries waits on a timer or has reached its receiver. */
async function waitUntilQueued(db: Stack['db'], tenantId: string, published: number, reached: () => number, timeoutMs: number) {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const { waiting } = await db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<string>().as('waiting'))
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'waiting')
      .executeTakeFirstOrThrow();
    if (Number(waiting) + reached() >= published) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return (performance.now() - started) / 1000;
}

async function waitUntilFinished(db: Stack['db'], tenantId: string, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const { open } = await db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<string>().as('open'))
      .where('tenant_id', '=', tenantId)
      .where('finished_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(open) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  log(`(f) A's deliveries still open after ${timeoutMs / 1000} s; stopping anyway`);
}
