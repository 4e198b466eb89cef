// No half-done writes (issue 11 part 3): a change the API commits is answered as done even when
// Temporal is unreachable, and the worker's sweeper finishes its Temporal side once Temporal is
// back: the operational endpoint.disabled event is delivered, waiting deliveries are stopped,
// resends, test events and recovers are delivered. The outage is real: the hookrelay's Temporal
// client (API, activities, sweeper) goes through a TCP proxy the test takes down and brings back.
import { Client, Connection } from '@temporalio/client';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client/lib/grpc-retry';
import { newId } from '../../src/domain/ids';
import { disableEndpoint } from '../../src/services/endpoint-control.service';
import { FOLLOW_UP_DEADLINE_MS } from '../../src/services/follow-up.service';
import { recordEvent } from '../../src/services/publishing.service';
import { createTenant, ensureEventType, expectProblem } from '../support/api';
import { startReceiver, type ReceivedRequest, type Receiver } from '../support/receiver';
import { startTestHookrelay, testStack, type TestHookrelay } from '../support/stack';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait';

const noRetries = { strategy: 'schedule', delaysSeconds: [], jitter: 0 };
const waitAnHour = { strategy: 'schedule', delaysSeconds: [3600], jitter: 0 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Temporal client through `address` that fails a call at once instead of retrying it (keeps the test quick). */
function clientThrough(address: string): Client {
  const connection = Connection.lazy({ address, interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 1 }))] });
  return new Client({ connection });
}

interface Harness {
  hookrelay: TestHookrelay;
  receiver: Receiver;
  ops: Receiver;
  proxy: TcpProxy;
}

/** A hookrelay whose Temporal client goes through a proxy; its worker (direct) sweeps every `sweepIntervalMs`. */
async function startHarness(sweepIntervalMs: number): Promise<Harness> {
  const proxy = await startTcpProxy(testStack().temporalAddress);
  const [hookrelay, receiver, ops] = await Promise.all([
    startTestHookrelay(
      {},
      { temporalClient: clientThrough(proxy.address), strandedDeliverySweep: { intervalMs: sweepIntervalMs, olderThanMs: 0 } },
    ),
    startReceiver(),
    startReceiver(),
  ]);
  await ensureEventType(hookrelay, 'invoice.activated');
  return { hookrelay, receiver, ops, proxy };
}

async function stopHarness(harness: Harness | undefined): Promise<void> {
  if (!harness) return;
  await harness.proxy.start();
  await harness.hookrelay.close();
  await Promise.all([harness.receiver.close(), harness.ops.close(), harness.proxy.close()]);
}

