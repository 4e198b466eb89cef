// Opens the Kysely database over a pg pool.
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { Database } from './schema';

export interface DatabaseOptions {
  connectionString: string;
  poolSize?: number;
}

export function createDatabase({ connectionString, poolSize = 10 }: DatabaseOptions): Kysely<Database> {
  const pool = new Pool({ connectionString, max: poolSize });
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool drops it and the next query reconnects.
  pool.on('error', () => undefined);
  // A checked-out client (mid-transaction) losing its connection emits 'error' on itself, which
  // would crash the process without a listener; its query rejects anyway and the pool drops it.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
