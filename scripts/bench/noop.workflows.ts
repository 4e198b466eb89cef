// The ceiling workload: one workflow, one no-op activity — what the same Temporal server and
// worker settings can do with no hookrelay logic at all.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '30 seconds' });

export async function noopWorkflow(): Promise<void> {
  await noop();
}

// The same with one search-attribute upsert, as a delivery makes one when it succeeds (SPEC §6's
// status attribute): part (k) measures what that one visibility write costs the server.
const statusKey = defineSearchAttributeKey('HookrelayDeliveryStatus', SearchAttributeType.KEYWORD);

export async function noopUpsertWorkflow(): Promise<void> {
  await noop();
  upsertSearchAttributes([{ key: statusKey, value: 'succeeded' }]);
}
