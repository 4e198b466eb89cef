// Queries on endpoints and their signing secrets.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, EndpointRow, EndpointSecretRow, NewEndpointRow } from './schema';

export async function insertEndpointWithSecret(
  trx: Transaction<Database>,
  row: NewEndpointRow,
  sealedSecret: string,
): Promise<EndpointRow> {
  const endpoint = await trx.insertInto('endpoints').values(row).returningAll().executeTakeFirstOrThrow();
  await trx.insertInto('endpoint_secrets').values({ endpoint_id: endpoint.id, secret_sealed: sealedSecret }).execute();
  return endpoint;
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

/** Enabled endpoints of the tenant subscribed to `eventType` or to `*`. */
export async function findSubscribedEndpoints(
  db: Kysely<Database>,
  tenantId: string,
  eventType: string,
): Promise<Pick<EndpointRow, 'id' | 'url'>[]> {
  return db
    .selectFrom('endpoints')
    .select(['id', 'url'])
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
export async function disableEndpointIfEnabled(
  db: Kysely<Database>,
  endpointId: string,
  reason: string,
): Promise<EndpointRow | undefined> {
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
