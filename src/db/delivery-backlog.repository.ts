// The delivery backlog the metrics report on each scrape: open deliveries by status
// (the partial index deliveries_endpoint_open_idx covers exactly these rows).
import { sql, type Kysely } from 'kysely';
import { OPEN_DELIVERY_STATUSES, type OpenDeliveryStatus } from '../domain/delivery-status';
import type { Database } from './schema';

export async function countOpenDeliveriesByStatus(db: Kysely<Database>): Promise<Record<OpenDeliveryStatus, number>> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['status', sql<string>`count(*)`.as('count')])
    .where('status', 'in', OPEN_DELIVERY_STATUSES)
    .groupBy('status')
    .execute();
  const counts = Object.fromEntries(OPEN_DELIVERY_STATUSES.map((status) => [status, 0])) as Record<OpenDeliveryStatus, number>;
  for (const row of rows) counts[row.status as OpenDeliveryStatus] = Number(row.count);
  return counts;
}
