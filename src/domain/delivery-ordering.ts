// Ordered (FIFO) delivery per endpoint: the endpoint's `ordering` setting, which deliveries form
// one line, and what a delivery waiting in a line tells people. The queries live in
// db/delivery-ordering.repository, the gate rule in activities/ordering-rule.
import { z } from 'zod';
import type { Deferral } from './delivery-wait';

export const endpointOrderingSchema = z
  .strictObject({
    mode: z.literal('fifo').describe('One delivery at a time per line, in publish order'),
    key: z
      .enum(['resourceId'])
      .nullable()
      .optional()
      .describe('`resourceId`: one line per event resourceId; null or absent: one line for the whole endpoint'),
  })
  .describe('Ordered delivery; null: unordered (deliveries are attempted concurrently)');
export type EndpointOrdering = z.infer<typeof endpointOrderingSchema>;

/** A waiter re-checks its line this often at the latest: the fallback for a lost wake signal. */
export const ORDERING_FALLBACK_WAIT_MS = 60_000;

/** The endpoint's stored setting, or null (unordered, or a value this version cannot read). */
export function parseEndpointOrdering(stored: unknown): EndpointOrdering | null {
  const parsed = endpointOrderingSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/** The line a delivery stands in: the endpoint, and its resource id when the line is keyed. */
export interface OrderingLine {
  endpointId: string;
  /** Undefined: one line for the whole endpoint; null: the line of events without a resourceId. */
  resourceId?: string | null;
}

export function orderingLine(ordering: EndpointOrdering, delivery: { endpointId: string; resourceId: string | null }): OrderingLine {
  return ordering.key === 'resourceId'
    ? { endpointId: delivery.endpointId, resourceId: delivery.resourceId }
    : { endpointId: delivery.endpointId };
}

/** The open delivery at the head of a line, as the waiter behind it describes it. */
export interface LineHead {
  id: string;
  status: 'pending' | 'retrying' | 'waiting';
  attemptCount: number;
  nextAttemptAt: Date | null;
  lastResponseStatus: number | null;
  lastErrorKind: string | null;
  waitReason: string | null;
}

/** "waiting behind dlv_… (retrying, attempt 3 failed with 500, next attempt at …)". */
export function describeHead(head: LineHead): string {
  const parts: string[] = [head.status];
  if (head.attemptCount > 0) {
    const failure =
      head.lastResponseStatus !== null ? ` with ${head.lastResponseStatus}` : head.lastErrorKind ? ` (${head.lastErrorKind})` : '';
    parts.push(`attempt ${head.attemptCount} failed${failure}`);
  } else {
    parts.push('not attempted yet');
  }
  if (head.status === 'waiting' && head.waitReason) parts.push(`itself waiting: ${head.waitReason}`);
  if (head.nextAttemptAt) parts.push(`next attempt at ${head.nextAttemptAt.toISOString()}`);
  return `waiting behind ${head.id} (${parts.join(', ')})`;
}

/** The deferral of a delivery that is not at the head of its line: woken when the head finishes. */
export function orderingDeferral(head: LineHead, now: Date): Deferral {
  return {
    until: new Date(now.getTime() + ORDERING_FALLBACK_WAIT_MS).toISOString(),
    waitReason: 'ordering',
    reason: describeHead(head),
  };
}
