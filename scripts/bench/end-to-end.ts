// (c) hookrelay end to end: publish via the API and via the Temporal client, 1 endpoint and a
// fan-out of 10; deliveries/s and publish→receive latency at maximum load and at fractions of
// it, with the latency of the open-loop runs split into its stages.
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema';
import { publishViaApi, publishViaClient } from './fixtures';
import { CONCURRENCY, LATENCY_LOADS, SECONDS, SHORT } from './flags';
import { endToEnd, endToEndAtRate, type Published } from './load';
import { measured } from './measured';
import type { BenchReceiver } from './receiver';
import type { Stack } from './stack';
import { summarize } from './stats';

export async function measureEndToEnd(stack: Stack, tenants: { single: { id: string }; fanout: { id: string } }) {
  const { receiver, db, temporal } = stack;
  const { single, fanout } = tenants;
  const runs: Array<Record<string, string | number>> = [];
  const breakdowns: Array<Record<string, string | number>> = [];
  const run = async (name: string, measure: () => Promise<Record<string, number>>) => {
    const result = await measured(name, [], measure);
    runs.push({ run: name, ...result });
    return result;
  };
  const apiMax = await run(`API, 1 endpoint, max load, ${SECONDS}s`, () =>
    endToEnd(receiver, publishViaApi(stack, single.id), 1, SECONDS, CONCURRENCY),
  );
  await run(`client, 1 endpoint, max load, ${SHORT}s`, () => endToEnd(receiver, publishViaClient(stack, single.id), 1, SHORT, CONCURRENCY));
  await run(`API, fan-out 10, max load, ${SHORT}s`, () =>
    endToEnd(receiver, publishViaApi(stack, fanout.id), 10, SHORT, Math.max(4, CONCURRENCY / 8)),
  );
  for (const fraction of LATENCY_LOADS) {
    const rate = apiMax.deliveriesPerSecond! * fraction;
    const name = `API, 1 endpoint, ${fraction} of max (${rate.toFixed(0)}/s), ${SHORT}s`;
    let sent: Published[] = [];
    await run(name, () => endToEndAtRate(receiver, publishViaApi(stack, single.id), rate, SHORT, (published) => (sent = published)));
    breakdowns.push(...(await latencyBreakdown(name, sent, receiver, db, temporal)));
  }
  return { runs, breakdowns };
}

/**
 * Splits each delivery's publish→receive latency into its stages, from the delivery workflow's
 * history: publish sent → workflow started (the API: its transaction and the start call),
 * started → first workflow task started (waiting for a worker's poll), and task started →
 * webhook received (the worker: activation, the attempt's load, signing and the POST).
 */
async function latencyBreakdown(run: string, sent: Published[], receiver: BenchReceiver, db: Kysely<Database>, temporal: Client) {
  const stages = { toWorkflowStarted: [] as number[], toTaskStarted: [] as number[], toReceived: [] as number[], total: [] as number[] };
  const wallClock = (monotonic: number) => performance.timeOrigin + monotonic;
  await Promise.all(
    sent.map(async (published) => {
      const receivedAt = receiver.received.get(published.eventId)?.[0];
      const delivery = await db.selectFrom('deliveries').select('workflow_id').where('event_id', '=', published.eventId).executeTakeFirst();
      if (receivedAt === undefined || !delivery) return;
      const events = (await temporal.workflow.getHandle(delivery.workflow_id).fetchHistory()).events ?? [];
      const started = events.find((e) => e.workflowExecutionStartedEventAttributes);
      const taskStarted = events.find((e) => e.workflowTaskStartedEventAttributes);
      if (!started || !taskStarted) return;
      const startedAt = tsToMs(started.eventTime);
      const taskStartedAt = tsToMs(taskStarted.eventTime);
      stages.toWorkflowStarted.push(startedAt - wallClock(published.started));
      stages.toTaskStarted.push(taskStartedAt - startedAt);
      stages.toReceived.push(wallClock(receivedAt) - taskStartedAt);
      stages.total.push(receivedAt - published.started);
    }),
  );
  return Object.entries(stages).map(([stage, samples]) => {
    const s = summarize(samples);
    return { run, stage, n: s.n, p50Ms: s.p50, p95Ms: s.p95, p99Ms: s.p99, maxMs: Math.max(...samples) };
  });
}
