// What an operator sees: Prometheus counters after real deliveries, request ids echoed and
// logged with the tenant, activity lines with delivery and workflow ids — and never a secret.
import { publishEvent } from '../../src/temporal/client';
import { createLogger } from '../../src/logger';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

/** The value of one sample in a Prometheus text exposition (labels in any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

async function waitForStatus(hookrelay: TestHookrelay, tenantId: string, deliveryId: string, status: string) {
  for (let i = 0; i < 100; i++) {
    const res = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${deliveryId}`);
    if (res.body.status === status) return res.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`delivery ${deliveryId} never became ${status}`);
}

describe('observability', () => {
  const lines: string[] = [];
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let tenantId: string;

  beforeAll(async () => {
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    [hookrelay, receiver] = await Promise.all([startTestHookrelay({}, { logger }), startReceiver()]);
    tenantId = (await hookrelay.request('POST', '/v1/tenants', { body: { name: 'Observed' } })).body.id;
    await hookrelay.request('POST', '/v1/event-types', { body: { name: 'invoice.paid', group: 'Invoice' } });
  });
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });

  it('counts deliveries by outcome, attempts by status class, the retrying backlog and API requests', async () => {
    receiver.respondWith((request) => (request.url.includes('fail') ? { status: 503, body: 'down' } : { status: 200, body: 'ok' }));
    const ok = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'ok', url: receiver.url, eventTypes: ['invoice.paid'], enabled: true },
    });
    const failing = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: {
        name: 'failing',
        url: `${receiver.url}?fail=1`,
        eventTypes: ['invoice.paid'],
        enabled: true,
        retryPolicy: { strategy: 'schedule', delaysSeconds: [3600], jitter: 0 },
      },
    });
    expect([ok.status, failing.status]).toEqual([201, 201]);

    const published = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, { body: { type: 'invoice.paid', data: { n: 1 } } });
    expect(published.body.deliveryCount).toBe(2);
    const list = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries?eventType=invoice.paid`);
    const byEndpoint = Object.fromEntries(list.body.data.map((d: { endpointId: string; id: string }) => [d.endpointId, d.id]));
    await waitForStatus(hookrelay, tenantId, byEndpoint[ok.body.id], 'succeeded');
    const retrying = await waitForStatus(hookrelay, tenantId, byEndpoint[failing.body.id], 'retrying');

    let text = (await hookrelay.request('GET', '/metrics', { key: null })).body as string;
    expect(sample(text, 'hookrelay_deliveries_finished_total', { outcome: 'succeeded' })).toBe(1);
    expect(sample(text, 'hookrelay_delivery_attempts_total', { status_class: '2xx', error_kind: 'none' })).toBe(1);
    expect(sample(text, 'hookrelay_delivery_attempts_total', { status_class: '5xx', error_kind: 'none' })).toBe(1);
    expect(sample(text, 'hookrelay_delivery_attempt_duration_seconds_count', { status_class: '2xx' })).toBe(1);
    expect(sample(text, 'hookrelay_delivery_attempt_duration_seconds_bucket', { status_class: '5xx', le: '+Inf' })).toBe(1);
    expect(sample(text, 'hookrelay_deliveries_backlog', { status: 'retrying' })).toBe(1);
    expect(sample(text, 'hookrelay_deliveries_backlog', { status: 'pending' })).toBe(0);
    expect(sample(text, 'hookrelay_http_requests_total', { method: 'POST', route: '/v1/tenants/:tenantId/events', status: '202' })).toBe(1);
    expect(
      sample(text, 'hookrelay_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/tenants/:tenantId/endpoints',
        status: '201',
      }),
    ).toBe(2);

    // Cancelling the one waiting for its retry: a cancelled outcome, and the backlog empties.
    expect((await hookrelay.request('POST', `/v1/tenants/${tenantId}/deliveries/${retrying.id}/cancel`)).status).toBe(202);
    await waitForStatus(hookrelay, tenantId, retrying.id, 'cancelled');
    text = (await hookrelay.request('GET', '/metrics', { key: null })).body as string;
    expect(sample(text, 'hookrelay_deliveries_finished_total', { outcome: 'cancelled' })).toBe(1);
    expect(sample(text, 'hookrelay_deliveries_backlog', { status: 'retrying' })).toBe(0);
    // Unknown paths share one label instead of growing the series without bound.
    await hookrelay.request('GET', '/v1/no/such/route/1');
    await hookrelay.request('GET', '/v1/no/such/route/2');
    text = (await hookrelay.request('GET', '/metrics', { key: null })).body as string;
    expect(sample(text, 'hookrelay_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(2);
  });

  it('echoes a request id, logs it with the tenant, and logs activities with delivery and workflow ids', async () => {
    const res = await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints`, { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-123');
    const generated = await hookrelay.request('GET', `/v1/tenants/${tenantId}`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const parsed = lines.map((line) => JSON.parse(line) as Record<string, any>);
    const requestLine = parsed.find((line) => line.reqId === 'trace-abc-123');
    expect(requestLine).toMatchObject({
      tenantId,
      principal: 'admin',
      req: { method: 'GET', url: `/v1/tenants/${tenantId}/endpoints` },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(requestLine!.req.headers).toBeUndefined();

    const attemptLine = parsed.find((line) => line.activity === 'attemptDelivery' && line.result?.outcome === 'succeeded');
    expect(attemptLine).toMatchObject({
      component: 'activity',
      deliveryId: expect.stringMatching(/^dlv_/),
      workflowId: `delivery-${attemptLine!.deliveryId}`,
      attemptNumber: 1,
      result: { outcome: 'succeeded', status: 200 },
    });

    // A publish through the Temporal client runs the publish workflow's activity; its line names the event.
    const viaClient = await publishEvent(
      hookrelay.temporal,
      { tenantId, type: 'invoice.paid', data: { n: 2 } },
      { taskQueue: hookrelay.taskQueue },
    );
    const publishLine = lines
      .map((line) => JSON.parse(line) as Record<string, any>)
      .find((line) => line.activity === 'publishAndStartDeliveries');
    expect(publishLine).toMatchObject({ tenantId, eventId: viaClient.eventId, result: { eventId: viaClient.eventId, deliveryCount: 2 } });
  });

  it('never logs a signing secret, an endpoint credential or an API key', async () => {
    await hookrelay.request('POST', '/v1/event-types', { body: { name: 'secret.checked', group: 'Checks' } });
    const tenantKey = (
      await hookrelay.request('POST', `/v1/tenants/${tenantId}/api-keys`, {
        body: { scopes: ['endpoints:read', 'endpoints:write', 'events:publish'] },
      })
    ).body.key as string;
    const password = 'pa55word-never-logged-7391';
    const token = 'bearer-token-never-logged-2846';
    const headerValue = 'header-value-never-logged-5517';
    const customSecret = 'whsec_' + Buffer.from('a-signing-secret-of-32-bytes!!!!').toString('base64');
    const endpoints = await Promise.all(
      [
        { auth: { type: 'basic', username: 'u', password }, secret: customSecret },
        { auth: { type: 'bearer', token } },
        { auth: { type: 'header', name: 'x-api-key', value: headerValue } },
      ].map((extra, i) =>
        hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
          key: tenantKey,
          body: { name: `creds ${i}`, url: receiver.url, eventTypes: ['secret.checked'], enabled: true, ...extra },
        }),
      ),
    );
    expect(endpoints.map((e) => e.status)).toEqual([201, 201, 201]);
    const secrets = await Promise.all(
      endpoints.map(
        async (e) =>
          (await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${e.body.id}/secret`, { key: tenantKey })).body
            .secret as string,
      ),
    );
    const rotated = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints/${endpoints[0]!.body.id}/secret/rotate`, {
      key: tenantKey,
    });
    const received = receiver.requests.length;
    await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
      key: tenantKey,
      body: { type: 'secret.checked', data: { ok: true } },
    });
    await receiver.waitForRequests(received + 3);
    // A request with a wrong key and one with credentials in the query are logged too.
    await hookrelay.request('GET', `/v1/tenants/${tenantId}`, { key: 'hr_wrong_key_never_logged_0000' });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the activities' completion lines

    const log = lines.join('');
    expect(log).toContain(tenantId);
    for (const forbidden of [
      customSecret,
      ...secrets,
      rotated.body.secret,
      password,
      token,
      headerValue,
      tenantKey,
      hookrelay.adminKey,
      'hr_wrong_key_never_logged_0000',
    ]) {
      expect({ forbidden, found: log.includes(forbidden) }).toEqual({ forbidden, found: false });
    }
    expect(log).not.toMatch(/whsec_/);
  });
});
