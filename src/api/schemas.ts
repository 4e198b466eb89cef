// zod schemas for every request the API accepts: the single source of truth for validation,
// TypeScript types and the OpenAPI document (openapi.ts). Unknown fields are rejected (strictObject),
// in bodies and in query strings alike.
import { z } from 'zod';
import { CURSOR_PATTERN } from '../db/pagination';
import { apiKeyScopes, MAX_KEY_LIFETIME_SECONDS } from '../domain/api-keys';
import { ATTEMPT_ERROR_KINDS, RESPONSE_STATUS_CLASSES } from '../domain/attempt-error-kinds';
import { endpointOrderingSchema } from '../domain/delivery-ordering';
import { DELIVERY_STATUSES } from '../domain/delivery-status';
import { endpointAuthSchema } from '../domain/endpoint-auth';
import { STATS_BUCKETS } from '../domain/endpoint-stats';
import { customHeadersSchema } from '../domain/endpoint-headers';
import { payloadFilterSchema } from '../domain/payload-filter';
import { MAX_BATCH_EVENTS } from '../domain/publish-batch';
import { retryPolicySchema } from '../domain/retry-policy';
import { isSigningSecret } from '../domain/signature';
import { REPLAY_MODES, REPLAYABLE_DELIVERY_STATUSES } from '../domain/replay';

