// SIGTERM against the real process entries (src/server.ts, src/worker.ts) spawned as child
// processes on the test stack: in-flight work finishes, new connections are refused, and the
// process exits 0 within its bound.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { SecretBox } from '../../src/domain/secret-box';
import { freePort } from '../support/free-port';
import { spawnEntry, type SpawnedProcess } from '../support/processes';
import { startReceiver, type Receiver } from '../support/receiver';
import { createTestDatabase, startTestHookrelay, testStack, type TestDatabase, type TestHookrelay } from '../support/stack';

/**
 * True once a new connection to `port` is refused. The listening socket closes on the event-loop
 * turn after the signal handler runs, so a connection attempted in between may still be accepted.
 */
async function refusesConnectionsWithin(port: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  do {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    });
    if (refused) return true;
    await sleep(50);
  } while (Date.now() < deadline);
  return false;
}

/** Starts a POST whose body arrives in two parts, so the request is in flight until `finish()`. */
function slowRequest(port: number, adminKey: string, body: string) {
  const half = Math.floor(body.length / 2);
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/v1/tenants',
    agent: false,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const response = new Promise<{ status: number; headers: IncomingMessage['headers']; body: string }>((resolve, reject) => {
    req.once('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.once('error', reject);
  });
  req.write(body.slice(0, half));
  return { response, finish: () => req.end(body.slice(half)) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('graceful shutdown of the API process', () => {
  let database: TestDatabase;
  let spawned: SpawnedProcess | undefined;
  const adminKey = 'test-admin-key-graceful-shutdown';

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterEach(() => {
    if (spawned && spawned.child.exitCode === null && spawned.child.signalCode === null) spawned.child.kill('SIGKILL');
    spawned = undefined;
  });
  afterAll(async () => {
    await database?.destroy();
  });

  async function startApi(extraEnv: Record<string, string> = {}) {
    const port = await freePort();
    spawned = spawnEntry('src/server.ts', {
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: testStack().temporalAddress,
      PORT: String(port),
      HOST: '127.0.0.1',
      HOOKRELAY_ADMIN_KEY: adminKey,
      HOOKRELAY_ENCRYPTION_KEY: SecretBox.generateKey(),
      ...extraEnv,
    });
    await spawned.waitForLog(/"msg":"API listening"/, 30_000);
    return { port, api: spawned };
  }

  it('finishes the in-flight request, refuses new connections, and exits 0', async () => {
    const { port, api } = await startApi();
    const inFlight = slowRequest(port, adminKey, JSON.stringify({ name: 'Draining Ltd' }));
    await sleep(300); // the server has the headers and waits for the rest of the body

    const signalledAt = Date.now();
    api.child.kill('SIGTERM');
    await api.waitForLog(/"msg":"shutting down gracefully"/, 30_000);
    expect(await refusesConnectionsWithin(port, 1_000)).toBe(true);

    inFlight.finish();
    const response = await inFlight.response;
    expect(response.status).toBe(201);
    expect(JSON.parse(response.body)).toMatchObject({ id: expect.any(String), name: 'Draining Ltd' });
    expect(response.headers.connection).toBe('close');

    const exit = await api.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalledAt).toBeLessThan(10_000);
  });

  it('cuts a request that outlives the grace time and still exits 0 within the bound', async () => {
    const { port, api } = await startApi({ HOOKRELAY_SHUTDOWN_GRACE_MS: '1000' });
    const stuck = slowRequest(port, adminKey, JSON.stringify({ name: 'Never Finishes' }));
    const outcome = stuck.response.then(
      () => 'answered',
      () => 'cut',
    );
    await sleep(300);

    const signalledAt = Date.now();
    api.child.kill('SIGTERM');
    const exit = await api.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalledAt).toBeGreaterThanOrEqual(900);
    expect(exit.at - signalledAt).toBeLessThan(6_000);
    expect(await outcome).toBe('cut');
  });
});

describe('graceful shutdown of the worker process', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let spawned: SpawnedProcess | undefined;

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([startTestHookrelay(), startReceiver()]);
    await hookrelay.stopWorker(); // the spawned worker process serves this task queue instead
  });
  afterEach(() => {
    if (spawned && spawned.child.exitCode === null && spawned.child.signalCode === null) spawned.child.kill('SIGKILL');
    spawned = undefined;
  });
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });

  async function startWorker(extraEnv: Record<string, string> = {}) {
    spawned = spawnEntry('src/worker.ts', {
      DATABASE_URL: hookrelay.config.DATABASE_URL!,
      TEMPORAL_ADDRESS: hookrelay.config.TEMPORAL_ADDRESS!,
      TEMPORAL_TASK_QUEUE: hookrelay.taskQueue,
      HOOKRELAY_ENCRYPTION_KEY: hookrelay.config.HOOKRELAY_ENCRYPTION_KEY!,
      HOOKRELAY_WORKFLOW_BUNDLE: testStack().workflowBundlePath,
      HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true', // the receiver is on loopback
      ...extraEnv,
    });
    await spawned.waitForLog(/"msg":"worker running"/, 45_000);
    return spawned;
  }

  it('exits 0 promptly when idle', async () => {
    const worker = await startWorker();
    const signalledAt = Date.now();
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalledAt).toBeLessThan(10_000);
  });

  it('lets a delivery that is in flight finish and record its attempt before exiting 0', async () => {
    const worker = await startWorker();
    const tenantId = (await hookrelay.request('POST', '/v1/tenants', { body: { name: 'Acme' } })).body.id;
    await hookrelay.request('POST', '/v1/event-types', { body: { name: 'invoice.activated', group: 'Invoice' } });
    const endpoint = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'slow', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true },
    });
    expect(endpoint.status).toBe(201);
    receiver.respondWith(() => ({ status: 200, body: 'took a while', delayMs: 2_000 }));

    const published = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, { body: { type: 'invoice.activated', data: {} } });
    expect(published.status).toBe(202);
    await receiver.waitForRequests(1); // the attempt is now waiting for the receiver's answer

    const signalledAt = Date.now();
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalledAt).toBeLessThan(15_000);

    const delivery = await hookrelay.db
      .selectFrom('deliveries')
      .select(['id', 'status', 'attempt_count', 'last_response_status'])
      .where('event_id', '=', published.body.id)
      .executeTakeFirstOrThrow();
    expect(delivery).toMatchObject({ status: 'succeeded', attempt_count: 1, last_response_status: 200 });
    expect(receiver.requests).toHaveLength(1);
  });

  it('stops within its bound with an attempt in flight: exits 0, and the delivery completes', async () => {
    const first = await startWorker({ HOOKRELAY_SHUTDOWN_GRACE_MS: '1000' });
    const tenantId = (await hookrelay.request('POST', '/v1/tenants', { body: { name: 'Slowpoke' } })).body.id;
    await hookrelay.request('POST', '/v1/event-types', { body: { name: 'invoice.paid', group: 'Invoice' } });
    const endpoint = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'very slow', url: receiver.url, eventTypes: ['invoice.paid'], enabled: true, timeoutMs: 30_000 },
    });
    expect(endpoint.status).toBe(201);
    const before = receiver.requests.length;
    receiver.respondWith((_request, index) => (index === before ? { status: 200, delayMs: 4_000 } : { status: 200, body: 'quick' }));

    const published = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, { body: { type: 'invoice.paid', data: {} } });
    expect(published.status).toBe(202);
    await receiver.waitForRequests(before + 1);

    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalledAt).toBeLessThan(8_000); // exit 0 already rules out the force time (1 s + 5 s), which exits 1

    await startWorker();
    // Attempts run as local activities inside the workflow task: the stopping worker either
    // finishes the one in flight or abandons it, and the workflow task then moves to the new
    // worker, which attempts again. Either way the delivery completes, exactly one attempt is
    // recorded, and the receiver saw the event.
    let delivery;
    for (let i = 0; i < 300; i++) {
      delivery = await hookrelay.db
        .selectFrom('deliveries')
        .select(['status', 'attempt_count'])
        .where('event_id', '=', published.body.id)
        .executeTakeFirstOrThrow();
      if (delivery.status === 'succeeded') break;
      await sleep(100);
    }
    expect(delivery).toEqual({ status: 'succeeded', attempt_count: 1 });
    const recorded = await hookrelay.db
      .selectFrom('attempts')
      .innerJoin('deliveries', 'deliveries.id', 'attempts.delivery_id')
      .select('attempts.number')
      .where('deliveries.event_id', '=', published.body.id)
      .execute();
    expect(recorded).toEqual([{ number: 1 }]);
    expect(receiver.requests.slice(before).every((r) => r.headers['webhook-id'] === published.body.id)).toBe(true);
  });
});
