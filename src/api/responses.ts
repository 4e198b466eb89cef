// Rows → the JSON shapes of SPEC §7, typed by the zod schemas of response-schemas.ts (the one
// description of each shape, which the OpenAPI document also shows). Secrets never pass through here unredacted.
import type { z } from 'zod';
import type { ApiKeyScope } from '../domain/api-keys';
import { presentBody, type PresentedBody } from '../domain/response-body';
import type { ApiKeyRow, AttemptRow, DeliveryRow, EventRow, EventTypeRow, PortalSessionRow, TenantRow } from '../db/schema';
import { portalSessionStatus } from '../domain/portal-sessions';
import { redactAuth } from '../domain/endpoint-auth';
import { redactCustomHeaders } from '../domain/endpoint-headers';
import type { RetryPolicy } from '../domain/retry-policy';
import type { EndpointStatsSeries } from '../domain/endpoint-stats';
import type { Endpoint } from '../services/endpoints.service';
import type { ReplayView } from '../services/replays.service';
import type {
  portalSessionResponse,
  apiKeySummaryResponse,
  attemptResponse,
  deliveryResponse,
  endpointResponse,
  endpointStatsResponse,
  eventResponse,
  eventTypeResponse,
  replayResponse,
  tenantResponse,
} from './response-schemas';

function iso(date: Date): string;
function iso(date: Date | null): string | null;
function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