const jsonObject = z.record(z.string(), z.unknown());
const shortText = z.string().max(1000);
export const identifier = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9a-z]{26}$`), `must be a ${prefix}_… id`);

export const eventTypeName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*$/, 'must be dotted words, e.g. invoice.activated');

export const tenantIdParam = z.strictObject({ tenantId: identifier('ten') });
export const endpointParams = z.strictObject({ tenantId: identifier('ten'), id: identifier('ep') });
export const deliveryParams = z.strictObject({ tenantId: identifier('ten'), id: identifier('dlv') });
export const eventParams = z.strictObject({ tenantId: identifier('ten'), id: identifier('evt') });
export const replayParams = z.strictObject({ tenantId: identifier('ten'), id: identifier('rpl') });
export const apiKeyParams = z.strictObject({ tenantId: identifier('ten'), id: identifier('key') });
export const eventTypeParams = z.strictObject({ name: eventTypeName });

/** Routes without query parameters still reject unknown ones. */
export const noQuery = z.strictObject({});
/** Routes that take no body accept none, or an empty object; anything else is an unknown field. */
export const noBody = z.strictObject({});

/** The longest HOOKRELAY_RETENTION_DAYS (config.ts); a deployment's own is the bound of a tenant's. */
const MAX_RETENTION_DAYS = 3650;

/**
 * The tenant bodies for a deployment whose retention is `deploymentRetentionDays`: a tenant may
 * keep its log for fewer days, never more, and the OpenAPI document states that bound.
 */
export function tenantBodies(deploymentRetentionDays = MAX_RETENTION_DAYS) {
  const retentionDays = z
    .number()
    .int()
    .min(1)
    .max(deploymentRetentionDays)
    .describe(
      `Keep this tenant's delivery log (attempts, finished deliveries, their events) for fewer days than the deployment's ${deploymentRetentionDays} (HOOKRELAY_RETENTION_DAYS); never more`,
    );
  return {
    create: z.strictObject({
      name: z.string().min(1).max(200),
      metadata: jsonObject.optional(),
      retentionDays: retentionDays.optional(),
    }),
    /** Only the fields given change; `retentionDays: null` goes back to the deployment's retention. */
    update: z.strictObject({
      name: z.string().min(1).max(200).optional(),
      metadata: jsonObject.optional(),
      retentionDays: retentionDays.nullable().optional(),
    }),
  };
}

export const { create: createTenantBody, update: updateTenantBody } = tenantBodies();

/** A key may expire at a time (`expiresAt`) or after a while (`expiresInSeconds`), not both; at most 10 years ahead. */
export const createApiKeyBody = z
  .strictObject({
    name: z.string().min(1).max(200).optional(),
    scopes: z.array(z.enum(apiKeyScopes)).min(1).max(apiKeyScopes.length),
    expiresAt: z.iso
      .datetime({ offset: true })
      .refine((value) => Date.parse(value) > Date.now(), 'must be in the future')
      .refine((value) => Date.parse(value) <= Date.now() + MAX_KEY_LIFETIME_SECONDS * 1000, 'must be at most 10 years ahead')
      .optional(),
    expiresInSeconds: z.number().int().min(1).max(MAX_KEY_LIFETIME_SECONDS).optional(),
  })
  .refine((body) => body.expiresAt === undefined || body.expiresInSeconds === undefined, {
    message: 'give expiresAt or expiresInSeconds, not both',
    path: ['expiresInSeconds'],
  })
  .meta({ not: { required: ['expiresAt', 'expiresInSeconds'] } });

export const createEventTypeBody = z.strictObject({
  name: eventTypeName,
  description: shortText.optional(),
  group: z.string().max(200).optional(),
  schema: jsonObject.optional(),
});

/** Admin edits of a catalog entry; `schema: null` removes the schema. */
export const updateEventTypeBody = z.strictObject({
  description: shortText.optional(),
  group: z.string().max(200).optional(),
  schema: jsonObject.nullable().optional(),
  archived: z.boolean().optional(),
});

/** A query flag: the literal words true or false (the default given as text, as it would arrive). */
const booleanQuery = (byDefault: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(byDefault)
    .transform((value) => value === 'true');

export const listEventTypesQuery = z.strictObject({
  includeArchived: booleanQuery('false'),
});

// The OpenAPI document states what endpointUrlProblem (domain/endpoint-url.ts) accepts as a
// regular expression: http(s), a host name whose last label starts with a letter (one ending in
// digits is read as an IPv4 address) or a dotted-quad address, an optional port, then printable
// ASCII. The zod schema keeps the length; the service checks the rest with the deployment's policy.
const URL_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const URL_HOST_NAME = `(?:${URL_LABEL}\\.)*[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?`;
const URL_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const URL_IPV4 = `(?:${URL_OCTET}\\.){3}${URL_OCTET}`;
const URL_PORT = '(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0))?';
export const ENDPOINT_URL_PATTERN = `^https?://(?:${URL_IPV4}|${URL_HOST_NAME})${URL_PORT}(?:[/?#][!-~]*)?$`;
const endpointUrl = z.string().min(1).max(2048).meta({
  pattern: ENDPOINT_URL_PATTERN,
  description:
    'https (http too where HOOKRELAY_ALLOW_HTTP); no credentials; internal addresses refused unless HOOKRELAY_ALLOW_PRIVATE_NETWORKS',
});

// isSigningSecret as a regular expression: whsec_ and the canonical base64 of 24 to 64 bytes
// (8 to 22 groups of four; a padded last group ends in the bits base64 leaves zero).
const B64 = '[A-Za-z0-9+/]';
const B64_PAD1 = `${B64}{2}[AEIMQUYcgkosw048]=`;
const B64_PAD2 = `${B64}[AQgw]==`;
export const SIGNING_SECRET_PATTERN = `^whsec_(?:(?:${B64}{4}){8,21}|(?:${B64}{4}){8,20}(?:${B64_PAD1}|${B64_PAD2})|(?:${B64}{4}){21}${B64_PAD2})$`;

export const createEndpointBody = z.strictObject({
  name: z.string().min(1).max(200),
  url: endpointUrl,
  description: shortText.optional(),
  eventTypes: z
    .array(z.union([eventTypeName, z.literal('*')]))
    .min(1)
    .max(500),
  enabled: z.boolean().optional(),
  auth: endpointAuthSchema.optional(),
  headers: customHeadersSchema.optional(),
  retryPolicy: retryPolicySchema.nullable().optional(),
  timeoutMs: z.number().int().min(100).max(120_000).nullable().optional(),
  rateLimitPerSecond: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .nullable()
    .optional()
    .describe('POSTs per second, enforced across all workers (plus a burst of ceil(N/10), at least 2); null: no limit'),
  maxConcurrentRequests: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .nullable()
    .optional()
    .describe('POSTs in flight at once, across all workers; null: no limit'),
  healthCheckUrl: endpointUrl
    .nullable()
    .optional()
    .describe(
      'Half-open probes of the circuit go here (a signed POST, see README "Endpoint back-off") instead of spending a real delivery; validated like url',
    ),
  ordering: endpointOrderingSchema.nullable().optional(),
  filter: payloadFilterSchema.nullable().optional(),
  metadata: jsonObject.optional(),
  secret: z
    .string()
    .refine(isSigningSecret, 'must be whsec_ followed by 24 to 64 base64 bytes')
    .meta({ pattern: SIGNING_SECRET_PATTERN })
    .optional(),
});

/**
 * Every mutable field of an endpoint; absent fields stay as they are, `null` clears the nullable
 * ones. `enabled` is not here: enabling and disabling have their own routes (they stop or resume
 * deliveries), and the signing secret changes only through rotation.
 */
export const updateEndpointBody = createEndpointBody.omit({ enabled: true, secret: true }).partial();

/** A resend of a finished delivery to a FIFO endpoint takes the back of its line unless `position` says `next`. */
export const resendDeliveryBody = z.strictObject({
  position: z
    .enum(['back', 'next'])
    .optional()
    .describe(
      'FIFO endpoints only (ignored otherwise): back (default) = behind every delivery now in the line; next = right behind the delivery now at the head of the line, before all others',
    ),
});

export const rotateSecretBody = z.strictObject({
  gracePeriodSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 3600)
    .optional(),
});

