// Queries on API keys (only hashes are stored).
import { sql, type Kysely } from 'kysely';
import { afterCursor, type PageCursor } from './pagination';
import type { ApiKeyRow, Database, NewApiKeyRow } from './schema';

export async function insertApiKey(db: Kysely<Database>, row: NewApiKeyRow): Promise<ApiKeyRow> {
  return db.insertInto('api_keys').values(row).returningAll().executeTakeFirstOrThrow();
}

export type ApiKeyLookup = ApiKeyRow & { expired: boolean };

/**
 * The key with this hash, revoked or expired ones included (the caller says which it is);
 * `expired` is decided by the database's clock, the same for every API process.
 */
export async function findApiKeyByHash(db: Kysely<Database>, keyHash: string): Promise<ApiKeyLookup | undefined> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .select(sql<boolean>`coalesce(expires_at <= now(), false)`.as('expired'))
    .where('key_hash', '=', keyHash)
    .executeTakeFirst();
}

/**
 * Sets last_used_at to now unless it was set less than `resolutionSeconds` ago: at most one write
 * per key in that time, however many processes and requests use it.
 */
export async function touchApiKey(db: Kysely<Database>, id: string, resolutionSeconds: number): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - make_interval(secs => ${resolutionSeconds})`)]),
    )
    .execute();
}

/** Newest first; reads `limit + 1` rows (see toPage). */
export async function listApiKeys(
  db: Kysely<Database>,
  filter: { tenantId: string; cursor?: PageCursor; limit: number },
): Promise<ApiKeyRow[]> {
  let query = db.selectFrom('api_keys').selectAll().where('tenant_id', '=', filter.tenantId);
  if (filter.cursor) query = query.where(afterCursor(filter.cursor));
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
}

export async function findApiKeyOfTenant(db: Kysely<Database>, tenantId: string, id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** Revokes the key (keeping the first revocation time when it already was); undefined when it is not the tenant's. */
export async function revokeApiKey(db: Kysely<Database>, tenantId: string, id: string): Promise<ApiKeyRow | undefined> {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
