// The attempt log explains failures (issue 14): each attempt's phase times in whole ms (DNS,
// connect, TLS, time to first byte; the total is duration_ms), whether it went out on a kept-alive
// connection, the address it reached, its body size, and a TLS failure's reason beside error kind
// `tls`. Typed nullable columns rather than a jsonb blob: a few bytes a row, null costs a bit.
// Added on the partitioned parent they reach every partition; without a default or a check each
// is a catalogue change only (no rewrite, no scan of the log). Frozen in time: no app imports.
import { Kysely, sql } from 'kysely';

const COLUMNS: Array<[name: string, type: string, comment: string]> = [
  ['dns_ms', 'integer', 'host name lookup, ms; null: none (IP literal, reused connection, not measured)'],
  ['connect_ms', 'integer', 'TCP connect, ms; null: none (reused connection, lookup failed, not measured)'],
  ['tls_ms', 'integer', 'TLS handshake, ms (until it failed, for a tls error); null: none (http, reused connection)'],
  ['ttfb_ms', 'integer', 'from the attempt start to the response status line and headers, ms; null: no answer began'],
  ['connection_reused', 'boolean', 'true: a kept-alive connection; false: opened for this attempt; null: none made or not measured'],
  ['remote_address', 'inet', 'the address the attempt connected to; null: none reached or not measured'],
  ['request_body_bytes', 'integer', 'the request body as sent, bytes; null only on rows recorded before 2026-12-03'],
  ['tls_failure_reason', 'text', 'with error_kind tls: certificate_expired, hostname_mismatch, unknown_ca, …; else null'],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, type, comment] of COLUMNS) {
    await sql`alter table attempts add column ${sql.ref(name)} ${sql.raw(type)}`.execute(db);
    await sql`comment on column attempts.${sql.ref(name)} is ${sql.lit(comment)}`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of [...COLUMNS].reverse()) await sql`alter table attempts drop column ${sql.ref(name)}`.execute(db);
}
