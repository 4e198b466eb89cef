// Trying a payload filter before (or after) saving it: `POST …/endpoints/:id/filter/test` evaluates
// a filter against a given event, a stored one, or the newest event the endpoint subscribes to, and
// says why it matched or not. Reads only.
import { findEndpoint } from '../db/endpoints.repository';
import { findEvent, findNewestEventOfTypes, type EnvelopeFields } from '../db/events.repository';
import { envelope } from '../domain/envelope';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import { explainFilter, type FilterExplanation } from '../domain/payload-filter-evaluation';
import { parsePayloadFilter } from '../domain/payload-filter';
import type { ServiceContext } from './context';

/** An event to test against, as a publisher would send it (api/schemas' publish shape). */
export interface SampleEvent {
  type: string;
  data: Record<string, unknown>;
  resourceId?: string | undefined;
  operation?: 'INSERT' | 'UPDATE' | 'DELETE' | undefined;
  previous?: Record<string, unknown> | undefined;
  triggeredBy?: string | undefined;
  occurredAt?: string | undefined;
}

export interface FilterTestInput {
  /** The filter to try; the endpoint's stored one when absent. */
  filter?: Record<string, unknown> | undefined;
  /** At most one of these; neither: the newest event of a type the endpoint subscribes to. */
  event?: SampleEvent | undefined;
  eventId?: string | undefined;
}

export interface FilterTestResult {
  /** The filter passes the event (no filter passes every event). */
  matched: boolean;
  /** The endpoint subscribes to the event's type: with `matched`, the event would get a delivery. */
  subscribed: boolean;
  filter: Record<string, unknown> | null;
  /** Where the event came from: `given`, `stored` (eventId) or `newest` (the newest subscribed one). */
  eventSource: 'given' | 'stored' | 'newest';
  event: Record<string, unknown>;
  reason: string;
  /** The verdict of each condition; null without a filter. */
  explanation: FilterExplanation | null;
}

/** A sample event's id: it is not stored, so it names no event. */
const SAMPLE_EVENT_ID = 'evt_sample';

export async function testEndpointFilter(
  ctx: ServiceContext,
  tenantId: string,
  endpointId: string,
  input: FilterTestInput,
): Promise<FilterTestResult> {
  if (input.event && input.eventId) {
    throw new InvalidInputError('Give event or eventId, not both', [{ path: 'body.eventId', message: 'give event or eventId, not both' }]);
  }
  const endpoint = await findEndpoint(ctx.db, tenantId, endpointId);
  if (!endpoint) throw new NotFoundError('endpoint', endpointId);
  const { source, event } = await eventToTest(ctx, tenantId, endpoint.event_types, input);
  const filter = input.filter ?? endpoint.filter;
  const subscribed = endpoint.event_types.includes('*') || endpoint.event_types.includes(String(event.type));
  if (!filter) {
    const reason = 'no filter: every event of a subscribed type gets a delivery';
    return { matched: true, subscribed, filter: null, eventSource: source, event, reason, explanation: null };
  }
  const parsed = parsePayloadFilter(filter);
  if (!parsed.ok) {
    // Only a stored filter can get here (a given one was refused by the request schema).
    throw new InvalidInputError(
      'The filter is invalid',
      parsed.issues.map((issue) => ({ path: ['filter', ...issue.path].join('.'), message: issue.message })),
    );
  }
  const explanation = explainFilter(parsed.filter, event);
  return { matched: explanation.matched, subscribed, filter, eventSource: source, event, reason: explanation.reason, explanation };
}

async function eventToTest(
  ctx: ServiceContext,
  tenantId: string,
  subscribedTypes: string[],
  input: FilterTestInput,
): Promise<{ source: FilterTestResult['eventSource']; event: Record<string, unknown> }> {
  if (input.event) {
    const sample = input.event;
    const event = envelope({
      id: SAMPLE_EVENT_ID,
      type: sample.type,
      tenantId,
      occurredAt: sample.occurredAt ? new Date(sample.occurredAt) : new Date(),
      resourceId: sample.resourceId ?? null,
      operation: sample.operation ?? null,
      triggeredBy: sample.triggeredBy ?? null,
      data: sample.data,
      previous: sample.previous ?? null,
    });
    return { source: 'given', event };
  }
  if (input.eventId) {
    const stored = await findEvent(ctx.db, tenantId, input.eventId);
    if (!stored) throw new NotFoundError('event', input.eventId);
    return { source: 'stored', event: storedEnvelope(stored) };
  }
  const newest = await findNewestEventOfTypes(ctx.db, tenantId, subscribedTypes);
  if (!newest) throw new NotFoundError('event', 'of a type this endpoint subscribes to (give one in "event")');
  return { source: 'newest', event: storedEnvelope(newest) };
}

export function storedEnvelope(event: EnvelopeFields): Record<string, unknown> {
  return envelope({
    id: event.id,
    type: event.type,
    tenantId: event.tenant_id,
    occurredAt: event.occurred_at,
    resourceId: event.resource_id,
    operation: event.operation,
    triggeredBy: event.triggered_by,
    data: event.data,
    previous: event.previous,
  });
}
