// Keeps the retention Schedule in place: once a day, purge data older than the retention period.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { retentionWorkflow } from '../workflows/retention.workflow';

export const RETENTION_SCHEDULE_ID = 'hookrelay-retention';

export interface RetentionScheduleOptions {
  taskQueue: string;
  retentionDays: number;
  /** One schedule per namespace by default; tests sharing a Temporal server pass their own id. */
  scheduleId?: string;
}

export async function ensureRetentionSchedule(client: Client, options: RetentionScheduleOptions): Promise<void> {
  const scheduleId = options.scheduleId ?? RETENTION_SCHEDULE_ID;
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'retentionWorkflow',
    args: [{ retentionDays: options.retentionDays }] as Parameters<typeof retentionWorkflow>,
    taskQueue: options.taskQueue,
    workflowId: 'hookrelay-retention-run',
  };
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 day' }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      action,
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    // Keep the existing schedule but apply the current settings (retention days, task queue).
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, action }));
  }
}
