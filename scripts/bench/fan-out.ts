// `npm run bench:fanout`: one event published to a tenant with 20,000 subscribed endpoints, through
// the API and through the typed Temporal client (issue 11 part 4). Prints, per path: time to the
// answer (202 / publishEvent resolving), time until every delivery workflow was started (each
// delivery's workflow_started_at), time until the loopback receiver had all of them, duplicates,
// and for the API path the SQL statements of the publish with their largest bind-parameter count.
// Writes artifacts/fan-out.json.
// Flags: --endpoints 20000, --paths api,client, --start-concurrency 32 (HOOKRELAY_WORKFLOW_START_CONCURRENCY),
//        --inline-max 100 (HOOKRELAY_INLINE_START_MAX_DELIVERIES), --timeout-minutes 45,
//        --database-url, --temporal-address (an existing stack instead of embedded ones).
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Kysely, PostgresDialect, sql, type LogEvent } from 'kysely';
import { Pool } from 'pg';
import pino from 'pino';
import { request } from 'undici';
import { loadConfigOrExit, parseConfig } from '../../src/config';
import type { Database } from '../../src/db/schema';
import { migrateToLatest } from '../../src/db/migrate';
import { findTemporalBinary, temporalCli } from '../../src/dev/temporal-binaries';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { SecretBox } from '../../src/domain/secret-box';
import { createServiceContext, startApiServer } from '../../src/runtime';
import { createEventType } from '../../src/services/event-types.service';
import { createTenant } from '../../src/services/tenants.service';
import { connectTemporalClient, publishEvent, publishWorkflowId } from '../../src/temporal/client';
import { insertSubscribedEndpoints } from '../../test/support/bulk-endpoints';
import { spawnWorker, startCountingReceiver } from './fan-out-processes';
import { printTable, round1 } from './stats';
import { databaseUrlOrThrowaway } from './throwaway-database';

const ROOT = path.resolve(__dirname, '../..');
const { values: flags } = parseArgs({
  options: {
    endpoints: { type: 'string', default: '20000' },
    paths: { type: 'string', default: 'api,client' },
    'start-concurrency': { type: 'string', default: '32' },
    'inline-max': { type: 'string', default: '100' },
    'timeout-minutes': { type: 'string', default: '45' },
    'database-url': { type: 'string' },
    'temporal-address': { type: 'string' },
    out: { type: 'string', default: 'artifacts/fan-out.json' },
  },
});
const ENDPOINTS = Number(flags.endpoints);
const TIMEOUT_MS = Number(flags['timeout-minutes']) * 60_000;
const TASK_QUEUE = 'hookrelay-bench-fanout';
const log = (line: string) => console.log(`[bench:fanout ${new Date().toISOString().slice(11, 19)}] ${line}`);

interface Statement {
  at: number;
  sql: string;
  parameters: number;
  durationMs: number;
}

