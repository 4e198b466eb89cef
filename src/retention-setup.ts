// What a worker (and `npm start`) puts in place for retention when it starts: the daily
// Schedule, the attempt partitions of the days ahead, and Temporal's own retention of closed
// workflows set to the delivery log's; and the endpoint statistics rollup's Schedule (every 5
// minutes), the other periodic job over the attempt log.
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { ensureAttemptPartitions } from './db/attempt-partitions.repository';
import type { Database } from './db/schema';
import { partitionWindow } from './domain/attempt-partitions';
import { ensureStatsRollupSchedule } from './temporal/endpoint-stats-rollup-schedule';
import { ensureNamespaceRetention } from './temporal/namespace-retention';
import { ensureRetentionSchedule } from './temporal/retention-schedule';

export interface RetentionSetupOptions {
  taskQueue: string;
  namespace: string;
  retentionDays: number;
}

export async function setUpRetention(
  db: Kysely<Database>,
  temporal: Client,
  logger: Logger,
  options: RetentionSetupOptions,
): Promise<void> {
  await ensureRetentionSchedule(temporal, { taskQueue: options.taskQueue, retentionDays: options.retentionDays });
  await ensureStatsRollupSchedule(temporal, { taskQueue: options.taskQueue });
  const window = partitionWindow(new Date());
  await ensureAttemptPartitions(db, window.from, window.to);
  try {
    const outcome = await ensureNamespaceRetention(temporal, options.namespace, options.retentionDays);
    if (outcome === 'updated')
      logger.info({ namespace: options.namespace, retentionDays: options.retentionDays }, 'Temporal namespace retention set');
  } catch (error) {
    // A namespace managed elsewhere (Temporal Cloud, a key without namespace admin rights): say so, go on.
    logger.warn(
      { namespace: options.namespace, retentionDays: options.retentionDays, err: { message: (error as Error).message } },
      'could not set the Temporal namespace retention to HOOKRELAY_RETENTION_DAYS; set it with `temporal operator namespace update --retention`',
    );
  }
}
