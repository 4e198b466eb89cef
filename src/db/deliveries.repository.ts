// Queries on deliveries: planning them, reading them, listing them, updating their state.
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { afterCursor, cursorImpliesUntil, type PageCursor } from './pagination';
import { deliveryInPortalView } from './portal-view.repository';
import type { PortalView } from '../domain/portal-sessions';
import { statusClassRange, type AttemptErrorKind, type ResponseStatusClass } from '../domain/attempt-error-kinds';
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

/**
 * Which deliveries of a tenant: every field narrows (AND). A list field matches any of its values.
 * `statusClass` and `errorKind` judge the delivery's last attempt. Shared by the delivery log and
 * by whatever else selects deliveries by the same criteria (replays).
 */
export interface DeliveryCriteria {
  tenantId: string;
  endpointId?: string | readonly string[] | undefined;
  eventType?: string | readonly string[] | undefined;
  status?: DeliveryStatus | readonly DeliveryStatus[] | undefined;
  resourceId?: string | undefined;
  /** The last attempt's response status class (an answer that broke off mid-body still has one). */
  statusClass?: ResponseStatusClass | undefined;
  /** The last attempt's error kind. */
  errorKind?: AttemptErrorKind | undefined;
  /** created_at, inclusive. */
  since?: Date | undefined;
  /** created_at, exclusive. */
  until?: Date | undefined;
}

export interface DeliveryFilter extends DeliveryCriteria {
  cursor?: PageCursor | undefined;
  limit: number;
  /** A limited portal session's view; absent for keys. */
  view?: PortalView | undefined;
}

/** Narrows any select over `deliveries` (unaliased) to the rows matching `criteria`. */
export function whereDeliveryMatches<O>(
  query: SelectQueryBuilder<Database, 'deliveries', O>,
  criteria: DeliveryCriteria,
): SelectQueryBuilder<Database, 'deliveries', O> {
  let narrowed = query.where('tenant_id', '=', criteria.tenantId);
  const oneOrAny = (column: 'endpoint_id' | 'event_type' | 'status', value: string | readonly string[]) => {
    // An empty list matches nothing (`in ()` is not SQL).
    if (typeof value !== 'string' && value.length === 0) narrowed = narrowed.where(sql<boolean>`false`);
    else narrowed = narrowed.where(column, typeof value === 'string' ? '=' : 'in', value as never);
  };
  if (criteria.endpointId !== undefined) oneOrAny('endpoint_id', criteria.endpointId);
  if (criteria.eventType !== undefined) oneOrAny('event_type', criteria.eventType);
  if (criteria.status !== undefined) oneOrAny('status', criteria.status);
  if (criteria.resourceId !== undefined) narrowed = narrowed.where('resource_id', '=', criteria.resourceId);
  if (criteria.statusClass !== undefined) {
    const { min, max } = statusClassRange(criteria.statusClass);
    narrowed = narrowed.where('last_response_status', '>=', min).where('last_response_status', '<=', max);
  }
  if (criteria.errorKind !== undefined) narrowed = narrowed.where('last_error_kind', '=', criteria.errorKind);
  if (criteria.since) narrowed = narrowed.where('created_at', '>=', criteria.since);
  if (criteria.until) narrowed = narrowed.where('created_at', '<', criteria.until);
  return narrowed;
}

/** Newest first; reads `limit + 1` rows so the caller knows whether another page exists. */
export async function listDeliveries(db: Kysely<Database>, filter: DeliveryFilter): Promise<DeliveryRow[]> {
  return deliveryListQuery(db, filter).execute();
}

/** The query behind listDeliveries, unexecuted (the benchmark EXPLAINs it). */
export function deliveryListQuery(db: Kysely<Database>, filter: DeliveryFilter) {
  // A cursor already bounds created_at below `until`; repeating the bound only slows the plan.
  const until = filter.until && cursorImpliesUntil(filter.cursor, filter.until) ? undefined : filter.until;
  let query = whereDeliveryMatches(db.selectFrom('deliveries').selectAll(), { ...filter, until });
  if (filter.view) query = query.where(deliveryInPortalView(db, filter.tenantId, filter.view));
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
