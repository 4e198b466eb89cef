// The delivery engine against a real Temporal dev server, a real worker and real receivers:
// fan-out, idempotency, resend, cancel, give-up rules, rotation, operators' view, restarts.
import { Webhook } from 'standardwebhooks';
import { deliveryWorkflowId } from '../../src/domain/ids';
import { generateSigningSecret } from '../../src/domain/signature';
import { InvalidInputError } from '../../src/domain/errors';
import { publishEvent } from '../../src/temporal/client';
import { stateQuery } from '../../src/workflows/messages';
import { createTenant, ensureEventType } from '../support/api';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

const fastRetries = (delaysSeconds: number[], extra: Record<string, unknown> = {}) => ({
  strategy: 'schedule',
  delaysSeconds,
  jitter: 0,
  ...extra,
});

describe('delivery engine', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let operational: Receiver;

  beforeAll(async () => {
    [hookrelay, receiver, operational] = await Promise.all([startTestHookrelay(), startReceiver(), startReceiver()]);
    for (const type of ['invoice.activated', 'invoice.paid', 'order.created']) await ensureEventType(hookrelay, type);
  });
  afterAll(async () => {
    await hookrelay?.close();
    await Promise.all([receiver?.close(), operational?.close()]);
  });
  beforeEach(() => receiver.respondWith(() => ({ status: 200, body: 'ok' })));

  async function createEndpoint(tenantId: string, body: Record<string, unknown>): Promise<string> {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'receiver', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true, ...body },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function publish(tenantId: string, body: Record<string, unknown> = {}, headers?: Record<string, string>) {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
      body: { type: 'invoice.activated', data: { n: 1 }, ...body },
      headers,
    });
    expect([200, 202]).toContain(res.status);
    return res;
  }

  async function deliveriesOf(eventId: string) {
    return hookrelay.db.selectFrom('deliveries').selectAll().where('event_id', '=', eventId).orderBy('created_at').execute();
  }

  async function deliveryWhen(tenantId: string, deliveryId: string, predicate: (body: any) => boolean, what: string) {
    return waitFor(
      async () => {
        const res = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${deliveryId}`);
        return predicate(res.body) ? res.body : undefined;
      },
      { what },
    );
  }

  it('fans out to every enabled endpoint subscribed to the type or to *, and to no other', async () => {
    const tenantId = await createTenant(hookrelay);
    const exact = await createEndpoint(tenantId, { eventTypes: ['invoice.activated'] });
    const wildcard = await createEndpoint(tenantId, { eventTypes: ['*'] });
    await createEndpoint(tenantId, { eventTypes: ['invoice.activated'], enabled: false });
    await createEndpoint(tenantId, { eventTypes: ['order.created'] });
    const otherTenant = await createTenant(hookrelay, 'Other');
    await createEndpoint(otherTenant, { eventTypes: ['*'] });

    const published = await publish(tenantId);
    expect(published.body.deliveryCount).toBe(2);
    const deliveries = await deliveriesOf(published.body.id);
    expect(deliveries.map((d) => d.endpoint_id).sort()).toEqual([exact, wildcard].sort());
    await waitFor(async () => receiver.requests.filter((r) => r.headers['webhook-id'] === published.body.id).length === 2, {
      what: 'two receptions',
    });
  });

  it('publishes idempotently by key, through the API and through the Temporal client', async () => {
    const tenantId = await createTenant(hookrelay);
    await createEndpoint(tenantId, {});
    const first = await publish(tenantId, {}, { 'idempotency-key': 'order-42' });
    const repeats = await Promise.all([
      publish(tenantId, {}, { 'idempotency-key': 'order-42' }),
      publish(tenantId, { idempotencyKey: 'order-42' }),
    ]);
    expect(first.status).toBe(202);
    for (const repeat of repeats) {
      expect(repeat.status).toBe(200);
      expect(repeat.body).toEqual({ id: first.body.id, deliveryCount: 1, duplicate: true });
    }

    // Concurrent starts join the one running publish; a later repeat finds the recorded event.
    const clientPublish = () =>
      publishEvent(
        hookrelay.temporal,
        { tenantId, type: 'invoice.activated', data: { n: 2 }, idempotencyKey: 'client-7' },
        { taskQueue: hookrelay.taskQueue },
      );
    const concurrent = await Promise.all([clientPublish(), clientPublish(), clientPublish()]);
    expect(new Set(concurrent.map((r) => r.eventId)).size).toBe(1);
    const later = await clientPublish();
    expect(later).toEqual({ eventId: concurrent[0]!.eventId, deliveryCount: 1, duplicate: true });
    const events = await hookrelay.db.selectFrom('events').select('id').where('tenant_id', '=', tenantId).execute();
    expect(events).toHaveLength(2);
    expect(await hookrelay.db.selectFrom('deliveries').select('id').where('tenant_id', '=', tenantId).execute()).toHaveLength(2);
  });

  it('attempts at once on a resend signal while waiting, with trigger manual, and keeps the webhook-id', async () => {
    const tenantId = await createTenant(hookrelay);
    await createEndpoint(tenantId, { retryPolicy: fastRetries([3600]) });
    receiver.respondWith(() => ({ status: 500 }));
    const { body } = await publish(tenantId);
    const [delivery] = await deliveriesOf(body.id);
    await deliveryWhen(tenantId, delivery!.id, (d) => d.status === 'retrying', 'retrying');

    const state = await hookrelay.temporal.workflow.getHandle(delivery!.workflow_id).query(stateQuery);
    expect(state).toMatchObject({ status: 'retrying', attempts: 1, lastResponseStatus: 500 });
    expect(Date.parse(state.nextAttemptAt!) - Date.now()).toBeGreaterThan(3500_000);

    receiver.respondWith(() => ({ status: 200 }));
    const resend = await hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${delivery!.id}/resend`);
    expect(resend.status).toBe(202);
    expect(resend.body).toEqual({ deliveryId: delivery!.id, mode: 'signalled' });
    const done = await deliveryWhen(tenantId, delivery!.id, (d) => d.status === 'succeeded', 'succeeded');
    expect(done.attempts.map((a: { trigger: string }) => a.trigger)).toEqual(['scheduled', 'manual']);
    const received = receiver.requests.filter((r) => r.headers['webhook-id'] === body.id);
    expect(received).toHaveLength(2);
  });

  it('resends a finished delivery as a new delivery with retryOfId and the same webhook-id', async () => {
    const tenantId = await createTenant(hookrelay);
    await createEndpoint(tenantId, {});
    const { body } = await publish(tenantId);
    const [original] = await deliveriesOf(body.id);
    await deliveryWhen(tenantId, original!.id, (d) => d.status === 'succeeded', 'succeeded');

    const resend = await hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${original!.id}/resend`);
    expect(resend.status).toBe(202);
    expect(resend.body.mode).toBe('new');
    const copy = await deliveryWhen(tenantId, resend.body.deliveryId, (d) => d.status === 'succeeded', 'resent delivery');
    expect(copy).toMatchObject({ retryOfId: original!.id, eventId: body.id, workflowId: deliveryWorkflowId(resend.body.deliveryId) });
    expect(receiver.requests.filter((r) => r.headers['webhook-id'] === body.id)).toHaveLength(2);
  });

  it('cancels a waiting delivery, and refuses to cancel a finished one', async () => {
    const tenantId = await createTenant(hookrelay);
    await createEndpoint(tenantId, { retryPolicy: fastRetries([3600]) });
    receiver.respondWith(() => ({ status: 503 }));
    const { body } = await publish(tenantId);
    const [delivery] = await deliveriesOf(body.id);
    await deliveryWhen(tenantId, delivery!.id, (d) => d.status === 'retrying', 'retrying');

    const cancel = await hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${delivery!.id}/cancel`);
    expect(cancel.status).toBe(202);
    const cancelled = await deliveryWhen(tenantId, delivery!.id, (d) => d.status === 'cancelled', 'cancelled');
    expect(cancelled).toMatchObject({ attemptCount: 1, nextAttemptAt: null, statusReason: 'cancelled by request' });
    const again = await hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${delivery!.id}/cancel`);
    expect(again.status).toBe(409);
    const state = await hookrelay.temporal.workflow.getHandle(delivery!.workflow_id).result();
    expect(state.status).toBe('cancelled');
  });

  it('fails on 410 Gone, disables the endpoint, and publishes endpoint.disabled to subscribers', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId, {});
    const watcher = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'ops', url: operational.url, eventTypes: ['endpoint.disabled'], enabled: true },
    });
    receiver.respondWith(() => ({ status: 410 }));
    const { body } = await publish(tenantId);
    const [delivery] = await deliveriesOf(body.id);
    const failed = await deliveryWhen(tenantId, delivery!.id, (d) => d.status === 'failed', 'failed');
    expect(failed).toMatchObject({ attemptCount: 1, lastResponseStatus: 410, statusReason: 'endpoint answered 410 Gone' });

    const endpoint = await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}`);
    expect(endpoint.body).toMatchObject({ enabled: false, disabledReason: 'endpoint answered 410 Gone' });
    const notice = await waitFor(async () => operational.requests.find((r) => JSON.parse(r.body).data?.endpointId === endpointId), {
      what: 'endpoint.disabled',
    });
    const event = JSON.parse(notice.body);
    expect(event).toMatchObject({
      type: 'endpoint.disabled',
      tenantId,
      resourceId: endpointId,
      data: { endpointId, reason: 'endpoint answered 410 Gone' },
    });
    expect(watcher.status).toBe(201);
  });

  it('disables the endpoint when a delivery exhausts its retries with disableEndpointOnExhaustion', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId, { retryPolicy: fastRetries([1], { disableEndpointOnExhaustion: true }) });
    receiver.respondWith(() => ({ status: 500 }));
    const { body } = await publish(tenantId);
    const [delivery] = await deliveriesOf(body.id);
    await deliveryWhen(tenantId, delivery!.id, (d) => d.status === 'failed', 'failed');
    const endpoint = await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}`);
    expect(endpoint.body.enabled).toBe(false);
    expect(endpoint.body.disabledReason).toMatch(/exhausted its retries \(gave up after 2 of 2 attempts\)/);
  });

  it('disables an endpoint whose deliveries have all failed for the configured period (5 days)', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId, { retryPolicy: fastRetries([3600]) });
    await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'ops', url: operational.url, eventTypes: ['endpoint.disabled'], enabled: true },
    });
    const sixDaysAgo = new Date(Date.now() - 6 * 24 * 3600 * 1000);
    await hookrelay.db.updateTable('endpoints').set({ failing_since: sixDaysAgo }).where('id', '=', endpointId).execute();
    receiver.respondWith(() => ({ status: 500 }));
    const { body } = await publish(tenantId);
    const [delivery] = await deliveriesOf(body.id);

    const endpoint = await waitFor(
      async () => {
        const res = await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}`);
        return res.body.enabled === false ? res.body : undefined;
      },
      { what: 'auto-disable' },
    );
    expect(endpoint.disabledReason).toMatch(/^every delivery failed for 144 h/);
    await waitFor(async () => operational.requests.some((r) => JSON.parse(r.body).data?.endpointId === endpointId), {
      what: 'endpoint.disabled event',
    });
    // The delivery stops at its next wake-up; a resend wakes it now and it ends without another attempt.
    await hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${delivery!.id}/resend`);
    const stopped = await deliveryWhen(tenantId, delivery!.id, (d) => d.status === 'failed', 'stopped');
    expect(stopped.attemptCount).toBe(1);
    expect(stopped.statusReason).toBe('endpoint disabled');
  });

  it('stops pending retries when the endpoint is disabled or deleted, and ends cleanly', async () => {
    const tenantId = await createTenant(hookrelay);
    const disabledEp = await createEndpoint(tenantId, { retryPolicy: fastRetries([3600]) });
    const deletedEp = await createEndpoint(tenantId, { retryPolicy: fastRetries([3600]), eventTypes: ['invoice.paid'] });
    receiver.respondWith(() => ({ status: 500 }));
    const a = await publish(tenantId);
    const b = await publish(tenantId, { type: 'invoice.paid' });
    const [da] = await deliveriesOf(a.body.id);
    const [db] = await deliveriesOf(b.body.id);
    await deliveryWhen(tenantId, da!.id, (d) => d.status === 'retrying', 'retrying a');
    await deliveryWhen(tenantId, db!.id, (d) => d.status === 'retrying', 'retrying b');

    expect(
      (await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${disabledEp}/disable`, { body: { reason: 'maintenance' } }))
        .status,
    ).toBe(200);
    expect((await hookrelay.request('DELETE', `/v1/tenants/${tenantId}/endpoints/${deletedEp}`)).status).toBe(204);

    const stoppedA = await hookrelay.temporal.workflow.getHandle(da!.workflow_id).result();
    const stoppedB = await hookrelay.temporal.workflow.getHandle(db!.workflow_id).result();
    expect(stoppedA).toMatchObject({ status: 'cancelled', attempts: 1, reason: 'endpoint disabled: maintenance' });
    expect(stoppedB).toMatchObject({ status: 'cancelled', attempts: 1, reason: 'endpoint deleted' });
    const history = await hookrelay.temporal.workflow.getHandle(db!.workflow_id).fetchHistory();
    expect(history.events!.some((e) => e.workflowTaskFailedEventAttributes)).toBe(false);
  });

  it('ends a delivery whose endpoint row is gone without failing workflow tasks', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId, { retryPolicy: fastRetries([1]) });
    receiver.respondWith(() => ({ status: 500 }));
    const { body } = await publish(tenantId);
    const [delivery] = await deliveriesOf(body.id);
    await deliveryWhen(tenantId, delivery!.id, (d) => d.status === 'retrying', 'retrying');
    await hookrelay.db.deleteFrom('endpoints').where('id', '=', endpointId).execute(); // cascades to deliveries
    const state = await hookrelay.temporal.workflow.getHandle(delivery!.workflow_id).result();
    expect(state).toMatchObject({ status: 'cancelled', reason: 'delivery no longer exists' });
  });

  it('recovers failed deliveries of an endpoint within a window', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId, { retryPolicy: fastRetries([]) });
    receiver.respondWith(() => ({ status: 500 }));
    const since = new Date(Date.now() - 1000).toISOString();
    const events = [await publish(tenantId), await publish(tenantId)];
    for (const e of events) {
      const [d] = await deliveriesOf(e.body.id);
      await deliveryWhen(tenantId, d!.id, (x) => x.status === 'failed', 'failed');
    }
    receiver.respondWith(() => ({ status: 200 }));
    const recover = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointId}/recover`, { body: { since } });
    expect(recover.status).toBe(202);
    expect(recover.body.deliveryCount).toBe(2);
    for (const id of recover.body.deliveryIds) await deliveryWhen(tenantId, id, (d) => d.status === 'succeeded', 'recovered');
    const empty = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointId}/recover`, {
      body: { since: new Date().toISOString() },
    });
    expect(empty.body.deliveryCount).toBe(0);
  });

  it('sends a test event to one endpoint, even a disabled one', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId, { enabled: false });
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointId}/test`);
    expect(res.status).toBe(202);
    expect(res.body.deliveryCount).toBe(1);
    await waitFor(async () => receiver.requests.some((r) => r.headers['webhook-id'] === res.body.id), { what: 'test event' });
    const request = receiver.requests.find((r) => r.headers['webhook-id'] === res.body.id)!;
    expect(JSON.parse(request.body)).toMatchObject({ type: 'webhook.test', data: { endpointId } });
  });

  it('signs with both secrets during a rotation grace period; either verifies', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId, {});
    const before = (await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}/secret`)).body.secret;
    const rotated = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpointId}/secret/rotate`, { body: {} });
    expect(rotated.status).toBe(200);
    expect(rotated.body.previousSecrets.map((p: { secret: string }) => p.secret)).toEqual([before]);
    const { body } = await publish(tenantId);
    const [request] = await waitFor(async () => {
      const found = receiver.requests.filter((r) => r.headers['webhook-id'] === body.id);
      return found.length ? found : undefined;
    });
    const headers = request!.headers as Record<string, string>;
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(before).verify(request!.body, headers)).not.toThrow();
    expect(() => new Webhook(rotated.body.secret).verify(request!.body, headers)).not.toThrow();
    expect(() => new Webhook(generateSigningSecret()).verify(request!.body, headers)).toThrow();
  });

  it('does not follow redirects, reads at most 64 KiB, and times out per endpoint', async () => {
    const tenantId = await createTenant(hookrelay);
    await createEndpoint(tenantId, { retryPolicy: fastRetries([]), timeoutMs: 300 });
    const cases: Array<[string, () => void]> = [
      ['redirect', () => receiver.respondWith(() => ({ status: 302, headers: { location: `${receiver.url}?redirected=1` } }))],
      ['large', () => receiver.respondWith(() => ({ status: 200, body: 'x'.repeat(200 * 1024) }))],
      ['slow', () => receiver.respondWith(() => ({ status: 200, delayMs: 2000 }))],
    ];
    const outcomes: Record<string, any> = {};
    for (const [name, arrange] of cases) {
      arrange();
      const { body } = await publish(tenantId);
      const [d] = await deliveriesOf(body.id);
      outcomes[name] = await deliveryWhen(tenantId, d!.id, (x) => x.status === 'failed' || x.status === 'succeeded', name);
    }
    expect(outcomes.redirect).toMatchObject({ status: 'failed', lastResponseStatus: 302 });
    expect(receiver.requests.some((r) => r.url.includes('redirected'))).toBe(false);
    expect(outcomes.large.status).toBe('succeeded');
    expect(outcomes.large.attempts[0].response.body).toHaveLength(64 * 1024);
    expect(outcomes.slow).toMatchObject({ status: 'failed' });
    expect(outcomes.slow.attempts[0].error).toMatchObject({ kind: 'timeout' });
  });

  it('shows operators the delivery in Temporal: workflow id, search attributes, summary', async () => {
    const tenantId = await createTenant(hookrelay);
    const endpointId = await createEndpoint(tenantId, {});
    const { body } = await publish(tenantId);
    const [delivery] = await deliveriesOf(body.id);
    await deliveryWhen(tenantId, delivery!.id, (d) => d.status === 'succeeded', 'succeeded');
    const handle = hookrelay.temporal.workflow.getHandle(deliveryWorkflowId(delivery!.id));
    await handle.result();
    const description = await handle.describe();
    expect(description.workflowId).toBe(`delivery-${delivery!.id}`);
    expect(await description.staticSummary()).toBe(`invoice.activated → ${receiver.url}`);
    const attributes = Object.fromEntries(description.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]));
    expect(attributes).toMatchObject({
      HookrelayTenantId: tenantId,
      HookrelayEndpointId: endpointId,
      HookrelayEventType: 'invoice.activated',
      HookrelayDeliveryStatus: 'succeeded',
    });
    const history = await handle.fetchHistory();
    // Issue 6's target was at most 11; deliveryWorkflowV2 records 7: started, one workflow task (3
    // events), the attempt's local-activity marker, the status upsert, completed. No patch marker.
    expect(history.events!.length).toBe(7);
    expect(history.events!.filter((event) => event.markerRecordedEventAttributes?.markerName === 'core_patch')).toEqual([]);
  });
});

describe('delivery engine across a worker restart', () => {
  it('resumes every waiting delivery on a new worker', async () => {
    const receiver = await startReceiver();
    const first = await startTestHookrelay();
    const tenantId = await createTenant(first);
    await ensureEventType(first, 'invoice.activated');
    await first.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'r', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true, retryPolicy: fastRetries([6, 6, 6, 6]) },
    });
    receiver.respondWith(() => ({ status: 500 }));
    const eventIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await first.request('POST', `/v1/tenants/${tenantId}/events`, { body: { type: 'invoice.activated', data: { i } } });
      eventIds.push(res.body.id);
    }
    await waitFor(
      async () => {
        const rows = await first.db.selectFrom('deliveries').select('status').where('tenant_id', '=', tenantId).execute();
        return rows.length === 20 && rows.every((r) => r.status === 'retrying');
      },
      { what: 'all retrying', timeoutMs: 30_000 },
    );
    await first.stopWorker();
    receiver.respondWith(() => ({ status: 200 }));
    await new Promise((resolve) => setTimeout(resolve, 7000)); // the retry timers fire with no worker

    const second = await first.startAnotherWorker();
    await waitFor(
      async () => {
        const rows = await first.db.selectFrom('deliveries').select('status').where('tenant_id', '=', tenantId).execute();
        return rows.every((r) => r.status === 'succeeded');
      },
      { what: 'all succeeded after restart', timeoutMs: 30_000 },
    );
    const seen = new Set(receiver.requests.filter((r) => r.headers['webhook-id']).map((r) => r.headers['webhook-id']));
    for (const id of eventIds) expect(seen.has(id)).toBe(true);
    await second.stop();
    await first.close();
    await receiver.close();
  });
});

describe('publishing through the Temporal client', () => {
  it('refuses an unknown event type or data against the schema, as the API does', async () => {
    const hookrelay = await startTestHookrelay();
    try {
      const tenantId = await createTenant(hookrelay);
      await ensureEventType(hookrelay, 'order.shipped', {
        schema: { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string' } } },
      });
      const publish = (type: string, data: Record<string, unknown>) =>
        publishEvent(hookrelay.temporal, { tenantId, type, data }, { taskQueue: hookrelay.taskQueue });
      await expect(publish('no.such.type', {})).rejects.toThrow(InvalidInputError);
      await expect(publish('order.shipped', { orderId: 7 })).rejects.toMatchObject({
        name: 'InvalidInputError',
        errors: [expect.objectContaining({ path: expect.stringContaining('orderId') })],
      });
      await expect(publish('order.shipped', { orderId: 'o-7' })).resolves.toMatchObject({ deliveryCount: 0, duplicate: false });
      expect(await hookrelay.db.selectFrom('events').select('id').where('tenant_id', '=', tenantId).execute()).toHaveLength(1);
    } finally {
      await hookrelay.close();
    }
  });
});
