// Queries on deliveries and their attempts.
import { sql, type Kysely, type Transaction } from 'kysely';
import { afterCursor, cursorImpliesUntil, type PageCursor } from './pagination';
import type { PlannedDelivery } from '../domain/delivery-status';
import type { AttemptRow, Database, DeliveryRow, DeliveryUpdate, NewAttemptRow, NewDeliveryRow } from './schema';

/** Rows are recorded as not started (workflow_started_at null) unless they say otherwise: the sweeper starts them. */
export async function insertDeliveries(db: Kysely<Database>, rows: NewDeliveryRow[]): Promise<DeliveryRow[]> {
  if (rows.length === 0) return [];
  return db
    .insertInto('deliveries')
    .values(rows.map((row) => ({ workflow_started_at: null, ...row })))
    .returningAll()
    .execute();
}

/** Records that these deliveries' workflows were started: one statement, whatever the count. */
export async function markWorkflowsStarted(db: Kysely<Database>, deliveryIds: string[]): Promise<void> {
  if (deliveryIds.length === 0) return;
  await db
    .updateTable('deliveries')
    .set({ workflow_started_at: new Date() })
    .where(sql<boolean>`id = any(${deliveryIds}::text[])`)
    .where('workflow_started_at', 'is', null)
    .execute();
}

export interface UnstartedDelivery extends PlannedDelivery {
  createdAt: Date;
}

/**
 * Deliveries recorded before `createdBefore` whose workflow was never started, oldest first,
 * after `after` (keyset), through the partial index on unstarted rows.
 */
export async function findUnstartedDeliveries(
  db: Kysely<Database>,
  options: { createdBefore: Date; after?: { createdAt: Date; id: string }; limit: number },
): Promise<UnstartedDelivery[]> {
  let query = db
    .selectFrom('deliveries')
    .innerJoin('endpoints', 'endpoints.id', 'deliveries.endpoint_id')
    .select([
      'deliveries.id',
      'deliveries.workflow_id',
      'deliveries.endpoint_id',
      'deliveries.event_type',
      'deliveries.tenant_id',
      'deliveries.created_at',
      'endpoints.url',
    ])
    .where('deliveries.workflow_started_at', 'is', null)
    .where('deliveries.created_at', '<', options.createdBefore);
  if (options.after) {
    const { createdAt, id } = options.after;
    query = query.where(sql<boolean>`(deliveries.created_at, deliveries.id) > (${createdAt}, ${id})`);
  }
  const rows = await query.orderBy('deliveries.created_at').orderBy('deliveries.id').limit(options.limit).execute();
  return rows.map((row) => ({ ...toPlannedDelivery(row), createdAt: row.created_at }));
}

function toPlannedDelivery(row: Pick<DeliveryRow, 'id' | 'workflow_id' | 'endpoint_id' | 'event_type' | 'tenant_id'> & { url: string }) {
  return {
    deliveryId: row.id,
    workflowId: row.workflow_id,
    endpointId: row.endpoint_id,
    endpointUrl: row.url,
    eventType: row.event_type,
    tenantId: row.tenant_id,
  };
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
    .executeTakeFirstOrThrow();
  return Number(count);
}

/** Everything one attempt needs, in one round trip: delivery, event, endpoint and signing secrets. */
export async function loadDeliveryForAttempt(db: Kysely<Database>, deliveryId: string, now: Date) {
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
      'ep.failing_since as endpointFailingSince',
      'ep.auth_sealed as authSealed',
      'ep.headers as customHeaders',
      'ep.retry_policy as retryPolicy',
      'ep.timeout_ms as timeoutMs',
    ])
    .select(
      sql<string[]>`array(select s.secret_sealed from endpoint_secrets s
        where s.endpoint_id = ep.id and (s.expires_at is null or s.expires_at > ${now}) order by s.id desc)`.as('sealedSecrets'),
    )
    .where('d.id', '=', deliveryId)
    .executeTakeFirst();
}

export type DeliveryForAttempt = NonNullable<Awaited<ReturnType<typeof loadDeliveryForAttempt>>>;

