// Prefixed, time-ordered identifiers (evt_…, dlv_…): readable in logs, sortable by creation.
import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

export type IdPrefix = 'ten' | 'key' | 'ep' | 'evt' | 'dlv' | 'hc' | 'ps' | 'rpl';

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${nextUlid().toLowerCase()}`;
}

export function deliveryWorkflowId(deliveryId: string): string {
  return `delivery-${deliveryId}`;
}
