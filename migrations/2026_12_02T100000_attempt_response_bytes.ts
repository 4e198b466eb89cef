// Receiver answers are untrusted bytes: the attempt log keeps the first 64 KiB of a response
// body as bytea (a text column refuses NUL and invalid UTF-8), whether it was cut off, and its
// original length when known. Old rows keep their text in `response_body` and still display.
// Frozen in time: imports nothing from the app.
import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('attempts')
    .addColumn('response_body_bytes', 'bytea')
    .addColumn('response_body_truncated', 'boolean', (column) => column.notNull().defaultTo(false))
    .addColumn('response_body_length', 'bigint')
    .execute();
  await sql`comment on column attempts.response_body is 'before 2026-12: the body as text; newer rows use response_body_bytes'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('attempts')
    .dropColumn('response_body_bytes')
    .dropColumn('response_body_truncated')
    .dropColumn('response_body_length')
    .execute();
}
