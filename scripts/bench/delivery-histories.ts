// What a run's delivery workflows looked like, from a sample of their histories: events and
// workflow tasks per delivery, tasks retried, how long a task waited for a worker (schedule to
// start), how long the worker held it (start to completion), and how many waited on a timer
// (held back by the endpoint gate, or retried) instead of delivering on their first task.
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema';
import { summarize } from './stats';

const SAMPLE = 150;

export async function deliveryHistoryShape(db: Kysely<Database>, temporal: Client, eventIds: string[]) {
  const step = Math.max(1, Math.floor(eventIds.length / SAMPLE));
  const sample = eventIds.filter((_, index) => index % step === 0).slice(0, SAMPLE);
  const rows = sample.length ? await db.selectFrom('deliveries').select('workflow_id').where('event_id', 'in', sample).execute() : [];
  let events = 0;
  let tasks = 0;
  let retriedTasks = 0;
  // A first-try delivery has no timer: one means it waited (a deferral by the endpoint gate or a retry).
  let withTimer = 0;
  const toStart: number[] = [];
  const held: number[] = [];
  for (const { workflow_id } of rows) {
    const history = (await temporal.workflow.getHandle(workflow_id).fetchHistory()).events ?? [];
    events += history.length;
    if (history.some((event) => event.timerStartedEventAttributes)) withTimer++;
    let scheduledAt: number | undefined;
    let startedAt: number | undefined;
    for (const event of history) {
      if (event.workflowTaskScheduledEventAttributes) {
        scheduledAt = tsToMs(event.eventTime);
        if ((event.workflowTaskScheduledEventAttributes.attempt ?? 1) > 1) retriedTasks++;
      }
      if (event.workflowTaskStartedEventAttributes) {
        startedAt = tsToMs(event.eventTime);
        tasks++;
        if (scheduledAt !== undefined) toStart.push(startedAt - scheduledAt);
      }
      if (
        (event.workflowTaskCompletedEventAttributes ||
          event.workflowTaskFailedEventAttributes ||
          event.workflowTaskTimedOutEventAttributes) &&
        startedAt !== undefined
      ) {
        held.push(tsToMs(event.eventTime) - startedAt);
      }
    }
  }
  const n = Math.max(1, rows.length);
  const wait = summarize(toStart);
  const hold = summarize(held);
  return {
    sampled: rows.length,
    historyEvents: events / n,
    workflowTasks: tasks / n,
    retriedTasks,
    waitedPct: Math.round((withTimer / n) * 1000) / 10,
    taskWaitP50Ms: wait.p50,
    taskWaitP99Ms: wait.p99,
    taskHeldP50Ms: hold.p50,
    taskHeldP99Ms: hold.p99,
  };
}
