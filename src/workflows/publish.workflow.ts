// Records an event and starts one delivery workflow per subscribed endpoint. Children are
// abandoned on completion: each delivery outlives its publish workflow.
import { ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { deliveryStatusKey, endpointIdKey, eventTypeKey, tenantIdKey } from '../temporal/search-attributes';
import type { PublishEventInput, PublishEventResult } from './contracts';
import { deliveryWorkflow } from './delivery.workflow';

const { recordEvent } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['NotFound'] },
});

const SUMMARY_LIMIT_BYTES = 200;

export async function publishWorkflow(input: PublishEventInput): Promise<PublishEventResult> {
  const recorded = await recordEvent(input);
  await Promise.all(
    recorded.deliveries.map((delivery) =>
      startChild(deliveryWorkflow, {
        workflowId: delivery.workflowId,
        args: [{ deliveryId: delivery.deliveryId }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: truncate(`${delivery.eventType} → ${delivery.endpointUrl}`, SUMMARY_LIMIT_BYTES),
        typedSearchAttributes: [
          { key: tenantIdKey, value: delivery.tenantId },
          { key: endpointIdKey, value: delivery.endpointId },
          { key: eventTypeKey, value: delivery.eventType },
          { key: deliveryStatusKey, value: 'pending' },
        ],
      }),
    ),
  );
  return { eventId: recorded.eventId, deliveryCount: recorded.deliveryCount, duplicate: recorded.duplicate };
}

function truncate(text: string, maxBytes: number): string {
  // Summaries are limited in bytes; cut on characters, leaving room for the ellipsis.
  let out = text;
  while (new TextEncoder().encode(out).length > maxBytes) out = out.slice(0, -2) + '…';
  return out;
}
