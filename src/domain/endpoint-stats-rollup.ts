// Endpoint statistics from rollups (issue 13): finished 5-minute slices of each endpoint's attempts
// are summed into a table once, whole hours of them again, and a request reads those for the part
// of its window they cover plus the attempt log for the rest (the unfinished tail, an attempt
// recorded late, a history not yet backfilled). Pure: which time ranges come from where, the
// latency histogram's bins, and what the rollup job does next. The queries live in
// db/endpoint-stats.repository.ts and db/endpoint-stats-rollups.repository.ts.

export const SLICE_SECONDS = 300;
export const HOUR_SECONDS = 3600;
const SLICE_MS = SLICE_SECONDS * 1000;
const HOUR_MS = HOUR_SECONDS * 1000;

/** A slice is rolled up once it ended this long ago: an attempt is recorded when its POST ends. */
export const ROLLUP_SETTLE_SECONDS = 300;
/**
 * An attempt recorded this long after it started is marked late (in its insert's transaction), so its
 * slice is read from the log until the job rolls it up again. Under ROLLUP_SETTLE_SECONDS with a
 * margin: an attempt the job's snapshot missed is always at least that late.
 */
export const LATE_ATTEMPT_SECONDS = 120;
/** At most this much of the log per rollup step and transaction, forward or backfilling. */
export const ROLLUP_STEP_MS = 6 * HOUR_MS;
/** Late marks handled per run (each re-rolls one slice of one endpoint). */
export const LATE_MARKS_PER_RUN = 500;

/** Latency bins: bin 0 is 0 ms, bin k ≥ 1 holds [2^((k-1)/8), 2^(k/8)) ms. */
export const LATENCY_BINS_PER_OCTAVE = 8;
/** The largest relative error of a percentile read from the bins (half a bin, geometrically). */
export const LATENCY_RELATIVE_ERROR = 2 ** (1 / (2 * LATENCY_BINS_PER_OCTAVE)) - 1;

export interface TimeRange {
  from: Date;
  to: Date;
}

/** What the rollups hold: every finished slice in [from, until), for every endpoint. */
export interface RollupCoverage {
  from: Date;
  until: Date;
}

/** The bin of a duration (the SQL in the repositories computes the same). */
export function latencyBin(durationMs: number): number {
  if (durationMs < 1) return 0;
  return Math.floor(Math.log2(durationMs) * LATENCY_BINS_PER_OCTAVE) + 1;
}

/**
 * The value a bin stands for: the one whole millisecond it holds, else the geometric middle
 * rounded (durations are whole milliseconds), kept inside the bin.
 */
export function latencyBinValue(bin: number): number {
  if (bin <= 0) return 0;
  const low = 2 ** ((bin - 1) / LATENCY_BINS_PER_OCTAVE);
  const high = 2 ** (bin / LATENCY_BINS_PER_OCTAVE);
  const firstWhole = Math.ceil(low);
  const lastWhole = Math.ceil(high) - 1;
  const middle = Math.round(Math.sqrt(low * high));
  if (lastWhole < firstWhole) return middle;
  return Math.min(lastWhole, Math.max(firstWhole, middle));
}

/** percentile_disc over a histogram: the value of the bin holding the ⌈q·n⌉-th smallest duration. */
export function percentileFromBins(bins: ReadonlyMap<number, number>, q: number): number | null {
  const sorted = [...bins.entries()].filter(([, count]) => count > 0).sort(([a], [b]) => a - b);
  const n = sorted.reduce((sum, [, count]) => sum + count, 0);
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (const [bin, count] of sorted) {
    seen += count;
    if (seen >= rank) return latencyBinValue(bin);
  }
  return latencyBinValue(sorted[sorted.length - 1]![0]);
}

/** Where each part of a window is read from; ranges are disjoint and together cover the window. */
export interface StatsSources {
  hours: TimeRange[];
  slices: TimeRange[];
  log: TimeRange[];
}

const floorTo = (time: number, size: number) => Math.floor(time / size) * size;
const ceilTo = (time: number, size: number) => Math.ceil(time / size) * size;