async function main(): Promise<void> {
  // Only for finding the Temporal CLI (TEMPORAL_CLI_PATH, the tools dir, PATH), as `npm start` does.
  const environment = loadConfigOrExit();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-fanout-'));
  chmodSync(workDir, 0o755);
  const stops: Array<() => Promise<unknown>> = [];
  const results: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), loadAverage: os.loadavg().map(round1) },
    endpoints: ENDPOINTS,
    startConcurrency: Number(flags['start-concurrency']),
    inlineStartMaxDeliveries: Number(flags['inline-max']),
  };
  try {
    log('starting the stack …');
    const databaseUrl = await databaseUrlOrThrowaway(flags['database-url'], stops, { dataDir: path.join(workDir, 'pg') });
    let temporalAddress = flags['temporal-address'];
    if (!temporalAddress) {
      const cliPath = await findTemporalBinary(temporalCli, {
        explicitPath: environment.TEMPORAL_CLI_PATH,
        toolsDir: path.join(ROOT, environment.HOOKRELAY_TOOLS_DIR),
        searchPath: environment.PATH,
      });
      const server = await startTemporalDevServer({
        cliPath,
        port: 57000 + Math.floor(Math.random() * 1000),
        headless: true,
        dbFile: path.join(workDir, 'temporal.db'),
      });
      stops.push(() => server.stop());
      temporalAddress = server.address;
    }
    const bundlePath = path.join(workDir, 'bundle.js');
    const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
    writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quiet })).code);

    const receiver = await startCountingReceiver();
    stops.push(() => receiver.close());
    const encryptionKey = SecretBox.generateKey();
    const adminKey = `bench-admin-${randomUUID()}`;
    const env = {
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      HOOKRELAY_ENCRYPTION_KEY: encryptionKey,
      HOOKRELAY_WORKFLOW_BUNDLE: bundlePath,
      HOOKRELAY_WORKFLOW_START_CONCURRENCY: flags['start-concurrency']!,
      HOOKRELAY_INLINE_START_MAX_DELIVERIES: flags['inline-max']!,
      // The receiver is on http://127.0.0.1: the development values, set explicitly.
      HOOKRELAY_ALLOW_HTTP: 'true',
      HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true',
      LOG_LEVEL: 'info',
    };
    const config = parseConfig({ ...env, NODE_ENV: 'development' });

    // The API's database, with every statement logged: count and bind parameters.
    const statements: Statement[] = [];
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new Pool({ connectionString: databaseUrl, max: config.DATABASE_POOL_SIZE }) }),
      log: (event: LogEvent) => {
        if (event.level !== 'query') return;
        statements.push({
          at: performance.now(),
          sql: event.query.sql,
          parameters: event.query.parameters.length,
          durationMs: event.queryDurationMillis,
        });
      },
    });
    stops.push(() => db.destroy());
    await migrateToLatest(db);

    log('starting the worker process …');
    const worker = await spawnWorker(env);
    stops.push(() => worker.stop());
    const temporal = await connectTemporalClient({ address: temporalAddress, namespace: 'default' });
    stops.push(() => temporal.connection.close());
    const ctx = createServiceContext(config, { db, temporal, encryptionKey });
    const api = await startApiServer(ctx, {
      port: 0,
      host: '127.0.0.1',
      adminKey,
      maxBodyBytes: 1 << 20,
      logger: pino({ level: 'silent' }),
    });
    stops.push(() => api.close());

    await createEventType(ctx, { name: 'bench.fanout', group: 'Bench' });
    const paths = flags.paths!.split(',');
    const rows: Array<Record<string, string | number>> = [];
    for (const via of paths) {
      const tenant = await createTenant(ctx, { name: `fan-out via ${via}` });
      const seeded = performance.now();
      await insertSubscribedEndpoints(db, {
        tenantId: tenant.id,
        eventType: 'bench.fanout',
        count: ENDPOINTS,
        url: (index) => receiver.url(`/${via}/${index}`),
        secretBox: ctx.secretBox,
      });
      log(`${via}: ${ENDPOINTS} endpoints seeded in ${Math.round(performance.now() - seeded)} ms; publishing …`);
      const data = { orderId: 'ord_123', amount: 4200 };
      const t0 = performance.now();
      statements.length = 0;
      let eventId: string;
      let deliveryCount: number;
      if (via === 'api') {
        const res = await request(`${api.url}/v1/tenants/${tenant.id}/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'bench.fanout', data }),
        });
        const body = (await res.body.json()) as { id: string; deliveryCount: number };
        if (res.statusCode !== 202) throw new Error(`publish answered ${res.statusCode}: ${JSON.stringify(body)}`);
        eventId = body.id;
        deliveryCount = body.deliveryCount;
      } else {
        const published = await publishEvent(temporal, { tenantId: tenant.id, type: 'bench.fanout', data }, { taskQueue: TASK_QUEUE });
        eventId = published.eventId;
        deliveryCount = published.deliveryCount;
      }
      const answered = performance.now();
      const publishStatements = statements.filter((statement) => statement.at <= answered);
      log(`${via}: answered in ${Math.round(answered - t0)} ms (${deliveryCount} deliveries); waiting for the starts and the deliveries …`);

      let allStarted: number | undefined;
      const startedWatch = (async () => {
        for (;;) {
          // Every delivery the publish planned has its workflow_started_at (the outbox's record of the start).
          const row = await sql<{ planned: string; unstarted: string }>`select count(*)::text as planned,
            count(*) filter (where workflow_started_at is null)::text as unstarted
            from deliveries where event_id = ${eventId} and retry_of_id is null`.execute(db);
          if (Number(row.rows[0]?.planned) > 0 && Number(row.rows[0]?.unstarted) === 0) return (allStarted = performance.now());
          if (performance.now() - t0 > TIMEOUT_MS) return;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      const progress = setInterval(() => log(`${via}: ${receiver.endpointsReached(eventId)} / ${ENDPOINTS} received`), 30_000);
      const allReceived = await receiver.waitForEndpoints(eventId, ENDPOINTS, TIMEOUT_MS).finally(() => clearInterval(progress));
      await startedWatch;
      const history =
        via === 'client'
          ? ((await temporal.workflow.getHandle(publishWorkflowId({ tenantId: tenant.id, eventId })).fetchHistory()).events ?? []).length
          : null;
      const row = {
        path: via,
        endpoints: ENDPOINTS,
        deliveries: deliveryCount,
        'answer ms': Math.round(answered - t0),
        'all started s': allStarted === undefined ? '—' : round1((allStarted - t0) / 1000),
        'all received s': round1((allReceived - t0) / 1000),
        'deliveries/s': round1(ENDPOINTS / ((allReceived - t0) / 1000)),
        duplicates: receiver.duplicates(eventId),
        'publish SQL statements': via === 'api' ? publishStatements.length : '—',
        'largest bind count': via === 'api' ? Math.max(...publishStatements.map((statement) => statement.parameters)) : '—',
        'slowest statement ms': via === 'api' ? round1(Math.max(...publishStatements.map((statement) => statement.durationMs))) : '—',
        'publish workflow history events': history ?? '—',
      };
      rows.push(row);
      log(`${via}: ${JSON.stringify(row)}`);
    }
    results.runs = rows;
    results.sweeperRestarts = worker.sweeperLines();
    printTable(rows);
    if (worker.sweeperLines().length > 0) log(`the worker's sweeper started stranded deliveries: ${worker.sweeperLines().join(' | ')}`);
    mkdirSync(path.dirname(path.resolve(flags.out!)), { recursive: true });
    writeFileSync(path.resolve(flags.out!), JSON.stringify(results, null, 2));
    log(`written to ${flags.out}`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => log(`stop failed: ${String(error)}`));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