/**
 * Records an attempt, the delivery's new state and the endpoint's failing streak in ONE
 * statement (data-modifying CTEs are atomic): one round trip per attempt. Re-recording the
 * same attempt number (an activity retried after a crash) overwrites it.
 */
export async function recordAttempt(
  db: Kysely<Database>,
  attempt: NewAttemptRow,
  delivery: DeliveryUpdate,
  endpoint: { id: string; succeeded: boolean },
): Promise<void> {
  await db
    .with('recorded_attempt', (qb) =>
      qb
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
            response_body_bytes: eb.ref('excluded.response_body_bytes'),
            response_body_truncated: eb.ref('excluded.response_body_truncated'),
            response_body_length: eb.ref('excluded.response_body_length'),
            error_kind: eb.ref('excluded.error_kind'),
            error_message: eb.ref('excluded.error_message'),
          })),
        )
        .returning('delivery_id'),
    )
    .with('updated_delivery', (qb) =>
      qb
        .updateTable('deliveries')
        .set({ ...delivery, updated_at: new Date() })
        .where('id', '=', attempt.delivery_id)
        .returning('id'),
    )
    // The streak only changes at its edges, so a busy healthy endpoint's row is never rewritten.
    .with('updated_endpoint', (qb) =>
      qb
        .updateTable('endpoints')
        .set({ failing_since: endpoint.succeeded ? null : new Date() })
        .where('id', '=', endpoint.id)
        .where('failing_since', endpoint.succeeded ? 'is not' : 'is', null)
        .returning('id'),
    )
    .selectFrom('recorded_attempt')
    .select('delivery_id')
    .execute();
}

export async function updateDelivery(db: Kysely<Database>, id: string, update: DeliveryUpdate): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ ...update, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
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
    .where('status', 'in', ['pending', 'retrying'])
    .where('created_at', '<=', createdUntil)
    .execute();
}

/**
 * Failed deliveries of an endpoint created in [since, until), oldest first, that the recover
 * `recoverKey` has not resent yet, leaving out the resends it created itself: what it resends.
 */
export async function listFailedDeliveriesToRecover(
  db: Kysely<Database>,
  filter: { tenantId: string; endpointId: string; since: Date; until: Date; recoverKey: string; limit: number },
): Promise<Pick<DeliveryRow, 'id'>[]> {
  return db
    .selectFrom('deliveries as d')
    .select('d.id')
    .where('d.tenant_id', '=', filter.tenantId)
    .where('d.endpoint_id', '=', filter.endpointId)
    .where('d.status', '=', 'failed')
    .where('d.created_at', '>=', filter.since)
    .where('d.created_at', '<', filter.until)
    .where(sql<boolean>`d.recover_key is distinct from ${filter.recoverKey}`)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('deliveries as r')
            .select('r.id')
            .where('r.recover_key', '=', filter.recoverKey)
            .whereRef('r.retry_of_id', '=', 'd.id'),
        ),
      ),
    )
    .orderBy('d.created_at')
    .orderBy('d.id')
    .limit(filter.limit)
    .execute();
}

/**
 * Inserts one resend per original delivery for the recover `recoverKey`, in one statement
 * whatever the count (three array parameters). A delivery this recover already resent is
 * skipped by the unique (recover_key, retry_of_id) index, so concurrent repeats cannot double it.
 */
export async function insertRecoverResends(
  trx: Transaction<Database>,
  recoverKey: string,
  resends: Array<{ id: string; workflowId: string; retryOfId: string }>,
): Promise<void> {
  if (resends.length === 0) return;
  await sql`insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, resource_id, retry_of_id, workflow_id, recover_key, workflow_started_at)
    select n.id, d.tenant_id, d.event_id, d.endpoint_id, d.event_type, d.resource_id, d.id, n.workflow_id, ${recoverKey}, null
    from unnest(${resends.map((r) => r.id)}::text[], ${resends.map((r) => r.workflowId)}::text[], ${resends.map((r) => r.retryOfId)}::text[])
      as n(id, workflow_id, retry_of_id)
    join deliveries d on d.id = n.retry_of_id
    on conflict (recover_key, retry_of_id) where recover_key is not null do nothing`.execute(trx);
}

