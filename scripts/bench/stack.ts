// The stack every measured part runs against: PostgreSQL and a Temporal dev server (unless
// --database-url / --temporal-address), the bench receiver, the worker (its own process, or in
// this one with --topology single) and the API (in this process, or its own with --api-process).
import { createServer } from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { configSchema, parseConfig } from '../../src/config';
import { createDatabase } from '../../src/db/connection';
import { migrateToLatest } from '../../src/db/migrate';
import type { Database } from '../../src/db/schema';
import { findTemporalBinary, temporalCli } from '../../src/dev/temporal-binaries';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { SecretBox } from '../../src/domain/secret-box';
import { createServiceContext, deliveryTuning, startApiServer } from '../../src/runtime';
import { createHookrelayWorker } from '../../src/temporal/create-worker';
import { connectTemporalClient } from '../../src/temporal/client';
import { freePort } from '../../test/support/free-port';
import { flags, log } from './flags';
import { startBenchReceiver, type BenchReceiver } from './receiver';
import { databaseUrlOrThrowaway } from './throwaway-database';

export const ROOT = path.resolve(__dirname, '../..');
export const TASK_QUEUE = 'hookrelay-bench';

export type ServiceContext = ReturnType<typeof createServiceContext>;

export interface Stack {
  databaseUrl: string;
  temporalAddress: string;
  /** The dev server's SQLite file (its size is reported by (d)). */
  temporalDb: string;
  receiver: BenchReceiver;
  encryptionKey: string;
  adminKey: string;
  /** The environment of the worker (and API) processes. */
  env: Record<string, string>;
  db: Kysely<Database>;
  temporal: Client;
  ctx: ServiceContext;
  workerPid: number;
  apiPid: number | undefined;
  apiUrl: string;
  /** The dev server's Prometheus endpoint (none for a --temporal-address server). */
  temporalMetricsUrl: string | undefined;
}

