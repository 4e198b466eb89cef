// Queries of replay jobs: recording and finding them, their progress counts, and the ones whose
// workflow was never started (the sweeper starts them).
import { sql, type Kysely, type Transaction } from 'kysely';
import { afterCursor, type PageCursor } from './pagination';
import { OPEN_DELIVERY_STATUSES } from '../domain/delivery-status';
import { OPEN_REPLAY_STATUSES, type ReplayCounts } from '../domain/replay';
import type { Database, NewReplayRow, ReplayRow, ReplayTable } from './schema';
import type { Updateable } from 'kysely';

export async function insertReplay(db: Kysely<Database>, row: NewReplayRow): Promise<ReplayRow> {
  return db.insertInto('replays').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findReplay(db: Kysely<Database>, tenantId: string, id: string): Promise<ReplayRow | undefined> {
  return db.selectFrom('replays').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** The replay's row, locked until the transaction ends (its steps and a recover's planning serialise on it). */
export async function lockReplay(trx: Transaction<Database>, id: string): Promise<ReplayRow | undefined> {
  return trx.selectFrom('replays').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function findReplayByIdempotencyKey(db: Kysely<Database>, tenantId: string, key: string): Promise<ReplayRow | undefined> {
  return db.selectFrom('replays').selectAll().where('tenant_id', '=', tenantId).where('idempotency_key', '=', key).executeTakeFirst();
}

export async function updateReplay(db: Kysely<Database>, id: string, update: Updateable<ReplayTable>): Promise<void> {
  await db
    .updateTable('replays')
    .set({ ...update, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** Newest first; reads `limit + 1` rows so the caller knows whether another page exists. */
export async function listReplays(db: Kysely<Database>, filter: { tenantId: string; cursor?: PageCursor; limit: number }) {
  let query = db.selectFrom('replays').selectAll().where('tenant_id', '=', filter.tenantId);
  if (filter.cursor) query = query.where(afterCursor(filter.cursor));
  return query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
}

/** started / delivered / failed of each replay, from the deliveries it created (one grouped query). */
export async function countReplayDeliveries(
  db: Kysely<Database>,
  replayIds: string[],
): Promise<Map<string, Omit<ReplayCounts, 'matched'>>> {
  const counts = new Map<string, Omit<ReplayCounts, 'matched'>>();
  if (replayIds.length === 0) return counts;
  const rows = await db
    .selectFrom('deliveries')
    .select((eb) => [
      'replay_id',
      eb.fn.count<string>('workflow_started_at').as('started'),
      sql<string>`count(*) filter (where status = 'succeeded')`.as('delivered'),
      sql<string>`count(*) filter (where status in ('failed', 'cancelled'))`.as('failed'),
    ])
    .where(sql<boolean>`replay_id = any(${replayIds}::text[])`)
    .groupBy('replay_id')
    .execute();
  for (const row of rows) {
    counts.set(row.replay_id!, { started: Number(row.started), delivered: Number(row.delivered), failed: Number(row.failed) });
  }
  return counts;
}

/** How many of the replay's deliveries exist, are unstarted, and have not finished. */
export async function replayDeliveryTotals(db: Kysely<Database>, replayId: string) {
  const row = await db
    .selectFrom('deliveries')
    .select((eb) => [
      eb.fn.countAll<string>().as('total'),
      sql<string>`count(*) filter (where workflow_started_at is null)`.as('unstarted'),
      sql<string>`count(*) filter (where status in (${sql.join(OPEN_DELIVERY_STATUSES)}))`.as('open'),
    ])
    .where('replay_id', '=', replayId)
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), unstarted: Number(row.unstarted), open: Number(row.open) };
}

/** Open replays whose workflow was never (re)started, recorded before `createdBefore`, oldest first. */
export async function findUnstartedReplays(db: Kysely<Database>, options: { updatedBefore: Date; limit: number }): Promise<ReplayRow[]> {
  return db
    .selectFrom('replays')
    .selectAll()
    .where('workflow_started_at', 'is', null)
    .where('status', 'in', OPEN_REPLAY_STATUSES)
    .where('updated_at', '<', options.updatedBefore)
    .orderBy('created_at')
    .limit(options.limit)
    .execute();
}
