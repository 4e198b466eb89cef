// The JSON body a receiver gets (SPEC §4). Optional fields are omitted rather than null.
export interface EnvelopeEvent {
  id: string;
  type: string;
  tenantId: string;
  occurredAt: Date;
  resourceId: string | null;
  operation: string | null;
  triggeredBy: string | null;
  data: Record<string, unknown>;
  previous: Record<string, unknown> | null;
}

export function envelopeBody(event: EnvelopeEvent): string {
  return JSON.stringify(envelope(event));
}

/** The envelope as an object: what a receiver parses, and what payload filters evaluate. */
export function envelope(event: EnvelopeEvent): Record<string, unknown> {
  return {
    id: event.id,
    type: event.type,
    timestamp: event.occurredAt.toISOString(),
    tenantId: event.tenantId,
    ...(event.resourceId !== null && { resourceId: event.resourceId }),
    ...(event.operation !== null && { operation: event.operation }),
    ...(event.triggeredBy !== null && { triggeredBy: event.triggeredBy }),
    data: event.data,
    ...(event.previous !== null && { previous: event.previous }),
  };
}
