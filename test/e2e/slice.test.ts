// The first vertical slice, as a user does it: tenant → event type → endpoint → publish,
// and a real receiver that verifies the signature with the official library.
import { Webhook } from 'standardwebhooks';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

describe('publish → signed delivery → delivery log', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([startTestHookrelay(), startReceiver()]);
  });
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });

  it('delivers a published event, signed per Standard Webhooks, and records the attempt', async () => {
    const tenant = await hookrelay.request('POST', '/v1/tenants', { body: { name: 'Acme' } });
    expect(tenant.status).toBe(201);
    const tenantId = tenant.body.id as string;

    expect((await hookrelay.request('POST', '/v1/event-types', { body: { name: 'invoice.activated', group: 'Invoice' } })).status).toBe(
      201,
    );

    const endpoint = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'billing', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true },
    });
    expect(endpoint.status).toBe(201);
    expect(endpoint.body).toMatchObject({ id: expect.stringMatching(/^ep_/), enabled: true, auth: { type: 'none' } });
    expect(JSON.stringify(endpoint.body)).not.toContain('whsec_');

    const { secret } = await hookrelay.ctx.db
      .selectFrom('endpoint_secrets')
      .select('secret_sealed as secret')
      .where('endpoint_id', '=', endpoint.body.id)
      .executeTakeFirstOrThrow();
    const signingSecret = hookrelay.ctx.secretBox.open(secret);
    expect(secret).not.toContain('whsec_'); // sealed at rest

    receiver.respondWith(() => ({
      status: 200,
      headers: { 'content-type': 'application/json', 'x-receiver': 'yes' },
      body: '{"received":true}',
    }));
    const published = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
      body: { type: 'invoice.activated', data: { invoiceId: 'inv_123', amount: 4200 }, resourceId: 'inv_123', operation: 'UPDATE' },
    });
    expect(published.status).toBe(202);
    expect(published.body).toEqual({ id: expect.stringMatching(/^evt_/), deliveryCount: 1, duplicate: false });

    const [request] = await receiver.waitForRequests(1);
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toMatch(/^hookrelay\/\d+\.\d+\.\d+/);
    expect(request!.headers['webhook-id']).toBe(published.body.id);
    const verified = new Webhook(signingSecret).verify(request!.body, request!.headers as Record<string, string>);
    expect(verified).toMatchObject({
      id: published.body.id,
      type: 'invoice.activated',
      tenantId,
      resourceId: 'inv_123',
      operation: 'UPDATE',
      data: { invoiceId: 'inv_123', amount: 4200 },
    });

    const deliveryRow = await hookrelay.db
      .selectFrom('deliveries')
      .select('id')
      .where('event_id', '=', published.body.id)
      .executeTakeFirstOrThrow();
    let delivery = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${deliveryRow.id}`);
    for (let i = 0; i < 50 && delivery.body.status !== 'succeeded'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      delivery = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${deliveryRow.id}`);
    }
    expect(delivery.status).toBe(200);
    expect(delivery.body).toMatchObject({
      id: deliveryRow.id,
      eventId: published.body.id,
      endpointId: endpoint.body.id,
      eventType: 'invoice.activated',
      status: 'succeeded',
      attemptCount: 1,
      lastResponseStatus: 200,
      retryOfId: null,
      workflowId: `delivery-${deliveryRow.id}`,
    });
    expect(delivery.body.attempts).toHaveLength(1);
    const [attempt] = delivery.body.attempts;
    expect(attempt).toMatchObject({
      number: 1,
      trigger: 'scheduled',
      request: { url: receiver.url },
      response: { status: 200, body: '{"received":true}' },
      error: null,
    });
    expect(attempt.response.headers['x-receiver']).toBe('yes');
    expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
    expect(attempt.request.headers['webhook-id']).toBe(published.body.id);
  });

  it('answers 401 without a key and 404 problem for an unknown delivery', async () => {
    const noKey = await hookrelay.request('POST', '/v1/tenants', { body: { name: 'x' }, key: null });
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(noKey.body).toMatchObject({ status: 401, title: 'Unauthenticated' });

    const tenant = await hookrelay.request('POST', '/v1/tenants', { body: { name: 'Other' } });
    const missing = await hookrelay.request('GET', `/v1/tenants/${tenant.body.id}/deliveries/dlv_00000000000000000000000000`);
    expect(missing.status).toBe(404);
  });
});
