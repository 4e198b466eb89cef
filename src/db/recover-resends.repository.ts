// Queries of an endpoint's recover: the failed deliveries it resends, and the resends it created.
import { sql, type Kysely, type Transaction } from 'kysely';
import { plannedDeliveryColumns, toPlannedDelivery } from './delivery-starts.repository';
import type { PlannedDelivery } from '../domain/delivery-status';
import type { Database, DeliveryRow } from './schema';

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
 * Inserts one resend per original delivery for the recover `recoverKey`, as deliveries of its
 * replay (which starts them, paced), in one statement
 * whatever the count (three array parameters). A delivery this recover already resent is
 * skipped by the unique (recover_key, retry_of_id) index, so concurrent repeats cannot double it.
 */
export async function insertRecoverResends(
  trx: Transaction<Database>,
  recoverKey: string,
  replayId: string,
  resends: Array<{ id: string; workflowId: string; retryOfId: string }>,
): Promise<void> {
  if (resends.length === 0) return;
  await sql`insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, resource_id, retry_of_id, workflow_id, recover_key, replay_id, workflow_started_at)
    select n.id, d.tenant_id, d.event_id, d.endpoint_id, d.event_type, d.resource_id, d.id, n.workflow_id, ${recoverKey}, ${replayId}, null
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
    .select([...plannedDeliveryColumns, 'deliveries.workflow_started_at'])
    .where('deliveries.recover_key', '=', recoverKey)
    .where('deliveries.endpoint_id', '=', endpointId)
    .orderBy('deliveries.created_at')
    .orderBy('deliveries.id')
    .execute();
  return rows.map((row) => ({ ...toPlannedDelivery(row), started: row.workflow_started_at !== null }));
}
