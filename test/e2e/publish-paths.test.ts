// Publishing without a publish workflow (the API) and what makes it safe: a delivery recorded but
// whose workflow was never started (the API died after its commit, or Temporal was unreachable)
// is started by a repeat of the publish or by the worker's sweeper, exactly once.
import { Client, Connection } from '@temporalio/client';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client/lib/grpc-retry';
import { deliveryWorkflowId, newId } from '../../src/domain/ids';
import type { ServiceContext } from '../../src/services/context';
import { recordEventAndStartDeliveries, recordEvent, startStrandedDeliveries } from '../../src/services/publishing.service';
import { publishEvent, publishWorkflowId, startDeliveryWorkflow } from '../../src/temporal/client';
import { createHookrelayWorker } from '../../src/temporal/create-worker';
import { deliveryTuning } from '../../src/runtime';
import { NativeConnection } from '@temporalio/worker';
import { startStrandedDeliverySweeper } from '../../src/services/stranded-delivery-sweeper';
import { createTenant, ensureEventType } from '../support/api';
import { freePort } from '../support/free-port';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, testStack, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

describe('publish paths', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let tenantId: string;

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([startTestHookrelay(), startReceiver()]);
    await ensureEventType(hookrelay, 'invoice.activated');
    tenantId = await createTenant(hookrelay);
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'receiver', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true },
    });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });

  const requestsFor = (eventId: string) => receiver.requests.filter((request) => request.headers['webhook-id'] === eventId);
  /** When the event's delivery workflow was started (null: recorded, not started). */
  const startedAt = async (eventId: string) =>
    (await hookrelay.db.selectFrom('deliveries').select('workflow_started_at').where('event_id', '=', eventId).executeTakeFirstOrThrow())
      .workflow_started_at;
  const deliveryIdsOf = async (eventId: string) =>
    (await hookrelay.db.selectFrom('deliveries').select('id').where('event_id', '=', eventId).execute()).map((row) => row.id);
  /** Records like the API does, then "dies" before starting anything. */
  const recordWithoutStarting = async (extra: { idempotencyKey?: string } = {}) => {
    const recorded = await recordEvent(hookrelay.db, {
      eventId: newId('evt'),
      tenantId,
      type: 'invoice.activated',
      data: { n: 1 },
      ...extra,
    });
    expect(recorded.deliveries).toHaveLength(1);
    return recorded.eventId;
  };

  it('an API publish starts its delivery workflow directly (no publish workflow) and marks the event', async () => {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, { body: { type: 'invoice.activated', data: { n: 1 } } });
    expect(res.status).toBe(202);
    await waitFor(async () => requestsFor(res.body.id).length === 1, { what: 'the delivery' });
    expect(await startedAt(res.body.id)).toBeInstanceOf(Date);
    const [deliveryId] = await deliveryIdsOf(res.body.id);
    expect((await hookrelay.temporal.workflow.getHandle(deliveryWorkflowId(deliveryId!)).describe()).type).toBe('deliveryWorkflowV2');
    await expect(hookrelay.temporal.workflow.getHandle(publishWorkflowId({ tenantId, eventId: res.body.id })).describe()).rejects.toThrow(
      /not found/i,
    );
  });

  it('a Temporal-client publish runs one publish workflow step that starts the deliveries', async () => {
    const published = await publishEvent(
      hookrelay.temporal,
      { tenantId, type: 'invoice.activated', data: { n: 2 } },
      { taskQueue: hookrelay.taskQueue },
    );
    await waitFor(async () => requestsFor(published.eventId).length === 1, { what: 'the delivery' });
    const history = await hookrelay.temporal.workflow.getHandle(publishWorkflowId({ tenantId, eventId: published.eventId })).fetchHistory();
    const types = (history.events ?? []).map((event) => event.eventType);
    // Started, one workflow task (with the local activity's marker), completed: no children.
    expect(types).toHaveLength(6);
    expect(types.some((type) => String(type).includes('CHILD'))).toBe(false);
    expect(await startedAt(published.eventId)).toBeInstanceOf(Date);
  });

  it('the sweeper starts a delivery recorded but never started, once', async () => {
    const eventId = await recordWithoutStarting();
    expect(await startedAt(eventId)).toBeNull();
    // Too young: left to the API that recorded it.
    expect(await startStrandedDeliveries(hookrelay.ctx, { olderThanMs: 60_000 })).toEqual({ started: 0, failed: 0 });

    const swept = await startStrandedDeliveries(hookrelay.ctx, { olderThanMs: 0 });
    expect(swept.started).toBeGreaterThanOrEqual(1);
    await waitFor(async () => requestsFor(eventId).length === 1, { what: 'the swept delivery' });
    expect(await startedAt(eventId)).toBeInstanceOf(Date);

    // Swept again after its delivery finished (say, the mark was lost): never delivered twice.
    const [deliveryId] = await deliveryIdsOf(eventId);
    await hookrelay.temporal.workflow.getHandle(deliveryWorkflowId(deliveryId!)).result();
    await hookrelay.db.updateTable('deliveries').set({ workflow_started_at: null }).where('event_id', '=', eventId).execute();
    await startStrandedDeliveries(hookrelay.ctx, { olderThanMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(requestsFor(eventId)).toHaveLength(1);
    expect(await startedAt(eventId)).toBeInstanceOf(Date);
  });

  it('the worker runs the sweeper on an interval', async () => {
    const eventId = await recordWithoutStarting();
    const sweeper = startStrandedDeliverySweeper(hookrelay.ctx, { intervalMs: 100, olderThanMs: 0 });
    try {
      await waitFor(async () => requestsFor(eventId).length === 1, { what: 'the delivery started by the sweeper' });
    } finally {
      await sweeper.stop();
    }
  });

  it('a repeat of an idempotent publish starts what the first one recorded but did not start', async () => {
    const idempotencyKey = `key-${newId('evt')}`;
    const eventId = await recordWithoutStarting({ idempotencyKey });
    const repeat = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
      body: { type: 'invoice.activated', data: { n: 1 } },
      headers: { 'idempotency-key': idempotencyKey },
    });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual({ id: eventId, deliveryCount: 1, duplicate: true });
    await waitFor(async () => requestsFor(eventId).length === 1, { what: 'the delivery' });
    expect(await startedAt(eventId)).toBeInstanceOf(Date);
  });

  it('a client sharing its NativeConnection with a worker starts deliveries eagerly (npm start, activities)', async () => {
    const connection = await NativeConnection.connect({ address: testStack().temporalAddress });
    const taskQueue = `${hookrelay.taskQueue}-eager`;
    const ctx: ServiceContext = { ...hookrelay.ctx, temporal: new Client({ connection }), taskQueue, eagerWorkflowStart: true };
    const worker = await createHookrelayWorker({
      connection,
      namespace: 'default',
      services: ctx,
      ...deliveryTuning(hookrelay.config),
      workflowBundlePath: testStack().workflowBundlePath,
    });
    const running = worker.run();
    try {
      const recorded = await recordEvent(hookrelay.db, { eventId: newId('evt'), tenantId, type: 'invoice.activated', data: { n: 4 } });
      const started = await startDeliveryWorkflow(ctx.temporal, recorded.deliveries[0]!, { taskQueue, eager: true });
      expect(started).toEqual({ eagerlyStarted: true });
      await waitFor(async () => requestsFor(recorded.eventId).length === 1, { what: 'the eagerly started delivery' });
      // Starting it again is harmless, and not eager: it already ran.
      await hookrelay.temporal.workflow.getHandle(recorded.deliveries[0]!.workflowId).result();
      expect(await startDeliveryWorkflow(ctx.temporal, recorded.deliveries[0]!, { taskQueue, eager: true })).toEqual({
        eagerlyStarted: false,
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(requestsFor(recorded.eventId)).toHaveLength(1);
    } finally {
      worker.shutdown();
      await running;
      await connection.close();
    }
  });

  it('with Temporal unreachable an API publish is still accepted, and the sweeper delivers it later', async () => {
    // A Temporal address that refuses connections: a loopback port nobody listens on.
    const port = await freePort();
    const connection = Connection.lazy({
      address: `127.0.0.1:${port}`,
      interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 1 }))],
    });
    const unreachable = new Client({ connection });
    const ctx: ServiceContext = { ...hookrelay.ctx, temporal: unreachable };
    const failures: unknown[] = [];
    const result = await recordEventAndStartDeliveries(
      ctx,
      { eventId: newId('evt'), tenantId, type: 'invoice.activated', data: { n: 3 } },
      { onStartFailed: (error) => failures.push(error) },
    );
    await unreachable.connection.close();
    expect(result).toMatchObject({ deliveryCount: 1, duplicate: false });
    expect(failures).toHaveLength(1);
    expect(await startedAt(result.eventId)).toBeNull();
    expect(requestsFor(result.eventId)).toHaveLength(0);

    await startStrandedDeliveries(hookrelay.ctx, { olderThanMs: 0 });
    await waitFor(async () => requestsFor(result.eventId).length === 1, { what: 'the swept delivery' });
  });
});
