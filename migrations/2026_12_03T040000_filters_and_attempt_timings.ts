// Payload filters and an attempt log that explains failures (issue 14): an endpoint's `filter`
// (jsonb, validated on write), and per attempt the timing breakdown, the address connected to, the
// request body size and, for TLS failures, the reason. Frozen in time: no app imports.
import { Kysely } from 'kysely';

const ATTEMPT_COLUMNS = [
  ['dns_ms', 'integer'],
  ['connect_ms', 'integer'],
  ['tls_ms', 'integer'],
  ['first_byte_ms', 'integer'],
  ['connection_reused', 'boolean'],
  ['remote_address', 'text'],
  ['remote_port', 'integer'],
  ['request_body_bytes', 'integer'],
  ['tls_failure_reason', 'text'],
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('endpoints').addColumn('filter', 'jsonb').execute();
  let attempts = db.schema.alterTable('attempts') as any;
  for (const [name, type] of ATTEMPT_COLUMNS) attempts = attempts.addColumn(name, type);
  await attempts.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  let attempts = db.schema.alterTable('attempts') as any;
  for (const [name] of ATTEMPT_COLUMNS) attempts = attempts.dropColumn(name);
  await attempts.execute();
  await db.schema.alterTable('endpoints').dropColumn('filter').execute();
}
