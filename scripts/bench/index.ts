// `npm run bench`: throughput, latency, memory and cost of hookrelay against the Temporal
// ceiling, in one run on one machine. Prints tables and writes artifacts/bench.json.
//   (a) ceiling: a no-op workflow + activity on the same server and worker settings
//   (b) raw HTTP: a plain undici POST loop to the same receiver
//   (c) hookrelay end to end: publish via the API and via the Temporal client, 1 endpoint and a
//       fan-out of 10; deliveries/s and publish→receive latency at maximum load and at half of it
//   (d) parked retries: N deliveries waiting on retry timers: worker RSS, database sizes
//   (e) cost: history events and database round trips per first-try delivery
// Flags: --seconds 60 (the sustained API run), --short 20 (the others), --parked 10000,
//        --concurrency 64, --database-url, --temporal-address, --only a,b,c,d,e,
//        --sqlite-pragmas off (the dev server without WAL / synchronous=OFF, to measure them),
//        --profile-worker DIR (a V8 CPU profile of the worker process, written when it stops),
//        --worker-node-options (NODE_OPTIONS of the worker processes; default '--max-old-space-size=256',
//        as `npm run worker` runs one; '' for none),
//        --temporal-db memory (the dev server without its SQLite file: what storage costs),
//        --api-process (the API as its own `node src/server.ts` process, as in production, instead of
//        inside the benchmark's process next to the load generator and the receiver),
//        --topology split|single: the worker in its own process (split, as in production), or in
//        the API's process sharing its NativeConnection with eager workflow start (as `npm start`),
//        --latency-loads 0.5 (the open-loop rates of the latency runs, as fractions of the API's
//        maximum; e.g. 0.25,0.5),
//        --temporal-dynamic-config KEY=VALUE (repeatable; passed to the dev server, e.g.
//        system.enableActivityEagerExecution=false),
//        --temporal-tuning off (the dev server without hookrelay's server tuning, to measure it)
// Each run of (a) and (c) also reports where the CPU went (cpu.ts) and this process's event-loop delay.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, chmodSync, statSync, existsSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import pino from 'pino';
import { Agent, request } from 'undici';
import { createActivities } from '../../src/activities';
import { WebhookHttpClient } from '../../src/activities/webhook-http';
import { configSchema, parseConfig } from '../../src/config';
import type { Database } from '../../src/db/schema';
import { createDatabase } from '../../src/db/connection';
import { migrateToLatest } from '../../src/db/migrate';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres';
import { findTemporalBinary, temporalCli } from '../../src/dev/temporal-binaries';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { newId } from '../../src/domain/ids';
import { SecretBox } from '../../src/domain/secret-box';
import { createServiceContext, deliveryTuning, startApiServer } from '../../src/runtime';
import { createHookrelayWorker } from '../../src/temporal/create-worker';
import { activityUseCases } from '../../src/services/activity-use-cases';
import { createEndpoint } from '../../src/services/endpoints.service';
import { createEventType } from '../../src/services/event-types.service';
import { createTenant } from '../../src/services/tenants.service';
import { recordEvent } from '../../src/services/publishing.service';
import { markWorkflowsStarted } from '../../src/db/deliveries.repository';
import { connectTemporalClient, publishEvent } from '../../src/temporal/client';
import type { RecordedEvent } from '../../src/workflows/contracts';
import { freePort } from '../../test/support/free-port';
import { cpuUsageBetween, snapshotCpu } from './cpu';
import { printTable, round1, summarize } from './stats';

const ROOT = path.resolve(__dirname, '../..');
const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    short: { type: 'string', default: '20' },
    parked: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '64' },
    'database-url': { type: 'string' },
    'temporal-address': { type: 'string' },
    only: { type: 'string', default: 'a,b,c,d,e' },
    out: { type: 'string', default: 'artifacts/bench.json' },
    label: { type: 'string', default: 'run' },
    'sqlite-pragmas': { type: 'string', default: 'on' },
    'profile-worker': { type: 'string' },
    // As `npm run worker` and the compose file run a worker.
    'worker-node-options': { type: 'string', default: '--max-old-space-size=256' },
    topology: { type: 'string', default: 'split' },
    'temporal-db': { type: 'string', default: 'file' },
    'api-process': { type: 'boolean', default: false },
    'latency-loads': { type: 'string', default: '0.5' },
    'temporal-dynamic-config': { type: 'string', multiple: true, default: [] },
    'temporal-tuning': { type: 'string', default: 'on' },
  },
});
const SECONDS = Number(flags.seconds);
const SHORT = Number(flags.short);
const PARKED = Number(flags.parked);
const CONCURRENCY = Number(flags.concurrency);
const ONLY = new Set(flags.only!.split(','));
const LATENCY_LOADS = flags['latency-loads']!.split(',').map(Number);
const TASK_QUEUE = 'hookrelay-bench';

