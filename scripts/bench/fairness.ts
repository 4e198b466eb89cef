// (f) Fairness between tenants (issue 12): tenant B's endpoint answers at once and B publishes at
// a steady rate; B's publish→receive latency is measured with tenant A idle, then again while A
// has --fairness-backlog deliveries queued for an endpoint that answers after --fairness-delay
// seconds. The goal: B's p99 with A's backlog within 2× of its p99 with A idle.
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
    const backlog = await runB(`A with ${FAIRNESS.backlog} waiting on a ${FAIRNESS.delaySeconds}s endpoint`);
    const receivedByA = slowReceiver.received.size;
    log(`(f) B with A's backlog: p50 ${backlog.p50Ms.toFixed(0)} ms, p99 ${backlog.p99Ms.toFixed(0)} ms; A's receiver got ${receivedByA}`);

    // A's leftovers would go on loading the stack: disabling the endpoint cancels them.
    await disableEndpoint(ctx, tenantA.id, slow.row.id, 'benchmark over');
    await waitUntilFinished(db, tenantA.id, 60_000);
    return {
      backlog: FAIRNESS.backlog,
      slowAnswerSeconds: FAIRNESS.delaySeconds,
      bPerSecond: FAIRNESS.rate,
      bIdleP50Ms: idle.p50Ms,
      bIdleP99Ms: idle.p99Ms,
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
