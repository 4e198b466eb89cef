// Seeds what an outage leaves behind, fast: events with one finished, unsuccessful delivery each,
// as the delivery workflow would have recorded them (one statement per table, whatever the count).
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/schema';
import { newId } from '../../src/domain/ids';

export interface FailedDeliverySeed {
  tenantId: string;
  endpointId: string;
  count: number;
  eventType?: string;
  status?: 'failed' | 'cancelled' | 'succeeded';
  lastResponseStatus?: number | null;
  lastErrorKind?: string | null;
  /** When the first was created; each next one a millisecond later (default: a minute ago). */
  createdFrom?: Date;
}

/** Answers the event ids and delivery ids, in creation order. */
export async function seedFailedDeliveries(db: Kysely<Database>, seed: FailedDeliverySeed) {
  const eventIds = Array.from({ length: seed.count }, () => newId('evt'));
  const deliveryIds = Array.from({ length: seed.count }, () => newId('dlv'));
  const from = (seed.createdFrom ?? new Date(Date.now() - 60_000)).getTime();
  const createdAt = eventIds.map((_, index) => new Date(from + index).toISOString());
  const type = seed.eventType ?? 'invoice.activated';
  await sql`insert into events (id, tenant_id, type, data, occurred_at, created_at)
    select e.id, ${seed.tenantId}, ${type}, jsonb_build_object('n', e.n), e.at::timestamptz, e.at::timestamptz
    from unnest(${eventIds}::text[], ${createdAt}::text[]) with ordinality as e(id, at, n)`.execute(db);
  await sql`insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, status, attempt_count, last_response_status,
      last_error_kind, workflow_id, workflow_started_at, created_at, finished_at)
    select d.id, ${seed.tenantId}, d.event_id, ${seed.endpointId}, ${type}, ${seed.status ?? 'failed'}, 1, ${seed.lastResponseStatus ?? null}::int,
      ${seed.lastErrorKind ?? null}::text, 'delivery-' || d.id, d.at::timestamptz, d.at::timestamptz, d.at::timestamptz
    from unnest(${deliveryIds}::text[], ${eventIds}::text[], ${createdAt}::text[]) as d(id, event_id, at)`.execute(db);
  return { eventIds, deliveryIds };
}
