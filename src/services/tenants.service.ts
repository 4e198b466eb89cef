// Tenants and their API keys.
import { insertApiKey, listApiKeys as queryApiKeys, revokeApiKey as revokeApiKeyRow } from '../db/api-keys.repository';
import { toPage } from '../db/pagination';
import type { TenantUpdate } from '../db/schema';
import { findTenantById, insertTenant, listTenants as queryTenants, updateTenant as updateTenantRow } from '../db/tenants.repository';
import type { ApiKeyScope } from '../domain/api-keys';
import { generateApiKey, keyExpiry } from '../domain/api-keys';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import { newId } from '../domain/ids';
import type { ServiceContext } from './context';
import { readCursor } from './cursor';

export async function createTenant(
  ctx: ServiceContext,
  input: { name: string; metadata?: Record<string, unknown>; retentionDays?: number },
) {
  checkRetentionDays(ctx, input.retentionDays);
  return insertTenant(ctx.db, {
    id: newId('ten'),
    name: input.name,
    metadata: JSON.stringify(input.metadata ?? {}),
    retention_days: input.retentionDays ?? null,
  });
}

/** Changes the fields given; `retentionDays: null` goes back to the deployment's retention. */
export async function updateTenant(
  ctx: ServiceContext,
  tenantId: string,
  input: { name?: string; metadata?: Record<string, unknown>; retentionDays?: number | null },
) {
  checkRetentionDays(ctx, input.retentionDays);
  const update: TenantUpdate = {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.metadata !== undefined ? { metadata: JSON.stringify(input.metadata) } : {}),
    ...(input.retentionDays !== undefined ? { retention_days: input.retentionDays } : {}),
  };
  const row = await updateTenantRow(ctx.db, tenantId, update);
  if (!row) throw new NotFoundError('tenant', tenantId);
  return row;
}

/** A tenant may keep its log for less time than the deployment, never longer (it would be dropped anyway). */
function checkRetentionDays(ctx: ServiceContext, retentionDays: number | null | undefined): void {
  if (retentionDays === undefined || retentionDays === null || ctx.retentionDays === undefined) return;
  if (retentionDays > ctx.retentionDays) {
    const message = `at most the deployment's retention of ${ctx.retentionDays} days (HOOKRELAY_RETENTION_DAYS)`;
    throw new InvalidInputError(`retentionDays: ${message}`, [{ path: 'retentionDays', message }]);
  }
}

export async function getTenant(ctx: ServiceContext, tenantId: string) {
  const tenant = await findTenantById(ctx.db, tenantId);
  if (!tenant) throw new NotFoundError('tenant', tenantId);
  return tenant;
}

export async function listTenants(ctx: ServiceContext, query: { limit: number; cursor?: string }) {
  return toPage(await queryTenants(ctx.db, { cursor: readCursor(query.cursor), limit: query.limit }), query.limit);
}

/** Creates a key; the plaintext is returned here only. */
export async function createApiKey(
  ctx: ServiceContext,
  tenantId: string,
  input: { name?: string; scopes: ApiKeyScope[]; expiresAt?: string; expiresInSeconds?: number },
) {
  await getTenant(ctx, tenantId);
  const generated = generateApiKey();
  const row = await insertApiKey(ctx.db, {
    id: newId('key'),
    tenant_id: tenantId,
    name: input.name ?? null,
    key_hash: generated.hash,
    key_prefix: generated.prefix,
    scopes: [...new Set(input.scopes)],
    expires_at: keyExpiry(input, new Date()),
  });
  return { row, key: generated.key };
}

/** The tenant's keys, revoked and expired ones included, newest first (hashes never leave the service). */
export async function listApiKeys(ctx: ServiceContext, tenantId: string, query: { limit: number; cursor?: string }) {
  await getTenant(ctx, tenantId);
  return toPage(await queryApiKeys(ctx.db, { tenantId, cursor: readCursor(query.cursor), limit: query.limit }), query.limit);
}

/**
 * Revokes a key. Every API process looks keys up in PostgreSQL on each request (no cache of
 * accepted keys), so the next request with it is refused everywhere. Revoking twice is harmless.
 */
export async function revokeApiKey(ctx: ServiceContext, tenantId: string, id: string) {
  await getTenant(ctx, tenantId);
  const row = await revokeApiKeyRow(ctx.db, tenantId, id);
  if (!row) throw new NotFoundError('api key', id);
  return row;
}
