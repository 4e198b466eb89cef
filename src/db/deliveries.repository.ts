// Queries on deliveries and their attempts.
import type { Kysely, Transaction } from 'kysely';
import { afterCursor, cursorImpliesUntil, type PageCursor } from './pagination';
import type { AttemptRow, Database, DeliveryRow, DeliveryUpdate, NewAttemptRow, NewDeliveryRow } from './schema';

export async function insertDeliveries(db: Kysely<Database>, rows: NewDeliveryRow[]): Promise<DeliveryRow[]> {
  if (rows.length === 0) return [];
  return db.insertInto('deliveries').values(rows).returningAll().execute();
}

export async function findDelivery(db: Kysely<Database>, tenantId: string, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('deliveries').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function countDeliveriesOfEvent(db: Kysely<Database>, eventId: string): Promise<number> {
  const { count } = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('event_id', '=', eventId)
    .where('retry_of_id', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(count);
}

/** Everything one attempt needs, in one round trip. */
export async function loadDeliveryForAttempt(db: Kysely<Database>, deliveryId: string) {
  return db
    .selectFrom('deliveries as d')
    .innerJoin('events as ev', 'ev.id', 'd.event_id')
    .innerJoin('endpoints as ep', 'ep.id', 'd.endpoint_id')
    .select([
      'd.id as deliveryId',
      'd.status as deliveryStatus',
      'd.tenant_id as tenantId',
      'ev.id as eventId',
      'ev.type as eventType',
      'ev.data as eventData',
      'ev.resource_id as resourceId',
      'ev.operation as operation',
      'ev.previous as previous',
      'ev.triggered_by as triggeredBy',
      'ev.occurred_at as occurredAt',
      'ep.id as endpointId',
      'ep.url as url',
      'ep.enabled as endpointEnabled',
      'ep.deleted_at as endpointDeletedAt',
      'ep.auth_type as authType',
      'ep.auth_sealed as authSealed',
      'ep.headers as customHeaders',
      'ep.retry_policy as retryPolicy',
      'ep.timeout_ms as timeoutMs',
    ])
    .select((eb) =>
      eb
        .selectFrom('endpoint_secrets as s')
        .select((inner) => inner.fn.coalesce(inner.fn.agg<string[]>('array_agg', ['s.secret_sealed']).distinct(), inner.val<string[]>([])).as('secrets'))
        .whereRef('s.endpoint_id', '=', 'ep.id')
        .where((w) => w.or([w('s.expires_at', 'is', null), w('s.expires_at', '>', new Date())]))
        .as('sealedSecrets'),
    )
    .where('d.id', '=', deliveryId)
    .executeTakeFirst();
}

export type DeliveryForAttempt = NonNullable<Awaited<ReturnType<typeof loadDeliveryForAttempt>>>;

/** Records an attempt and the delivery's new state atomically. Re-recording the same attempt number overwrites it. */
export async function recordAttempt(
  trx: Transaction<Database>,
  attempt: NewAttemptRow,
  delivery: DeliveryUpdate,
): Promise<void> {
  await trx
    .insertInto('attempts')
    .values(attempt)
    .onConflict((oc) =>
      oc.columns(['delivery_id', 'number']).doUpdateSet((eb) => ({
        trigger: eb.ref('excluded.trigger'),
        started_at: eb.ref('excluded.started_at'),
        duration_ms: eb.ref('excluded.duration_ms'),
        request_url: eb.ref('excluded.request_url'),
        request_headers: eb.ref('excluded.request_headers'),
        response_status: eb.ref('excluded.response_status'),
        response_headers: eb.ref('excluded.response_headers'),
        response_body: eb.ref('excluded.response_body'),
        error_kind: eb.ref('excluded.error_kind'),
        error_message: eb.ref('excluded.error_message'),
      })),
    )
    .execute();
  await trx.updateTable('deliveries').set({ ...delivery, updated_at: new Date() }).where('id', '=', attempt.delivery_id).execute();
}

export async function updateDelivery(db: Kysely<Database>, id: string, update: DeliveryUpdate): Promise<void> {
  await db.updateTable('deliveries').set({ ...update, updated_at: new Date() }).where('id', '=', id).execute();
}

export async function listAttempts(db: Kysely<Database>, deliveryId: string): Promise<AttemptRow[]> {
  return db.selectFrom('attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('number').execute();
}

export interface DeliveryFilter {
  tenantId: string;
  endpointId?: string;
  eventType?: string;
  status?: DeliveryRow['status'];
  resourceId?: string;
  since?: Date;
  until?: Date;
  cursor?: PageCursor;
  limit: number;
}

/** Newest first; reads `limit + 1` rows so the caller knows whether another page exists. */
export async function listDeliveries(db: Kysely<Database>, filter: DeliveryFilter): Promise<DeliveryRow[]> {
  return deliveryListQuery(db, filter).execute();
}

/** The query behind listDeliveries, unexecuted (the benchmark EXPLAINs it). */
export function deliveryListQuery(db: Kysely<Database>, filter: DeliveryFilter) {
  let query = db.selectFrom('deliveries').selectAll().where('tenant_id', '=', filter.tenantId);
  if (filter.endpointId) query = query.where('endpoint_id', '=', filter.endpointId);
  if (filter.eventType) query = query.where('event_type', '=', filter.eventType);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.resourceId) query = query.where('resource_id', '=', filter.resourceId);
  if (filter.since) query = query.where('created_at', '>=', filter.since);
  if (filter.until && !cursorImpliesUntil(filter.cursor, filter.until)) query = query.where('created_at', '<', filter.until);
  if (filter.cursor) query = query.where(afterCursor(filter.cursor));
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit + 1);
}
