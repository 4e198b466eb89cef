// Attempt rows written straight into the log by tests: each takes its delivery's creation time
// as the partition key, and the day's partition is made first when the delivery is old.
import type { Kysely } from 'kysely';
import { ensureAttemptPartitionForDelivery } from '../../src/db/attempt-partitions.repository';
import type { AttemptToRecord } from '../../src/db/attempts.repository';
import type { Database } from '../../src/db/schema';

export async function insertAttemptRows(db: Kysely<Database>, rows: AttemptToRecord[]): Promise<void> {
  for (const deliveryId of new Set(rows.map((row) => row.delivery_id))) await ensureAttemptPartitionForDelivery(db, deliveryId);
  await db
    .insertInto('attempts')
    .values(
      rows.map((row) => ({
        ...row,
        delivery_created_at: db.selectFrom('deliveries').select('created_at').where('id', '=', row.delivery_id),
      })),
    )
    .execute();
}