export const publishEventBody = z.strictObject({
  type: eventTypeName,
  data: jsonObject,
  resourceId: z.string().min(1).max(500).optional(),
  operation: z.enum(['INSERT', 'UPDATE', 'DELETE']).optional(),
  previous: jsonObject.optional(),
  triggeredBy: z.string().min(1).max(500).optional(),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  idempotencyKey: z.string().min(1).max(255).optional(),
});

/** Try a filter (the endpoint's own when absent) on a given event, a stored one, or the newest subscribed one. */
export const testFilterBody = z
  .strictObject({
    filter: payloadFilterSchema.optional().describe("The filter to try; the endpoint's stored filter when absent"),
    event: publishEventBody
      .omit({ idempotencyKey: true })
      .optional()
      .describe('An event as a publisher would send it (not stored, not delivered)'),
    eventId: identifier('evt').optional().describe('A stored event of this tenant'),
  })
  .refine((body) => body.event === undefined || body.eventId === undefined, {
    message: 'give event or eventId, not both',
    path: ['eventId'],
  });

/** A batch publish: each event as a single publish takes it, its own idempotency key in its own field. */
export const publishBatchBody = z.strictObject({
  events: z
    .array(publishEventBody)
    .min(1)
    .max(MAX_BATCH_EVENTS)
    .describe(`1 to ${MAX_BATCH_EVENTS} events; all are recorded or none (one refused event refuses the batch)`),
});

export type CreateTenantBody = z.infer<typeof createTenantBody>;
export type UpdateTenantBody = z.infer<typeof updateTenantBody>;
export type CreateApiKeyBody = z.infer<typeof createApiKeyBody>;
export type CreateEventTypeBody = z.infer<typeof createEventTypeBody>;
export type CreateEndpointBody = z.infer<typeof createEndpointBody>;
export type PublishEventBody = z.infer<typeof publishEventBody>;
export type UpdateEventTypeBody = z.infer<typeof updateEventTypeBody>;
export type UpdateEndpointBody = z.infer<typeof updateEndpointBody>;
export type RotateSecretBody = z.infer<typeof rotateSecretBody>;

export const paginationQuery = {
  limit: z.coerce.number().int().min(1).max(250).default(50),
  cursor: z
    .string()
    .regex(CURSOR_PATTERN, 'is not a cursor returned by this API')
    .optional()
    .describe('The nextCursor of the page before; omit for the first page'),
};

const timestampQuery = z.iso.datetime({ offset: true });

export const listTenantsQuery = z.strictObject({ ...paginationQuery });
export type ListTenantsQuery = z.infer<typeof listTenantsQuery>;

export const listApiKeysQuery = z.strictObject({ ...paginationQuery });

export const listEndpointsQuery = z.strictObject({ ...paginationQuery });
export type ListEndpointsQuery = z.infer<typeof listEndpointsQuery>;

