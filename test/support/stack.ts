// Per-test-file access to the shared stack: a private database cloned from the migrated
// template, and a full hookrelay (worker + API) on a private task queue.
import { randomBytes } from 'node:crypto';
import { Client as TemporalClient } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { Client as PgClient } from 'pg';
import pino, { type Logger } from 'pino';
import type { ResolveHost } from '../../src/activities/ssrf-guard';
import { apiAccessOptions } from '../../src/api/auth';
import { parseConfig, withExtraCaCertificates, type Config } from '../../src/config';
import { createDatabase } from '../../src/db/connection';
import type { Database } from '../../src/db/schema';
import { SecretBox } from '../../src/domain/secret-box';
import { HookrelayMetrics } from '../../src/metrics/metrics';
import { apiRateLimit, createServiceContext, deliveryTuning, startApiServer, type RunningApi } from '../../src/runtime';
import type { ServiceContext } from '../../src/services/context';
import { connectTemporalClient } from '../../src/temporal/client';
import { createHookrelayWorker, type HookrelayWorker } from '../../src/temporal/create-worker';
import { installTemporalLogging } from '../../src/temporal/runtime-logging';
import type { Tracing } from '../../src/tracing';
import type { StrandedDeliverySweepOptions } from '../../src/services/stranded-delivery-sweeper';

export interface TestStack {
  postgresUrl: string;
  templateDatabase: string;
  temporalAddress: string;
  temporalCliPath: string;
  temporalTestServerPath: string;
  workflowBundlePath: string;
  workDir: string;
}

export function testStack(): TestStack {
  const raw = process.env.HOOKRELAY_TEST_STACK;
  if (!raw) throw new Error('HOOKRELAY_TEST_STACK is missing: run the tests through jest (global-setup starts the stack)');
  return JSON.parse(raw) as TestStack;
}

