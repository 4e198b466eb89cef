// Endpoint health statistics over a window, in buckets: which window and buckets a request means,
// and the series the charts draw (every bucket present, empty ones as zeros). Pure: the query
// lives in db/endpoint-stats.repository.ts.

/** Bucket sizes a caller may ask for, in seconds. Buckets are aligned to the UTC epoch. */
export const STATS_BUCKET_SECONDS = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '6h': 21_600, '1d': 86_400 } as const;
export type StatsBucket = keyof typeof STATS_BUCKET_SECONDS;
export const STATS_BUCKETS = Object.keys(STATS_BUCKET_SECONDS) as StatsBucket[];

/** The window when the caller names none: the last 24 hours. */
export const DEFAULT_STATS_WINDOW_SECONDS = 86_400;
/** The longest window: the default retention of the attempt log (HOOKRELAY_RETENTION_DAYS). */
export const MAX_STATS_WINDOW_DAYS = 90;
/** More buckets than this is more than any chart can show; the caller must choose a larger bucket. */
export const MAX_STATS_BUCKETS = 500;
/** The default bucket is the smallest that splits the window into at most this many. */
const DEFAULT_BUCKETS_TARGET = 200;

export interface StatsWindowRequest {
  since?: Date | undefined;
  until?: Date | undefined;
  bucket?: StatsBucket | undefined;
}

/** A window widened to whole buckets: [since, until), `bucketSeconds` apart. */
export interface StatsWindow {
  since: Date;
  until: Date;
  bucket: StatsBucket;
  bucketSeconds: number;
}

export type StatsWindowResult =
  { ok: true; window: StatsWindow } | { ok: false; errors: Array<{ field: 'since' | 'until' | 'bucket'; message: string }> };

/** Defaults (until = now, since = 24 h before until, a bucket that gives ≤ 200 buckets), then the limits. */
export function resolveStatsWindow(request: StatsWindowRequest, now: Date): StatsWindowResult {
  const until = request.until ?? now;
  const since = request.since ?? new Date(until.getTime() - DEFAULT_STATS_WINDOW_SECONDS * 1000);
  if (since.getTime() >= until.getTime()) return { ok: false, errors: [{ field: 'since', message: 'must be before until' }] };
  const windowMs = until.getTime() - since.getTime();
  if (windowMs > MAX_STATS_WINDOW_DAYS * 86_400_000) {
    return { ok: false, errors: [{ field: 'since', message: `the window may span at most ${MAX_STATS_WINDOW_DAYS} days` }] };
  }
  const bucket = request.bucket ?? defaultBucket(windowMs);
  const bucketSeconds = STATS_BUCKET_SECONDS[bucket];
  const aligned = alignWindow(since, until, bucketSeconds);
  const count = bucketCount(aligned.since, aligned.until, bucketSeconds);
  if (count > MAX_STATS_BUCKETS) {
    return {
      ok: false,
      errors: [
        {
          field: 'bucket',
          message: `${bucket} buckets split this window into ${count}; at most ${MAX_STATS_BUCKETS}: choose a larger bucket`,
        },
      ],
    };
  }
  return { ok: true, window: { ...aligned, bucket, bucketSeconds } };
}

function defaultBucket(windowMs: number): StatsBucket {
  return STATS_BUCKETS.find((bucket) => windowMs / (STATS_BUCKET_SECONDS[bucket] * 1000) <= DEFAULT_BUCKETS_TARGET) ?? '1d';
}

/** since rounds down and until up to bucket boundaries, so every bucket covers the same span. */
function alignWindow(since: Date, until: Date, bucketSeconds: number): { since: Date; until: Date } {
  const size = bucketSeconds * 1000;
  return { since: new Date(Math.floor(since.getTime() / size) * size), until: new Date(Math.ceil(until.getTime() / size) * size) };
}

function bucketCount(since: Date, until: Date, bucketSeconds: number): number {
  return Math.round((until.getTime() - since.getTime()) / (bucketSeconds * 1000));
}

/** HTTP status classes the statistics count; `other` is a status outside 200–599 (a hostile receiver's). */
export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '5xx', 'other'] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

/** The figures of one bucket, or of the whole window. */
export interface EndpointStatsFigures {
  /** POSTs: succeeded = a complete 2xx answer; failed = anything else. */
  attempts: { total: number; succeeded: number; failed: number };
  /** Deliveries attempted: succeeded = one of its attempts here succeeded; unsuccessful = none did (it may still succeed later). */
  deliveries: { total: number; succeeded: number; unsuccessful: number };
  /** attempts.succeeded / attempts.total; null without attempts. */
  successRate: number | null;
  /** Over attempts that got an answer (an attempt that timed out has no latency); null without any. */
  latencyMs: { p50: number | null; p95: number | null };
  /** Answers by status class; attempts without an answer are counted in errorKinds. */
  statusClasses: Record<StatusClass, number>;
  /** Attempts that ended in an error (timeout, dns, connection, tls, ssrf_blocked, too_large, …), by kind. */
  errorKinds: Record<string, number>;
}

/** What the repository reads per bucket (or for the window, `start` null). */
export interface StatsAggregateRow {
  start: Date | null;
  attempts: number;
  succeeded: number;
  deliveries: number;
  deliveriesSucceeded: number;
  latencyP50: number | null;
  latencyP95: number | null;
  statusClasses: Record<StatusClass, number>;
  errorKinds: Record<string, number>;
}

export interface EndpointStatsSeries {
  window: StatsWindow;
  totals: EndpointStatsFigures;
  buckets: Array<{ start: Date; end: Date } & EndpointStatsFigures>;
}

/** Rows (only buckets with attempts, plus the totals row) → every bucket of the window, in order. */
export function toStatsSeries(window: StatsWindow, rows: readonly StatsAggregateRow[]): EndpointStatsSeries {
  const size = window.bucketSeconds * 1000;
  const byStart = new Map(rows.filter((row) => row.start !== null).map((row) => [row.start!.getTime(), row]));
  const buckets: EndpointStatsSeries['buckets'] = [];
  for (let start = window.since.getTime(); start < window.until.getTime(); start += size) {
    buckets.push({ start: new Date(start), end: new Date(start + size), ...toFigures(byStart.get(start)) });
  }
  return { window, totals: toFigures(rows.find((row) => row.start === null)), buckets };
}

function toFigures(row: StatsAggregateRow | undefined): EndpointStatsFigures {
  if (!row) {
    return {
      attempts: { total: 0, succeeded: 0, failed: 0 },
      deliveries: { total: 0, succeeded: 0, unsuccessful: 0 },
      successRate: null,
      latencyMs: { p50: null, p95: null },
      statusClasses: emptyStatusClasses(),
      errorKinds: {},
    };
  }
  return {
    attempts: { total: row.attempts, succeeded: row.succeeded, failed: row.attempts - row.succeeded },
    deliveries: { total: row.deliveries, succeeded: row.deliveriesSucceeded, unsuccessful: row.deliveries - row.deliveriesSucceeded },
    successRate: row.attempts === 0 ? null : row.succeeded / row.attempts,
    latencyMs: { p50: row.latencyP50, p95: row.latencyP95 },
    statusClasses: { ...emptyStatusClasses(), ...row.statusClasses },
    errorKinds: { ...row.errorKinds },
  };
}

function emptyStatusClasses(): Record<StatusClass, number> {
  return { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, other: 0 };
}
