// The span that opens a publish's trace (or continues the caller's): the API route and the typed
// client run a publish inside it, and the Temporal client interceptor carries it into the
// workflows they start. Through @opentelemetry/api only: with tracing off it is a no-op.
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';

const tracer = trace.getTracer('hookrelay');

export interface PublishSpanSubject {
  tenantId?: string;
  eventType?: string;
  /** Events in the publish (a batch has more than one). */
  eventCount: number;
  /** How it arrived: 'http' (the API) or 'client' (the typed Temporal client). */
  via: 'http' | 'client';
}

/**
 * Runs `publish` in a `hookrelay.publish` span. `carrier` (HTTP request headers) may hold the
 * caller's W3C `traceparent`: the span continues that trace, else it starts one. Without a
 * carrier the span is a child of whatever span is active (a typed-client caller's).
 */
export function withPublishSpan<T>(
  subject: PublishSpanSubject,
  carrier: Record<string, string | string[] | undefined> | undefined,
  publish: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = carrier ? propagation.extract(ROOT_CONTEXT, carrier) : context.active();
  return tracer.startActiveSpan(
    'hookrelay.publish',
    {
      kind: subject.via === 'http' ? SpanKind.SERVER : SpanKind.PRODUCER,
      attributes: {
        'hookrelay.publish.via': subject.via,
        'hookrelay.publish.event_count': subject.eventCount,
        ...(subject.tenantId !== undefined && { 'hookrelay.tenant.id': subject.tenantId }),
        ...(subject.eventType !== undefined && { 'hookrelay.event.type': subject.eventType }),
      },
    },
    parent,
    async (span) => {
      try {
        return await publish(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
