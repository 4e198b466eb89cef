// The endpoint statistics rollup job, run every few minutes by a Temporal Schedule: the next
// finished slices are summed, slices with late-recorded attempts are summed again, and one step
// of older history is backfilled. Each step is one transaction that moves the coverage with the
// rows it wrote, under the coverage row's lock: a crash loses the step, a rerun repeats it.
import { sql, type Kysely } from 'kysely';
import { listAttemptPartitions } from '../db/attempt-partitions.repository';
import {
  deleteLateMarks,
  deleteRollupsBefore,
  lockRollupCoverage,
  oldestLateMarks,
  rollUpHours,
  rollUpSlices,
  setRollupCoverage,
  type RollupScope,
} from '../db/endpoint-stats-rollups.repository';
import type { Database } from '../db/schema';
import { utcDay } from '../domain/attempt-partitions';
import {
  hoursToRebuild,
  LATE_MARKS_PER_RUN,
  nextBackfillRange,
  nextForwardRange,
  SLICE_SECONDS,
  type RollupCoverage,
  type TimeRange,
} from '../domain/endpoint-stats-rollup';
import type { StatsRollupResult } from '../workflows/contracts';

/** Sorts of a busy slice stay in memory (the statistics query sets the same for itself). */
const ROLLUP_WORK_MEM = '64MB';

async function step(db: Kysely<Database>, plan: (coverage: RollupCoverage) => RollupStep | null): Promise<TimeRange | null> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('work_mem', ${ROLLUP_WORK_MEM}, true)`.execute(trx);
    const coverage = await lockRollupCoverage(trx);
    const next = plan(coverage);
    if (!next) return null;
    await rollUpSlices(trx, next.range, next.scope);
    const hours = hoursToRebuild(next.range, next.coverage);
    if (hours) await rollUpHours(trx, hours, next.scope);
    const moved = next.coverage.from.getTime() !== coverage.from.getTime() || next.coverage.until.getTime() !== coverage.until.getTime();
    if (moved) await setRollupCoverage(trx, next.coverage);
    return next.range;
  });
}

interface RollupStep {
  range: TimeRange;
  scope?: RollupScope;
  /** The coverage once this step is done. */
  coverage: RollupCoverage;
}

/** The next finished slices: at most one step (6 hours) per run, so a long pause catches up over runs. */
export function rollUpForward(db: Kysely<Database>, now: Date): Promise<TimeRange | null> {
  return step(db, (coverage) => {
    const range = nextForwardRange(coverage, now);
    return range && { range, coverage: { from: coverage.from, until: range.to } };
  });
}

/** One step of history before the coverage, down to the oldest partition's day. */
export async function backfillStep(db: Kysely<Database>): Promise<TimeRange | null> {
  const oldest = (await listAttemptPartitions(db))[0]?.day ?? null;
  return step(db, (coverage) => {
    const range = nextBackfillRange(coverage, oldest);
    return range && { range, coverage: { from: range.from, until: coverage.until } };
  });
}

/**
 * Slices an attempt was recorded into after they may have been summed: summed again for that
 * endpoint, then exactly the marks read are deleted (one recorded meanwhile stays for next time).
 */
export async function rollUpLateAttempts(db: Kysely<Database>): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const coverage = await lockRollupCoverage(trx);
    const marks = await oldestLateMarks(trx, LATE_MARKS_PER_RUN);
    const slices = new Map<string, { endpointId: string; range: TimeRange }>();
    for (const mark of marks) {
      const start = Math.floor(mark.startedAt.getTime() / (SLICE_SECONDS * 1000)) * SLICE_SECONDS * 1000;
      // Outside the coverage there is nothing to correct: the forward step or the backfill reads it.
      if (start < coverage.from.getTime() || start >= coverage.until.getTime()) continue;
      const range = { from: new Date(start), to: new Date(start + SLICE_SECONDS * 1000) };
      slices.set(`${mark.endpointId} ${start}`, { endpointId: mark.endpointId, range });
    }
    for (const { endpointId, range } of slices.values()) {
      await rollUpSlices(trx, range, { endpointId });
      const hours = hoursToRebuild(range, coverage);
      if (hours) await rollUpHours(trx, hours, { endpointId });
    }
    await deleteLateMarks(
      trx,
      marks.map((mark) => mark.id),
    );
    return slices.size;
  });
}

/** The scheduled run: forward, late attempts, one backfill step. */
export async function rollUpEndpointStats(db: Kysely<Database>, now: Date): Promise<StatsRollupResult> {
  const forward = await rollUpForward(db, now);
  const lateSlices = await rollUpLateAttempts(db);
  const backfilled = await backfillStep(db);
  return {
    rolledUp: forward && { from: forward.from.toISOString(), to: forward.to.toISOString() },
    lateSlices,
    backfilled: backfilled && { from: backfilled.from.toISOString(), to: backfilled.to.toISOString() },
  };
}

/**
 * After a tenant's attempts of deliveries created before `cutoff` were purged: the rollups of
 * earlier days go, and the cutoff's own day (partly purged) is summed again from what is left.
 */
export async function followTenantPurge(db: Kysely<Database>, tenantId: string, cutoff: Date): Promise<void> {
  const day = utcDay(cutoff);
  await deleteRollupsBefore(db, day, tenantId);
  await step(db, (coverage) => {
    const from = new Date(Math.max(coverage.from.getTime(), day.getTime()));
    if (from.getTime() >= coverage.until.getTime()) return null;
    return { range: { from, to: coverage.until }, scope: { tenantId, deliveryDay: day }, coverage };
  });
}
