// Superseded by publishEventWorkflow (issue 6: it starts deliveries from its activity, one
// workflow task instead of two and 6 history events instead of 11). Kept registered so publish
// workflows already running under this type (or started by name by an older client) finish;
// remove once none can be left. Records, then starts each delivery as an abandoned child.
import { ParentClosePolicy, proxyLocalActivities, startChild } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PublishEventInput, PublishEventResult } from './contracts';
import { deliveryWorkflow } from './delivery.workflow';
import { deliveryStartOptions } from './delivery-start';

const { recordEvent } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: ['NotFound', 'InvalidEvent'],
  },
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
