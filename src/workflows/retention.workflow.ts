// Run by a Temporal Schedule: purges attempts, finished deliveries and their events older
// than the retention period.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PurgeInput, PurgeResult } from './contracts';

const { purgeExpiredData } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export async function retentionWorkflow(input: PurgeInput): Promise<PurgeResult> {
  return purgeExpiredData(input);
}
