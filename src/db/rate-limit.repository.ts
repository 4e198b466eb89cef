// The rate limiter's state per limited endpoint: read under a row lock, written in the same
// transaction, so admissions from every worker are serialized per endpoint (domain/rate-limit.ts).
import type { Kysely, Transaction } from 'kysely';
import { idleRateLimitState, type RateLimitState } from '../domain/rate-limit';
import type { Database } from './schema';

/**
 * Runs `decide` on the endpoint's state, locked (the row is created on first use), and stores
 * what it answers: one transaction of two statements.
 */
export async function updateRateLimitState<T>(
  db: Kysely<Database>,
  endpointId: string,
  nowMs: number,
  decide: (state: RateLimitState) => { next: RateLimitState | null; result: T },
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const state = await lockRateLimitState(trx, endpointId, nowMs);
    const { next, result } = decide(state);
    if (next) {
      await trx
        .updateTable('endpoint_rate_limits')
        .set({ theoretical_arrival_ms: next.theoreticalArrivalMs, line_ends_ms: next.lineEndsMs })
        .where('endpoint_id', '=', endpointId)
        .execute();
    }
    return result;
  });
}

/** The state, row-locked until the transaction ends; an endpoint limited for the first time starts idle. */
async function lockRateLimitState(trx: Transaction<Database>, endpointId: string, nowMs: number): Promise<RateLimitState> {
  // An upsert that changes nothing locks the row and returns it in one statement, existing or new.
  const idle = idleRateLimitState(nowMs);
  const row = await trx
    .insertInto('endpoint_rate_limits')
    .values({ endpoint_id: endpointId, theoretical_arrival_ms: idle.theoreticalArrivalMs, line_ends_ms: idle.lineEndsMs })
    .onConflict((oc) => oc.column('endpoint_id').doUpdateSet((eb) => ({ endpoint_id: eb.ref('excluded.endpoint_id') })))
    .returning(['theoretical_arrival_ms', 'line_ends_ms'])
    .executeTakeFirstOrThrow();
  return { theoreticalArrivalMs: row.theoretical_arrival_ms, lineEndsMs: row.line_ends_ms };
}
