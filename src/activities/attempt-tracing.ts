// The span of one attempt's POST (an OpenTelemetry CLIENT span, child of the attempt activity's
// span and so of the delivery workflow's trace), and the `traceparent` a receiver may get. Through
// @opentelemetry/api only: with no tracer provider installed (tracing off) every call is a no-op.
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { HttpAttemptResult } from './webhook-http';

const tracer = trace.getTracer('hookrelay');

/** The attributes every attempt span carries, named under `hookrelay.` (besides HTTP's own). */
export interface AttemptSpanSubject {
  tenantId: string;
  endpointId: string;
  eventType: string;
  deliveryId: string;
  eventId: string;
  attemptNumber: number;
  url: string;
}

/**
 * Runs the POST inside its span. With `sendTraceparent`, the headers get the span's W3C
 * `traceparent` (and `tracestate`), so the receiver's own trace continues this one; headers the
 * endpoint sets itself are kept.
 */
export async function tracedPost(
  subject: AttemptSpanSubject,
  headers: Record<string, string>,
  sendTraceparent: boolean,
  post: (headers: Record<string, string>) => Promise<HttpAttemptResult>,
): Promise<HttpAttemptResult> {
  return tracer.startActiveSpan(
    'POST',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'POST',
        'url.full': subject.url,
        'hookrelay.tenant.id': subject.tenantId,
        'hookrelay.endpoint.id': subject.endpointId,
        'hookrelay.event.type': subject.eventType,
        'hookrelay.event.id': subject.eventId,
        'hookrelay.delivery.id': subject.deliveryId,
        'hookrelay.attempt.number': subject.attemptNumber,
      },
    },
    async (span) => {
      try {
        const carrier: Record<string, string> = {};
        if (sendTraceparent) propagation.inject(context.active(), carrier);
        const result = await post({ ...carrier, ...headers });
        if (result.kind === 'response') {
          span.setAttribute('http.response.status_code', result.status);
          if (result.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${result.status}` });
        } else {
          if (result.partialResponse) span.setAttribute('http.response.status_code', result.partialResponse.status);
          span.setAttribute('error.type', result.errorKind);
          span.setStatus({ code: SpanStatusCode.ERROR, message: result.message });
        }
        return result;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
