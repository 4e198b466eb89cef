// A workflow bundle with the two mistakes the determinism guard exists to catch, for its negative
// test: the current type's steps changed without `patched()` (deliveryWorkflowV2 running the steps
// as they were before the changes it takes), and `patched()` calls dropped from the old type
// (deliveryWorkflow taking every change, also in histories recorded before them).
import type { DeliveryState, DeliveryWorkflowInput } from '../../../src/workflows/contracts';
import { runDelivery } from '../../../src/workflows/delivery-run';

export async function deliveryWorkflowV2(input: DeliveryWorkflowInput): Promise<DeliveryState> {
  return runDelivery(input, () => false);
}

export async function deliveryWorkflow(input: DeliveryWorkflowInput): Promise<DeliveryState> {
  return runDelivery(input, () => true);
}
