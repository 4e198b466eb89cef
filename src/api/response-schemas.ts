// The response shapes of SPEC §7 as zod schemas: the one source of truth for them. The mappers in
// responses.ts are typed by them (z.infer), the OpenAPI document registers them as components, and
// the tests parse real answers with them.
import { DELIVERY_STATUSES } from '../domain/delivery-status';
import { WAIT_REASONS } from '../domain/delivery-wait';
import { ENDPOINT_HEALTH_STATES } from '../domain/endpoint-circuit';
import { STATS_BUCKETS } from '../domain/endpoint-stats';
import { REPLAY_MODES, REPLAY_STATUSES, REPLAYABLE_DELIVERY_STATUSES } from '../domain/replay';
import { ATTEMPT_ERROR_KINDS, RESPONSE_STATUS_CLASSES } from '../domain/attempt-error-kinds';
import { TLS_FAILURE_REASONS } from '../domain/tls-failure';
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { apiKeyScopes } from '../domain/api-keys';
import { retryPolicyShape } from '../domain/retry-policy-shape';

// Adds `.openapi()` to zod's prototypes before any schema here is made (the registry names components with it).
extendZodWithOpenApi(z);

const timestamp = z.iso.datetime();
export const jsonObject = z.record(z.string(), z.unknown());

