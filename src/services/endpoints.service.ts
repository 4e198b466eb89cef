// Endpoints: creation with a generated (or given) signing secret, sealed at rest; edits, soft
// deletion and secret rotation with a grace period.
import type { PortalView } from '../domain/portal-sessions';
import {
  expireSigningSecrets,
  findEndpoint,
  findSigningSecrets,
  insertEndpointWithSecret,
  lockAndCountTenantEndpoints,
  listEndpoints as queryEndpoints,
  lockEndpoint,
  replaceCurrentSecret,
  softDeleteEndpoint,
  updateEndpoint as updateEndpointRow,
} from '../db/endpoints.repository';
import { toPage, type Page } from '../db/pagination';
import type { EndpointRow, EndpointUpdate } from '../db/schema';
import type { EndpointOrdering } from '../domain/delivery-ordering';
import { endpointAuthSchema, REDACTED, type EndpointAuth } from '../domain/endpoint-auth';
import { sealCustomHeaders, type CustomHeadersInput } from '../domain/endpoint-headers';
import { endpointUrlProblem } from '../domain/endpoint-url';
import type { RetryPolicy } from '../domain/retry-policy';
import { EndpointLimitReachedError, InvalidInputError, NotFoundError, SecretKeyUnavailableError } from '../domain/errors';
import { newId } from '../domain/ids';
import { generateSigningSecret } from '../domain/signature';
import type { ServiceContext } from './context';
import { readCursor, type PageQuery } from './cursor';
import { followUp, type FollowUpOptions } from './follow-up.service';
import { requestStopOfWaitingDeliveries } from './stop-requests.service';
import { getTenant } from './tenants.service';
import { assertSubscribableTypes } from './event-types.service';

/** A new endpoint, as a caller describes it (api/schemas' createEndpointBody satisfies it). */
export interface CreateEndpointInput {
  name: string;
  url: string;
  description?: string | undefined;
  eventTypes: string[];
  enabled?: boolean | undefined;
  auth?: EndpointAuth | undefined;
  headers?: CustomHeadersInput | undefined;
  retryPolicy?: RetryPolicy | null | undefined;
  timeoutMs?: number | null | undefined;
  rateLimitPerSecond?: number | null | undefined;
  maxConcurrentRequests?: number | null | undefined;
  healthCheckUrl?: string | null | undefined;
  /** FIFO delivery (domain/delivery-ordering.ts); null: unordered. */
  ordering?: EndpointOrdering | null | undefined;
  /** Payload filter (domain/payload-filter.ts), validated by the caller's schema; null: every subscribed event. */
  filter?: Record<string, unknown> | null | undefined;
  metadata?: Record<string, unknown> | undefined;
  secret?: string | undefined;
}

/** Every mutable field; absent ones stay as they are, `null` clears the nullable ones. */
export type UpdateEndpointInput = Partial<Omit<CreateEndpointInput, 'enabled' | 'secret'>>;

export interface RotateSecretInput {
  gracePeriodSeconds?: number | undefined;
}

export interface Endpoint {
  row: EndpointRow;
  auth: EndpointAuth;
  /**
   * Set when the credentials are sealed with an encryption key this deployment no longer has:
   * the endpoint is still shown (auth as its type and that key id), `auth` is then a placeholder.
   */
  authKeyUnavailable?: string;
}

/** Rotated-out secrets keep signing this long unless the rotation says otherwise (SPEC §3). */
export const DEFAULT_ROTATION_GRACE_SECONDS = 24 * 3600;

