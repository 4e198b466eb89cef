// Fan-out at scale (issue 11 part 4): a publish to a tenant with a thousand subscribed endpoints,
// through the API and through the typed client, reaches every endpoint exactly once. Past
// HOOKRELAY_INLINE_START_MAX_DELIVERIES the publish answers after its commit and the starts run
// in the background, HOOKRELAY_WORKFLOW_START_CONCURRENCY at a time. (20,000 endpoints:
// test/integration/fan-out-recording.test.ts for the recording, `npm run bench:fanout` end to end.)
import { Client, Connection } from '@temporalio/client';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client/lib/grpc-retry';
import { newId } from '../../src/domain/ids';
import type { ServiceContext } from '../../src/services/context';
import { recordEventAndStartDeliveries, startStrandedDeliveries } from '../../src/services/publishing.service';
import { publishEvent, publishWorkflowId } from '../../src/temporal/client';
import { createTenant, ensureEventType } from '../support/api';
import { insertSubscribedEndpoints } from '../support/bulk-endpoints';
import { freePort } from '../support/free-port';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

const ENDPOINTS = 1_000;
/** Above the inline-start limit of 100 set below, so its starts run in the background. */
const SWEPT_ENDPOINTS = 150;

describe('fan-out to a thousand endpoints', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let tenantId: string;
  let sweptTenantId: string;

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([
      startTestHookrelay({ HOOKRELAY_INLINE_START_MAX_DELIVERIES: '100', HOOKRELAY_WORKFLOW_START_CONCURRENCY: '16' }),
      startReceiver(),
    ]);
    await ensureEventType(hookrelay, 'order.shipped');
    tenantId = await createTenant(hookrelay);
    sweptTenantId = await createTenant(hookrelay, 'Swept');
    const seed = (tenant: string, count: number, path: string) =>
      insertSubscribedEndpoints(hookrelay.db, {
        tenantId: tenant,
        eventType: 'order.shipped',
        count,
        url: (index) => `${receiver.url}/${path}/${index}`,
        secretBox: hookrelay.ctx.secretBox,
      });
    await seed(tenantId, ENDPOINTS, 'endpoint');
    await seed(sweptTenantId, SWEPT_ENDPOINTS, 'swept');
  }, 60_000);
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });

  /** How many POSTs of this event each endpoint (by its URL path) received. */
  const postsPerEndpoint = (eventId: string) => {
    const counts = new Map<string, number>();
    for (const request of receiver.requests) {
      if (request.headers['webhook-id'] !== eventId) continue;
      counts.set(request.url, (counts.get(request.url) ?? 0) + 1);
    }
    return counts;
  };
  const expectEachEndpointOnce = async (eventId: string, count: number, path: string) => {
    await waitFor(async () => postsPerEndpoint(eventId).size === count, { timeoutMs: 150_000, what: `${count} deliveries` });
    // Give a duplicate the chance to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const counts = postsPerEndpoint(eventId);
    expect([...counts.values()].every((posts) => posts === 1)).toBe(true);
    const expected = Array.from({ length: count }, (_, index) => new URL(`${receiver.url}/${path}/${index}`).pathname);
    expect([...counts.keys()].sort()).toEqual(expected.sort());
  };

  it(`an API publish to ${ENDPOINTS} endpoints is accepted with one delivery each and reaches every endpoint once`, async () => {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, { body: { type: 'order.shipped', data: { order: 1 } } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ deliveryCount: ENDPOINTS, duplicate: false });
    await expectEachEndpointOnce(res.body.id, ENDPOINTS, 'endpoint');
    const deliveries = await hookrelay.db.selectFrom('deliveries').select('status').where('event_id', '=', res.body.id).execute();
    expect(deliveries).toHaveLength(ENDPOINTS);
    expect(deliveries.every((delivery) => delivery.status === 'succeeded')).toBe(true);
  }, 180_000);

  it(`a typed-client publish to ${ENDPOINTS} endpoints reaches every endpoint once, in a publish workflow of 6 events`, async () => {
    const published = await publishEvent(
      hookrelay.temporal,
      { tenantId, type: 'order.shipped', data: { order: 2 } },
      { taskQueue: hookrelay.taskQueue },
    );
    expect(published).toMatchObject({ deliveryCount: ENDPOINTS, duplicate: false });
    await expectEachEndpointOnce(published.eventId, ENDPOINTS, 'endpoint');
    // The local activity returned after its commit: one workflow task, no heartbeats, no payload per delivery.
    const history = await hookrelay.temporal.workflow.getHandle(publishWorkflowId({ tenantId, eventId: published.eventId })).fetchHistory();
    expect(history.events ?? []).toHaveLength(6);
  }, 180_000);

  it('a large fan-out whose background starts fail is still accepted, and the sweeper delivers it', async () => {
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
      { eventId: newId('evt'), tenantId: sweptTenantId, type: 'order.shipped', data: { order: 3 } },
      { onStartFailed: (error) => failures.push(error) },
    );
    expect(result).toMatchObject({ deliveryCount: SWEPT_ENDPOINTS, duplicate: false });
    await waitFor(async () => failures.length === 1, { what: 'the background start failure' });
    await unreachable.connection.close();
    expect(postsPerEndpoint(result.eventId).size).toBe(0);

    await startStrandedDeliveries(hookrelay.ctx, { olderThanMs: 0 });
    await expectEachEndpointOnce(result.eventId, SWEPT_ENDPOINTS, 'swept');
  }, 180_000);
});
