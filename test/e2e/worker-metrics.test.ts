// The production worker entry (src/worker.ts) as its own process: its hookrelay /metrics on
// HOOKRELAY_WORKER_METRICS_PORT counts the deliveries it made, the Temporal SDK serves its own
// metrics on TEMPORAL_METRICS_BIND_ADDRESS, and its log lines carry the delivery's ids.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../support/free-port';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, testStack, type TestHookrelay } from '../support/stack';

const ROOT = path.resolve(__dirname, '../..');

async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('worker process metrics', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let worker: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([startTestHookrelay(), startReceiver()]);
    await hookrelay.stopWorker(); // only the spawned worker polls the task queue
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    await hookrelay?.close();
    await receiver?.close();
  });

  it('serves delivery counters and the Temporal SDK metrics on their own ports', async () => {
    const [metricsPort, temporalMetricsPort] = [await freePort(), await freePort()];
    worker = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? ROOT,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: hookrelay.config.DATABASE_URL!,
        TEMPORAL_ADDRESS: hookrelay.config.TEMPORAL_ADDRESS!,
        TEMPORAL_TASK_QUEUE: hookrelay.taskQueue,
        HOOKRELAY_ENCRYPTION_KEY: hookrelay.config.HOOKRELAY_ENCRYPTION_KEY!,
        HOOKRELAY_WORKFLOW_BUNDLE: testStack().workflowBundlePath,
        HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true',
        HOOKRELAY_WORKER_METRICS_PORT: String(metricsPort),
        TEMPORAL_METRICS_BIND_ADDRESS: `127.0.0.1:${temporalMetricsPort}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    worker.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    await until(
      async () => (output.includes('"msg":"worker running"') ? true : undefined),
      `the worker to start; output:\n${output}`,
      45_000,
    );

    const tenantId = (await hookrelay.request('POST', '/v1/tenants', { body: { name: 'Metered' } })).body.id;
    await hookrelay.request('POST', '/v1/event-types', { body: { name: 'order.shipped' } });
    await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'shipping', url: receiver.url, eventTypes: ['order.shipped'], enabled: true },
    });
    const published = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
      body: { type: 'order.shipped', data: { id: 1 } },
    });
    expect(published.status).toBe(202);
    await receiver.waitForRequests(1);

    const workerMetrics = await until(async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      return /^hookrelay_deliveries_finished_total\{outcome="succeeded"\} 1$/m.test(text) ? text : undefined;
    }, 'the succeeded delivery on the worker metrics');
    expect(workerMetrics).toMatch(/^hookrelay_delivery_attempts_total\{status_class="2xx",error_kind="none"\} 1$/m);
    expect(workerMetrics).toMatch(/^hookrelay_process_cpu_seconds_total /m);

    const temporalMetrics = await until(async () => {
      const text = await (await fetch(`http://127.0.0.1:${temporalMetricsPort}/metrics`)).text();
      return /^temporal_(local_)?activity_execution_latency/m.test(text) ? text : undefined; // attempts run as local activities
    }, 'the Temporal SDK activity metrics');
    expect(temporalMetrics).toMatch(new RegExp(`task_queue="${hookrelay.taskQueue}"`));

    const deliveryId = (
      await hookrelay.db.selectFrom('deliveries').select('id').where('event_id', '=', published.body.id).executeTakeFirstOrThrow()
    ).id;
    await until(async () => (output.includes(`"deliveryId":"${deliveryId}"`) ? true : undefined), 'the activity log line');
    const line = JSON.parse(output.split('\n').find((l) => l.includes('"activity":"attemptDelivery"') && l.includes(deliveryId))!);
    expect(line).toMatchObject({
      name: 'hookrelay-worker',
      workflowId: `delivery-${deliveryId}`,
      result: { outcome: 'succeeded', status: 200 },
    });
  });
});