export async function createEndpoint(ctx: ServiceContext, tenantId: string, input: CreateEndpointInput): Promise<Endpoint> {
  assertAcceptableUrl(ctx, input.url);
  if (input.healthCheckUrl) assertAcceptableUrl(ctx, input.healthCheckUrl, 'healthCheckUrl');
  assertNoRedactedSecrets(input.auth);
  await getTenant(ctx, tenantId);
  await assertSubscribableTypes(ctx, input.eventTypes);
  const auth: EndpointAuth = input.auth ?? { type: 'none' };
  assertNoHeaderClash(auth, input.headers ?? {});
  const secret = input.secret ?? generateSigningSecret();
  const row = await ctx.db.transaction().execute(async (trx) => {
    if (ctx.maxEndpointsPerTenant !== undefined && (await lockAndCountTenantEndpoints(trx, tenantId)) >= ctx.maxEndpointsPerTenant) {
      throw new EndpointLimitReachedError(ctx.maxEndpointsPerTenant);
    }
    return insertEndpointWithSecret(
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
        headers: JSON.stringify(sealCustomHeaders(input.headers ?? {}, (value) => ctx.secretBox.seal(value))),
        retry_policy: input.retryPolicy ? JSON.stringify(input.retryPolicy) : null,
        timeout_ms: input.timeoutMs ?? null,
        rate_limit_per_second: input.rateLimitPerSecond ?? null,
        max_concurrent_requests: input.maxConcurrentRequests ?? null,
        health_check_url: input.healthCheckUrl ?? null,
        ordering: input.ordering ? JSON.stringify(input.ordering) : null,
        filter: input.filter ? JSON.stringify(input.filter) : null,
        metadata: JSON.stringify(input.metadata ?? {}),
        disabled_reason: null,
      },
      ctx.secretBox.seal(secret),
    );
  });
  return { row, auth };
}

export async function getEndpoint(ctx: ServiceContext, tenantId: string, id: string): Promise<Endpoint> {
  const row = await findEndpoint(ctx.db, tenantId, id);
  if (!row) throw new NotFoundError('endpoint', id);
  return displayed(ctx, row);
}

/** `view`: a limited portal session's (absent for keys). */
export async function listEndpoints(ctx: ServiceContext, tenantId: string, query: PageQuery, view?: PortalView): Promise<Page<Endpoint>> {
  await getTenant(ctx, tenantId);
  const page = toPage(await queryEndpoints(ctx.db, { tenantId, cursor: readCursor(query.cursor), limit: query.limit, view }), query.limit);
  return { data: page.data.map((row) => displayed(ctx, row)), nextCursor: page.nextCursor };
}

/** Applies the fields present in `input`; the URL and subscriptions pass the same rules as on create. */
export async function updateEndpoint(ctx: ServiceContext, tenantId: string, id: string, input: UpdateEndpointInput): Promise<Endpoint> {
  if (input.url !== undefined) assertAcceptableUrl(ctx, input.url);
  if (input.healthCheckUrl) assertAcceptableUrl(ctx, input.healthCheckUrl, 'healthCheckUrl');
  assertNoRedactedSecrets(input.auth);
  if (input.eventTypes !== undefined) await assertSubscribableTypes(ctx, input.eventTypes);
  const update: EndpointUpdate = {};
  if (input.name !== undefined) update.name = input.name;
  if (input.url !== undefined) update.url = input.url;
  if (input.description !== undefined) update.description = input.description;
  if (input.eventTypes !== undefined) update.event_types = [...new Set(input.eventTypes)];
  if (input.auth !== undefined) {
    update.auth_type = input.auth.type;
    update.auth_sealed = input.auth.type === 'none' ? null : ctx.secretBox.seal(JSON.stringify(input.auth));
  }
  if (input.retryPolicy !== undefined) update.retry_policy = input.retryPolicy === null ? null : JSON.stringify(input.retryPolicy);
  if (input.timeoutMs !== undefined) update.timeout_ms = input.timeoutMs;
  if (input.rateLimitPerSecond !== undefined) update.rate_limit_per_second = input.rateLimitPerSecond;
  if (input.maxConcurrentRequests !== undefined) update.max_concurrent_requests = input.maxConcurrentRequests;
  if (input.healthCheckUrl !== undefined) update.health_check_url = input.healthCheckUrl;
  if (input.ordering !== undefined) update.ordering = input.ordering === null ? null : JSON.stringify(input.ordering);
  if (input.filter !== undefined) update.filter = input.filter === null ? null : JSON.stringify(input.filter);
  if (input.metadata !== undefined) update.metadata = JSON.stringify(input.metadata);
  const row = await ctx.db.transaction().execute(async (trx) => {
    const current = await lockEndpoint(trx, tenantId, id);
    if (!current) throw new NotFoundError('endpoint', id);
    if (input.auth !== undefined || input.headers !== undefined) {
      // Unopenable current credentials name no header to clash with (and are replaced or kept as they are).
      assertNoHeaderClash(input.auth ?? displayed(ctx, current).auth, input.headers ?? current.headers);
    }
    // Secret headers sent back redacted keep their stored values, so the current row is needed.
    if (input.headers !== undefined) {
      update.headers = JSON.stringify(sealCustomHeaders(input.headers, (value) => ctx.secretBox.seal(value), current.headers));
    }
    return updateEndpointRow(trx, id, update);
  });
  return displayed(ctx, row);
}

