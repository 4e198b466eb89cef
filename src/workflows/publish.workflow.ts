// Records an event and starts one delivery workflow per subscribed endpoint. Children are
// abandoned on completion: each delivery outlives its publish workflow.
import { ParentClosePolicy, proxyLocalActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PublishEventInput, PublishEventResult } from './contracts';
import { deliveryWorkflow } from './delivery.workflow';
import { deliveryStartOptions } from './delivery-start';

// Local: one short database transaction, run inside the workflow task (fewer events, lower latency).
const { recordEvent } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['NotFound', 'InvalidEvent'] },
});

export async function publishWorkflow(input: PublishEventInput): Promise<PublishEventResult> {
  const recorded = await recordEvent(input);
  await Promise.all(
    recorded.deliveries.map((delivery) =>
      startChild(deliveryWorkflow, { ...deliveryStartOptions(delivery), parentClosePolicy: ParentClosePolicy.ABANDON }),
    ),
  );
  return { eventId: recorded.eventId, deliveryCount: recorded.deliveryCount, duplicate: recorded.duplicate };
}
