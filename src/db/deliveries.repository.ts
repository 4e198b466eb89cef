// Queries on deliveries: planning them, reading them, listing them, updating their state.
import { sql, type Kysely } from 'kysely';
import { afterCursor, cursorImpliesUntil, type PageCursor } from './pagination';
import { OPEN_DELIVERY_STATUSES } from '../domain/delivery-status';
import type { Deferral } from '../domain/delivery-wait';
import type { Database, DeliveryRow, DeliveryStatus, DeliveryUpdate, NewDeliveryRow } from './schema';

/** Rows are recorded as not started (workflow_started_at null) unless they say otherwise: the sweeper starts them. */
export async function insertDeliveries(db: Kysely<Database>, rows: NewDeliveryRow[]): Promise<DeliveryRow[]> {
  if (rows.length === 0) return [];
  return db
    .insertInto('deliveries')
    .values(rows.map((row) => ({ workflow_started_at: null, ...row })))
    .returningAll()
    .execute();
}

/**
 * Plans one delivery per endpoint of a published event in ONE statement, whatever the fan-out:
 * the per-delivery values travel as three text arrays (one bind parameter each), so 20,000
 * deliveries take 8 parameters, never 8 per row (PostgreSQL refuses more than 65,535).
 */
export async function insertFanOutDeliveries(
  trx: Kysely<Database>,
  event: { tenantId: string; eventId: string; eventType: string; resourceId: string | null; workflowStartedAt: Date | null },
  planned: ReadonlyArray<{ id: string; endpointId: string; workflowId: string }>,
): Promise<void> {
  if (planned.length === 0) return;
  await sql`
    insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, resource_id, workflow_id, workflow_started_at)
    select planned.id, ${event.tenantId}, ${event.eventId}, planned.endpoint_id, ${event.eventType}, ${event.resourceId}::text, planned.workflow_id,
           ${event.workflowStartedAt}::timestamptz
    from unnest(${planned.map((row) => row.id)}::text[], ${planned.map((row) => row.endpointId)}::text[],
                ${planned.map((row) => row.workflowId)}::text[]) as planned(id, endpoint_id, workflow_id)`.execute(trx);
}

export async function findDelivery(db: Kysely<Database>, tenantId: string, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('deliveries').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function findDeliveryById(db: Kysely<Database>, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function countDeliveriesOfEvent(db: Kysely<Database>, eventId: string): Promise<number> {
  const { count } = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('event_id', '=', eventId)
    .where('retry_of_id', 'is', null)
    .where('replay_id', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(count);
}

export async function updateDelivery(db: Kysely<Database>, id: string, update: DeliveryUpdate): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ ...update, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/**
 * A deferred attempt (domain/delivery-wait.ts): the delivery waits until `deferral.until` without
 * spending an attempt. Only an open delivery is marked, so a finished one keeps its status.
 */
export async function markDeliveryWaiting(db: Kysely<Database>, id: string, deferral: Deferral): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({
      status: 'waiting',
      wait_reason: deferral.waitReason,
      status_reason: deferral.reason,
      next_attempt_at: new Date(deferral.until),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .where('status', 'in', OPEN_DELIVERY_STATUSES)
    .execute();
}

/**
 * Finishes a delivery that is still open (pending or retrying) and answers the status it ends
 * with: a delivery an attempt already finished (say, a 2xx recorded just before a cancel was
 * handled) keeps its status. Undefined when the delivery no longer exists.
 */
export async function finishOpenDelivery(db: Kysely<Database>, id: string, update: DeliveryUpdate): Promise<DeliveryStatus | undefined> {
  const finished = await db
    .updateTable('deliveries')
    .set({ ...update, updated_at: new Date() })
    .where('id', '=', id)
    .where('status', 'in', OPEN_DELIVERY_STATUSES)
    .returning('status')
    .executeTakeFirst();
  if (finished) return finished.status;
  return (await db.selectFrom('deliveries').select('status').where('id', '=', id).executeTakeFirst())?.status;
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
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1);
}

/** Deliveries of an endpoint created up to `createdUntil` that still have a workflow waiting or attempting. */
export async function listOpenDeliveriesOfEndpoint(
  db: Kysely<Database>,
  endpointId: string,
  createdUntil: Date,
): Promise<Pick<DeliveryRow, 'id' | 'workflow_id'>[]> {
  return db
    .selectFrom('deliveries')
    .select(['id', 'workflow_id'])
    .where('endpoint_id', '=', endpointId)
    .where('status', 'in', OPEN_DELIVERY_STATUSES)
    .where('created_at', '<=', createdUntil)
    .execute();
}