export const tenantResponse = z.strictObject({
  id: z.string(),
  name: z.string(),
  metadata: jsonObject,
  retentionDays: z
    .number()
    .int()
    .nullable()
    .describe("Days this tenant's delivery log is kept, when shorter than the deployment's; null: the deployment's"),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** A portal session as lists show it: never its tokens. */
export const portalSessionResponse = z.strictObject({
  id: z.string(),
  tenantId: z.string(),
  status: z
    .enum(['unused', 'active', 'expired', 'revoked'])
    .describe('unused: the link was not opened yet; active: opened, its browser session is valid; expired; revoked'),
  readOnly: z.boolean(),
  endpointIds: z.array(z.string()).nullable().describe('null: every endpoint of the tenant'),
  eventTypes: z.array(z.string()).nullable().describe('null: every event type'),
  allowedOrigins: z.array(z.string()),
  branding: z.strictObject({ displayName: z.string().optional(), logoUrl: z.string().optional(), accentColor: z.string().optional() }),
  createdBy: z.string().describe('"admin", or the id of the tenant key that made it'),
  createdAt: timestamp,
  expiresAt: timestamp,
  exchangedAt: timestamp.nullable().describe('When the link was opened (it works once)'),
  revokedAt: timestamp.nullable(),
});

export const createdPortalSessionResponse = portalSessionResponse.extend({
  url: z.string().describe('The one-time link (shown only here): open it, or set it as an iframe src, once'),
});

export const portalExchangeResponse = z.strictObject({
  sessionToken: z.string().describe('The browser session credential (hrps_…): a Bearer token for /v1, until expiresAt'),
  expiresAt: timestamp,
  session: portalSessionResponse,
});

/** A key as lists show it: never the key itself. */
export const apiKeySummaryResponse = z.strictObject({
  id: z.string(),
  name: z.string().nullable(),
  prefix: z.string().describe('The first characters of the key (hr_ and 7 more), to recognise it'),
  scopes: z.array(z.enum(apiKeyScopes)),
  tenantId: z.string(),
  createdAt: timestamp,
  expiresAt: timestamp.nullable().describe('From then on the key is refused (401); null: never'),
  lastUsedAt: timestamp.nullable().describe('Last successful use, to the minute; null: never used'),
  revokedAt: timestamp.nullable().describe('When it was revoked (refused from then on); null: active'),
});

export const apiKeyResponse = apiKeySummaryResponse.extend({
  key: z.string().describe('The key itself: shown only in this answer'),
});

export const eventTypeResponse = z
  .strictObject({
    name: z.string(),
    description: z.string(),
    group: z.string(),
    schema: jsonObject.nullable(),
    archived: z.boolean(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('EventType'); // named here: the catalog below refers to it

export const endpointResponse = z.strictObject({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(z.string()),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  auth: z.record(z.string(), z.string()).describe('{ type, ... } with passwords, tokens and header values redacted'),
  headers: z
    .record(z.string(), z.union([z.string(), z.strictObject({ value: z.literal('[redacted]'), secret: z.literal(true) })]))
    .describe('Custom headers; a secret one shows as { "value": "[redacted]", "secret": true }'),
  retryPolicy: retryPolicyShape.nullable().describe('The retry policy as stored (validated on write); null for the default schedule'),
  timeoutMs: z.number().int().nullable(),
  rateLimitPerSecond: z
    .number()
    .int()
    .nullable()
    .describe('POSTs per second, enforced across all workers: at most rateLimitPerSecond + burst in any one-second window (see README)'),
  maxConcurrentRequests: z.number().int().nullable().describe('POSTs in flight at once, across all workers; null: no limit'),
  healthCheckUrl: z.string().nullable(),
  health: z
    .strictObject({
      state: z
        .enum(ENDPOINT_HEALTH_STATES)
        .describe('healthy: full rate; backing-off: the endpoint asked us to slow down (429/503) or kept timing out; open: a probe failed'),
      since: timestamp.nullable().describe('When the state began (null: healthy since created)'),
      reason: z.string().nullable(),
      nextProbeAt: timestamp.nullable().describe('When the next half-open probe may go (null when healthy)'),
    })
    .describe('The endpoint-wide circuit: behind backing-off and open, deliveries wait (no attempt spent) and one probe at a time goes'),
  ordering: z
    .strictObject({ mode: z.literal('fifo'), key: z.enum(['resourceId']).nullable() })
    .nullable()
    .describe('FIFO delivery, per resourceId (key) or for the whole endpoint (key null); null: unordered'),
  filter: jsonObject
    .nullable()
    .describe('The payload filter as stored (validated on write): only events it matches get a delivery; null: every subscribed event'),
  metadata: jsonObject,
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const filterTestResponse = z.strictObject({
  matched: z.boolean().describe('The filter passes the event (no filter passes every event)'),
  subscribed: z.boolean().describe("The endpoint subscribes to the event's type: with matched, the event gets a delivery"),
  filter: jsonObject.nullable().describe('The filter tried'),
  eventSource: z
    .enum(['given', 'stored', 'newest'])
    .describe('given in the request, stored (eventId), or the newest event of a subscribed type'),
  event: jsonObject.describe('The envelope the filter saw, as a receiver gets it'),
  reason: z.string().describe('Why it matched or not, in one sentence'),
  explanation: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('Each condition: { condition, matched, reason, actual?, clauses? } (clauses for $and / $or / $not); null without a filter'),
});

export const endpointSecretsResponse = z.strictObject({
  secret: z.string().describe('The current signing secret (whsec_…)'),
  previousSecrets: z
    .array(z.strictObject({ secret: z.string(), expiresAt: timestamp }))
    .describe('Rotated-out secrets still signing until expiresAt'),
});

export const eventResponse = z.strictObject({
  id: z.string(),
  tenantId: z.string(),
  type: z.string(),
  data: jsonObject,
  resourceId: z.string().nullable(),
  operation: z.enum(['INSERT', 'UPDATE', 'DELETE']).nullable(),
  previous: jsonObject.nullable(),
  triggeredBy: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  occurredAt: timestamp,
  createdAt: timestamp,
});

export const publishResponse = z.strictObject({ id: z.string(), deliveryCount: z.number().int(), duplicate: z.boolean() });
export const publishBatchResponse = z.strictObject({
  results: z.array(publishResponse).describe('One result per event of the request, in its order'),
});

export const deliveryResponse = z.strictObject({
  id: z.string(),
  eventId: z.string(),
  endpointId: z.string(),
  eventType: z.string(),
  resourceId: z.string().nullable(),
  status: z.enum(DELIVERY_STATUSES),
  statusReason: z.string().nullable(),
  waitReason: z
    .enum(WAIT_REASONS)
    .nullable()
    .describe(
      'Why a `waiting` delivery waits, without spending an attempt, until `nextAttemptAt` (or sooner): rate_limit, concurrency_limit, endpoint_backing_off, endpoint_open, ordering or tenant_fair_share; null otherwise',
    ),
  attemptCount: z.number().int(),
  orderingPosition: z
    .string()
    .nullable()
    .describe('Its place in its FIFO line (a decimal integer; smaller goes first); null: the endpoint was unordered when it was recorded'),
  nextAttemptAt: timestamp.nullable(),
  lastResponseStatus: z.number().int().nullable(),
  retryOfId: z.string().nullable(),
  workflowId: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
  finishedAt: timestamp.nullable(),
});

/** One phase of an attempt in whole milliseconds; null: it did not happen (never a 0 for unknown). */
const phaseMs = z.number().int().min(0).nullable();

export const attemptResponse = z.strictObject({
  number: z.number().int(),
  startedAt: timestamp,
  durationMs: z.number().int(),
  trigger: z.enum(['scheduled', 'manual']),
  request: z.strictObject({
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    bodyBytes: z.number().int().nullable().describe('The request body as sent, in bytes; null on attempts recorded before 2026-12-03'),
  }),
  response: z
    .strictObject({
      status: z.number().int(),
      headers: z.record(z.string(), z.string()),
      body: z.string().describe('The first 64 KiB of the body as received: text (bodyEncoding utf8) or base64'),
      bodyEncoding: z
        .enum(['utf8', 'base64'])
        .describe('utf8 when the stored bytes are valid UTF-8 without NUL; otherwise base64 (binary, compressed, invalid UTF-8)'),
      bodyTruncated: z.boolean().describe('The body was longer than 64 KiB; only its start is stored'),
      bodyLength: z
        .number()
        .int()
        .nullable()
        .describe("The body's full length in bytes: counted when read whole, the declared Content-Length when cut off; null when unknown"),
    })
    .nullable()
    .describe('The answer, or as much of it as arrived when it broke off (then error is set too)'),
  error: z
    .strictObject({
      kind: z.string(),
      message: z.string(),
      tlsFailureReason: z
        .enum(TLS_FAILURE_REASONS)
        .nullable()
        .describe(
          'With kind tls: why the handshake failed, from the certificate error; null for other kinds (and tls errors recorded before 2026-12-03)',
        ),
    })
    .nullable()
    .describe(
      'timeout, dns, connection, tls, ssrf_blocked, too_large (status line and headers over 16 KiB), invalid_response (not HTTP), invalid_url, record_failed (the database refused the details), unknown',
    ),
  timing: z
    .strictObject({
      dnsMs: phaseMs.describe('Host name lookup; null for an IP-literal host, a reused connection, or when no connection was tried'),
      connectMs: phaseMs.describe('TCP connect; null on a reused connection or when it never began'),
      tlsMs: phaseMs.describe('TLS handshake (until it failed, for a tls error); null for http:// or a reused connection'),
      ttfbMs: phaseMs.describe('From the start of the attempt until the status line and headers arrived; null when no answer began'),
      totalMs: z.number().int().describe('The whole attempt, as durationMs'),
      connectionReused: z
        .boolean()
        .nullable()
        .describe(
          'true: sent on a kept-alive connection an earlier attempt opened (so no DNS, connect or TLS phase); false: opened for it; null: none was made',
        ),
    })
    .nullable()
    .describe(
      'Where the time went, in whole milliseconds (a phase that failed has the time until it failed); null on attempts recorded before 2026-12-03',
    ),
  remoteAddress: z.string().nullable().describe('The IP address the attempt connected to; null when none was reached'),
});

export const deliveryWithAttemptsResponse = deliveryResponse.extend({ attempts: z.array(attemptResponse) });

export const problemResponse = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});

export const page = <T extends z.ZodType>(item: T) => z.strictObject({ data: z.array(item), nextCursor: z.string().nullable() });

export const healthResponse = z.object({ status: z.string(), checks: z.record(z.string(), z.string()).optional() });

export const eventTypeCatalogResponse = z.strictObject({
  data: z.array(eventTypeResponse),
  groups: z.array(z.strictObject({ group: z.string(), eventTypes: z.array(z.string()) })),
  nextCursor: z.null(),
});

export const resendResponse = z.strictObject({
  deliveryId: z.string().describe('The signalled delivery, or the new one (retryOfId set)'),
  mode: z.enum(['signalled', 'new']).describe('signalled: a waiting delivery attempts now; new: a finished one was resent'),
});

export const cancelResponse = z.strictObject({ deliveryId: z.string(), status: z.literal('cancelling') });

export const recoverResponse = z.strictObject({
  deliveryCount: z.number().int(),
  deliveryIds: z.array(z.string()),
  replayId: z.string().describe('The replay (mode failed) that sends them, paced: GET …/replays/{replayId} shows its progress'),
});

export const replayResponse = z.strictObject({
  id: z.string(),
  tenantId: z.string(),
  mode: z.enum(REPLAY_MODES),
  status: z
    .enum(REPLAY_STATUSES)
    .describe('pending: not started yet; running: sending, paced; settling: all sent, waiting for outcomes; completed; cancelled'),
  statusReason: z.string().nullable(),
  filter: z.strictObject({
    endpointIds: z.array(z.string()).optional(),
    eventTypes: z.array(z.string()).optional(),
    status: z.array(z.enum(REPLAYABLE_DELIVERY_STATUSES)).optional(),
    statusClass: z.enum(RESPONSE_STATUS_CLASSES).optional(),
    errorKind: z.enum(ATTEMPT_ERROR_KINDS).optional(),
    resourceId: z.string().optional(),
    since: timestamp.optional(),
    until: timestamp.describe('Fixed when the replay was created if the request left it open'),
  }),
  counts: z.strictObject({
    matched: z.number().int().describe('What it found to send (counted when it starts, exact once it has paged through every match)'),
    started: z.number().int().describe('Deliveries it created and started'),
    delivered: z.number().int().describe('… that succeeded'),
    failed: z.number().int().describe('… that ended failed or cancelled'),
  }),
  idempotencyKey: z.string().nullable(),
  workflowId: z.string(),
  cancelRequestedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
  finishedAt: timestamp.nullable(),
});

export const testEventResponse = z.strictObject({ id: z.string(), deliveryCount: z.number().int() });

export const consoleConfigResponse = z.strictObject({ temporalUiUrl: z.string().nullable(), namespace: z.string(), version: z.string() });

const count = z.number().int().min(0);
const endpointStatsFigures = {
  attempts: z
    .strictObject({ total: count, succeeded: count, failed: count })
    .describe('POSTs started in the bucket; succeeded: a complete 2xx answer; failed: anything else'),
  deliveries: z
    .strictObject({ total: count, succeeded: count, unsuccessful: count })
    .describe(
      'Deliveries attempted in the bucket; succeeded: one attempt here succeeded; unsuccessful: none did (a later retry may still succeed)',
    ),
  successRate: z.number().min(0).max(1).nullable().describe('attempts.succeeded / attempts.total; null without attempts'),
  latencyMs: z
    .strictObject({ p50: z.number().nullable(), p95: z.number().nullable() })
    .describe(
      'Duration (ms) of attempts that got an answer, p50 and p95 read from a log-scale histogram: within 4.4% (and 1 ms) of the exact percentile; null without any',
    ),
  statusClasses: z
    .strictObject({ '2xx': count, '3xx': count, '4xx': count, '5xx': count, other: count })
    .describe('Answers by status class (other: outside 200-599)'),
  errorKinds: z
    .record(z.string(), count)
    .describe('Attempts that ended in an error, by kind (timeout, dns, connection, tls, ssrf_blocked, too_large, …)'),
};

export const endpointStatsResponse = z.strictObject({
  endpointId: z.string(),
  since: timestamp.describe('Start of the window, rounded down to a bucket boundary (UTC)'),
  until: timestamp.describe('End of the window (exclusive), rounded up to a bucket boundary'),
  bucket: z.enum(STATS_BUCKETS),
  bucketSeconds: z.number().int(),
  totals: z.strictObject(endpointStatsFigures).describe('The whole window (percentiles over all of it, each delivery once)'),
  buckets: z
    .array(z.strictObject({ start: timestamp, end: timestamp, ...endpointStatsFigures }))
    .describe('Every bucket of the window, oldest first; empty ones are zeros'),
});
