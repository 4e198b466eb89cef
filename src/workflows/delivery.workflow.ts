// One event to one endpoint (SPEC §6): the two workflow types that run a delivery, both with the
// steps of delivery-run.ts. Every delivery starts as deliveryWorkflowV2; deliveryWorkflow stays
// registered so the deliveries started before it keep replaying their histories.
import { patched } from '@temporalio/workflow';
import type { DeliveryState, DeliveryWorkflowInput } from './contracts';
import { runDelivery } from './delivery-run';

export { ATTEMPT_STEPS_PATCH, DISABLE_AS_STEP_PATCH, RETRY_SEQUENCE_REPEAT_PATCH, WAKE_KEPT_PATCH } from './delivery-changes';

/**
 * The first delivery workflow type, for the histories it already has: it asks `patched()` for
 * each change of delivery-changes.ts, so a run started before a change replays without it. New
 * deliveries no longer start as this type.
 */
export async function deliveryWorkflow(input: DeliveryWorkflowInput): Promise<DeliveryState> {
  return runDelivery(input, patched);
}

/**
 * Every delivery since issue 17: the same steps with every change taken, and no `patched()` call.
 * A first-try delivery records 7 history events instead of 9 (no patch marker, no
 * `TemporalChangeVersion` upsert, so one visibility write less). A later change to these steps
 * is `patched()` here again, or a new type.
 */
export async function deliveryWorkflowV2(input: DeliveryWorkflowInput): Promise<DeliveryState> {
  return runDelivery(input, takesEveryChange);
}

const takesEveryChange = () => true;
