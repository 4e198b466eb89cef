// Retention: a Temporal Schedule runs the retention workflow, which purges attempts, finished
// deliveries and their events older than the retention period — and nothing newer or still open.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { newId } from '../../src/domain/ids';
import { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } from '../../src/temporal/retention-schedule';
import { createTenant } from '../support/api';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

describe('retention', () => {
  let hookrelay: TestHookrelay;
  beforeAll(async () => {
    hookrelay = await startTestHookrelay();
  });
  afterAll(async () => {
    await hookrelay?.close();
  });

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
    await hookrelay.db
      .insertInto('attempts')
      .values({
        delivery_id: deliveryId,
        endpoint_id: endpointId,
        number: 1,
        trigger: 'scheduled',
        started_at: createdAt,
        duration_ms: 5,
        request_url: 'https://x',
        request_headers: '{}',
        created_at: createdAt,
      })
      .execute();
    return { eventId, deliveryId };
  }

  it('purges what is older than the retention period through the scheduled workflow', async () => {
    const tenantId = await createTenant(hookrelay);
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
    const old = await seed(tenantId, endpointId, 120, 'succeeded');
    const oldButOpen = await seed(tenantId, endpointId, 120, 'retrying');
    const recent = await seed(tenantId, endpointId, 10, 'succeeded');

    const result = await hookrelay.temporal.workflow.execute('retentionWorkflow', {
      taskQueue: hookrelay.taskQueue,
      workflowId: `retention-test-${tenantId}`,
      args: [{ retentionDays: 90, batchSize: 1 }],
    });
    expect(result).toEqual({ attempts: 2, deliveries: 1, events: 1 });
    const deliveries = (await hookrelay.db.selectFrom('deliveries').select('id').where('tenant_id', '=', tenantId).execute()).map(
      (d) => d.id,
    );
    expect(deliveries.sort()).toEqual([oldButOpen.deliveryId, recent.deliveryId].sort());
    const events = (await hookrelay.db.selectFrom('events').select('id').where('tenant_id', '=', tenantId).execute()).map((e) => e.id);
    expect(events).not.toContain(old.eventId);
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
});
