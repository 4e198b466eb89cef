// Which deliveries' workflows were started: marking them, and finding the ones never started
// (by the sweeper, and by a publish repeated after a crash).
import { sql, type Kysely } from 'kysely';
import type { PlannedDelivery } from '../domain/delivery-status';
import type { Database, DeliveryRow } from './schema';

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

/** What toPlannedDelivery reads, from deliveries joined with their endpoints. */
export const plannedDeliveryColumns = [
  'deliveries.id',
  'deliveries.workflow_id',
  'deliveries.endpoint_id',
  'deliveries.event_type',
  'deliveries.tenant_id',
  'endpoints.url',
] as const;

export interface UnstartedDelivery extends PlannedDelivery {
  createdAt: Date;
}

/**
 * Deliveries recorded before `createdBefore` whose workflow was never started, oldest first,
 * after `after` (keyset), through the partial index on unstarted rows. A replay's deliveries are
 * left out: their replay starts them at its pace.
 */
export async function findUnstartedDeliveries(
  db: Kysely<Database>,
  options: { createdBefore: Date; after?: { createdAt: Date; id: string }; limit: number },
): Promise<UnstartedDelivery[]> {
  let query = db
    .selectFrom('deliveries')
    .innerJoin('endpoints', 'endpoints.id', 'deliveries.endpoint_id')
    .select([...plannedDeliveryColumns, 'deliveries.created_at'])
    .where('deliveries.workflow_started_at', 'is', null)
    .where('deliveries.replay_id', 'is', null)
    .where('deliveries.created_at', '<', options.createdBefore);
  if (options.after) {
    const { createdAt, id } = options.after;
    query = query.where(sql<boolean>`(deliveries.created_at, deliveries.id) > (${createdAt}, ${id})`);
  }
  const rows = await query.orderBy('deliveries.created_at').orderBy('deliveries.id').limit(options.limit).execute();
  return rows.map((row) => ({ ...toPlannedDelivery(row), createdAt: row.created_at }));
}

/** A delivery row and its endpoint's URL as what starting its workflow needs. */
export function toPlannedDelivery(
  row: Pick<DeliveryRow, 'id' | 'workflow_id' | 'endpoint_id' | 'event_type' | 'tenant_id'> & { url: string },
) {
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
 * The deliveries a publish planned for its event (resends and replays excluded), with what starting their
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
    .select(plannedDeliveryColumns)
    .where('deliveries.event_id', '=', eventId)
    .where('deliveries.retry_of_id', 'is', null)
    .where('deliveries.replay_id', 'is', null);
  if (options.unstartedOnly) query = query.where('deliveries.workflow_started_at', 'is', null);
  const rows = await query.orderBy('deliveries.id').execute();
  return rows.map(toPlannedDelivery);
}
