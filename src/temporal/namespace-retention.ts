// Temporal's retention of closed workflows, kept equal to the delivery log's: a delivery the log
// still shows can still be opened in the Temporal UI, and Temporal keeps no history longer.
import type { Client } from '@temporalio/client';
import { msNumberToTs, tsToMs } from '@temporalio/common/lib/time';

const DAY_MS = 24 * 3_600_000;

export type NamespaceRetentionOutcome = 'unchanged' | 'updated';

/** Sets the namespace's workflow execution retention to `retentionDays` unless it already is. */
export async function ensureNamespaceRetention(
  client: Client,
  namespace: string,
  retentionDays: number,
): Promise<NamespaceRetentionOutcome> {
  const wantedMs = retentionDays * DAY_MS;
  if ((await namespaceRetentionDays(client, namespace)) * DAY_MS === wantedMs) return 'unchanged';
  await client.workflowService.updateNamespace({ namespace, config: { workflowExecutionRetentionTtl: msNumberToTs(wantedMs) } });
  return 'updated';
}

/** The namespace's retention in days, as Temporal reports it. */
export async function namespaceRetentionDays(client: Client, namespace: string): Promise<number> {
  const described = await client.workflowService.describeNamespace({ namespace });
  return tsToMs(described.config?.workflowExecutionRetentionTtl) / DAY_MS;
}
