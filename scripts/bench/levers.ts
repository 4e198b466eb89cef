// (k) Levers, each measured before and after within this one run, in alternating rounds (the
// machine's speed drifts between runs; compare a pair, not absolute rates):
//   - workflow type: deliveries started as the first delivery workflow type (its patched()
//     branches: a patch marker and a TemporalChangeVersion upsert) against deliveryWorkflowV2;
//   - one search-attribute upsert: the ceiling's no-op workflow with and without one upsert (what
//     SPEC §6's status attribute costs a first-try delivery);
//   - the attempt's load statement built and compiled by Kysely on every attempt against the
//     precompiled one (client-side CPU per load, in this process; PostgreSQL's work is the same).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { deliveryForAttempt, deliveryForAttemptQuery } from '../../src/db/attempts.repository';
import { markWorkflowsStarted } from '../../src/db/delivery-starts.repository';
import { newId } from '../../src/domain/ids';
import { recordEvent } from '../../src/services/publishing.service';
import { deliveryStartOptions } from '../../src/workflows/delivery-start';
import { CONCURRENCY, SHORT } from './flags';
import { closedLoop, endToEnd, type Publish } from './load';
import { measured } from './measured';
import { spawnChild, TASK_QUEUE, type Stack } from './stack';

const ROUNDS = 2;

export async function measureLevers(stack: Stack, tenantId: string) {
  const rows: Array<Record<string, string | number>> = [];
  const seconds = Math.max(5, Math.round(SHORT / 2));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const type of ['deliveryWorkflow', 'deliveryWorkflowV2']) {
      const name = `(k) ${type}, round ${round}, ${seconds}s`;
      const result = await measured(name, [], () => endToEnd(stack.receiver, startAs(stack, tenantId, type), 1, seconds, CONCURRENCY));
      rows.push({ lever: 'workflow type', run: name, perSecond: result.deliveriesPerSecond, p50Ms: result.p50Ms, p99Ms: result.p99Ms });
    }
  }
  const noop = await spawnChild(path.join(__dirname, 'noop-worker.ts'), stack.env, /noop worker running/);
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const workflow of ['noopWorkflow', 'noopUpsertWorkflow']) {
        const name = `(k) ${workflow}, round ${round}, ${seconds}s`;
        const result = await measured(name, [noop.child.pid!], () =>
          closedLoop(seconds, CONCURRENCY, () =>
            stack.temporal.workflow.execute(workflow, { taskQueue: 'bench-noop', workflowId: `noop-${randomUUID()}` }),
          ),
        );
        rows.push({ lever: 'one upsert', run: name, perSecond: result.perSecond, p50Ms: result.p50Ms, p99Ms: result.p99Ms });
      }
    }
  } finally {
    await noop.stop();
  }
  return { rows, load: await measureLoadStatement(stack, tenantId) };
}

/** Records an event (as the API does) and starts its delivery as the given workflow type. */
function startAs({ db, temporal }: Stack, tenantId: string, workflowType: string): Publish {
  return async () => {
    const started = performance.now();
    const recorded = await recordEvent(
      db,
      { eventId: newId('evt'), tenantId, type: 'bench.event', data: { invoiceId: 'inv_123', amount: 4200 } },
      { freshEventId: true },
    );
    for (const delivery of recorded.deliveries) {
      await temporal.workflow.start(workflowType, { ...deliveryStartOptions(delivery), taskQueue: TASK_QUEUE });
    }
    await markWorkflowsStarted(
      db,
      recorded.deliveries.map((delivery) => delivery.deliveryId),
    );
    return { eventId: recorded.eventId, started, accepted: performance.now() };
  };
}

/** CPU of this process per load of one delivery for an attempt: Kysely building and compiling it each time, or precompiled. */
async function measureLoadStatement({ db }: Stack, tenantId: string) {
  const delivery = await db.selectFrom('deliveries').select('id').where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  const params = () => ({ deliveryId: delivery.id, now: new Date() });
  const ways = {
    built: async () => void (await db.executeQuery(deliveryForAttemptQuery(db, params()))),
    precompiled: async () => void (await deliveryForAttempt(db, params())),
  };
  const cpuUs: Record<keyof typeof ways, number> = { built: 0, precompiled: 0 };
  const compileUs: Record<keyof typeof ways, number> = { built: 0, precompiled: 0 };
  const loads = 500;
  for (let round = 0; round < 4; round++) {
    for (const way of ['built', 'precompiled'] as const) {
      const before = process.cpuUsage();
      for (let i = 0; i < loads; i++) await ways[way]();
      const used = process.cpuUsage(before);
      cpuUs[way] += used.user + used.system;
    }
  }
  // Building and compiling alone (no round trip), for the part of the difference it explains.
  const t0 = process.cpuUsage();
  for (let i = 0; i < loads * 4; i++) deliveryForAttemptQuery(db, params()).compile();
  const used = process.cpuUsage(t0);
  compileUs.built = (used.user + used.system) / (loads * 4);
  return {
    loadsEach: loads * 4,
    builtUsPerLoad: cpuUs.built / (loads * 4),
    precompiledUsPerLoad: cpuUs.precompiled / (loads * 4),
    buildAndCompileUs: compileUs.built,
  };
}
