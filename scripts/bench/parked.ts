// (d) Parked retries: --parked deliveries waiting on a ten-hour retry timer; the worker's RSS and
// the databases' sizes once they all wait.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { sql } from 'kysely';
import { createEndpoint } from '../../src/services/endpoints.service';
import { createTenant } from '../../src/services/tenants.service';
import { publishViaApi } from './fixtures';
import { CONCURRENCY, PARKED } from './flags';
import { closedLoop, StopLoop } from './load';
import type { Stack } from './stack';
import { round1 } from './stats';

export async function measureParked(stack: Stack) {
  const { ctx, db, receiver, workerPid, temporalDb } = stack;
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
    await publishViaApi(stack, parkedTenant.id)();
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
  return {
    parkedDeliveries: PARKED,
    secondsToPark: round1(parkSeconds),
    workerRssMiBBefore: rssBefore,
    workerRssMiB: rssMiB(workerPid),
    postgresMiB: round1(Number(rows[0]!.size) / 2 ** 20),
    temporalSqliteMiB: round1(['', '-wal', '-shm'].map((suffix) => fileSize(temporalDb + suffix)).reduce((a, b) => a + b, 0) / 2 ** 20),
  };
}

function rssMiB(pid: number): number {
  const status = existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? round1(Number(match[1]) / 1024) : NaN;
}

function fileSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}
