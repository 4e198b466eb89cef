// A delivery as plain types: its lifecycle and its plan. The database, the workflows and the API all use these.

export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed' | 'cancelled';

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