export interface TestDatabase {
  url: string;
  db: Kysely<Database>;
  destroy(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const stack = testStack();
  const name = `test_${randomBytes(6).toString('hex')}`;
  // Through the maintenance database: a session on the template itself makes every concurrent
  // clone fail with "source database is being accessed by other users" (SQLSTATE 55006).
  const admin = new PgClient({ connectionString: stack.postgresUrl.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${stack.templateDatabase}`);
        break;
      } catch (error) {
        // Another process may still be closing a session on the template (the global setup's).
        if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
  const url = stack.postgresUrl.replace(/\/[^/]+$/, `/${name}`);
  const db = createDatabase({ connectionString: url, poolSize: 10 });
  return { url, db, destroy: () => db.destroy() };
}

export interface TestHookrelay {
  config: Config;
  db: Kysely<Database>;
  temporal: TemporalClient;
  ctx: ServiceContext;
  taskQueue: string;
  apiUrl: string;
  adminKey: string;
  worker: HookrelayWorker;
  /** The registry the worker and the API share (scraped at GET /metrics). */
  metrics: HookrelayMetrics;
  /** JSON request against the API; `key` defaults to the admin key. */
  request(
    method: string,
    path: string,
    options?: { body?: unknown; key?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  stopWorker(): Promise<void>;
  /** A second worker on the same task queue (e.g. after stopWorker, to prove deliveries resume). */
  startAnotherWorker(): Promise<{ stop(): Promise<void> }>;
  close(): Promise<void>;
}

export interface TestHookrelayOptions {
  /** Replaces DNS for deliveries, e.g. to resolve a made-up name to loopback (rebinding). */
  resolveHost?: ResolveHost;
  /** Where the API and activity logs go (silent by default); tests capture lines with it. */
  logger?: Logger;
  /**
   * The Temporal client of the API, the activities and the sweeper, instead of one connected
   * straight to the stack (e.g. one through a proxy a test takes down); closed by close().
   */
  temporalClient?: TemporalClient;
  /** The worker's sweeper of unfinished follow-ups (default every 30 s). */
  strandedDeliverySweep?: StrandedDeliverySweepOptions;
  /** OpenTelemetry tracing of this process (src/tracing.ts): the client and the worker trace into it. */
  tracing?: Tracing;
}

/** `overrides` are environment variables; private networks are allowed unless they say otherwise. */
export async function startTestHookrelay(
  overrides: Record<string, string> = {},
  options: TestHookrelayOptions = {},
): Promise<TestHookrelay> {
  const stack = testStack();
  installTemporalLogging(pino({ level: 'silent' }));
  const logger = options.logger ?? pino({ level: 'silent' });
  const metrics = new HookrelayMetrics();
  const database = await createTestDatabase();
  const taskQueue = `test-${randomBytes(6).toString('hex')}`;
  const adminKey = `test-admin-${randomBytes(12).toString('hex')}`;
  const encryptionKey = SecretBox.generateKey();
  // As a process's loadConfigOrExit does, the extra CA file (HOOKRELAY_EXTRA_CA_CERTS_FILE) read in.
  const config = withExtraCaCertificates(
    parseConfig({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      HOOKRELAY_ADMIN_KEY: adminKey,
      HOOKRELAY_ENCRYPTION_KEY: encryptionKey,
      HOOKRELAY_ALLOW_HTTP: 'true',
      HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true',
      PORT: '0',
      LOG_LEVEL: 'silent',
      // Tests drive the API faster than a client should; the rate-limit test turns it back on.
      HOOKRELAY_API_RATE_LIMIT_PER_SECOND: '0',
      // Tests send bad keys on purpose; the key-lifecycle test turns the failure throttle back on.
      HOOKRELAY_AUTH_FAILURES_PER_MINUTE: '0',
      ...overrides,
    }),
  );
  const temporal =
    options.temporalClient ??
    (await connectTemporalClient({ address: stack.temporalAddress, namespace: config.TEMPORAL_NAMESPACE, tracing: !!options.tracing }));
  const ctx = createServiceContext(config, { db: database.db, temporal, encryptionKey });
  const newWorker = () =>
    createHookrelayWorker({
      temporalAddress: stack.temporalAddress,
      namespace: config.TEMPORAL_NAMESPACE,
      services: ctx,
      ...deliveryTuning(config),
      resolveHost: options.resolveHost,
      metrics,
      logger: options.logger,
      workflowBundlePath: stack.workflowBundlePath,
      strandedDeliverySweep: options.strandedDeliverySweep,
      tracing: options.tracing,
      sendTraceparent: config.HOOKRELAY_TRACEPARENT_TO_RECEIVERS,
    });
  const worker = await newWorker();
  const workerRun = worker.run();
  const api: RunningApi = await startApiServer(ctx, {
    port: 0,
    host: '127.0.0.1',
    adminKey,
    ...apiAccessOptions(config),
    maxBodyBytes: config.HOOKRELAY_MAX_BODY_BYTES,
    rateLimit: apiRateLimit(config),
    logger,
    metrics,
    console: { temporalUiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE },
  });
  let workerStopped = false;
  const stopWorker = async () => {
    if (workerStopped) return;
    workerStopped = true;
    worker.shutdown();
    await workerRun;
  };

  return {
    config,
    db: database.db,
    temporal,
    ctx,
    taskQueue,
    apiUrl: api.url,
    adminKey,
    worker,
    metrics,
    async request(method, path, options = {}) {
      const key = options.key === undefined ? adminKey : options.key;
      const response = await fetch(api.url + path, {
        method,
        headers: {
          ...(options.body !== undefined && { 'content-type': 'application/json' }),
          ...(key !== null && { authorization: `Bearer ${key}` }),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: response.status, body, headers: response.headers };
    },
    stopWorker,
    async startAnotherWorker() {
      const another = await newWorker();
      const running = another.run();
      return {
        async stop() {
          another.shutdown();
          await running;
        },
      };
    },
    async close() {
      await api.close();
      await stopWorker();
      await temporal.connection.close();
      await database.destroy();
    },
  };
}
