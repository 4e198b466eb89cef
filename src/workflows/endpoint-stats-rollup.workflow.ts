// Run by a Temporal Schedule every few minutes: sums finished slices of the attempt log into the
// endpoint statistics rollups (activities/endpoint-stats-rollup.ts). Each run is bounded and
// idempotent; a run that fails is simply the next run's work.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { StatsRollupResult } from './contracts';

const { rollUpEndpointStatistics } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '1 minute', maximumAttempts: 3 },
});

export async function endpointStatsRollupWorkflow(): Promise<StatsRollupResult> {
  return rollUpEndpointStatistics();
}
