// Endpoints: creation with a generated (or given) signing secret, sealed at rest.
import { findEndpoint, findSigningSecrets, insertEndpointWithSecret } from '../db/endpoints.repository';
import type { EndpointRow } from '../db/schema';
import { endpointAuthSchema, type EndpointAuth } from '../domain/endpoint-auth';
import { endpointUrlProblem } from '../domain/endpoint-url';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import { newId } from '../domain/ids';
import { generateSigningSecret } from '../domain/signature';
import type { CreateEndpointBody } from '../api/schemas';
import type { ServiceContext } from './context';
import { getTenant } from './tenants.service';
import { assertSubscribableTypes } from './event-types.service';

export interface Endpoint {
  row: EndpointRow;
  auth: EndpointAuth;
}

export async function createEndpoint(ctx: ServiceContext, tenantId: string, input: CreateEndpointBody): Promise<Endpoint> {
  const urlProblem = endpointUrlProblem(input.url, ctx.urlPolicy);
  if (urlProblem) throw new InvalidInputError('Invalid endpoint URL', [{ path: 'body.url', message: `url ${urlProblem}` }]);
  await getTenant(ctx, tenantId);
  await assertSubscribableTypes(ctx, input.eventTypes);
  const auth: EndpointAuth = input.auth ?? { type: 'none' };
  const secret = input.secret ?? generateSigningSecret();
  const row = await ctx.db.transaction().execute((trx) =>
    insertEndpointWithSecret(
      trx,
      {
        id: newId('ep'),
        tenant_id: tenantId,
        name: input.name,
        url: input.url,
        description: input.description ?? '',
        event_types: [...new Set(input.eventTypes)],
        enabled: input.enabled ?? false,
        auth_type: auth.type,
        auth_sealed: auth.type === 'none' ? null : ctx.secretBox.seal(JSON.stringify(auth)),
        headers: JSON.stringify(input.headers ?? {}),
        retry_policy: input.retryPolicy ? JSON.stringify(input.retryPolicy) : null,
        timeout_ms: input.timeoutMs ?? null,
        rate_limit_per_second: input.rateLimitPerSecond ?? null,
        metadata: JSON.stringify(input.metadata ?? {}),
        disabled_reason: null,
      },
      ctx.secretBox.seal(secret),
    ),
  );
  return { row, auth };
}

export async function getEndpoint(ctx: ServiceContext, tenantId: string, id: string): Promise<Endpoint> {
  const row = await findEndpoint(ctx.db, tenantId, id);
  if (!row) throw new NotFoundError('endpoint', id);
  return { row, auth: openAuth(ctx, row) };
}

export function openAuth(ctx: ServiceContext, row: EndpointRow): EndpointAuth {
  return row.auth_sealed ? endpointAuthSchema.parse(JSON.parse(ctx.secretBox.open(row.auth_sealed))) : { type: 'none' };
}

/** The current signing secret and those rotated out but still signing (grace period). */
export async function getEndpointSecrets(ctx: ServiceContext, tenantId: string, id: string) {
  await getEndpoint(ctx, tenantId, id);
  const rows = await findSigningSecrets(ctx.db, id, new Date());
  const current = rows.find((row) => row.expires_at === null);
  if (!current) throw new NotFoundError('signing secret of endpoint', id);
  return {
    secret: ctx.secretBox.open(current.secret_sealed),
    previousSecrets: rows
      .filter((row) => row.expires_at !== null)
      .map((row) => ({ secret: ctx.secretBox.open(row.secret_sealed), expiresAt: row.expires_at!.toISOString() })),
  };
}
