// In-flight leases per concurrency-limited endpoint and the line of deliveries waiting for one.
// Admission is serialized per endpoint by a transaction-scoped advisory lock (the count and the
// insert must see each other across workers); releasing needs no lock.
import { sql, type Kysely } from 'kysely';
import { WAKE_CLAIM_MS } from '../domain/concurrency-limit';
import type { Database } from './schema';

/** The advisory-lock class of concurrency admissions (the second key is the endpoint id's hash). */
const CONCURRENCY_LOCK_CLASS = 12_002;

export type LeaseAttempt =
  | { acquired: true }
  | {
      acquired: false;
      /** The earliest expiry among the leases in flight (epoch ms). */
      soonestExpiryMs: number | null;
      /** Live waiters ahead of this delivery in the line. */
      position: number;
    };

export interface LeaseRequest {
  endpointId: string;
  deliveryId: string;
  workflowId: string;
  limit: number;
  nowMs: number;
  expiresAtMs: number;
}

/**
 * Takes one of the endpoint's `limit` leases, or puts the delivery in the line of waiters
 * (keeping its place when it was there already). A lease of this same delivery (an activity
 * retried after a crash) is taken over, not counted.
 */
export async function acquireConcurrencyLease(db: Kysely<Database>, request: LeaseRequest): Promise<LeaseAttempt> {
  const { endpointId, deliveryId, workflowId, limit } = request;
  const now = new Date(request.nowMs);
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${CONCURRENCY_LOCK_CLASS}, hashtext(${endpointId}))`.execute(trx);
    const inFlight = await trx
      .selectFrom('endpoint_concurrency_leases')
      .select((eb) => [eb.fn.countAll<string>().as('count'), eb.fn.min('expires_at').as('soonest')])
      .where('endpoint_id', '=', endpointId)
      .where('delivery_id', '<>', deliveryId)
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow();
    if (Number(inFlight.count) < limit) {
      await trx
        .with('expired', (qb) =>
          qb.deleteFrom('endpoint_concurrency_leases').where('endpoint_id', '=', endpointId).where('expires_at', '<=', now),
        )
        .with('left_line', (qb) =>
          qb.deleteFrom('endpoint_concurrency_waiters').where('endpoint_id', '=', endpointId).where('delivery_id', '=', deliveryId),
        )
        .insertInto('endpoint_concurrency_leases')
        .values({ endpoint_id: endpointId, delivery_id: deliveryId, expires_at: new Date(request.expiresAtMs) })
        .onConflict((oc) => oc.columns(['endpoint_id', 'delivery_id']).doUpdateSet({ expires_at: new Date(request.expiresAtMs) }))
        .execute();
      return { acquired: true };
    }
    const waiting = await sql<{ position: string }>`
      with joined as (
        insert into endpoint_concurrency_waiters (endpoint_id, delivery_id, workflow_id, since)
        values (${endpointId}, ${deliveryId}, ${workflowId}, ${now})
        on conflict (endpoint_id, delivery_id) do update set woken_at = null
        returning since
      )
      select count(*) as position
        from endpoint_concurrency_waiters w
        join deliveries d on d.id = w.delivery_id and d.status in ('pending', 'retrying', 'waiting')
        where w.endpoint_id = ${endpointId} and w.since < (select since from joined)`.execute(trx);
    const soonest = inFlight.soonest as Date | string | null;
    return {
      acquired: false,
      soonestExpiryMs: soonest === null ? null : new Date(soonest).getTime(),
      position: Number(waiting.rows[0]?.position ?? 0),
    };
  });
}

/**
 * Ends a delivery's lease and claims the oldest waiter whose delivery is still open (not woken in
 * the last WAKE_CLAIM_MS): answers its workflow id to wake, or none. One statement. A waiter is
 * in the line from its refusal on (before its delivery is marked waiting), so a slot freed right
 * after a refusal still wakes it.
 */
export async function releaseConcurrencyLease(db: Kysely<Database>, endpointId: string, deliveryId: string): Promise<string[]> {
  const result = await sql<{ workflow_id: string }>`
    with released as (
      delete from endpoint_concurrency_leases where endpoint_id = ${endpointId} and delivery_id = ${deliveryId}
    ),
    oldest as (
      select w.delivery_id
        from endpoint_concurrency_waiters w
        join deliveries d on d.id = w.delivery_id and d.status in ('pending', 'retrying', 'waiting')
        where w.endpoint_id = ${endpointId}
          and (w.woken_at is null or w.woken_at < now() - make_interval(secs => ${WAKE_CLAIM_MS / 1000}))
        order by w.since, w.delivery_id
        limit 1
        for update of w skip locked
    )
    update endpoint_concurrency_waiters w set woken_at = now()
      from oldest
      where w.endpoint_id = ${endpointId} and w.delivery_id = oldest.delivery_id
      returning w.workflow_id`.execute(db);
  return result.rows.map((row) => row.workflow_id);
}

/** A later rule refused the admission: the lease goes back (the line is not told; timers cover it). */
export async function returnConcurrencyLease(db: Kysely<Database>, endpointId: string, deliveryId: string): Promise<void> {
  await db.deleteFrom('endpoint_concurrency_leases').where('endpoint_id', '=', endpointId).where('delivery_id', '=', deliveryId).execute();
}
