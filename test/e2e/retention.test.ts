// Retention: a Temporal Schedule runs the retention workflow, which drops whole days of attempts
// older than the retention period (partitions), purges finished deliveries and their events, and
// a tenant's shorter retention in small batches — nothing newer, nothing still open. Temporal's
// own retention of closed workflows follows the setting.
import { randomUUID } from 'node:crypto';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { purgeExpiredLog } from '../../src/activities/retention';
import { listAttemptPartitions } from '../../src/db/attempt-partitions.repository';
import { partitionName } from '../../src/domain/attempt-partitions';
import { newId } from '../../src/domain/ids';
import { ensureNamespaceRetention, namespaceRetentionDays } from '../../src/temporal/namespace-retention';
import { ensureStatsRollupSchedule, STATS_ROLLUP_SCHEDULE_ID } from '../../src/temporal/endpoint-stats-rollup-schedule';
import { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } from '../../src/temporal/retention-schedule';
import { PORTAL_SESSION_GRACE_DAYS } from '../../src/domain/portal-sessions';
import { createTenant } from '../support/api';
import { createPortalSession, exchangeLink, openPortalSession } from '../support/portal';
import { insertAttemptRows } from '../support/attempt-rows';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

describe('retention', () => {
  let hookrelay: TestHookrelay;
  beforeAll(async () => {
    hookrelay = await startTestHookrelay();
  });
  afterAll(async () => {
    await hookrelay?.close();
  });

  const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 3600 * 1000);
  const attemptsOf = async (deliveryId: string) =>
    (await hookrelay.db.selectFrom('attempts').select('number').where('delivery_id', '=', deliveryId).execute()).length;
  const deliveriesOf = async (tenantId: string) =>
    (await hookrelay.db.selectFrom('deliveries').select('id').where('tenant_id', '=', tenantId).execute()).map((d) => d.id).sort();
  const eventsOf = async (tenantId: string) =>
    (await hookrelay.db.selectFrom('events').select('id').where('tenant_id', '=', tenantId).execute()).map((e) => e.id).sort();

  async function createEndpointRow(tenantId: string): Promise<string> {
    const endpointId = newId('ep');
    await hookrelay.db
      .insertInto('endpoints')
      .values({
        id: endpointId,
        tenant_id: tenantId,
        name: 'e',
        url: 'https://example.invalid/',
        event_types: ['*'],
        headers: '{}',
        metadata: '{}',
      })
      .execute();
    return endpointId;
  }

  async function seed(tenantId: string, endpointId: string, ageDays: number, status: 'succeeded' | 'retrying') {
    const createdAt = new Date(Date.now() - ageDays * 24 * 3600 * 1000);
    const eventId = newId('evt');
    const deliveryId = newId('dlv');
    await hookrelay.db
      .insertInto('events')
      .values({ id: eventId, tenant_id: tenantId, type: 'invoice.activated', data: '{}', occurred_at: createdAt, created_at: createdAt })
      .execute();
    await hookrelay.db
      .insertInto('deliveries')
      .values({
        id: deliveryId,
        tenant_id: tenantId,
        event_id: eventId,
        endpoint_id: endpointId,
        event_type: 'invoice.activated',
        status,
        workflow_id: `delivery-${deliveryId}`,
        created_at: createdAt,
      })
      .execute();
    await insertAttemptRows(hookrelay.db, [
      {
        delivery_id: deliveryId,
        endpoint_id: endpointId,
        number: 1,
        trigger: 'scheduled',
        started_at: createdAt,
        duration_ms: 5,
        request_url: 'https://x',
        request_headers: '{}',
        created_at: createdAt,
      },
    ]);
    return { eventId, deliveryId };
  }

  it('drops whole days of attempts and purges what is older than the retention period through the scheduled workflow', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpointRow(tenantId);
    const old = await seed(tenantId, endpointId, 120, 'succeeded');
    const oldButOpen = await seed(tenantId, endpointId, 120, 'retrying');
    const recent = await seed(tenantId, endpointId, 10, 'succeeded');

    const result = await hookrelay.temporal.workflow.execute('retentionWorkflow', {
      taskQueue: hookrelay.taskQueue,
      workflowId: `retention-test-${tenantId}`,
      args: [{ retentionDays: 90, batchSize: 1 }],
    });
    // The day 120 days back went as one partition; its attempts were never deleted row by row.
    expect(result).toMatchObject({ attempts: 0, deliveries: 1, events: 1, partitionsDropped: [partitionName(daysAgo(120))] });
    expect(await deliveriesOf(tenantId)).toEqual([oldButOpen.deliveryId, recent.deliveryId].sort());
    expect(await eventsOf(tenantId)).not.toContain(old.eventId);
    expect(await attemptsOf(oldButOpen.deliveryId)).toBe(0);
    expect(await attemptsOf(recent.deliveryId)).toBe(1);
    const partitions = (await listAttemptPartitions(hookrelay.db)).map((partition) => partition.name);
    expect(partitions).not.toContain(partitionName(daysAgo(120)));
    // Made ahead: the next week's attempts have their partitions already.
    expect(partitions).toEqual(expect.arrayContaining([partitionName(daysAgo(0)), partitionName(daysAgo(-7))]));
  });

  it("purges a tenant's shorter retention in small batches, and no other tenant's rows", async () => {
    const api = (method: 'POST' | 'PATCH', path: string, body: unknown) => hookrelay.request(method, path, { body });
    const created = await api('POST', '/v1/tenants', { name: 'Short', retentionDays: 7 });
    expect(created.status).toBe(201);
    expect(created.body.retentionDays).toBe(7);
    const shortLived = created.body.id as string;
    const keepsAll = await createTenant(hookrelay, 'Long');
    const [shortEndpoint, longEndpoint] = [await createEndpointRow(shortLived), await createEndpointRow(keepsAll)];
    const shortOld = [await seed(shortLived, shortEndpoint, 10, 'succeeded'), await seed(shortLived, shortEndpoint, 9, 'succeeded')];
    const shortOpen = await seed(shortLived, shortEndpoint, 10, 'retrying');
    const shortRecent = await seed(shortLived, shortEndpoint, 2, 'succeeded');
    const longOld = await seed(keepsAll, longEndpoint, 10, 'succeeded');

    const result = await purgeExpiredLog(hookrelay.db, { retentionDays: 90, batchSize: 1, now: new Date() });
    expect(result.tenantsWithShorterRetention).toBeGreaterThanOrEqual(1);
    expect(await deliveriesOf(shortLived)).toEqual([shortOpen.deliveryId, shortRecent.deliveryId].sort());
    expect(await eventsOf(shortLived)).toEqual([shortOpen.eventId, shortRecent.eventId].sort());
    for (const gone of [...shortOld, shortOpen]) expect(await attemptsOf(gone.deliveryId)).toBe(0);
    expect(await attemptsOf(shortRecent.deliveryId)).toBe(1);
    expect(await deliveriesOf(keepsAll)).toEqual([longOld.deliveryId]);
    expect(await attemptsOf(longOld.deliveryId)).toBe(1);

    // Back to the deployment's retention: nothing more goes.
    const reset = await api('PATCH', `/v1/tenants/${shortLived}`, { retentionDays: null });
    expect(reset.status).toBe(200);
    expect(reset.body.retentionDays).toBeNull();
  });

  it(`deletes portal sessions ${PORTAL_SESSION_GRACE_DAYS} days after they ended (expired or revoked), used links or not, and no live one`, async () => {
    const tenantId = await createTenant(hookrelay, 'Portal');
    const grace = PORTAL_SESSION_GRACE_DAYS;
    const backdate = (id: string, set: { expires_at?: Date; revoked_at?: Date }) =>
      hookrelay.db.updateTable('portal_sessions').set(set).where('id', '=', id).execute();
    const expiredLongAgo = await openPortalSession(hookrelay, tenantId);
    await backdate(expiredLongAgo.id, { expires_at: daysAgo(grace + 1) });
    const unusedLinkExpiredLongAgo = await createPortalSession(hookrelay, tenantId);
    await backdate(unusedLinkExpiredLongAgo.id, { expires_at: daysAgo(grace + 3) });
    const revokedLongAgo = await openPortalSession(hookrelay, tenantId, { expiresInSeconds: 7 * 24 * 3600 });
    await backdate(revokedLongAgo.id, { revoked_at: daysAgo(grace + 1) });
    // Within the grace period: still listed, and the link still says why it grants nothing.
    const expiredRecently = await createPortalSession(hookrelay, tenantId);
    await backdate(expiredRecently.id, { expires_at: daysAgo(grace - 1) });
    const revokedRecently = await openPortalSession(hookrelay, tenantId);
    await backdate(revokedRecently.id, { revoked_at: daysAgo(1) });
    const live = await openPortalSession(hookrelay, tenantId);
    const unusedLive = await createPortalSession(hookrelay, tenantId);

    const result = await purgeExpiredLog(hookrelay.db, { retentionDays: 90, batchSize: 1, now: new Date() });
    expect(result.portalSessions).toBeGreaterThanOrEqual(3);
    const kept = (await hookrelay.db.selectFrom('portal_sessions').select('id').where('tenant_id', '=', tenantId).execute()).map(
      (r) => r.id,
    );
    expect(kept.sort()).toEqual([expiredRecently.id, revokedRecently.id, live.id, unusedLive.id].sort());
    const listed = await hookrelay.request('GET', `/v1/tenants/${tenantId}/portal-sessions?limit=100`);
    expect((listed.body.data as Array<{ id: string }>).map((session) => session.id).sort()).toEqual(kept.sort());
    // The live ones still work; a pruned link grants nothing.
    expect((await hookrelay.request('GET', '/v1/portal-session', { key: live.sessionToken })).status).toBe(200);
    expect((await exchangeLink(hookrelay, unusedLive.id, unusedLive.linkToken)).status).toBe(200);
    expect((await exchangeLink(hookrelay, unusedLinkExpiredLongAgo.id, unusedLinkExpiredLongAgo.linkToken)).status).toBe(404);
    expect((await hookrelay.request('GET', '/v1/portal-session', { key: expiredLongAgo.sessionToken })).status).toBe(401);
  });

  it('takes a tenant retention only within the deployment retention, and changes nothing on a refusal', async () => {
    const tenantId = await createTenant(hookrelay, 'Validated');
    for (const retentionDays of [0, -1, 1.5, '7', 91, 100_000]) {
      const res = await hookrelay.request('PATCH', `/v1/tenants/${tenantId}`, { body: { retentionDays } });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    const refusedCreate = await hookrelay.request('POST', '/v1/tenants', { body: { name: 'Too long', retentionDays: 91 } });
    expect(refusedCreate.status).toBe(400);
    expect(refusedCreate.body.errors).toEqual([expect.objectContaining({ path: 'body.retentionDays' })]);
    expect((await hookrelay.request('GET', `/v1/tenants/${tenantId}`)).body.retentionDays).toBeNull();
    const changed = await hookrelay.request('PATCH', `/v1/tenants/${tenantId}`, { body: { retentionDays: 30, name: 'Renamed' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: tenantId, name: 'Renamed', retentionDays: 30 });
    const unknown = await hookrelay.request('PATCH', `/v1/tenants/${newId('ten')}`, { body: { retentionDays: 30 } });
    expect(unknown.status).toBe(404);
  });

  it("sets Temporal's retention of closed workflows to the delivery log's", async () => {
    const namespace = hookrelay.temporal.options.namespace;
    expect(await ensureNamespaceRetention(hookrelay.temporal, namespace, 30)).toBe('updated');
    expect(await namespaceRetentionDays(hookrelay.temporal, namespace)).toBe(30);
    expect(await ensureNamespaceRetention(hookrelay.temporal, namespace, 30)).toBe('unchanged');
    await ensureNamespaceRetention(hookrelay.temporal, namespace, 90);
    expect(await namespaceRetentionDays(hookrelay.temporal, namespace)).toBe(90);
  });

  it('keeps one daily schedule, updated in place on the next start', async () => {
    // Its own schedule id: worker processes that other test files spawn on this shared Temporal server
    // ensure the default schedule with their own settings at the same time.
    const scheduleId = `${RETENTION_SCHEDULE_ID}-${hookrelay.taskQueue}`;
    await ensureRetentionSchedule(hookrelay.temporal, { taskQueue: hookrelay.taskQueue, retentionDays: 90, scheduleId });
    await ensureRetentionSchedule(hookrelay.temporal, { taskQueue: hookrelay.taskQueue, retentionDays: 30, scheduleId });
    const description = await hookrelay.temporal.schedule.getHandle(scheduleId).describe();
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionWorkflow', args: [{ retentionDays: 30 }] });
    expect(description.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(description.spec.intervals?.[0]?.every).toBe(24 * 3600 * 1000);
  });

  it('keeps the statistics rollup schedule (every 5 minutes, one run at a time), and a run of its workflow rolls up on the worker', async () => {
    const scheduleId = `${STATS_ROLLUP_SCHEDULE_ID}-${hookrelay.taskQueue}`;
    await ensureStatsRollupSchedule(hookrelay.temporal, { taskQueue: hookrelay.taskQueue, scheduleId });
    await ensureStatsRollupSchedule(hookrelay.temporal, { taskQueue: hookrelay.taskQueue, scheduleId });
    const description = await hookrelay.temporal.schedule.getHandle(scheduleId).describe();
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'endpointStatsRollupWorkflow', args: [] });
    expect(description.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(description.spec.intervals?.[0]?.every).toBe(5 * 60 * 1000);
    await hookrelay.temporal.schedule.getHandle(scheduleId).delete();
    // The run the schedule starts, on this stack's worker: the coverage moves up to the finished slices.
    const before = await hookrelay.db.selectFrom('endpoint_stats_rollup_coverage').selectAll().executeTakeFirstOrThrow();
    await hookrelay.db
      .updateTable('endpoint_stats_rollup_coverage')
      .set({ rolled_until: new Date(before.rolled_until.getTime() - 3_600_000) })
      .execute();
    const result = await hookrelay.temporal.workflow.execute('endpointStatsRollupWorkflow', {
      taskQueue: hookrelay.taskQueue,
      workflowId: `stats-rollup-${randomUUID()}`,
      args: [],
    });
    expect(result).toMatchObject({ rolledUp: { to: expect.any(String) }, lateSlices: 0 });
    const after = await hookrelay.db.selectFrom('endpoint_stats_rollup_coverage').selectAll().executeTakeFirstOrThrow();
    expect(after.rolled_until.getTime()).toBeGreaterThanOrEqual(before.rolled_until.getTime());
  });
});
