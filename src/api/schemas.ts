// zod schemas for every request the API accepts: the single source of truth for validation,
// TypeScript types and (later) the OpenAPI document. Unknown fields are rejected (strictObject).
import { z } from 'zod';
import { apiKeyScopes } from '../domain/api-keys';
import { endpointAuthSchema } from '../domain/endpoint-auth';
import { customHeadersSchema } from '../domain/endpoint-headers';
import { retryPolicySchema } from '../domain/retry-policy';
import { isSigningSecret } from '../domain/signature';

const jsonObject = z.record(z.string(), z.unknown());
const shortText = z.string().max(1000);
const identifier = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9a-z]{26}$`), `must be a ${prefix}_… id`);

export const eventTypeName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*$/, 'must be dotted words, e.g. invoice.activated');

export const tenantIdParam = z.strictObject({ tenantId: identifier('ten') });
export const endpointParams = z.strictObject({ tenantId: identifier('ten'), id: identifier('ep') });
export const deliveryParams = z.strictObject({ tenantId: identifier('ten'), id: identifier('dlv') });
export const eventParams = z.strictObject({ tenantId: identifier('ten'), id: identifier('evt') });

export const createTenantBody = z.strictObject({
  name: z.string().min(1).max(200),
  metadata: jsonObject.optional(),
});

export const createApiKeyBody = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  scopes: z.array(z.enum(apiKeyScopes)).min(1).max(apiKeyScopes.length),
});

export const createEventTypeBody = z.strictObject({
  name: eventTypeName,
  description: shortText.optional(),
  group: z.string().max(200).optional(),
  schema: jsonObject.optional(),
});

export const createEndpointBody = z.strictObject({
  name: z.string().min(1).max(200),
  url: z.string().min(1).max(2048),
  description: shortText.optional(),
  eventTypes: z.array(z.union([eventTypeName, z.literal('*')])).min(1).max(500),
  enabled: z.boolean().optional(),
  auth: endpointAuthSchema.optional(),
  headers: customHeadersSchema.optional(),
  retryPolicy: retryPolicySchema.nullable().optional(),
  timeoutMs: z.number().int().min(100).max(120_000).nullable().optional(),
  rateLimitPerSecond: z.number().int().min(1).max(10_000).nullable().optional(),
  metadata: jsonObject.optional(),
  secret: z.string().refine(isSigningSecret, 'must be whsec_ followed by 24 to 64 base64 bytes').optional(),
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

export type CreateTenantBody = z.infer<typeof createTenantBody>;
export type CreateApiKeyBody = z.infer<typeof createApiKeyBody>;
export type CreateEventTypeBody = z.infer<typeof createEventTypeBody>;
export type CreateEndpointBody = z.infer<typeof createEndpointBody>;
export type PublishEventBody = z.infer<typeof publishEventBody>;

export const paginationQuery = {
  limit: z.coerce.number().int().min(1).max(250).default(50),
  cursor: z.string().min(1).max(500).optional(),
};

export const listDeliveriesQuery = z.strictObject({
  ...paginationQuery,
  endpointId: identifier('ep').optional(),
  eventType: eventTypeName.optional(),
  status: z.enum(['pending', 'retrying', 'succeeded', 'failed', 'cancelled']).optional(),
  resourceId: z.string().min(1).max(500).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
});
export type ListDeliveriesQuery = z.infer<typeof listDeliveriesQuery>;

export const disableEndpointBody = z.strictObject({ reason: z.string().min(1).max(500).optional() });

export const recoverEndpointBody = z
  .strictObject({
    since: z.iso.datetime({ offset: true }),
    until: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((body) => body.until === undefined || Date.parse(body.since) < Date.parse(body.until), { message: 'since must be before until', path: ['since'] });