/**
 * Soft delete: the row stays for the delivery log, but the endpoint answers 404 everywhere and
 * gets no new deliveries (fan-out and attempts both skip deleted endpoints). The request to stop
 * its waiting deliveries is committed with the delete, then carried out now or by the sweeper.
 */
export async function deleteEndpoint(ctx: ServiceContext, tenantId: string, id: string, options: FollowUpOptions = {}): Promise<void> {
  const stopRequest = await ctx.db.transaction().execute(async (trx) => {
    const deleted = await softDeleteEndpoint(trx, tenantId, id);
    if (!deleted) throw new NotFoundError('endpoint', id);
    return requestStopOfWaitingDeliveries(trx, id, 'endpoint deleted');
  });
  await followUp(ctx, { stopRequest }, options);
}

/**
 * A new current secret; the old one keeps signing for the grace period. Answers like
 * getEndpointSecrets. Secrets sealed with a key that is no longer configured cannot sign any
 * more: rotation ends them at once (and logs which key), so rotating is the way out for an
 * endpoint whose secret was sealed with a lost key.
 */
export async function rotateEndpointSecret(
  ctx: ServiceContext,
  tenantId: string,
  id: string,
  input: RotateSecretInput,
  hooks: { onUnopenable?: (error: SecretKeyUnavailableError) => void } = {},
) {
  const graceSeconds = input.gracePeriodSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS;
  await ctx.db.transaction().execute(async (trx) => {
    // The lock makes concurrent rotations take turns, so exactly one secret stays current.
    if (!(await lockEndpoint(trx, tenantId, id))) throw new NotFoundError('endpoint', id);
    const now = new Date();
    const unopenable: string[] = [];
    for (const row of await findSigningSecrets(trx, id, now)) {
      try {
        ctx.secretBox.open(row.secret_sealed);
      } catch (error) {
        if (!(error instanceof SecretKeyUnavailableError)) throw error;
        hooks.onUnopenable?.(error);
        unopenable.push(row.id);
      }
    }
    await expireSigningSecrets(trx, unopenable, now);
    await replaceCurrentSecret(trx, id, ctx.secretBox.seal(generateSigningSecret()), new Date(now.getTime() + graceSeconds * 1000));
  });
  return getEndpointSecrets(ctx, tenantId, id);
}

function assertAcceptableUrl(ctx: ServiceContext, url: string, field: 'url' | 'healthCheckUrl' = 'url'): void {
  const urlProblem = endpointUrlProblem(url, ctx.urlPolicy);
  if (urlProblem) throw new InvalidInputError('Invalid endpoint URL', [{ path: `body.${field}`, message: `${field} ${urlProblem}` }]);
}

/** Responses show credentials as "[redacted]"; sending one back must not store it as the password. */
function assertNoRedactedSecrets(auth: EndpointAuth | undefined): void {
  const field = auth ? credentialField(auth) : null;
  if (field && (auth as Record<string, unknown>)[field] === REDACTED) {
    throw new InvalidInputError('Redacted credential sent back', [
      { path: `body.auth.${field}`, message: 'send the real credential, not the redacted placeholder' },
    ]);
  }
}

/** The auth header and a custom header of the same name: which would be sent is not obvious, so neither is accepted. */
function assertNoHeaderClash(auth: EndpointAuth, headers: Record<string, unknown>): void {
  if (auth.type !== 'header') return;
  const clash = Object.keys(headers).find((name) => name.toLowerCase() === auth.name.toLowerCase());
  if (clash) {
    throw new InvalidInputError('Header set twice', [
      { path: `body.headers.${clash}`, message: `header "${clash}" is already the auth header; set it in one place only` },
    ]);
  }
}

function credentialField(auth: EndpointAuth): string | null {
  switch (auth.type) {
    case 'none':
      return null;
    case 'basic':
      return 'password';
    case 'bearer':
      return 'token';
    case 'header':
      return 'value';
  }
}

/** An endpoint as answers show it; credentials sealed with a key that is gone do not hide the endpoint. */
function displayed(ctx: ServiceContext, row: EndpointRow): Endpoint {
  try {
    return { row, auth: openAuth(ctx, row) };
  } catch (error) {
    if (!(error instanceof SecretKeyUnavailableError)) throw error;
    return { row, auth: { type: 'none' }, authKeyUnavailable: error.keyId };
  }
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
