// SQL pieces both the rollup job and the statistics query use, so a slice rolled up and the same
// slice read from the log count alike: what a successful attempt is, the latency bin, the 5-minute
// slice, and each attempt's delivery's previous attempt (and previous success).
import { sql, type RawBuilder } from 'kysely';
import { LATENCY_BINS_PER_OCTAVE, SLICE_SECONDS } from '../domain/endpoint-stats-rollup';

/** A complete 2xx answer, of the attempt row aliased `alias`. */
export const succeededSql = (alias: string) =>
  sql<boolean>`(${sql.ref(`${alias}.error_kind`)} is null and ${sql.ref(`${alias}.response_status`)} between 200 and 299)`;

/** domain/endpoint-stats-rollup latencyBin, for an answered attempt; null without an answer. */
export const latencyBinSql = (alias: string) => {
  const duration = sql.ref(`${alias}.duration_ms`);
  return sql<number | null>`case when ${sql.ref(`${alias}.response_status`)} is null then null
    when ${duration} < 1 then 0
    else floor(ln(${duration}::float8) * ${sql.lit(LATENCY_BINS_PER_OCTAVE)} / ln(2::float8))::int + 1 end`;
};

/**
 * Slack on the partition bound: a delivery's created_at is the database's clock and its attempts'
 * started_at the worker's, so a skewed worker could record an attempt a little "before" its delivery.
 */
const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60_000;

/**
 * The partition-key bound of attempts started before `to`: their delivery was created before
 * (with the slack above), so the daily partitions of deliveries created later are pruned unread.
 * The rollup job and the statistics query use the same bound, so they count the same attempts.
 */
export const deliveriesCreatedBefore = (to: Date) => new Date(to.getTime() + CLOCK_SKEW_ALLOWANCE_MS);

/** The start of the 5-minute slice (aligned to the UTC epoch) a time falls in. */
export const sliceOf = (time: RawBuilder<unknown> | ReturnType<typeof sql.ref>) =>
  sql<Date>`date_bin(make_interval(secs => ${sql.lit(SLICE_SECONDS)}), ${time}, timestamptz 'epoch')`;

/**
 * The start times of the delivery's attempt just before the attempt `alias` (by start time, then
 * number) and of its last success before it: one probe of attempts_delivery_number_idx, inside
 * the delivery's partition; attempt number 1 is a delivery's first and needs none. A delivery
 * counts in a bucket at its first attempt there, so these say whether an attempt is that one.
 * `when` narrows the probes further (the query skips those it can answer itself); `createdBefore`
 * (the bound of the attempts probed for) lets the planner prune later partitions, not only the executor.
 */
export const previousAttemptsLateral = (alias: string, createdBefore: Date, when: RawBuilder<unknown> = sql`true`) => sql`lateral (
    select max(p.started_at) as at, max(p.started_at) filter (where ${succeededSql('p')}) as success_at
    from attempts p
    where ${sql.ref(`${alias}.number`)} > 1 and ${when}
      and p.delivery_id = ${sql.ref(`${alias}.delivery_id`)} and p.delivery_created_at = ${sql.ref(`${alias}.delivery_created_at`)}
      and p.delivery_created_at < ${createdBefore}
      and (p.started_at, p.number) < (${sql.ref(`${alias}.started_at`)}, ${sql.ref(`${alias}.number`)})
  )`;