const results: Record<string, unknown> = {
  label: flags.label,
  startedAt: new Date().toISOString(),
  machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30) },
};
const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-bench-'));
  chmodSync(workDir, 0o755);
  const stops: Array<() => Promise<unknown>> = [];
  try {
    // --- the stack -------------------------------------------------------------------------
    let databaseUrl = flags['database-url'];
    log('starting the stack …');
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({ dataDir: path.join(workDir, 'pg'), port: 55000 + Math.floor(Math.random() * 1000) });
      stops.push(() => pg.stop());
      databaseUrl = pg.connectionString;
    }
    let temporalAddress = flags['temporal-address'];
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
      const server = await startTemporalDevServer({
        cliPath,
        port: 57000 + Math.floor(Math.random() * 1000),
        headless: true,
        dbFile: flags['temporal-db'] === 'memory' ? undefined : temporalDb,
        sqlitePragmas: flags['sqlite-pragmas'] !== 'off',
        serverTuning: flags['temporal-tuning'] !== 'off',
        dynamicConfig: flags['temporal-dynamic-config'],
      });
      stops.push(() => server.stop());
      temporalAddress = server.address;
    }
    log('postgres and temporal up');
    const bundlePath = path.join(workDir, 'bundle.js');
    writeFileSync(bundlePath, (await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quiet })).code);

    const receiver = await startBenchReceiver();
    stops.push(() => receiver.close());
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
    };
    const config = parseConfig({ ...env, NODE_ENV: 'development' });
    const db = createDatabase({ connectionString: databaseUrl, poolSize: config.DATABASE_POOL_SIZE });
    stops.push(() => db.destroy());
    await migrateToLatest(db);
    let workerPid: number;
    let apiPid: number | undefined;
    let temporal: Client;
    let ctx: ReturnType<typeof createServiceContext>;
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
    results.settings = {
      concurrency: CONCURRENCY,
      seconds: SECONDS,
      short: SHORT,
      sqlitePragmas: flags['sqlite-pragmas'],
      workerNodeOptions: flags['worker-node-options'] ?? null,
      topology: flags.topology,
      temporalDb: flags['temporal-db'],
      apiProcess: flags['api-process'],
      temporalTuning: flags['temporal-tuning'],
      temporalDynamicConfig: flags['temporal-dynamic-config'],
      tuning: pickTuningEnv(),
    };
    processIds = { bench: process.pid, worker: workerPid === process.pid ? [] : [workerPid], ...(apiPid !== undefined && { api: apiPid }) };
    log(`stack up: postgres, temporal ${temporalAddress}, worker pid ${workerPid}, API ${apiUrl}`);

    await createEventType(ctx, { name: 'bench.event', group: 'Bench' });
    const single = await createTenant(ctx, { name: 'bench-1' });
    await createEndpoint(ctx, single.id, { name: 'ok', url: receiver.url('/ok'), eventTypes: ['bench.event'], enabled: true });
    const fanout = await createTenant(ctx, { name: 'bench-10' });
    for (let i = 0; i < 10; i++)
      await createEndpoint(ctx, fanout.id, { name: `ok-${i}`, url: receiver.url(`/ok/${i}`), eventTypes: ['bench.event'], enabled: true });

    const publishViaApi = (tenantId: string) => async () => {
      const started = performance.now();
      const res = await request(`${apiUrl}/v1/tenants/${tenantId}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'bench.event', data: { invoiceId: 'inv_123', amount: 4200, lines: [{ sku: 'a', qty: 1 }] } }),
      });
      const body = (await res.body.json()) as { id: string };
      return { eventId: body.id, started, accepted: performance.now() };
    };
    const publishViaClient = (tenantId: string) => async () => {
      const started = performance.now();
      const result = await publishEvent(
        temporal,
        { tenantId, type: 'bench.event', data: { invoiceId: 'inv_123', amount: 4200 } },
        { taskQueue: TASK_QUEUE },
      );
      return { eventId: result.eventId, started, accepted: performance.now() };
    };

    // --- (a) ceiling ------------------------------------------------------------------------
    if (ONLY.has('a')) {
      const noop = await spawnChild(path.join(__dirname, 'noop-worker.ts'), env, /noop worker running/);
      const a = await measured('(a) ceiling', [noop.child.pid!], () =>
        closedLoop(SHORT, CONCURRENCY, async () => {
          await temporal.workflow.execute('noopWorkflow', { taskQueue: 'bench-noop', workflowId: `noop-${randomUUID()}` });
        }),
      );
      await noop.stop();
      results.ceiling = a;
      log(`(a) ceiling: ${a.perSecond.toFixed(0)} workflows/s`);
    }

    // --- (b) raw HTTP -----------------------------------------------------------------------
    if (ONLY.has('b')) {
      const agent = new Agent({ connections: CONCURRENCY });
      const body = JSON.stringify({ id: 'evt_x', type: 'bench.event', data: { invoiceId: 'inv_123' } });
      const b = await closedLoop(SHORT, CONCURRENCY, async () => {
        const res = await request(receiver.url('/raw'), {
          method: 'POST',
          body,
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
        });
        await res.body.dump();
      });
      await agent.close();
      results.rawHttp = b;
      log(`(b) raw HTTP: ${b.perSecond.toFixed(0)} requests/s`);
    }

    // --- (c) end to end ---------------------------------------------------------------------
    if (ONLY.has('c')) {
      const runs: Array<Record<string, string | number>> = [];
      const breakdowns: Array<Record<string, string | number>> = [];
      const run = async (name: string, measure: () => Promise<Record<string, number>>) => {
        const result = await measured(name, [], measure);
        runs.push({ run: name, ...result });
        return result;
      };
      const apiMax = await run(`API, 1 endpoint, max load, ${SECONDS}s`, () =>
        endToEnd(receiver, publishViaApi(single.id), 1, SECONDS, CONCURRENCY),
      );
      await run(`client, 1 endpoint, max load, ${SHORT}s`, () => endToEnd(receiver, publishViaClient(single.id), 1, SHORT, CONCURRENCY));
      await run(`API, fan-out 10, max load, ${SHORT}s`, () =>
        endToEnd(receiver, publishViaApi(fanout.id), 10, SHORT, Math.max(4, CONCURRENCY / 8)),
      );
      for (const fraction of LATENCY_LOADS) {
        const rate = apiMax.deliveriesPerSecond! * fraction;
        const name = `API, 1 endpoint, ${fraction} of max (${rate.toFixed(0)}/s), ${SHORT}s`;
        let sent: Published[] = [];
        await run(name, () => endToEndAtRate(receiver, publishViaApi(single.id), rate, SHORT, (published) => (sent = published)));
        breakdowns.push(...(await latencyBreakdown(name, sent, receiver, db, temporal)));
      }
      results.endToEnd = runs;
      results.latencyBreakdown = breakdowns;
      console.log('\n(c) end to end');
      printTable(runs);
      console.log('\nWhere the latency of the open-loop runs goes (ms; Temporal server clock for the workflow events)');
      printTable(breakdowns);
    }

    if (cpuRows.length > 0) {
      results.cpu = cpuRows;
      console.log(
        '\nCPU during each run, % of one core (machine: all cores; bench: load generator, receiver and, unless --api-process, the API)',
      );
      printTable(cpuRows);
    }

    // --- (e) cost ---------------------------------------------------------------------------
    if (ONLY.has('e')) {
      results.cost = await cost(ctx, single.id, temporal, receiver, databaseUrl, encryptionKey);
      console.log('\n(e) cost per first-try delivery');
      printTable([results.cost as Record<string, number>]);
    }

    // --- (d) parked retries -----------------------------------------------------------------
    if (ONLY.has('d')) {
      const parkedTenant = await createTenant(ctx, { name: 'bench-parked' });
      await createEndpoint(ctx, parkedTenant.id, {
        name: 'failing',
        url: receiver.url('/fail'),
        eventTypes: ['bench.event'],
        enabled: true,
        retryPolicy: { strategy: 'schedule', delaysSeconds: [36000], jitter: 0 },
      });
      const rssBefore = rssMiB(workerPid);
      const started = performance.now();
      let published = 0;
      await closedLoop(3600, CONCURRENCY, async () => {
        if (published >= PARKED) throw new StopLoop();
        published++;
        await publishViaApi(parkedTenant.id)();
      });
      for (;;) {
        const { count } = await db
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll<string>().as('count'))
          .where('tenant_id', '=', parkedTenant.id)
          .where('status', '=', 'retrying')
          .executeTakeFirstOrThrow();
        if (Number(count) >= PARKED) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      const parkSeconds = (performance.now() - started) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const { rows } = await sql<{ size: string }>`select pg_database_size(current_database())::text as size`.execute(db);
      const d = {
        parkedDeliveries: PARKED,
        secondsToPark: round1(parkSeconds),
        workerRssMiBBefore: rssBefore,
        workerRssMiB: rssMiB(workerPid),
        postgresMiB: round1(Number(rows[0]!.size) / 2 ** 20),
        temporalSqliteMiB: round1(['', '-wal', '-shm'].map((suffix) => fileSize(temporalDb + suffix)).reduce((a, b) => a + b, 0) / 2 ** 20),
      };
      results.parked = d;
      console.log('\n(d) parked retries');
      printTable([d]);
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    mkdirSync(path.dirname(flags.out!), { recursive: true });
    writeFileSync(flags.out!, JSON.stringify(results, null, 2));
    log(`wrote ${flags.out}`);
  }
}

// --- measurement helpers ------------------------------------------------------------------

/** Workflows/s of the ceiling, deliveries/s of an end-to-end run. */
function itemsPerSecond(result: unknown): number {
  const { perSecond, deliveriesPerSecond } = result as { perSecond?: number; deliveriesPerSecond?: number };
  return deliveriesPerSecond ?? perSecond ?? NaN;
}

const cpuRows: Array<Record<string, string | number>> = [];
let processIds: { bench: number; worker: number[]; api?: number } = { bench: process.pid, worker: [] };

/**
 * Runs one measurement and records where the CPU went meanwhile, and how late this process's
 * event loop ran its callbacks (the load generator's, the receiver's and, unless --api-process,
 * the API's own delay).
 */
async function measured<T>(name: string, extraWorkerPids: number[], measure: () => Promise<T>): Promise<T> {
  const pids = { ...processIds, worker: [...processIds.worker, ...extraWorkerPids] };
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const before = snapshotCpu(pids);
  const result = await measure();
  const usage = cpuUsageBetween(before, snapshotCpu(pids));
  loopDelay.disable();
  cpuRows.push({
    run: name,
    machine: usage.machineBusyPct,
    steal: usage.machineStealPct,
    bench: usage.byGroup.bench ?? 0,
    ...(processIds.api !== undefined && { api: usage.byGroup.api ?? 0 }),
    worker: usage.byGroup.worker ?? 0,
    temporal: usage.byGroup.temporal ?? 0,
    postgres: usage.byGroup.postgres ?? 0,
    benchLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    // Every core busy (machine ≈ cores × 100) means throughput = cores / CPU time per item.
    cpuMsPerItem: (usage.machineBusyPct * 10) / itemsPerSecond(result),
  });
  return result;
}

class StopLoop extends Error {}

async function closedLoop(seconds: number, concurrency: number, operation: () => Promise<unknown>) {
  const deadline = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await operation();
          latencies.push(performance.now() - t0);
        } catch (error) {
          if (error instanceof StopLoop) return;
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const s = summarize(latencies);
  return { completed: latencies.length, errors, perSecond: latencies.length / elapsed, p50Ms: s.p50, p95Ms: s.p95, p99Ms: s.p99 };
}

/** `started` when the publish was sent, `accepted` when its answer came back. */
type Published = { eventId: string; started: number; accepted: number };
type Publish = () => Promise<Published>;

/**
 * Maximum load, measured like the ceiling: `concurrency` publishers, each publishing its next
 * event once every delivery of the previous one has been received (so no queue builds up
 * anywhere and the figure is a sustainable rate, not how fast a backlog can be accepted).
 */
async function endToEnd(receiver: BenchReceiver, publish: Publish, fanOut: number, seconds: number, concurrency: number) {
  const sent: Published[] = [];
  const t0 = performance.now();
  const loop = await closedLoop(seconds, concurrency, async () => {
    const published = await publish();
    sent.push(published);
    await receiver.waitFor(published.eventId, fanOut);
  });
  return drain(receiver, sent, fanOut, t0, loop.errors);
}

/** Publishes at a fixed rate (open loop) for `seconds`, then waits for every delivery. */
async function endToEndAtRate(
  receiver: BenchReceiver,
  publish: Publish,
  perSecond: number,
  seconds: number,
  onSent?: (sent: Published[]) => void,
) {
  const sent: Published[] = [];
  const t0 = performance.now();
  const total = Math.floor(perSecond * seconds);
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      publish().then(
        (p) => void sent.push(p),
        () => void errors++,
      ),
    );
  }
  await Promise.all(inFlight);
  onSent?.(sent);
  return drain(receiver, sent, 1, t0, errors);
}

/**
 * Splits each delivery's publish→receive latency into its stages, from the delivery workflow's
 * history: publish sent → workflow started (the API: its transaction and the start call),
 * started → first workflow task started (waiting for a worker's poll), and task started →
 * webhook received (the worker: activation, the attempt's load, signing and the POST).
 */
async function latencyBreakdown(run: string, sent: Published[], receiver: BenchReceiver, db: Kysely<Database>, temporal: Client) {
  const stages = { toWorkflowStarted: [] as number[], toTaskStarted: [] as number[], toReceived: [] as number[], total: [] as number[] };
  const wallClock = (monotonic: number) => performance.timeOrigin + monotonic;
  await Promise.all(
    sent.map(async (published) => {
      const receivedAt = receiver.received.get(published.eventId)?.[0];
      const delivery = await db.selectFrom('deliveries').select('workflow_id').where('event_id', '=', published.eventId).executeTakeFirst();
      if (receivedAt === undefined || !delivery) return;
      const events = (await temporal.workflow.getHandle(delivery.workflow_id).fetchHistory()).events ?? [];
      const started = events.find((e) => e.workflowExecutionStartedEventAttributes);
      const taskStarted = events.find((e) => e.workflowTaskStartedEventAttributes);
      if (!started || !taskStarted) return;
      const startedAt = tsToMs(started.eventTime);
      const taskStartedAt = tsToMs(taskStarted.eventTime);
      stages.toWorkflowStarted.push(startedAt - wallClock(published.started));
      stages.toTaskStarted.push(taskStartedAt - startedAt);
      stages.toReceived.push(wallClock(receivedAt) - taskStartedAt);
      stages.total.push(receivedAt - published.started);
    }),
  );
  return Object.entries(stages).map(([stage, samples]) => {
    const s = summarize(samples);
    return { run, stage, n: s.n, p50Ms: s.p50, p95Ms: s.p95, p99Ms: s.p99, maxMs: Math.max(...samples) };
  });
}

async function drain(receiver: BenchReceiver, sent: Published[], fanOut: number, t0: number, errors: number) {
  const expected = sent.length * fanOut;
  const deadline = performance.now() + 120_000;
  while (sent.some((s) => (receiver.received.get(s.eventId)?.length ?? 0) < fanOut) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const latencies: number[] = [];
  let last = t0;
  let delivered = 0;
  for (const s of sent) {
    for (const at of receiver.received.get(s.eventId) ?? []) {
      latencies.push(at - s.started);
      last = Math.max(last, at);
      delivered++;
    }
  }
  const s = summarize(latencies);
  const accept = summarize(sent.map((p) => p.accepted - p.started));
  return {
    events: sent.length,
    deliveries: delivered,
    lost: expected - Math.min(delivered, expected),
    publishErrors: errors,
    deliveriesPerSecond: delivered / ((last - t0) / 1000),
    p50Ms: s.p50,
    p95Ms: s.p95,
    p99Ms: s.p99,
    /** Publish answered (202): the part of the latency spent before the delivery workflow runs. */
    acceptP50Ms: accept.p50,
    acceptP99Ms: accept.p99,
  };
}

/** History events and database round trips of one first-try delivery. */
async function cost(
  ctx: ReturnType<typeof createServiceContext>,
  tenantId: string,
  temporal: Awaited<ReturnType<typeof connectTemporalClient>>,
  receiver: BenchReceiver,
  databaseUrl: string,
  encryptionKey: string,
) {
  // History: a real delivery through the running worker, published through the Temporal client
  // so there is a publish workflow to count too (an API publish has none).
  const published = await publishEvent(temporal, { tenantId, type: 'bench.event', data: { n: 1 } }, { taskQueue: TASK_QUEUE });
  const delivery = await ctx.db
    .selectFrom('deliveries')
    .select(['id', 'workflow_id'])
    .where('event_id', '=', published.eventId)
    .executeTakeFirstOrThrow();
  const handle = temporal.workflow.getHandle(delivery.workflow_id);
  await handle.result();
  const deliveryEvents = (await handle.fetchHistory()).events?.length ?? 0;
  const publishEvents = (await temporal.workflow.getHandle(`publish-${published.eventId}`).fetchHistory()).events?.length ?? 0;

  // Round trips: the same activities on a pg pool that counts every query it sends.
  let roundTrips = 0;
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      roundTrips++;
      return query(...args);
    };
  });
  const countingDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const services = { ...ctx, db: countingDb, secretBox: new SecretBox(encryptionKey) };
  const activities = createActivities({
    db: services.db,
    secretBox: services.secretBox,
    useCases: activityUseCases(services),
    http: new WebhookHttpClient({ allowPrivateNetworks: true }),
    userAgent: 'hookrelay/bench',
    defaultTimeoutMs: 15_000,
    disableFailingEndpointAfterMs: 5 * 24 * 3_600_000,
  });
  const env = new MockActivityEnvironment();
  const samples = 50;
  let recordRoundTrips = 0;
  let attemptRoundTrips = 0;
  for (let i = 0; i < samples; i++) {
    // The API's publish: record (one transaction) + mark started; the workflow starts cost no query.
    const before = roundTrips;
    const recorded: RecordedEvent = await recordEvent(
      countingDb,
      { eventId: newId('evt'), tenantId, type: 'bench.event', data: { i } },
      { freshEventId: true },
    );
    await markWorkflowsStarted(
      countingDb,
      recorded.deliveries.map((delivery) => delivery.deliveryId),
    );
    const mid = roundTrips;
    await env.run(activities.attemptDelivery, {
      deliveryId: recorded.deliveries[0]!.deliveryId,
      attemptNumber: 1,
      trigger: 'scheduled' as const,
    });
    recordRoundTrips += mid - before;
    attemptRoundTrips += roundTrips - mid;
  }
  await countingDb.destroy();
  void receiver;
  return {
    deliveryHistoryEvents: deliveryEvents,
    publishHistoryEvents: publishEvents,
    dbRoundTripsPerAttempt: attemptRoundTrips / samples,
    dbRoundTripsPerPublish: recordRoundTrips / samples,
  };
}

// --- plumbing -------------------------------------------------------------------------------

interface BenchReceiver {
  url(pathname: string): string;
  received: Map<string, number[]>;
  /** Resolves once `count` deliveries of the event arrived; rejects after 60 s. */
  waitFor(eventId: string, count: number): Promise<void>;
  close(): Promise<void>;
}

async function startBenchReceiver(): Promise<BenchReceiver> {
  const received = new Map<string, number[]>();
  const waiters = new Map<string, { count: number; resolve: () => void }>();
  const server = createServer((req, res) => {
    const id = req.headers['webhook-id'];
    req.resume();
    req.on('end', () => {
      if (typeof id === 'string' && !req.url!.startsWith('/fail')) {
        const list = received.get(id) ?? [];
        list.push(performance.now());
        received.set(id, list);
        const waiter = waiters.get(id);
        if (waiter && list.length >= waiter.count) {
          waiters.delete(id);
          waiter.resolve();
        }
      }
      res.writeHead(req.url!.startsWith('/fail') ? 500 : 200).end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: (pathname) => `http://127.0.0.1:${port}${pathname}`,
    received,
    waitFor: (eventId, count) =>
      new Promise<void>((resolve, reject) => {
        if ((received.get(eventId)?.length ?? 0) >= count) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(eventId);
          reject(new Error(`${eventId}: not delivered within 60 s`));
        }, 60_000);
        waiters.set(eventId, { count, resolve: () => (clearTimeout(timer), resolve()) });
      }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function spawnChild(
  entry: string,
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const profile =
    flags['profile-worker'] && entry.endsWith('src/worker.ts')
      ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(flags['profile-worker'])}`]
      : [];
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

function pickTuningEnv(): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if ((name.startsWith('HOOKRELAY_WORKER_') || name === 'DATABASE_POOL_SIZE') && value) picked[name] = value;
  }
  return picked;
}

function rssMiB(pid: number): number {
  const status = existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? round1(Number(match[1]) / 1024) : NaN;
}

function fileSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
