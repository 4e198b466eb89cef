// The endpoint's circuit (issue 12 part 3): its health state with since/why, when the next
// half-open probe may go, the probe lease (one probe at a time across workers), the failed-probe
// and timeout streaks, and the optional healthCheckUrl probes go to. Frozen in time: no app imports.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('endpoints')
    .addColumn('health_check_url', 'text')
    .addColumn('health_state', 'text', (col) => col.notNull().defaultTo('healthy'))
    .addColumn('health_since', 'timestamptz')
    .addColumn('health_reason', 'text')
    .addColumn('health_next_probe_at', 'timestamptz')
    .addColumn('health_probe_holder', 'text')
    .addColumn('health_probe_until', 'timestamptz')
    .addColumn('health_failed_probes', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('health_timeout_streak', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await sql`alter table endpoints add constraint endpoints_health_state_check
    check (health_state in ('healthy', 'backing-off', 'open'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table endpoints drop constraint if exists endpoints_health_state_check`.execute(db);
  await db.schema
    .alterTable('endpoints')
    .dropColumn('health_check_url')
    .dropColumn('health_state')
    .dropColumn('health_since')
    .dropColumn('health_reason')
    .dropColumn('health_next_probe_at')
    .dropColumn('health_probe_holder')
    .dropColumn('health_probe_until')
    .dropColumn('health_failed_probes')
    .dropColumn('health_timeout_streak')
    .execute();
}
