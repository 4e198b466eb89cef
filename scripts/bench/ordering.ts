// `npm run bench:ordering`: what FIFO ordering (issue 12) costs in PostgreSQL. Times the one-statement
// fan-out insert of N deliveries (a) to unordered endpoints with the position trigger, (b) the same
// with the trigger disabled (the cost before ordering existed), (c) to FIFO endpoints; then the
// ordering rule's admission check of a FIFO delivery (row share lock + head probe) against a line
// of open deliveries. Median of --runs. Flags: --deliveries 20000, --runs 5, --database-url.
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import { createOrderingRule } from '../../src/activities/ordering-rule';
import { loadDeliveryForAttempt } from '../../src/db/attempts.repository';
import { insertFanOutDeliveries } from '../../src/db/deliveries.repository';
import { migrateToLatest } from '../../src/db/migrate';
import type { Database } from '../../src/db/schema';
import { deliveryWorkflowId, newId } from '../../src/domain/ids';
import { SecretBox } from '../../src/domain/secret-box';
import { insertSubscribedEndpoints } from '../../test/support/bulk-endpoints';
import { databaseUrlOrThrowaway } from './throwaway-database';

const { values: flags } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '5' },
    'database-url': { type: 'string' },
  },
});
const count = Number(flags.deliveries);
const runs = Number(flags.runs);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  try {
    const databaseUrl = await databaseUrlOrThrowaway(flags['database-url'], stops, { prefix: 'hookrelay-bench-ordering-' });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: databaseUrl, max: 4 }) }) });
    stops.unshift(() => db.destroy());
    await migrateToLatest(db);
    const tenantId = newId('ten');
    await db.insertInto('tenants').values({ id: tenantId, name: 'bench' }).execute();
    await db
      .insertInto('event_types')
      .values({ name: 'bench.ordering' })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const secretBox = new SecretBox(SecretBox.generateKey());
    const endpointIds = await insertSubscribedEndpoints(db, {
      tenantId,
      eventType: 'bench.ordering',
      count,
      url: (i) => `http://127.0.0.1:9/${i}`,
      secretBox,
    });

    const fanOut = async (): Promise<number> => {
      const eventId = newId('evt');
      await db
        .insertInto('events')
        .values({ id: eventId, tenant_id: tenantId, type: 'bench.ordering', data: '{}', occurred_at: new Date() })
        .execute();
      const planned = endpointIds.map((endpointId) => {
        const id = newId('dlv');
        return { id, endpointId, workflowId: deliveryWorkflowId(id) };
      });
      const started = process.hrtime.bigint();
      await db
        .transaction()
        .execute((trx) =>
          insertFanOutDeliveries(
            trx,
            { tenantId, eventId, eventType: 'bench.ordering', resourceId: null, workflowStartedAt: new Date() },
            planned,
          ),
        );
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      await db.deleteFrom('deliveries').where('event_id', '=', eventId).execute();
      return ms;
    };
    const timeRuns = async () => {
      const times: number[] = [];
      for (let i = 0; i < runs; i += 1) times.push(await fanOut());
      return median(times);
    };

    await fanOut(); // warm-up
    const unordered = await timeRuns();
    await sql`alter table deliveries disable trigger deliveries_ordering_positions`.execute(db);
    const withoutTrigger = await timeRuns();
    await sql`alter table deliveries enable trigger deliveries_ordering_positions`.execute(db);
    await db
      .updateTable('endpoints')
      .set({ ordering: JSON.stringify({ mode: 'fifo', key: null }) })
      .execute();
    const ordered = await timeRuns();

    // Admission checks: a line of 200 open deliveries on one FIFO endpoint; check the last one.
    const line = endpointIds[0]!;
    const eventId = newId('evt');
    await db
      .insertInto('events')
      .values({ id: eventId, tenant_id: tenantId, type: 'bench.ordering', data: '{}', occurred_at: new Date() })
      .execute();
    const lineIds = Array.from({ length: 200 }, () => newId('dlv'));
    for (const id of lineIds) {
      await db
        .insertInto('deliveries')
        .values({
          id,
          tenant_id: tenantId,
          event_id: eventId,
          endpoint_id: line,
          event_type: 'bench.ordering',
          workflow_id: deliveryWorkflowId(id),
        })
        .execute();
    }
    const admit = createOrderingRule(db).admit!;
    const input = { deliveryId: lineIds.at(-1)!, attemptNumber: 1, trigger: 'scheduled' as const };
    const last = (await loadDeliveryForAttempt(db, lineIds.at(-1)!, new Date()))!;
    const checks = 500;
    let started = process.hrtime.bigint();
    for (let i = 0; i < checks; i += 1) await admit(last, input, new Date());
    const admitUs = Number(process.hrtime.bigint() - started) / 1e3 / checks;
    const loads = 500;
    started = process.hrtime.bigint();
    for (let i = 0; i < loads; i += 1) await loadDeliveryForAttempt(db, lineIds.at(-1)!, new Date());
    const loadUs = Number(process.hrtime.bigint() - started) / 1e3 / loads;

    console.log(`fan-out insert of ${count} deliveries (one statement), median of ${runs}:`);
    console.log(`  unordered endpoints, trigger disabled (before ordering): ${withoutTrigger.toFixed(1)} ms`);
    console.log(`  unordered endpoints, position trigger:                   ${unordered.toFixed(1)} ms`);
    console.log(`  FIFO endpoints (one position each):                      ${ordered.toFixed(1)} ms`);
    console.log(`FIFO admission check (waiter behind 199 open deliveries): ${admitUs.toFixed(0)} µs per check`);
    console.log(`  for scale, loadDeliveryForAttempt (one query):          ${loadUs.toFixed(0)} µs`);
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
