// The retention purge: old attempts, finished deliveries, orphaned events and stop requests.
import { FINISHED_DELIVERY_STATUSES } from '../domain/delivery-status';
import type { Kysely } from 'kysely';
import type { Database } from './schema';

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
          .where('status', 'in', FINISHED_DELIVERY_STATUSES)
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
