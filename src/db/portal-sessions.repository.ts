// Queries on portal sessions (only hashes of their link and session tokens are stored). Every
// "still valid" decision uses the database's clock, the same for every API process.
import { sql, type Kysely } from 'kysely';
import { afterCursor, type PageCursor } from './pagination';
import type { Database, NewPortalSessionRow, PortalSessionRow } from './schema';

export type PortalSessionLookup = PortalSessionRow & { expired: boolean };

export async function insertPortalSession(db: Kysely<Database>, row: NewPortalSessionRow): Promise<PortalSessionRow> {
  return db.insertInto('portal_sessions').values(row).returningAll().executeTakeFirstOrThrow();
}

/**
 * Exchanges the link for the session credential, once: only a link not yet used, not revoked and
 * not expired is updated, so two concurrent openings cannot both succeed.
 */
export async function exchangePortalLink(
  db: Kysely<Database>,
  id: string,
  linkTokenHash: string,
  sessionTokenHash: string,
): Promise<PortalSessionRow | undefined> {
  return db
    .updateTable('portal_sessions')
    .set({ session_token_hash: sessionTokenHash, exchanged_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('link_token_hash', '=', linkTokenHash)
    .where('exchanged_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returningAll()
    .executeTakeFirst();
}

export async function findPortalSessionByLinkHash(db: Kysely<Database>, linkTokenHash: string): Promise<PortalSessionLookup | undefined> {
  return db
    .selectFrom('portal_sessions')
    .selectAll()
    .select(sql<boolean>`expires_at <= now()`.as('expired'))
    .where('link_token_hash', '=', linkTokenHash)
    .executeTakeFirst();
}

export async function findPortalSessionBySessionHash(
  db: Kysely<Database>,
  sessionTokenHash: string,
): Promise<PortalSessionLookup | undefined> {
  return db
    .selectFrom('portal_sessions')
    .selectAll()
    .select(sql<boolean>`expires_at <= now()`.as('expired'))
    .where('session_token_hash', '=', sessionTokenHash)
    .executeTakeFirst();
}

export async function findPortalSession(db: Kysely<Database>, id: string): Promise<PortalSessionLookup | undefined> {
  return db
    .selectFrom('portal_sessions')
    .selectAll()
    .select(sql<boolean>`expires_at <= now()`.as('expired'))
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Newest first; reads `limit + 1` rows (see toPage). */
export async function listPortalSessions(
  db: Kysely<Database>,
  filter: { tenantId: string; cursor?: PageCursor; limit: number },
): Promise<PortalSessionLookup[]> {
  let query = db
    .selectFrom('portal_sessions')
    .selectAll()
    .select(sql<boolean>`expires_at <= now()`.as('expired'))
    .where('tenant_id', '=', filter.tenantId);
  if (filter.cursor) query = query.where(afterCursor(filter.cursor));
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
}

/** Revokes the session (keeping the first revocation time); undefined when it is not the tenant's. */
export async function revokePortalSession(db: Kysely<Database>, tenantId: string, id: string): Promise<PortalSessionLookup | undefined> {
  return db
    .updateTable('portal_sessions')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .returning(sql<boolean>`expires_at <= now()`.as('expired'))
    .executeTakeFirst();
}

/**
 * Deletes sessions that ended (expired or were revoked) before `endedBefore`, `batchSize` rows per
 * statement so each holds its locks briefly; answers how many went.
 */
export async function purgePortalSessionsEndedBefore(db: Kysely<Database>, endedBefore: Date, batchSize: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const result = await db
      .deleteFrom('portal_sessions')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('portal_sessions')
          .select('id')
          .where((w) => w.or([w('expires_at', '<', endedBefore), w('revoked_at', '<', endedBefore)]))
          .limit(batchSize),
      )
      .executeTakeFirst();
    const count = Number(result.numDeletedRows);
    deleted += count;
    if (count < batchSize) return deleted;
  }
}
