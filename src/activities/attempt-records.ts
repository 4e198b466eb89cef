// One POST as the data that crosses into workflow history (SentAttempt) and as the attempt row
// that records it: plain mappings, no I/O.
import type { AttemptToRecord, DeliveryForAttempt } from '../db/attempts.repository';
import type { AttemptInput, SentAttempt } from '../workflows/contracts';
import type { HttpAttemptResult } from './webhook-http';

/** One POST as plain data: the body as base64 so a Temporal payload carries it compactly. */
export function sentAttempt(
  input: AttemptInput,
  startedAt: Date,
  delivery: DeliveryForAttempt,
  prepared: { redactedHeaders: Record<string, string>; retryPolicy: SentAttempt['retryPolicy'] },
  result: HttpAttemptResult,
): SentAttempt {
  const response = result.kind === 'response' ? result : result.partialResponse;
  return {
    deliveryId: input.deliveryId,
    attemptNumber: input.attemptNumber,
    trigger: input.trigger,
    startedAt: startedAt.toISOString(),
    durationMs: result.durationMs,
    request: { url: delivery.url, headers: prepared.redactedHeaders },
    response: response && {
      status: response.status,
      headers: response.headers,
      bodyBase64: response.body.toString('base64'),
      bodyTruncated: response.bodyTruncated,
      bodyLength: response.bodyLength,
    },
    error: result.kind === 'error' ? { kind: result.errorKind, message: result.message, tlsFailureReason: result.tlsFailureReason } : null,
    timing: result.timing,
    deliveryCreatedAt: delivery.deliveryCreatedAt,
    endpoint: {
      id: delivery.endpointId,
      tenantId: delivery.tenantId,
      enabled: delivery.endpointEnabled,
      failingSince: delivery.endpointFailingSince?.toISOString() ?? null,
    },
    retryPolicy: prepared.retryPolicy,
  };
}

export function attemptRow(sent: SentAttempt): AttemptToRecord {
  return {
    delivery_id: sent.deliveryId,
    endpoint_id: sent.endpoint.id,
    number: sent.attemptNumber,
    trigger: sent.trigger,
    started_at: sent.startedAt,
    duration_ms: sent.durationMs,
    request_url: sent.request.url,
    request_headers: JSON.stringify(sent.request.headers),
    response_status: sent.response?.status ?? null,
    response_headers: sent.response ? JSON.stringify(sent.response.headers) : null,
    response_body: null,
    response_body_bytes: sent.response ? Buffer.from(sent.response.bodyBase64, 'base64') : null,
    response_body_truncated: sent.response?.bodyTruncated ?? false,
    response_body_length: sent.response?.bodyLength ?? null,
    error_kind: sent.error?.kind ?? null,
    error_message: sent.error?.message ?? null,
    tls_failure_reason: sent.error?.tlsFailureReason ?? null,
    ...timingColumns(sent.timing),
    ...(sent.deliveryCreatedAt === undefined ? {} : { delivery_created_at: sent.deliveryCreatedAt }),
  };
}

/** The timing columns; all null for an attempt from a history recorded before they existed. */
function timingColumns(timing: SentAttempt['timing']) {
  return {
    dns_ms: timing?.dnsMs ?? null,
    connect_ms: timing?.connectMs ?? null,
    tls_ms: timing?.tlsMs ?? null,
    ttfb_ms: timing?.ttfbMs ?? null,
    connection_reused: timing?.connectionReused ?? null,
    remote_address: timing?.remoteAddress ?? null,
    request_body_bytes: timing?.requestBodyBytes ?? null,
  };
}