/**
 * Splits a window: 5-minute slices from the rollups where they cover it and no late attempt was
 * recorded into them since, whole hours of them from the hourly rollups when the buckets are an
 * hour or more, the log for everything else. Buckets under 5 minutes are read from the log only.
 */
export function planStatsSources(
  window: TimeRange & { bucketSeconds: number },
  coverage: RollupCoverage,
  lateSliceStarts: readonly Date[],
): StatsSources {
  const since = window.from.getTime();
  const until = window.to.getTime();
  const sources: StatsSources = { hours: [], slices: [], log: [] };
  const coveredFrom = Math.max(since, ceilTo(coverage.from.getTime(), SLICE_MS));
  const coveredUntil = Math.min(until, floorTo(coverage.until.getTime(), SLICE_MS));
  if (window.bucketSeconds < SLICE_SECONDS || coveredFrom >= coveredUntil) {
    sources.log.push({ from: new Date(since), to: new Date(until) });
    return sources;
  }
  const late = new Set(lateSliceStarts.map((start) => floorTo(start.getTime(), SLICE_MS)));
  const useHours = window.bucketSeconds >= HOUR_SECONDS;
  const add = (list: TimeRange[], from: number, to: number) => {
    const last = list[list.length - 1];
    if (last && last.to.getTime() === from) last.to = new Date(to);
    else list.push({ from: new Date(from), to: new Date(to) });
  };
  if (since < coveredFrom) add(sources.log, since, coveredFrom);
  let time = coveredFrom;
  while (time < coveredUntil) {
    const hourEnd = time + HOUR_MS;
    const wholeHour = useHours && time % HOUR_MS === 0 && hourEnd <= coveredUntil;
    if (wholeHour && !hasLateSlice(late, time, hourEnd)) {
      add(sources.hours, time, hourEnd);
      time = hourEnd;
      continue;
    }
    add(late.has(time) ? sources.log : sources.slices, time, time + SLICE_MS);
    time += SLICE_MS;
  }
  if (coveredUntil < until) add(sources.log, coveredUntil, until);
  return sources;
}

function hasLateSlice(late: ReadonlySet<number>, from: number, to: number): boolean {
  for (let slice = from; slice < to; slice += SLICE_MS) if (late.has(slice)) return true;
  return false;
}

/** The whole hours inside the coverage that a re-rolled range touches: their hourly rows are rebuilt. */
export function hoursToRebuild(range: TimeRange, coverage: RollupCoverage): TimeRange | null {
  const from = Math.max(floorTo(range.from.getTime(), HOUR_MS), ceilTo(coverage.from.getTime(), HOUR_MS));
  const to = Math.min(ceilTo(range.to.getTime(), HOUR_MS), floorTo(coverage.until.getTime(), HOUR_MS));
  return from < to ? { from: new Date(from), to: new Date(to) } : null;
}

/** The next step forward: finished slices after the coverage, at most ROLLUP_STEP_MS of them. */
export function nextForwardRange(coverage: RollupCoverage, now: Date): TimeRange | null {
  const finished = floorTo(now.getTime() - ROLLUP_SETTLE_SECONDS * 1000, SLICE_MS);
  const from = coverage.until.getTime();
  const to = Math.min(finished, from + ROLLUP_STEP_MS);
  return from < to ? { from: new Date(from), to: new Date(to) } : null;
}

/** The next backfill step: older slices before the coverage, down to the oldest the log can hold. */
export function nextBackfillRange(coverage: RollupCoverage, oldest: Date | null): TimeRange | null {
  if (!oldest) return null;
  const to = coverage.from.getTime();
  const from = Math.max(floorTo(oldest.getTime(), SLICE_MS), to - ROLLUP_STEP_MS);
  return from < to ? { from: new Date(from), to: new Date(to) } : null;
}

/** Where the rollups start on a log: the slice the migration (or first run) began at. */
export function initialCoverage(now: Date): RollupCoverage {
  const start = new Date(floorTo(now.getTime() - ROLLUP_SETTLE_SECONDS * 1000, SLICE_MS));
  return { from: start, until: start };
}
