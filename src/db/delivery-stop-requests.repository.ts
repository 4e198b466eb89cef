// Queries on delivery_stop_requests: "cancel the waiting deliveries of endpoint X (except Y)",
// recorded in the transaction that disables or deletes X and completed once carried out.
import type { Kysely, Transaction } from 'kysely';
import type { Database, DeliveryStopRequestRow, NewDeliveryStopRequestRow } from './schema';

export async function insertStopRequest(trx: Transaction<Database>, row: NewDeliveryStopRequestRow): Promise<DeliveryStopRequestRow> {
  return trx.insertInto('delivery_stop_requests').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Stop requests recorded before `createdBefore` and not yet carried out, oldest first. */
export async function findPendingStopRequests(db: Kysely<Database>, createdBefore: Date, limit: number): Promise<DeliveryStopRequestRow[]> {
  return db
    .selectFrom('delivery_stop_requests')
    .selectAll()
    .where('completed_at', 'is', null)
    .where('created_at', '<', createdBefore)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function completeStopRequest(db: Kysely<Database>, id: string): Promise<void> {
  await db.updateTable('delivery_stop_requests').set({ completed_at: new Date() }).where('id', '=', id).execute();
}
