// No secret ever shows up where an operator or a tenant can read it: real deliveries with basic,
// bearer and header auth and known signing secrets run through the API and worker processes at
// trace level, and every line they print, every attempt row and every delivery answer is searched.
import { startReceiver, type Receiver } from '../support/receiver';
import { startApiProcess, startWorkerProcess, newDeployment, type ApiProcess, type SpawnedProcess } from '../support/processes';
import { createTestDatabase, testStack, type TestDatabase } from '../support/stack';

const SECRETS = {
  basicPassword: 'pw-Basic-7f3a9c2e1b-SECRET',
  bearerToken: 'tok-Bearer-4d8e2a6c9f-SECRET',
  headerValue: 'hv-Header-1c5b7e3d2a-SECRET',
  secretCustomHeader: 'sch-Custom-8b2d4f6a1e-SECRET',
  signingSecret: `whsec_${Buffer.from('signing-secret-for-the-log-test!').toString('base64')}`,
};

describe('secrets in logs and the attempt log', () => {
  let database: TestDatabase;
  let receiver: Receiver;
  let api: ApiProcess;
  let worker: SpawnedProcess;
  const deployment = () => current!;
  let current: ReturnType<typeof newDeployment> | undefined;

  beforeAll(async () => {
    [database, receiver] = await Promise.all([createTestDatabase(), startReceiver()]);
    const stack = testStack();
    current = newDeployment({
      databaseUrl: database.url,
      temporalAddress: stack.temporalAddress,
      workflowBundlePath: stack.workflowBundlePath,
      logLevel: 'trace',
    });
    [api, worker] = await Promise.all([startApiProcess(current), startWorkerProcess(current)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled([api?.stop(), worker?.stop()]);
    await receiver?.close();
    await database?.destroy();
  });

  it('prints no password, token, header value, signing secret or API key, and stores none in attempts', async () => {
    const tenant = await api.request('POST', '/v1/tenants', { body: { name: 'Secretive' } });
    const tenantId = tenant.body.id as string;
    const key = await api.request('POST', `/v1/tenants/${tenantId}/api-keys`, {
      body: { scopes: ['endpoints:read', 'endpoints:write', 'events:publish'] },
    });
    const tenantKey = key.body.key as string;
    expect((await api.request('POST', '/v1/event-types', { body: { name: 'invoice.activated', group: 'Invoice' } })).status).toBe(201);

    const auths = [
      { type: 'basic', username: 'hookrelay', password: SECRETS.basicPassword },
      { type: 'bearer', token: SECRETS.bearerToken },
      { type: 'header', name: 'x-api-key', value: SECRETS.headerValue },
    ];
    const endpointIds: string[] = [];
    for (const auth of auths) {
      const res = await api.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
        key: tenantKey,
        body: {
          name: `${auth.type} receiver`,
          url: receiver.url,
          eventTypes: ['invoice.activated'],
          enabled: true,
          auth,
          // A secret custom header next to a plain one: sealed at rest, redacted everywhere it is shown.
          headers: { 'x-partner-key': { value: SECRETS.secretCustomHeader, secret: true }, 'x-plain': 'shown' },
          secret: SECRETS.signingSecret,
          retryPolicy: { strategy: 'schedule', delaysSeconds: [1], jitter: 0 },
        },
      });
      expect(res.status).toBe(201);
      endpointIds.push(res.body.id);
    }
    // Every endpoint fails once and succeeds on the retry, so failed and successful attempts are both searched.
    const seen = new Map<string, number>();
    receiver.respondWith((request) => {
      const endpointKey = `${request.headers['webhook-id']}:${request.headers.authorization ?? request.headers['x-api-key']}`;
      const count = (seen.get(endpointKey) ?? 0) + 1;
      seen.set(endpointKey, count);
      return count === 1 ? { status: 500, body: 'try again' } : { status: 200, body: 'ok' };
    });
    // A failing request carrying secrets in a body the API refuses.
    const refused = await api.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      key: tenantKey,
      body: {
        name: 'bad',
        url: 'not a url',
        eventTypes: ['invoice.activated'],
        auth: { type: 'bearer', token: SECRETS.bearerToken },
        extra: SECRETS.headerValue,
      },
    });
    expect(refused.status).toBe(400);
    expect((await api.request('GET', `/v1/tenants/${tenantId}`, { key: `${tenantKey}x` })).status).toBe(401);

    const published = await api.request('POST', `/v1/tenants/${tenantId}/events`, {
      key: tenantKey,
      body: { type: 'invoice.activated', data: { amount: 42 } },
    });
    expect(published.status).toBe(202);
    expect(published.body.deliveryCount).toBe(3);
    await receiver.waitForRequests(6, 30_000);
    // The receiver got the secrets: proof they were really in use.
    expect(receiver.requests.map((r) => r.headers.authorization ?? r.headers['x-api-key'])).toEqual(
      expect.arrayContaining([`Bearer ${SECRETS.bearerToken}`, SECRETS.headerValue]),
    );
    expect(new Set(receiver.requests.map((r) => r.headers['x-partner-key']))).toEqual(new Set([SECRETS.secretCustomHeader]));

    const deliveries = await waitForDeliveries(api, tenantId, tenantKey, 3);
    const answers: unknown[] = [];
    for (const delivery of deliveries) {
      const res = await api.request('GET', `/v1/tenants/${tenantId}/deliveries/${delivery.id}`, { key: tenantKey });
      expect(res.body.attempts).toHaveLength(2);
      answers.push(res.body);
    }
    const endpoints = await api.request('GET', `/v1/tenants/${tenantId}/endpoints`, { key: tenantKey });
    const attemptRows = await database.db.selectFrom('attempts').selectAll().execute();
    const endpointRows = await database.db.selectFrom('endpoints').selectAll().execute();
    expect(attemptRows).toHaveLength(6);

    const basicHeader = Buffer.from(`hookrelay:${SECRETS.basicPassword}`).toString('base64');
    const needles = {
      ...SECRETS,
      basicHeader,
      signingKey: SECRETS.signingSecret.slice('whsec_'.length),
      adminKey: deployment().adminKey,
      tenantKey,
      encryptionKey: deployment().encryptionKey,
    };
    const haystacks = {
      'API log': api.output(),
      'worker log': worker.output(),
      'attempt rows': JSON.stringify(attemptRows),
      'endpoint rows (encrypted at rest)': JSON.stringify(endpointRows),
      'delivery answers': JSON.stringify(answers),
      'endpoint answers': JSON.stringify(endpoints.body),
      'refused request answer': JSON.stringify(refused.body),
    };
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [what, secret] of Object.entries(needles)) if (text.includes(secret)) leaks.push(`${what} in ${where}`);
    }
    expect(leaks).toEqual([]);
    // The logs are not empty: there was something to search (whatever else the processes log later is searched too).
    expect(api.output()).toMatch(/API listening/);
    expect(worker.output()).toMatch(/worker running/);
    expect(JSON.stringify(answers)).toContain('[redacted]');
  }, 120_000);
});

async function waitForDeliveries(api: ApiProcess, tenantId: string, key: string, count: number) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await api.request('GET', `/v1/tenants/${tenantId}/deliveries?status=succeeded`, { key });
    if (res.body.data.length >= count || Date.now() > deadline) {
      expect(res.body.data).toHaveLength(count);
      return res.body.data as Array<{ id: string }>;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
