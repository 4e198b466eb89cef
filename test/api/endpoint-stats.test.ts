// GET /v1/tenants/:tenantId/endpoints/:id/stats: exact figures per bucket and for the window from
// attempts seeded into the real database, tenant scoping like every endpoint route, and field
// errors for windows it refuses.
import { sql } from 'kysely';
import { endpointStatsResponse } from '../../src/api/response-schemas';
import { ensureAttemptPartitions } from '../../src/db/attempt-partitions.repository';
import { endpointStatsStatement } from '../../src/db/endpoint-stats.repository';
import { partitionName } from '../../src/domain/attempt-partitions';
import { createKey, createTenant, ensureEventType, expectProblem, seedAttempts, seedDelivery } from '../support/api';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

describe('endpoint statistics API', () => {
  let hookrelay: TestHookrelay;
  let tenantA: string;
  let tenantB: string;
  let readKeyA: string;
  let publishKeyA: string;
  let keyB: string;
  let endpointA: string;
  let quietEndpointA: string;

  const hour = Date.UTC(2026, 10, 20, 10); // 2026-11-20T10:00:00Z
  const at = (minutes: number) => new Date(hour + minutes * 60_000);
  const statsPath = (endpointId: string, query: string, tenantId = tenantA) =>
    `/v1/tenants/${tenantId}/endpoints/${endpointId}/stats?${query}`;

  const createEndpoint = async (tenantId: string, name: string) => {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name, url: 'https://example.com/hook', eventTypes: ['*'] },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const delivery = async (endpointId: string) => {
    const { deliveryId } = await seedDelivery(hookrelay, tenantA, { endpointId, eventType: 'invoice.paid', createdAt: at(0) });
    return { deliveryId, endpointId };
  };

  beforeAll(async () => {
    hookrelay = await startTestHookrelay();
    [tenantA, tenantB] = await Promise.all([createTenant(hookrelay, 'A'), createTenant(hookrelay, 'B')]);
    await ensureEventType(hookrelay, 'invoice.paid');
    [readKeyA, publishKeyA, keyB] = await Promise.all([
      createKey(hookrelay, tenantA, ['endpoints:read']),
      createKey(hookrelay, tenantA, ['events:publish']),
      createKey(hookrelay, tenantB, ['endpoints:read', 'endpoints:write']),
    ]);
    endpointA = await createEndpoint(tenantA, 'busy');
    quietEndpointA = await createEndpoint(tenantA, 'quiet');

    // Bucket 10:00–10:15: one delivery fails twice then succeeds; one succeeds at once.
    const retried = await delivery(endpointA);
    await seedAttempts(hookrelay, retried, [
      { startedAt: at(1), durationMs: 15_000, errorKind: 'timeout' },
      { startedAt: at(2), durationMs: 40, status: 503 },
      { startedAt: at(20), durationMs: 30, status: 200 }, // the next bucket: this delivery counts in both
    ]);
    const quick = await delivery(endpointA);
    await seedAttempts(hookrelay, quick, [{ startedAt: at(3), durationMs: 10, status: 204 }]);
    // Bucket 10:15–10:30: a 404, a 301, a connection error, an answer cut off (too_large after a 200).
    const failing = await delivery(endpointA);
    await seedAttempts(hookrelay, failing, [
      { startedAt: at(16), durationMs: 50, status: 404 },
      { startedAt: at(17), durationMs: 60, status: 301 },
      { startedAt: at(18), durationMs: 5, errorKind: 'connection' },
      { startedAt: at(19), durationMs: 70, status: 200, errorKind: 'too_large' },
    ]);
    // Outside the window, and another endpoint's attempt inside it: neither counts.
    await seedAttempts(hookrelay, await delivery(endpointA), [{ startedAt: at(-1), durationMs: 1, status: 500 }]);
    await seedAttempts(hookrelay, await delivery(quietEndpointA), [{ startedAt: at(5), durationMs: 1, status: 500 }]);
  });
  afterAll(async () => {
    await hookrelay?.close();
  });

  it('counts each bucket and the window exactly, with empty buckets as zeros', async () => {
    const res = await hookrelay.request(
      'GET',
      statsPath(endpointA, `since=${at(0).toISOString()}&until=${at(45).toISOString()}&bucket=15m`),
      {
        key: readKeyA,
      },
    );
    expect(res.status).toBe(200);
    const stats = endpointStatsResponse.parse(res.body);
    expect(stats).toMatchObject({
      endpointId: endpointA,
      since: at(0).toISOString(),
      until: at(45).toISOString(),
      bucket: '15m',
      bucketSeconds: 900,
    });
    expect(stats.buckets.map((b) => [b.start, b.end])).toEqual([
      [at(0).toISOString(), at(15).toISOString()],
      [at(15).toISOString(), at(30).toISOString()],
      [at(30).toISOString(), at(45).toISOString()],
    ]);
    const [first, second, third] = stats.buckets;
    expect(first).toMatchObject({
      attempts: { total: 3, succeeded: 1, failed: 2 },
      deliveries: { total: 2, succeeded: 1, unsuccessful: 1 },
      successRate: 1 / 3,
      latencyMs: { p50: 10, p95: 40 }, // over answered attempts only (10, 40): the timeout has no latency
      statusClasses: { '2xx': 1, '3xx': 0, '4xx': 0, '5xx': 1, other: 0 },
      errorKinds: { timeout: 1 },
    });
    expect(second).toMatchObject({
      attempts: { total: 5, succeeded: 1, failed: 4 },
      deliveries: { total: 2, succeeded: 1, unsuccessful: 1 },
      successRate: 0.2,
      latencyMs: { p50: 50, p95: 70 },
      statusClasses: { '2xx': 2, '3xx': 1, '4xx': 1, '5xx': 0, other: 0 },
      errorKinds: { connection: 1, too_large: 1 },
    });
    expect(third).toEqual({
      start: at(30).toISOString(),
      end: at(45).toISOString(),
      attempts: { total: 0, succeeded: 0, failed: 0 },
      deliveries: { total: 0, succeeded: 0, unsuccessful: 0 },
      successRate: null,
      latencyMs: { p50: null, p95: null },
      statusClasses: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, other: 0 },
      errorKinds: {},
    });
    // The window counts the delivery attempted in two buckets once; its percentiles are its own.
    expect(stats.totals).toEqual({
      attempts: { total: 8, succeeded: 2, failed: 6 },
      deliveries: { total: 3, succeeded: 2, unsuccessful: 1 },
      successRate: 0.25,
      latencyMs: { p50: 40, p95: 70 },
      statusClasses: { '2xx': 3, '3xx': 1, '4xx': 1, '5xx': 1, other: 0 },
      errorKinds: { timeout: 1, connection: 1, too_large: 1 },
    });
  });

  it('widens the window to whole buckets and picks a bucket when none is given', async () => {
    const res = await hookrelay.request(
      'GET',
      statsPath(endpointA, `since=${at(7).toISOString()}&until=${at(20.5).toISOString()}&bucket=5m`),
      {
        key: readKeyA,
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ since: at(5).toISOString(), until: at(25).toISOString() });
    expect(res.body.buckets).toHaveLength(4);

    const day = await hookrelay.request('GET', statsPath(endpointA, `until=${at(0).toISOString()}`), { key: readKeyA });
    expect(day.status).toBe(200);
    expect(day.body).toMatchObject({ bucket: '15m', since: at(-24 * 60).toISOString(), until: at(0).toISOString() });
    expect(day.body.buckets).toHaveLength(96);
    expect(day.body.totals.attempts.total).toBe(1); // the one at 09:59

    const week = await hookrelay.request(
      'GET',
      statsPath(endpointA, `since=${at(-7 * 24 * 60).toISOString()}&until=${at(0).toISOString()}`),
      {
        key: readKeyA,
      },
    );
    expect(week.body).toMatchObject({ bucket: '1h' });
    expect(week.body.buckets).toHaveLength(168);
  });

  it('answers an endpoint without attempts with zeros', async () => {
    const other = await createEndpoint(tenantA, 'silent');
    const res = await hookrelay.request('GET', statsPath(other, 'bucket=1h'), { key: readKeyA });
    expect(res.status).toBe(200);
    expect(res.body.totals).toMatchObject({ attempts: { total: 0 }, successRate: null, latencyMs: { p50: null, p95: null } });
    // The last 24 hours, widened to whole hours: 24 buckets, or 25 when now is not on the hour.
    const spanHours = (Date.parse(res.body.until) - Date.parse(res.body.since)) / 3_600_000;
    expect(spanHours).toBeGreaterThanOrEqual(24);
    expect(spanHours).toBeLessThanOrEqual(25);
    expect(res.body.buckets).toHaveLength(spanHours);
  });

  it('is scoped like every endpoint route: read scope or admin, 404 for another tenant or a deleted endpoint', async () => {
    const query = `since=${at(0).toISOString()}&until=${at(30).toISOString()}`;
    expect((await hookrelay.request('GET', statsPath(endpointA, query))).status).toBe(200); // admin
    expectProblem(await hookrelay.request('GET', statsPath(endpointA, query), { key: publishKeyA }), 403);
    expectProblem(await hookrelay.request('GET', statsPath(endpointA, query), { key: null }), 401);
    // Tenant B's key, on A's path and on its own path with A's endpoint id: as if it did not exist.
    expectProblem(await hookrelay.request('GET', statsPath(endpointA, query), { key: keyB }), 404);
    expectProblem(await hookrelay.request('GET', statsPath(endpointA, query, tenantB), { key: keyB }), 404);
    const doomed = await createEndpoint(tenantA, 'doomed');
    expect((await hookrelay.request('DELETE', `/v1/tenants/${tenantA}/endpoints/${doomed}`)).status).toBe(204);
    expectProblem(await hookrelay.request('GET', statsPath(doomed, query), { key: readKeyA }), 404);
    expectProblem(await hookrelay.request('GET', statsPath('ep_00000000000000000000000000', query), { key: readKeyA }), 404);
  });

  it.each([
    ['an unknown bucket', 'bucket=2m', ['query.bucket']],
    ['a malformed since', 'since=yesterday', ['query.since']],
    ['since after until', `since=${new Date(hour + 60_000).toISOString()}&until=${new Date(hour).toISOString()}`, ['query.since']],
    ['a window over 90 days', `since=2026-01-01T00:00:00Z&until=2026-06-01T00:00:00Z`, ['query.since']],
    ['too many buckets', `since=2026-11-01T00:00:00Z&until=2026-11-08T00:00:00Z&bucket=1m`, ['query.bucket']],
    ['an unknown parameter', 'window=7d', ['query']],
  ])('refuses %s with a field error', async (_name, query, paths) => {
    const res = await hookrelay.request('GET', statsPath(endpointA, query), { key: readKeyA });
    expectProblem(res, 400, paths);
  });

  it('reads no attempt partition of deliveries created after the window (the partition key is bounded)', async () => {
    // Partitions from the window's day to a week past today exist; the plan keeps only those up to `until`.
    await ensureAttemptPartitions(hookrelay.db, at(0), new Date(Date.now() + 7 * 24 * 3_600_000));
    const window = { since: at(0), until: at(45), bucket: '15m' as const, bucketSeconds: 900 };
    const { rows } = await sql<{ 'QUERY PLAN': string }>`explain (costs off) ${endpointStatsStatement(endpointA, window)}`.execute(
      hookrelay.db,
    );
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    const scanned = [...new Set(plan.match(/attempts_p\d{8}/g) ?? [])];
    expect(scanned).toContain(partitionName(at(0)));
    expect(scanned).not.toContain(partitionName(new Date()));
    expect(scanned.every((name) => name <= partitionName(at(45)))).toBe(true);
  });
});
