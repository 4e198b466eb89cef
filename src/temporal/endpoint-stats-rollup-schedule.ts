// Keeps the endpoint statistics rollup Schedule in place: every 5 minutes, one bounded run; a run
// still going when the next is due makes that one skip, and a run that cannot finish (no worker
// polls its queue) is ended after an hour so the schedule goes on.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { SLICE_SECONDS } from '../domain/endpoint-stats-rollup';

export const STATS_ROLLUP_SCHEDULE_ID = 'hookrelay-endpoint-stats-rollup';

/** One schedule per namespace by default; tests sharing a Temporal server pass their own id. */
export async function ensureStatsRollupSchedule(client: Client, options: { taskQueue: string; scheduleId?: string }): Promise<void> {
  const scheduleId = options.scheduleId ?? STATS_ROLLUP_SCHEDULE_ID;
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'endpointStatsRollupWorkflow',
    args: [],
    taskQueue: options.taskQueue,
    workflowId: 'hookrelay-endpoint-stats-rollup-run',
    workflowExecutionTimeout: '1 hour',
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: `${SLICE_SECONDS} seconds` }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      action,
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, action }));
  }
}