/** `since`/`until` bound the time hookrelay accepted the event (`createdAt`), like the list order. */
export const listEventsQuery = z.strictObject({
  ...paginationQuery,
  type: eventTypeName.optional(),
  resourceId: z.string().min(1).max(500).optional(),
  since: timestampQuery.optional(),
  until: timestampQuery.optional(),
});
export type ListEventsQuery = z.infer<typeof listEventsQuery>;

export const listDeliveriesQuery = z.strictObject({
  ...paginationQuery,
  endpointId: identifier('ep').optional(),
  eventType: eventTypeName.optional(),
  status: z.enum(DELIVERY_STATUSES).optional(),
  resourceId: z.string().min(1).max(500).optional(),
  statusClass: z
    .enum(RESPONSE_STATUS_CLASSES)
    .optional()
    .describe("the last attempt's response status class (a delivery whose last attempt got no answer has none)"),
  errorKind: z.enum(ATTEMPT_ERROR_KINDS).optional().describe("the last attempt's error kind"),
  since: timestampQuery.optional(),
  until: timestampQuery.optional(),
});
export type ListDeliveriesQuery = z.infer<typeof listDeliveriesQuery>;

export const disableEndpointBody = z.strictObject({ reason: z.string().min(1).max(500).optional() });

export const recoverEndpointBody = z
  .strictObject({
    since: z.iso.datetime({ offset: true }),
    until: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((body) => body.until === undefined || Date.parse(body.since) < Date.parse(body.until), {
    message: 'since must be before until',
    path: ['since'],
  });

/** The window of endpoint statistics; the service applies defaults and limits (domain/endpoint-stats.ts). */
export const endpointStatsQuery = z
  .strictObject({
    since: timestampQuery.optional().describe('Start of the window (rounded down to a bucket); default: 24 hours before until'),
    until: timestampQuery.optional().describe('End of the window (rounded up to a bucket); default: now'),
    bucket: z
      .enum(STATS_BUCKETS)
      .optional()
      .describe('Bucket size; default: the smallest that gives at most 200 buckets. At most 500 buckets per window.'),
  })
  .refine((query) => query.since === undefined || query.until === undefined || Date.parse(query.since) < Date.parse(query.until), {
    message: 'since must be before until',
    path: ['since'],
  });
/** A replay: what to resend (SPEC §9); every filter is optional but `mode`, and they all apply together. */
export const createReplayBody = z
  .strictObject({
    mode: z
      .enum(REPLAY_MODES)
      .describe(
        'failed: resend finished deliveries that did not succeed; missing: send events an endpoint is subscribed to now but never got (say while it was disabled)',
      ),
    endpointIds: z.array(identifier('ep')).min(1).max(100).optional().describe('Only these endpoints (default: every enabled endpoint)'),
    eventTypes: z.array(eventTypeName).min(1).max(100).optional(),
    status: z
      .array(z.enum(REPLAYABLE_DELIVERY_STATUSES))
      .min(1)
      .optional()
      .describe('mode failed only: the statuses to resend (default [failed])'),
    statusClass: z
      .enum(RESPONSE_STATUS_CLASSES)
      .optional()
      .describe("mode failed only: the class of the delivery's last response status (as the delivery log's filter)"),
    errorKind: z
      .enum(ATTEMPT_ERROR_KINDS)
      .optional()
      .describe("mode failed only: the delivery's last error kind (as the delivery log's filter)"),
    resourceId: z.string().min(1).max(500).optional(),
    since: z.iso.datetime({ offset: true }).optional().describe('Deliveries (failed) or events (missing) created at or after this'),
    until: z.iso.datetime({ offset: true }).optional().describe('… and before this (default: when the replay is created)'),
    idempotencyKey: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .describe('Or the Idempotency-Key header: a repeat within 24 h answers the same replay'),
  })
  .refine((body) => body.until === undefined || body.since === undefined || Date.parse(body.since) < Date.parse(body.until), {
    message: 'since must be before until',
    path: ['since'],
  });
export type CreateReplayBody = z.infer<typeof createReplayBody>;

export const listReplaysQuery = z.strictObject({ ...paginationQuery });
