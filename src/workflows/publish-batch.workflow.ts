// The batch publish path for Temporal-client publishers (publishEvents): one local activity
// records every event of the batch in one transaction and starts all their delivery workflows.
// One workflow serves up to MAX_BATCH_EVENTS events: the same 6 history events as a single
// publish, so a batch of 100 costs a hundredth of the workflow starts and tasks per event.
import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { INVALID_EVENT_FAILURE, NOT_FOUND_FAILURE, type PublishBatchInput, type PublishEventResult } from './contracts';

// As publishEventWorkflow's: database work and start requests, within the workflow task.
const { publishBatchAndStartDeliveries } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: [NOT_FOUND_FAILURE, INVALID_EVENT_FAILURE],
  },
});

/** One result per event of the batch, in its order. */
export async function publishEventsWorkflow(input: PublishBatchInput): Promise<PublishEventResult[]> {
  return publishBatchAndStartDeliveries(input);
}