export function toTenantResponse(row: TenantRow): z.infer<typeof tenantResponse> {
  return {
    id: row.id,
    name: row.name,
    metadata: row.metadata,
    retentionDays: row.retention_days,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

/** An API key as lists show it: never the key, only its first characters (`prefix`). */
export function toApiKeyResponse(row: ApiKeyRow): z.infer<typeof apiKeySummaryResponse> {
  return {
    id: row.id,
    name: row.name,
    prefix: row.key_prefix,
    // The database columns are wider than what is written to them (text[], nullable tenant_id): the
    // service only stores known scopes and tenant keys, so the response type states what they hold.
    scopes: row.scopes as ApiKeyScope[],
    tenantId: row.tenant_id as string,
    createdAt: iso(row.created_at),
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

export function toEventTypeResponse(row: EventTypeRow): z.infer<typeof eventTypeResponse> {
  return {
    name: row.name,
    description: row.description,
    group: row.group_name,
    schema: row.schema,
    archived: row.archived,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function toEndpointResponse({ row, auth, authKeyUnavailable }: Endpoint): z.infer<typeof endpointResponse> {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    // Credentials no configured key opens: their type and the key id, so an operator can act.
    auth: authKeyUnavailable
      ? { type: row.auth_type, unavailable: `sealed with encryption key "${authKeyUnavailable}", not configured` }
      : redactAuth(auth),
    headers: redactCustomHeaders(row.headers),
    // Validated by retryPolicySchema before it was stored.
    retryPolicy: row.retry_policy as RetryPolicy | null,
    timeoutMs: row.timeout_ms,
    rateLimitPerSecond: row.rate_limit_per_second,
    maxConcurrentRequests: row.max_concurrent_requests,
    healthCheckUrl: row.health_check_url,
    health: {
      state: row.health_state,
      since: iso(row.health_since),
      reason: row.health_reason,
      nextProbeAt: iso(row.health_next_probe_at),
    },
    ordering: row.ordering && { mode: row.ordering.mode, key: row.ordering.key ?? null },
    filter: row.filter,
    metadata: row.metadata,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export function toEventResponse(row: EventRow): z.infer<typeof eventResponse> {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    type: row.type,
    data: row.data,
    resourceId: row.resource_id,
    operation: row.operation as z.infer<typeof eventResponse>['operation'], // written only from the publish body's enum
    previous: row.previous,
    triggeredBy: row.triggered_by,
    idempotencyKey: row.idempotency_key,
    occurredAt: iso(row.occurred_at),
    createdAt: iso(row.created_at),
  };
}

export function toDeliveryResponse(row: DeliveryRow): z.infer<typeof deliveryResponse> {
  return {
    id: row.id,
    eventId: row.event_id,
    endpointId: row.endpoint_id,
    eventType: row.event_type,
    resourceId: row.resource_id,
    status: row.status,
    statusReason: row.status_reason,
    waitReason: row.status === 'waiting' ? row.wait_reason : null,
    attemptCount: row.attempt_count,
    orderingPosition: row.ordering_position,
    nextAttemptAt: iso(row.next_attempt_at),
    lastResponseStatus: row.last_response_status,
    retryOfId: row.retry_of_id,
    workflowId: row.workflow_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    finishedAt: iso(row.finished_at),
  };
}

export function toAttemptResponse(row: AttemptRow): z.infer<typeof attemptResponse> {
  return {
    number: row.number,
    startedAt: iso(row.started_at),
    durationMs: row.duration_ms,
    trigger: row.trigger,
    request: { url: row.request_url, headers: row.request_headers, bodyBytes: row.request_body_bytes },
    response:
      row.response_status === null ? null : { status: row.response_status, headers: row.response_headers ?? {}, ...attemptBody(row) },
    error:
      row.error_kind === null ? null : { kind: row.error_kind, message: row.error_message ?? '', tlsFailureReason: row.tls_failure_reason },
    timing: attemptTiming(row),
    remoteAddress: row.remote_address,
  };
}

/** Null on rows recorded before the attempt log kept timings (they have no body size either). */
function attemptTiming(row: AttemptRow): z.infer<typeof attemptResponse>['timing'] {
  if (row.request_body_bytes === null) return null;
  return {
    dnsMs: row.dns_ms,
    connectMs: row.connect_ms,
    tlsMs: row.tls_ms,
    ttfbMs: row.ttfb_ms,
    totalMs: row.duration_ms,
    connectionReused: row.connection_reused,
  };
}

/**
 * The stored body as the API shows it: text when it is valid UTF-8 without NUL, else base64.
 * Rows from before 2026-12 hold text only; whether it was cut off was not recorded (length null).
 */
function attemptBody(row: AttemptRow): PresentedBody & { bodyTruncated: boolean; bodyLength: number | null } {
  if (row.response_body_bytes === null) {
    return { body: row.response_body ?? '', bodyEncoding: 'utf8', bodyTruncated: false, bodyLength: null };
  }
  return {
    ...presentBody(row.response_body_bytes, row.response_body_truncated),
    bodyTruncated: row.response_body_truncated,
    bodyLength: row.response_body_length === null ? null : Number(row.response_body_length),
  };
}

/** A portal session: its options and state, never its link or session token. */
export function toPortalSessionResponse(row: PortalSessionRow & { expired: boolean }): z.infer<typeof portalSessionResponse> {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    status: portalSessionStatus({ revoked: row.revoked_at !== null, expired: row.expired, exchanged: row.exchanged_at !== null }),
    readOnly: row.read_only,
    endpointIds: row.endpoint_ids,
    eventTypes: row.event_types,
    allowedOrigins: row.allowed_origins,
    branding: row.branding,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    expiresAt: iso(row.expires_at),
    exchangedAt: iso(row.exchanged_at),
    revokedAt: iso(row.revoked_at),
  };
}

export function toEndpointStatsResponse(endpointId: string, series: EndpointStatsSeries): z.infer<typeof endpointStatsResponse> {
  const { window } = series;
  return {
    endpointId,
    since: iso(window.since),
    until: iso(window.until),
    bucket: window.bucket,
    bucketSeconds: window.bucketSeconds,
    totals: series.totals,
    buckets: series.buckets.map(({ start, end, ...figures }) => ({ start: iso(start), end: iso(end), ...figures })),
  };
}

export function toReplayResponse({ replay, counts }: ReplayView): z.infer<typeof replayResponse> {
  return {
    id: replay.id,
    tenantId: replay.tenant_id,
    mode: replay.mode,
    status: replay.status,
    statusReason: replay.status_reason,
    filter: replay.filter,
    counts,
    idempotencyKey: replay.idempotency_key,
    workflowId: replay.workflow_id,
    cancelRequestedAt: iso(replay.cancel_requested_at),
    createdAt: iso(replay.created_at),
    updatedAt: iso(replay.updated_at),
    finishedAt: iso(replay.finished_at),
  };
}
