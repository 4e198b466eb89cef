// The ceiling workload: one workflow, one no-op activity — what the same Temporal server and
// worker settings can do with no hookrelay logic at all.
import { proxyActivities } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30 seconds' });

export async function noopWorkflow(): Promise<void> {
  await noop();
}