function helpers(get: () => Harness) {
  const request: TestHookrelay['request'] = (...args) => get().hookrelay.request(...args);
  return {
    async createEndpoint(tenantId: string, body: Record<string, unknown>): Promise<string> {
      const res = await request('POST', `/v1/tenants/${tenantId}/endpoints`, {
        body: { name: 'receiver', url: get().receiver.url, eventTypes: ['invoice.activated'], enabled: true, ...body },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    },
    async publish(tenantId: string): Promise<string> {
      const res = await request('POST', `/v1/tenants/${tenantId}/events`, { body: { type: 'invoice.activated', data: { n: 1 } } });
      expect(res.status).toBe(202);
      return res.body.id as string;
    },
    async deliveryWhen(tenantId: string, deliveryId: string, predicate: (body: any) => boolean, what: string) {
      return waitFor(
        async () => {
          const res = await request('GET', `/v1/tenants/${tenantId}/deliveries/${deliveryId}`);
          return predicate(res.body) ? res.body : undefined;
        },
        { what, timeoutMs: 20_000 },
      );
    },
    async deliveriesOf(eventId: string) {
      return get().hookrelay.db.selectFrom('deliveries').selectAll().where('event_id', '=', eventId).orderBy('created_at').execute();
    },
    requestsFor(receiver: Receiver, eventId: string): ReceivedRequest[] {
      return receiver.requests.filter((received) => received.headers['webhook-id'] === eventId);
    },
    async stopRequestsOf(endpointId: string) {
      return get().hookrelay.db.selectFrom('delivery_stop_requests').selectAll().where('endpoint_id', '=', endpointId).execute();
    },
  };
}

describe('no half-done writes while Temporal is unreachable', () => {
  let harness: Harness;
  const h = helpers(() => harness);

  beforeAll(async () => {
    harness = await startHarness(250);
  });
  afterAll(() => stopHarness(harness));
  beforeEach(async () => {
    await harness.proxy.start();
    harness.receiver.respondWith(() => ({ status: 200, body: 'ok' }));
  });

  /** A delivery of a new event to the endpoint, failed once and waiting an hour for its retry. */
  async function waitingDelivery(tenantId: string, endpointId: string) {
    harness.receiver.respondWith(() => ({ status: 500 }));
    const eventId = await h.publish(tenantId);
    const [delivery] = await h.deliveriesOf(eventId);
    expect(delivery!.endpoint_id).toBe(endpointId);
    await h.deliveryWhen(tenantId, delivery!.id, (d) => d.status === 'retrying', 'a waiting delivery');
    return delivery!;
  }

  it('disabling an endpoint answers 200 and records the operational event and the stop; the sweeper finishes both', async () => {
    const tenantId = await createTenant(harness.hookrelay);
    await h.createEndpoint(tenantId, { name: 'ops', url: harness.ops.url, eventTypes: ['endpoint.disabled'] });
    const endpointId = await h.createEndpoint(tenantId, { retryPolicy: waitAnHour });
    const waiting = await waitingDelivery(tenantId, endpointId);

    await harness.proxy.stop();
    const res = await harness.hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointId}/disable`, {
      body: { reason: 'maintenance' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: endpointId, enabled: false, disabledReason: 'maintenance' });

    // Everything is written: the event with its delivery to the subscriber, and the stop request.
    const opEvent = await harness.hookrelay.db
      .selectFrom('events')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('type', '=', 'endpoint.disabled')
      .executeTakeFirstOrThrow();
    expect(opEvent).toMatchObject({ resource_id: endpointId, data: { endpointId, reason: 'maintenance' } });
    const [opDelivery] = await h.deliveriesOf(opEvent.id);
    expect(opDelivery).toMatchObject({ status: 'pending', workflow_started_at: null });
    expect(await h.stopRequestsOf(endpointId)).toEqual([
      expect.objectContaining({ reason: 'endpoint disabled: maintenance', completed_at: null }),
    ]);
    await sleep(600); // a few sweeps fail meanwhile
    expect(h.requestsFor(harness.ops, opEvent.id)).toHaveLength(0);
    expect((await harness.hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${waiting.id}`)).body.status).toBe('retrying');

    await harness.proxy.start();
    await waitFor(async () => h.requestsFor(harness.ops, opEvent.id).length > 0, {
      what: 'endpoint.disabled delivered',
      timeoutMs: 20_000,
    });
    expect(JSON.parse(h.requestsFor(harness.ops, opEvent.id)[0]!.body)).toMatchObject({
      type: 'endpoint.disabled',
      data: { endpointId, reason: 'maintenance' },
    });
    const stopped = await h.deliveryWhen(tenantId, waiting.id, (d) => d.status === 'cancelled', 'the waiting delivery stopped');
    expect(stopped).toMatchObject({ statusReason: 'endpoint disabled: maintenance', attemptCount: 1 });
    await waitFor(async () => (await h.stopRequestsOf(endpointId))[0]?.completed_at, { what: 'stop request completed' });
    await sleep(500);
    expect(h.requestsFor(harness.ops, opEvent.id)).toHaveLength(1);
  });

  it('deleting an endpoint answers 204; its waiting delivery is stopped once Temporal is back', async () => {
    const tenantId = await createTenant(harness.hookrelay);
    const endpointId = await h.createEndpoint(tenantId, { retryPolicy: waitAnHour });
    const waiting = await waitingDelivery(tenantId, endpointId);

    await harness.proxy.stop();
    const res = await harness.hookrelay.request('DELETE', `/v1/tenants/${tenantId}/endpoints/${endpointId}`);
    expect(res.status).toBe(204);
    expectProblem(await harness.hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}`), 404);
    expect(await h.stopRequestsOf(endpointId)).toEqual([expect.objectContaining({ reason: 'endpoint deleted', completed_at: null })]);
    await sleep(600);
    expect((await harness.hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${waiting.id}`)).body.status).toBe('retrying');

    await harness.proxy.start();
    const stopped = await h.deliveryWhen(tenantId, waiting.id, (d) => d.status === 'cancelled', 'the waiting delivery stopped');
    expect(stopped).toMatchObject({ statusReason: 'endpoint deleted', attemptCount: 1 });
  });

  it('resending a finished delivery answers 202 with the new delivery, which is delivered once Temporal is back', async () => {
    const tenantId = await createTenant(harness.hookrelay);
    await h.createEndpoint(tenantId, { retryPolicy: noRetries });
    harness.receiver.respondWith(() => ({ status: 500 }));
    const eventId = await h.publish(tenantId);
    const [original] = await h.deliveriesOf(eventId);
    await h.deliveryWhen(tenantId, original!.id, (d) => d.status === 'failed', 'failed');
    harness.receiver.respondWith(() => ({ status: 200 }));

    await harness.proxy.stop();
    const res = await harness.hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${original!.id}/resend`);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ deliveryId: expect.stringMatching(/^dlv_/), mode: 'new' });
    const resend = await harness.hookrelay.db
      .selectFrom('deliveries')
      .selectAll()
      .where('id', '=', res.body.deliveryId)
      .executeTakeFirstOrThrow();
    expect(resend).toMatchObject({ retry_of_id: original!.id, status: 'pending', workflow_started_at: null });
    await sleep(600);
    expect(h.requestsFor(harness.receiver, eventId)).toHaveLength(1);

    await harness.proxy.start();
    await h.deliveryWhen(tenantId, res.body.deliveryId, (d) => d.status === 'succeeded', 'the resend delivered');
    expect(h.requestsFor(harness.receiver, eventId)).toHaveLength(2);
  });

  it('a change refused before its commit still answers 503 and writes nothing (resend or cancel of a waiting delivery)', async () => {
    const tenantId = await createTenant(harness.hookrelay);
    const endpointId = await h.createEndpoint(tenantId, { retryPolicy: waitAnHour });
    const waiting = await waitingDelivery(tenantId, endpointId);

    await harness.proxy.stop();
    const resend = await harness.hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${waiting.id}/resend`);
    expectProblem(resend, 503);
    const cancel = await harness.hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${waiting.id}/cancel`);
    expectProblem(cancel, 503);
    const rows = await harness.hookrelay.db
      .selectFrom('deliveries')
      .select(['id', 'status'])
      .where('endpoint_id', '=', endpointId)
      .execute();
    expect(rows).toEqual([{ id: waiting.id, status: 'retrying' }]);
  });

  it('sending a test event answers 202; it is delivered once Temporal is back', async () => {
    const tenantId = await createTenant(harness.hookrelay);
    const endpointId = await h.createEndpoint(tenantId, { enabled: false });

    await harness.proxy.stop();
    const res = await harness.hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointId}/test`);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.stringMatching(/^evt_/), deliveryCount: 1 });
    const [delivery] = await h.deliveriesOf(res.body.id);
    expect(delivery).toMatchObject({ endpoint_id: endpointId, event_type: 'webhook.test', workflow_started_at: null });
    await sleep(600);
    expect(h.requestsFor(harness.receiver, res.body.id)).toHaveLength(0);

    await harness.proxy.start();
    await waitFor(async () => h.requestsFor(harness.receiver, res.body.id).length === 1, { what: 'the test event', timeoutMs: 20_000 });
    expect(JSON.parse(h.requestsFor(harness.receiver, res.body.id)[0]!.body)).toMatchObject({ type: 'webhook.test', data: { endpointId } });
  });

  it('a recover answers 202 with its resends; repeating it resends nothing twice; all are delivered once Temporal is back', async () => {
    const tenantId = await createTenant(harness.hookrelay);
    const endpointId = await h.createEndpoint(tenantId, { retryPolicy: noRetries });
    const since = new Date(Date.now() - 1000).toISOString();
    harness.receiver.respondWith(() => ({ status: 500 }));
    const eventIds = [await h.publish(tenantId), await h.publish(tenantId)];
    const originals = [];
    for (const eventId of eventIds) {
      const [delivery] = await h.deliveriesOf(eventId);
      originals.push(delivery!.id);
      await h.deliveryWhen(tenantId, delivery!.id, (d) => d.status === 'failed', 'failed');
    }
    harness.receiver.respondWith(() => ({ status: 200 }));
    const recover = () => harness.hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointId}/recover`, { body: { since } });

    await harness.proxy.stop();
    const first = await recover();
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      deliveryCount: 2,
      deliveryIds: [expect.stringMatching(/^dlv_/), expect.stringMatching(/^dlv_/)],
      replayId: expect.stringMatching(/^rpl_/),
    });
    const repeat = await recover();
    expect(repeat.status).toBe(202);
    expect(repeat.body).toEqual(first.body);
    const resends = await harness.hookrelay.db
      .selectFrom('deliveries')
      .select(['id', 'retry_of_id', 'workflow_started_at'])
      .where('endpoint_id', '=', endpointId)
      .where('retry_of_id', 'is not', null)
      .orderBy('created_at')
      .execute();
    expect(resends.map((row) => row.retry_of_id).sort()).toEqual([...originals].sort());
    expect(resends.every((row) => row.workflow_started_at === null)).toBe(true);

    await harness.proxy.start();
    for (const id of first.body.deliveryIds) await h.deliveryWhen(tenantId, id, (d) => d.status === 'succeeded', 'recovered');
    const again = await recover();
    expect(again.body).toEqual(first.body);
    await sleep(500);
    for (const eventId of eventIds) expect(h.requestsFor(harness.receiver, eventId)).toHaveLength(2);
  });

  it("with the client's production retry budget, a committed change still answers within the follow-up deadline", async () => {
    const tenantId = await createTenant(harness.hookrelay);
    await h.createEndpoint(tenantId, { name: 'ops', url: harness.ops.url, eventTypes: ['endpoint.disabled'] });
    const endpointId = await h.createEndpoint(tenantId, {});
    // Retries for about 20 s before giving up on an unreachable server (the default interceptor).
    const patient = new Client({ connection: Connection.lazy({ address: harness.proxy.address }) });
    await harness.proxy.stop();
    const failures: unknown[] = [];
    const startedAt = Date.now();
    try {
      const disabled = await disableEndpoint({ ...harness.hookrelay.ctx, temporal: patient }, tenantId, endpointId, 'maintenance', {
        onFollowUpFailed: (error) => failures.push(error),
      });
      expect(disabled).toMatchObject({ enabled: false, disabled_reason: 'maintenance' });
    } finally {
      await patient.connection.close();
    }
    const elapsedMs = Date.now() - startedAt;
    expect(elapsedMs).toBeGreaterThanOrEqual(FOLLOW_UP_DEADLINE_MS - 100);
    expect(elapsedMs).toBeLessThan(FOLLOW_UP_DEADLINE_MS + 4000);
    expect(failures).toHaveLength(1);
    const opEvent = await harness.hookrelay.db
      .selectFrom('events')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('type', '=', 'endpoint.disabled')
      .executeTakeFirstOrThrow();
    await harness.proxy.start();
    await waitFor(async () => h.requestsFor(harness.ops, opEvent.id).length === 1, {
      what: 'endpoint.disabled delivered',
      timeoutMs: 20_000,
    });
  });

  it('a 410 Gone disables the endpoint from the worker; endpoint.disabled reaches its subscriber once Temporal is back', async () => {
    const tenantId = await createTenant(harness.hookrelay);
    await h.createEndpoint(tenantId, { name: 'ops', url: harness.ops.url, eventTypes: ['endpoint.disabled'] });
    const endpointId = await h.createEndpoint(tenantId, { retryPolicy: { strategy: 'schedule', delaysSeconds: [1], jitter: 0 } });
    harness.receiver.respondWith(() => ({ status: 500 }));
    const eventId = await h.publish(tenantId);
    const [delivery] = await h.deliveriesOf(eventId);
    await h.deliveryWhen(tenantId, delivery!.id, (d) => d.status === 'retrying', 'retrying');

    // The worker keeps its own connection; what the activity asks of Temporal goes through the proxy.
    await harness.proxy.stop();
    harness.receiver.respondWith(() => ({ status: 410 }));
    await h.deliveryWhen(tenantId, delivery!.id, (d) => d.status === 'failed', 'failed on 410');
    const endpoint = await harness.hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}`);
    expect(endpoint.body).toMatchObject({ enabled: false, disabledReason: 'endpoint answered 410 Gone' });
    const opEvent = await harness.hookrelay.db
      .selectFrom('events')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('type', '=', 'endpoint.disabled')
      .executeTakeFirstOrThrow();
    const [opDelivery] = await h.deliveriesOf(opEvent.id);
    expect(opDelivery).toMatchObject({ workflow_started_at: null });

    await harness.proxy.start();
    await waitFor(async () => h.requestsFor(harness.ops, opEvent.id).length === 1, {
      what: 'endpoint.disabled delivered',
      timeoutMs: 20_000,
    });
  });
});

