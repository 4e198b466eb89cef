// The publish path for Temporal-client publishers: one local activity records the event and
// starts one delivery workflow per subscribed endpoint (client starts, so each delivery outlives
// this workflow). A crash in between repeats the activity, which starts whatever is missing.
// One workflow task, 6 history events, whatever the fan-out.
import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { INVALID_EVENT_FAILURE, NOT_FOUND_FAILURE, type PublishEventInput, type PublishEventResult } from './contracts';

// Local: short database work and start requests, run inside the workflow task. A fan-out above
// HOOKRELAY_INLINE_START_MAX_DELIVERIES returns right after its commit and the worker starts the
// deliveries in the background (the sweeper finishes if it dies), so even 20,000 endpoints stay
// far inside the timeout and add no history events.
const { publishAndStartDeliveries } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: [NOT_FOUND_FAILURE, INVALID_EVENT_FAILURE],
  },
});

export async function publishEventWorkflow(input: PublishEventInput): Promise<PublishEventResult> {
  return publishAndStartDeliveries(input);
}
