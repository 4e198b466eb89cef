// The states a delivery goes through, written once: the database column, the API's filter and
// response, the workflow's finish and the metrics all use these lists.

export const DELIVERY_STATUSES = ['pending', 'retrying', 'waiting', 'succeeded', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * Not finished yet: its workflow still runs (or is still to be started). `waiting`: held back by
 * the endpoint's protection (rate or concurrency limit, back-off, ordering) without spending an
 * attempt; `wait_reason` says which (domain/delivery-wait.ts).
 */
export const OPEN_DELIVERY_STATUSES = ['pending', 'retrying', 'waiting'] as const satisfies readonly DeliveryStatus[];
export type OpenDeliveryStatus = (typeof OPEN_DELIVERY_STATUSES)[number];

/** Final: nothing more is sent unless the delivery is resent or recovered (a new delivery). */
export const FINISHED_DELIVERY_STATUSES = ['succeeded', 'failed', 'cancelled'] as const satisfies readonly DeliveryStatus[];
export type FinishedDeliveryStatus = (typeof FINISHED_DELIVERY_STATUSES)[number];

export function isOpenDeliveryStatus(status: DeliveryStatus): status is OpenDeliveryStatus {
  return (OPEN_DELIVERY_STATUSES as readonly DeliveryStatus[]).includes(status);
}

export function isFinishedDeliveryStatus(status: DeliveryStatus): status is FinishedDeliveryStatus {
  return (FINISHED_DELIVERY_STATUSES as readonly DeliveryStatus[]).includes(status);
}

/** What started an attempt: the delivery's own schedule, or a person (resend). */
export type AttemptTrigger = 'scheduled' | 'manual';

/** A recorded delivery whose workflow is to be started (its id is the workflow's). */
export interface PlannedDelivery {
  deliveryId: string;
  workflowId: string;
  endpointId: string;
  endpointUrl: string;
  eventType: string;
  tenantId: string;
}