/** Every resend created by the recover `recoverKey` of this endpoint, oldest first, with what starting it needs. */
export async function listRecoverResends(
  db: Kysely<Database>,
  endpointId: string,
  recoverKey: string,
): Promise<Array<PlannedDelivery & { started: boolean }>> {
  const rows = await db
    .selectFrom('deliveries')
    .innerJoin('endpoints', 'endpoints.id', 'deliveries.endpoint_id')
    .select([
      'deliveries.id',
      'deliveries.workflow_id',
      'deliveries.endpoint_id',
      'deliveries.event_type',
      'deliveries.tenant_id',
      'deliveries.workflow_started_at',
      'endpoints.url',
    ])
    .where('deliveries.recover_key', '=', recoverKey)
    .where('deliveries.endpoint_id', '=', endpointId)
    .orderBy('deliveries.created_at')
    .orderBy('deliveries.id')
    .execute();
  return rows.map((row) => ({ ...toPlannedDelivery(row), started: row.workflow_started_at !== null }));
}

/**
 * Deletes, in batches, attempts and finished deliveries older than `cutoff`, then events left
 * without deliveries, and stop requests completed before it.
 */
export async function purgeOlderThan(
  db: Kysely<Database>,
  cutoff: Date,
  batchSize: number,
): Promise<{ attempts: number; deliveries: number; events: number }> {
  const deleteBatches = async (statement: () => Promise<{ numDeletedRows: bigint }[]>) => {
    let total = 0;
    for (;;) {
      const [result] = await statement();
      const deleted = Number(result?.numDeletedRows ?? 0n);
      total += deleted;
      if (deleted < batchSize) return total;
    }
  };
  const attempts = await deleteBatches(() =>
    db
      .deleteFrom('attempts')
      .where('id', 'in', (qb) => qb.selectFrom('attempts').select('id').where('created_at', '<', cutoff).limit(batchSize))
      .execute(),
  );
  const deliveries = await deleteBatches(() =>
    db
      .deleteFrom('deliveries')
      .where('id', 'in', (qb) =>
        qb
          .selectFrom('deliveries')
          .select('id')
          .where('created_at', '<', cutoff)
          .where('status', 'in', ['succeeded', 'failed', 'cancelled'])
          .limit(batchSize),
      )
      .execute(),
  );
  const events = await deleteBatches(() =>
    db
      .deleteFrom('events')
      .where('id', 'in', (qb) =>
        qb
          .selectFrom('events as ev')
          .select('ev.id')
          .where('ev.created_at', '<', cutoff)
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('deliveries as d').select('d.id').whereRef('d.event_id', '=', 'ev.id'))),
          )
          .limit(batchSize),
      )
      .execute(),
  );
  // Stop requests carried out long ago say nothing the delivery log does not (their table is small).
  await db.deleteFrom('delivery_stop_requests').where('completed_at', '<', cutoff).execute();
  return { attempts, deliveries, events };
}

/**
 * The deliveries a publish planned for its event (resends excluded), with what starting their
 * workflows needs; with `unstartedOnly`, only those whose workflow was never started.
 */
export async function findPlannedDeliveriesOfEvent(
  db: Kysely<Database>,
  eventId: string,
  options: { unstartedOnly?: boolean } = {},
): Promise<PlannedDelivery[]> {
  let query = db
    .selectFrom('deliveries')
    .innerJoin('endpoints', 'endpoints.id', 'deliveries.endpoint_id')
    .select([
      'deliveries.id',
      'deliveries.workflow_id',
      'deliveries.endpoint_id',
      'deliveries.event_type',
      'deliveries.tenant_id',
      'endpoints.url',
    ])
    .where('deliveries.event_id', '=', eventId)
    .where('deliveries.retry_of_id', 'is', null);
  if (options.unstartedOnly) query = query.where('deliveries.workflow_started_at', 'is', null);
  const rows = await query.orderBy('deliveries.id').execute();
  return rows.map(toPlannedDelivery);
}
