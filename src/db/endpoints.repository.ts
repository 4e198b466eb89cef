// Queries on endpoints and their signing secrets.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { PortalView } from '../domain/portal-sessions';
import { afterCursor, type PageCursor } from './pagination';
import { subscribedWithin } from './portal-view.repository';
import type { Database, EndpointRow, EndpointSecretRow, EndpointUpdate, NewEndpointRow } from './schema';

export async function insertEndpointWithSecret(
  trx: Transaction<Database>,
  row: NewEndpointRow,
  sealedSecret: string,
): Promise<EndpointRow> {
  const endpoint = await trx.insertInto('endpoints').values(row).returningAll().executeTakeFirstOrThrow();
  await trx.insertInto('endpoint_secrets').values({ endpoint_id: endpoint.id, secret_sealed: sealedSecret }).execute();
  return endpoint;
}

/**
 * Takes the tenant's endpoint-creation lock for the rest of the transaction and counts its
 * endpoints (deleted ones not counted): two creations at the limit cannot both see room. An
 * advisory lock, not a row lock on the tenant, so deliveries and edits (whose foreign keys
 * share-lock the tenant row) never wait for it.
 */
export async function lockAndCountTenantEndpoints(trx: Transaction<Database>, tenantId: string): Promise<number> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`endpoints-of:${tenantId}`}, 0))`.execute(trx);
  const { count } = await trx
    .selectFrom('endpoints')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('tenant_id', '=', tenantId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(count);
}

export async function findEndpoint(db: Kysely<Database>, tenantId: string, id: string): Promise<EndpointRow | undefined> {
  return db
    .selectFrom('endpoints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** One endpoint for a targeted (test) delivery: any state but deleted. */
export async function findEndpointForTargetedDelivery(
  db: Kysely<Database>,
  tenantId: string,
  endpointId: string,
): Promise<Pick<EndpointRow, 'id' | 'url'>[]> {
  return db
    .selectFrom('endpoints')
    .select(['id', 'url'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', endpointId)
    .where('deleted_at', 'is', null)
    .execute();
}

/** Newest first, deleted ones left out; reads `limit + 1` rows (see toPage). */
export async function listEndpoints(
  db: Kysely<Database>,
  filter: { tenantId: string; cursor?: PageCursor; limit: number; view?: PortalView | undefined },
): Promise<EndpointRow[]> {
  let query = db.selectFrom('endpoints').selectAll().where('tenant_id', '=', filter.tenantId).where('deleted_at', 'is', null);
  if (filter.view?.endpointIds) query = query.where('id', 'in', [...filter.view.endpointIds]);
  if (filter.view?.eventTypes) query = query.where(subscribedWithin(filter.view.eventTypes));
  if (filter.cursor) query = query.where(afterCursor(filter.cursor));
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
}

/** Which of these ids are live endpoints of the tenant. */
export async function findEndpointIdsOfTenant(db: Kysely<Database>, tenantId: string, ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const rows = await db
    .selectFrom('endpoints')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .execute();
  return rows.map((row) => row.id);
}

/** Locks a live endpoint for the rest of the transaction (serialises edits and rotations). */
export async function lockEndpoint(trx: Transaction<Database>, tenantId: string, id: string): Promise<EndpointRow | undefined> {
  return trx
    .selectFrom('endpoints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateEndpoint(trx: Transaction<Database>, id: string, update: EndpointUpdate): Promise<EndpointRow> {
  return trx
    .updateTable('endpoints')
    .set({ ...update, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Marks a live endpoint deleted (and disabled); undefined when there was none. */
export async function softDeleteEndpoint(db: Kysely<Database>, tenantId: string, id: string): Promise<EndpointRow | undefined> {
  const now = new Date();
  return db
    .updateTable('endpoints')
    .set({ deleted_at: now, enabled: false, updated_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Rotation: the current secret keeps signing until `previousExpiresAt` (grace period), the new
 * one becomes current. Takes a transaction whose caller holds the endpoint's lock.
 */
export async function replaceCurrentSecret(
  trx: Transaction<Database>,
  endpointId: string,
  sealedSecret: string,
  previousExpiresAt: Date,
): Promise<void> {
  await trx
    .updateTable('endpoint_secrets')
    .set({ expires_at: previousExpiresAt })
    .where('endpoint_id', '=', endpointId)
    .where('expires_at', 'is', null)
    .execute();
  await trx.insertInto('endpoint_secrets').values({ endpoint_id: endpointId, secret_sealed: sealedSecret }).execute();
}

/** Enabled endpoints of the tenant subscribed to `eventType` or to `*`, with their payload filters. */
export async function findSubscribedEndpoints(
  db: Kysely<Database>,
  tenantId: string,
  eventType: string,
): Promise<Pick<EndpointRow, 'id' | 'url' | 'filter'>[]> {
  return db
    .selectFrom('endpoints')
    .select(['id', 'url', 'filter'])
    .where('tenant_id', '=', tenantId)
    .where('enabled', '=', true)
    .where('deleted_at', 'is', null)
    .where(sql<boolean>`event_types && ARRAY[${eventType}, '*']::text[]`)
    .orderBy('created_at')
    .execute();
}

/** Secrets that sign now: the current one and rotated-out ones still in their grace period, newest first. */
export async function findSigningSecrets(db: Kysely<Database>, endpointId: string, now: Date): Promise<EndpointSecretRow[]> {
  return db
    .selectFrom('endpoint_secrets')
    .selectAll()
    .where('endpoint_id', '=', endpointId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('id', 'desc')
    .execute();
}

/** Disables an enabled endpoint; returns it, or undefined when it was already disabled (so one disable makes one event). */
export async function disableEndpointIfEnabled(db: Kysely<Database>, endpointId: string, reason: string): Promise<EndpointRow | undefined> {
  return db
    .updateTable('endpoints')
    .set({ enabled: false, disabled_reason: reason, updated_at: new Date() })
    .where('id', '=', endpointId)
    .where('enabled', '=', true)
    .returningAll()
    .executeTakeFirst();
}

export async function enableEndpointRow(db: Kysely<Database>, tenantId: string, endpointId: string): Promise<EndpointRow | undefined> {
  return db
    .updateTable('endpoints')
    .set({ enabled: true, disabled_reason: null, failing_since: null, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', endpointId)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Ends the signing of these secrets now (rotation drops secrets no configured key can open). */
export async function expireSigningSecrets(trx: Transaction<Database>, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await trx.updateTable('endpoint_secrets').set({ expires_at: now }).where('id', 'in', ids).execute();
}