/** Starts the stack in `workDir`; each part started pushes its stop onto `stops`, even if a later part fails. */
export async function startStack(workDir: string, stops: Array<() => Promise<unknown>>): Promise<Stack> {
  log('starting the stack …');
  const databaseUrl = await databaseUrlOrThrowaway(flags['database-url'], stops, { dataDir: path.join(workDir, 'pg') });
  let temporalAddress = flags['temporal-address'];
  let temporalMetricsPort: number | undefined;
  const temporalDb = path.join(workDir, 'temporal.db');
  if (!temporalAddress) {
    // Found the way npm start and npm test find it (explicit path, PATH, .tools/, pip).
    const tools = configSchema.pick({ TEMPORAL_CLI_PATH: true, HOOKRELAY_TOOLS_DIR: true, PATH: true }).parse(process.env);
    const cliPath = await findTemporalBinary(temporalCli, {
      explicitPath: tools.TEMPORAL_CLI_PATH,
      toolsDir: path.resolve(ROOT, tools.HOOKRELAY_TOOLS_DIR),
      searchPath: tools.PATH,
      log,
    });
    temporalMetricsPort = await freePort();
    const server = await startTemporalDevServer({
      cliPath,
      port: 57000 + Math.floor(Math.random() * 1000),
      headless: true,
      dbFile: flags['temporal-db'] === 'memory' ? undefined : temporalDb,
      sqlitePragmas: flags['sqlite-pragmas'] !== 'off',
      serverTuning: flags['temporal-tuning'] !== 'off',
      dynamicConfig: flags['temporal-dynamic-config'],
      metricsPort: temporalMetricsPort,
    });
    stops.push(() => server.stop());
    temporalAddress = server.address;
  }
  log('postgres and temporal up');
  const bundlePath = path.join(workDir, 'bundle.js');
  writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quiet })).code);

  const receiver = await startBenchReceiver();
  stops.push(() => receiver.close());
  // --tracing on: the worker exports its spans (every workflow, activity and POST) to a sink here.
  const tracingEnv: Record<string, string> = {};
  if (flags.tracing === 'on') {
    const sink = await startOtlpSink();
    stops.push(async () => {
      log(`tracing: the OTLP sink received ${sink.exports()} exports, ${(sink.bytes() / 1e6).toFixed(1)} MB`);
      await sink.close();
    });
    tracingEnv.OTEL_EXPORTER_OTLP_ENDPOINT = sink.endpoint;
    tracingEnv.HOOKRELAY_TRACEPARENT_TO_RECEIVERS = 'true';
  }
  const encryptionKey = SecretBox.generateKey();
  const adminKey = `bench-admin-${randomUUID()}`;
  const env = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    HOOKRELAY_ENCRYPTION_KEY: encryptionKey,
    HOOKRELAY_WORKFLOW_BUNDLE: bundlePath,
    // The bench receiver is on http://127.0.0.1: the development values, set explicitly.
    HOOKRELAY_ALLOW_HTTP: 'true',
    HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'info',
    ...pickTuningEnv(),
    ...tracingEnv,
  };
  const config = parseConfig({ ...env, NODE_ENV: 'development' });
  const db = createDatabase({ connectionString: databaseUrl, poolSize: config.DATABASE_POOL_SIZE });
  stops.push(() => db.destroy());
  await migrateToLatest(db);
  let workerPid: number;
  let apiPid: number | undefined;
  let temporal: Client;
  let ctx: ServiceContext;
  if (flags['profile-api'] && !flags['api-process']) throw new Error('--profile-api needs --api-process (the API in its own process)');
  if (flags.topology === 'single' && flags.tracing === 'on')
    throw new Error('--tracing on needs --topology split (the worker process traces)');
  if (flags.topology === 'single') {
    log('starting the worker in this process (eager workflow start) …');
    const connection = await NativeConnection.connect({ address: temporalAddress });
    stops.push(() => connection.close());
    temporal = new Client({ connection, namespace: 'default' });
    ctx = createServiceContext(config, { db, temporal, encryptionKey, eagerWorkflowStart: true });
    const worker = await createHookrelayWorker({
      connection,
      namespace: 'default',
      services: ctx,
      ...deliveryTuning(config),
      workflowBundlePath: bundlePath,
    });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
    });
    workerPid = process.pid;
  } else {
    log('starting the worker process …');
    const worker = await spawnChild(path.join(ROOT, 'src/worker.ts'), env, /worker running/);
    stops.push(() => worker.stop());
    temporal = await connectTemporalClient({ address: temporalAddress, namespace: 'default' });
    stops.push(() => temporal.connection.close());
    ctx = createServiceContext(config, { db, temporal, encryptionKey });
    workerPid = worker.child.pid!;
  }
  let apiUrl: string;
  if (flags['api-process']) {
    const port = await freePort();
    const apiEnv = {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      HOOKRELAY_ADMIN_KEY: adminKey,
      HOOKRELAY_API_RATE_LIMIT_PER_SECOND: '0',
    };
    const apiProcess = await spawnChild(path.join(ROOT, 'src/server.ts'), apiEnv, /API listening/);
    stops.push(() => apiProcess.stop());
    apiPid = apiProcess.child.pid;
    apiUrl = `http://127.0.0.1:${port}`;
  } else {
    const api = await startApiServer(ctx, {
      port: 0,
      host: '127.0.0.1',
      adminKey,
      maxBodyBytes: 1 << 20,
      logger: pino({ level: 'silent' }),
    });
    stops.push(() => api.close());
    apiUrl = api.url;
  }
  const temporalMetricsUrl = temporalMetricsPort === undefined ? undefined : `http://127.0.0.1:${temporalMetricsPort}/metrics`;
  return {
    databaseUrl,
    temporalAddress,
    temporalDb,
    receiver,
    encryptionKey,
    adminKey,
    env,
    db,
    temporal,
    ctx,
    workerPid,
    apiPid,
    apiUrl,
    temporalMetricsUrl,
  };
}

/** Starts `entry` under tsx and resolves once its output matches `ready`. */
export async function spawnChild(
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  // --profile-worker / --profile-api: a V8 CPU profile of that process, written when it stops.
  const profileDir = entry.endsWith('src/worker.ts')
    ? flags['profile-worker']
    : entry.endsWith('src/server.ts')
      ? flags['profile-api']
      : undefined;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? ROOT,
      ...(flags['worker-node-options'] && { NODE_OPTIONS: flags['worker-node-options'] }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!ready.test(output)) return;
      // Ready: stop keeping its output (a long run logs a line per request and attempt), keep draining it.
      output = '';
      child.stdout!.off('data', onData).resume();
      child.stderr!.off('data', onData).resume();
      resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${entry} exited ${code}:\n${output.slice(-2000)}`)));
  });
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
      }),
  };
}

/** The worker tuning of this shell (HOOKRELAY_WORKER_*, DATABASE_POOL_SIZE), passed to the stack. */
export function pickTuningEnv(): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if ((name.startsWith('HOOKRELAY_WORKER_') || name.startsWith('HOOKRELAY_TENANT_') || name === 'DATABASE_POOL_SIZE') && value)
      picked[name] = value;
  }
  return picked;
}

/** An OTLP/HTTP endpoint that accepts and counts span exports, for --tracing on. */
async function startOtlpSink(): Promise<{ endpoint: string; exports(): number; bytes(): number; close(): Promise<void> }> {
  let exports = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      exports++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    exports: () => exports,
    bytes: () => bytes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