describe('with the sweeper idle: resend and recover finish their own work', () => {
  let harness: Harness;
  const h = helpers(() => harness);

  // The sweeper stays idle here: what gets started is started by the requests themselves.
  beforeAll(async () => {
    harness = await startHarness(3_600_000);
  });
  afterAll(() => stopHarness(harness));

  async function failedDeliveries(tenantId: string, count: number): Promise<string[]> {
    harness.receiver.respondWith(() => ({ status: 500 }));
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const [delivery] = await h.deliveriesOf(await h.publish(tenantId));
      ids.push(delivery!.id);
    }
    for (const id of ids) await h.deliveryWhen(tenantId, id, (d) => d.status === 'failed', 'failed');
    harness.receiver.respondWith(() => ({ status: 200 }));
    return ids;
  }

  it('resending a delivery recorded but never started starts it at once, as the same delivery', async () => {
    const tenantId = await createTenant(harness.hookrelay);
    const endpointId = await h.createEndpoint(tenantId, {});
    // Recorded as the API does, then the process "died" before starting anything.
    const recorded = await recordEvent(harness.hookrelay.db, {
      eventId: newId('evt'),
      tenantId,
      type: 'invoice.activated',
      data: { n: 1 },
    });
    const [planned] = recorded.deliveries;

    const res = await harness.hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${planned!.deliveryId}/resend`);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ deliveryId: planned!.deliveryId, mode: 'signalled' });
    await h.deliveryWhen(tenantId, planned!.deliveryId, (d) => d.status === 'succeeded', 'delivered');
    expect(h.requestsFor(harness.receiver, recorded.eventId)).toHaveLength(1);
    const rows = await harness.hookrelay.db.selectFrom('deliveries').select('id').where('endpoint_id', '=', endpointId).execute();
    expect(rows).toEqual([{ id: planned!.deliveryId }]);
  });

  it('concurrent identical recovers create one resend per failed delivery and answer the same', async () => {
    const tenantId = await createTenant(harness.hookrelay);
    const endpointId = await h.createEndpoint(tenantId, { retryPolicy: noRetries });
    const since = new Date(Date.now() - 1000).toISOString();
    const originals = await failedDeliveries(tenantId, 3);
    const until = new Date(Date.now() + 1000).toISOString();

    const answers = await Promise.all(
      [1, 2, 3].map(() =>
        harness.hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointId}/recover`, { body: { since, until } }),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      expect(answer.body).toEqual(answers[0]!.body);
    }
    expect(answers[0]!.body.deliveryCount).toBe(3);
    const resends = await harness.hookrelay.db
      .selectFrom('deliveries')
      .select('retry_of_id')
      .where('endpoint_id', '=', endpointId)
      .where('retry_of_id', 'is not', null)
      .execute();
    expect(resends.map((row) => row.retry_of_id).sort()).toEqual([...originals].sort());
    for (const id of answers[0]!.body.deliveryIds) await h.deliveryWhen(tenantId, id, (d) => d.status === 'succeeded', 'recovered');
  });

  it('a recover interrupted after its commit is finished by its retry, without a second resend', async () => {
    const tenantId = await createTenant(harness.hookrelay);
    const endpointId = await h.createEndpoint(tenantId, { retryPolicy: noRetries });
    const since = new Date(Date.now() - 1000).toISOString();
    const eventIds = [];
    for (const id of await failedDeliveries(tenantId, 2)) {
      eventIds.push(
        (await harness.hookrelay.db.selectFrom('deliveries').select('event_id').where('id', '=', id).executeTakeFirstOrThrow()).event_id,
      );
    }
    const recover = () => harness.hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointId}/recover`, { body: { since } });

    // Committed, but none of its workflows started (Temporal went away mid-request).
    await harness.proxy.stop();
    const interrupted = await recover();
    expect(interrupted.status).toBe(202);
    await harness.proxy.start();
    await sleep(500);
    for (const eventId of eventIds) expect(h.requestsFor(harness.receiver, eventId)).toHaveLength(1);

    const retried = await waitFor(
      async () => {
        const answer = await recover();
        const rows = await harness.hookrelay.db
          .selectFrom('deliveries')
          .select('id')
          .where('id', 'in', answer.body.deliveryIds)
          .where('workflow_started_at', 'is not', null)
          .execute();
        return rows.length === 2 ? answer : undefined;
      },
      { what: 'the retried recover starting the resends (the connection comes back)', timeoutMs: 20_000 },
    );
    expect(retried.body).toEqual(interrupted.body);
    for (const id of retried.body.deliveryIds) await h.deliveryWhen(tenantId, id, (d) => d.status === 'succeeded', 'recovered');
    for (const eventId of eventIds) expect(h.requestsFor(harness.receiver, eventId)).toHaveLength(2);
  });
});
