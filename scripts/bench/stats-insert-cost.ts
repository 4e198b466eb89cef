// Part of `npm run bench:stats`: what the endpoint statistics rollups cost the attempt insert. The
// rollups add two things to the insert path: the late-attempt check (recordAttempt holds its
// connection, looks at the clock, and only for an attempt recorded over 2 minutes after it started
// writes a mark in a transaction with it) and the BRIN index on started_at. Measured on the seeded
// log, alternating one by one so a burst of load lands on both alike: the real recordAttempt (an
// attempt on time) against recordAttempt as it was before the rollups, with the BRIN index and
// then without it (the state before the rollups' migration), then with it again.
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import { recordAttempt, type AttemptToRecord } from '../../src/db/attempts.repository';
import type { Database, DeliveryUpdate } from '../../src/db/schema';
import { summarize } from './stats';

/** recordAttempt as it was before the rollups: its one statement, on any pooled connection (src/db/attempts.repository.ts). */
async function recordAttemptBefore(
  db: Kysely<Database>,
  attempt: AttemptToRecord,
  delivery: DeliveryUpdate,
  endpoint: { id: string; succeeded: boolean },
): Promise<void> {
  await db
    .with('recorded_attempt', (qb) =>
      qb
        .insertInto('attempts')
        .values((eb) => ({
          ...attempt,
          // The partition key; null (refused: not null) when the delivery is gone.
          delivery_created_at: eb.selectFrom('deliveries').select('created_at').where('id', '=', attempt.delivery_id),
        }))
        .onConflict((oc) =>
          oc.columns(['delivery_id', 'number', 'delivery_created_at']).doUpdateSet((eb) => ({
            trigger: eb.ref('excluded.trigger'),
            started_at: eb.ref('excluded.started_at'),
            duration_ms: eb.ref('excluded.duration_ms'),
            request_url: eb.ref('excluded.request_url'),
            request_headers: eb.ref('excluded.request_headers'),
            response_status: eb.ref('excluded.response_status'),
            response_headers: eb.ref('excluded.response_headers'),
            response_body: eb.ref('excluded.response_body'),
            response_body_bytes: eb.ref('excluded.response_body_bytes'),
            response_body_truncated: eb.ref('excluded.response_body_truncated'),
            response_body_length: eb.ref('excluded.response_body_length'),
            error_kind: eb.ref('excluded.error_kind'),
            error_message: eb.ref('excluded.error_message'),
            tls_failure_reason: eb.ref('excluded.tls_failure_reason'),
            dns_ms: eb.ref('excluded.dns_ms'),
            connect_ms: eb.ref('excluded.connect_ms'),
            tls_ms: eb.ref('excluded.tls_ms'),
            ttfb_ms: eb.ref('excluded.ttfb_ms'),
            connection_reused: eb.ref('excluded.connection_reused'),
            remote_address: eb.ref('excluded.remote_address'),
            request_body_bytes: eb.ref('excluded.request_body_bytes'),
          })),
        )
        .returning('delivery_id'),
    )
    .with('updated_delivery', (qb) =>
      qb
        .updateTable('deliveries')
        .set({ ...delivery, updated_at: new Date() })
        .where('id', '=', attempt.delivery_id)
        .returning('id'),
    )
    // The streak only changes at its edges, so a busy healthy endpoint's row is never rewritten.
    .with('updated_endpoint', (qb) =>
      qb
        .updateTable('endpoints')
        .set({ failing_since: endpoint.succeeded ? null : new Date() })
        .where('id', '=', endpoint.id)
        .where('failing_since', endpoint.succeeded ? 'is not' : 'is', null)
        .returning('id'),
    )
    .selectFrom('recorded_attempt')
    .select('delivery_id')
    .execute();
}

function attemptFor(deliveryId: string, endpointId: string, number: number): AttemptToRecord {
  return {
    delivery_id: deliveryId,
    endpoint_id: endpointId,
    number,
    trigger: 'scheduled',
    started_at: new Date(),
    duration_ms: 42,
    request_url: 'https://example.com/hook',
    request_headers: JSON.stringify({ 'content-type': 'application/json' }),
    response_status: 200,
    response_headers: JSON.stringify({ 'content-type': 'text/plain' }),
    error_kind: null,
    error_message: null,
  };
}

export interface InsertCostRow {
  statement: string;
  brin: boolean;
  inserts: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
}

/** `perSide` inserts per statement and phase into the newest deliveries (new attempts belong to recent ones). */
export async function measureStatsInsertCost(db: Kysely<Database>, perSide: number): Promise<InsertCostRow[]> {
  const deliveries = await db
    .selectFrom('deliveries')
    .select(['id', 'endpoint_id'])
    .orderBy('created_at', 'desc')
    .limit(perSide * 2)
    .execute();
  const rows: InsertCostRow[] = [];
  // With the index, without it, with it again (built anew): a drift over time shows as two different "with" rows.
  for (const [phase, brin] of [true, false, true].entries()) {
    if (phase === 1) await sql`drop index attempts_started_brin_idx`.execute(db);
    if (phase === 2)
      await sql`create index attempts_started_brin_idx on attempts using brin (started_at) with (pages_per_range = 32, autosummarize = on)`.execute(
        db,
      );
    const number = 1000 + phase;
    const timings = { before: [] as number[], after: [] as number[] };
    for (const [i, delivery] of deliveries.entries()) {
      const side = i % 2 === 0 ? 'after' : 'before';
      const began = performance.now();
      if (side === 'before')
        await recordAttemptBefore(
          db,
          attemptFor(delivery.id, delivery.endpoint_id, number),
          { attempt_count: number },
          { id: delivery.endpoint_id, succeeded: true },
        );
      else
        await recordAttempt(
          db,
          attemptFor(delivery.id, delivery.endpoint_id, number),
          { attempt_count: number },
          { id: delivery.endpoint_id, succeeded: true },
        );
      timings[side].push(performance.now() - began);
    }
    for (const side of ['before', 'after'] as const) {
      const { p50, p99 } = summarize(timings[side]);
      const mean = timings[side].reduce((sum, t) => sum + t, 0) / timings[side].length;
      rows.push({
        statement: side === 'before' ? 'recordAttempt before the rollups' : 'recordAttempt now',
        brin,
        inserts: timings[side].length,
        meanUs: mean * 1000,
        p50Us: p50 * 1000,
        p99Us: p99 * 1000,
      });
    }
  }
  return rows;
}
