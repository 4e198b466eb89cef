// How a delivery workflow is started, whoever starts it (a publish, the sweeper, or
// the API's resend through the client): id, input, summary and search attributes in one place.
import type { Priority, SearchAttributePair } from '@temporalio/common';
import { deliveryStatusKey, endpointIdKey, eventTypeKey, tenantIdKey } from './search-attributes';
import type { DeliveryWorkflowInput, PlannedDelivery } from './contracts';

const SUMMARY_LIMIT_BYTES = 200;

export interface DeliveryStartOptions {
  workflowId: string;
  args: [DeliveryWorkflowInput];
  staticSummary: string;
  typedSearchAttributes: SearchAttributePair[];
  /**
   * The tenant is the fairness key: a Temporal server with task-queue fairness on
   * (matching.enableFairness, set by hookrelay's server settings) hands out workflow tasks round
   * robin across tenants, so one tenant's burst does not queue the others' tasks behind it. A
   * server without it ignores the key (FIFO, as before).
   */
  priority: Priority;
}

export function deliveryStartOptions(delivery: PlannedDelivery): DeliveryStartOptions {
  return {
    workflowId: delivery.workflowId,
    args: [{ deliveryId: delivery.deliveryId }],
    staticSummary: truncateUtf8(`${delivery.eventType} → ${delivery.endpointUrl}`, SUMMARY_LIMIT_BYTES),
    typedSearchAttributes: [
      { key: tenantIdKey, value: delivery.tenantId },
      { key: endpointIdKey, value: delivery.endpointId },
      { key: eventTypeKey, value: delivery.eventType },
      { key: deliveryStatusKey, value: 'pending' },
    ],
    priority: { fairnessKey: delivery.tenantId },
  };
}

/** Summaries are limited in bytes; cut on characters and mark the cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  let out = text;
  while (encoder.encode(out + '…').length > maxBytes) out = out.slice(0, -1);
  return out + '…';
}
