// The window and buckets a statistics request means, and the zero-filled series.
import { MAX_STATS_BUCKETS, resolveStatsWindow, toStatsSeries, type StatsWindow } from '../../src/domain/endpoint-stats';

const now = new Date('2026-12-03T12:34:56.789Z');

describe('resolveStatsWindow', () => {
  it('defaults to the last 24 hours in 15-minute buckets, widened to whole buckets', () => {
    expect(resolveStatsWindow({}, now)).toEqual({
      ok: true,
      window: { since: new Date('2026-12-02T12:30:00Z'), until: new Date('2026-12-03T12:45:00Z'), bucket: '15m', bucketSeconds: 900 },
    });
  });

  it.each([
    ['1 hour', 3_600_000, '1m'],
    ['24 hours', 86_400_000, '15m'],
    ['7 days', 7 * 86_400_000, '1h'],
    ['30 days', 30 * 86_400_000, '6h'],
    ['90 days', 90 * 86_400_000, '1d'],
  ])('picks the smallest bucket giving at most 200 buckets for %s', (_name, spanMs, bucket) => {
    const until = new Date('2026-12-03T00:00:00Z');
    const result = resolveStatsWindow({ since: new Date(until.getTime() - spanMs), until }, now);
    expect(result).toMatchObject({ ok: true, window: { bucket } });
  });

  it('keeps an aligned window as it is', () => {
    const since = new Date('2026-12-01T00:00:00Z');
    const until = new Date('2026-12-02T00:00:00Z');
    expect(resolveStatsWindow({ since, until, bucket: '1h' }, now)).toMatchObject({ ok: true, window: { since, until } });
  });

  it('refuses an empty or reversed window, one over 90 days, and too many buckets', () => {
    const t = new Date('2026-12-01T00:00:00Z');
    expect(resolveStatsWindow({ since: t, until: t }, now)).toEqual({
      ok: false,
      errors: [{ field: 'since', message: 'must be before until' }],
    });
    expect(resolveStatsWindow({ since: new Date('2026-08-01T00:00:00Z'), until: t }, now)).toMatchObject({
      ok: false,
      errors: [{ field: 'since' }],
    });
    const sevenDays = resolveStatsWindow({ since: new Date(t.getTime() - 7 * 86_400_000), until: t, bucket: '1m' }, now);
    expect(sevenDays).toMatchObject({
      ok: false,
      errors: [{ field: 'bucket', message: expect.stringContaining(`at most ${MAX_STATS_BUCKETS}`) }],
    });
  });

  it('accepts exactly the largest number of buckets', () => {
    const since = new Date('2026-12-01T00:00:00Z');
    const until = new Date(since.getTime() + MAX_STATS_BUCKETS * 60_000);
    expect(resolveStatsWindow({ since, until, bucket: '1m' }, now)).toMatchObject({ ok: true });
  });
});

describe('toStatsSeries', () => {
  const window: StatsWindow = {
    since: new Date('2026-12-01T00:00:00Z'),
    until: new Date('2026-12-01T03:00:00Z'),
    bucket: '1h',
    bucketSeconds: 3600,
  };
  const row = {
    attempts: 4,
    succeeded: 3,
    deliveries: 2,
    deliveriesSucceeded: 1,
    latencyP50: 20,
    latencyP95: 90,
    statusClasses: { '2xx': 3, '3xx': 0, '4xx': 1, '5xx': 0, other: 0 },
    errorKinds: {},
  };

  it('gives every bucket in order, zeros where nothing was attempted, and the totals row', () => {
    const series = toStatsSeries(window, [
      { ...row, start: new Date('2026-12-01T01:00:00Z') },
      { ...row, start: null, attempts: 8 },
    ]);
    expect(series.buckets.map((b) => [b.start.toISOString(), b.attempts.total, b.successRate])).toEqual([
      ['2026-12-01T00:00:00.000Z', 0, null],
      ['2026-12-01T01:00:00.000Z', 4, 0.75],
      ['2026-12-01T02:00:00.000Z', 0, null],
    ]);
    expect(series.buckets[1]).toMatchObject({ deliveries: { total: 2, succeeded: 1, unsuccessful: 1 }, attempts: { failed: 1 } });
    expect(series.totals.attempts).toEqual({ total: 8, succeeded: 3, failed: 5 });
  });

  it('answers zeros for a window without any row', () => {
    expect(toStatsSeries(window, []).totals).toMatchObject({ attempts: { total: 0 }, successRate: null, errorKinds: {} });
  });
});
