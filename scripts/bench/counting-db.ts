import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import type { Database } from '../../src/db/schema';

/**
 * A Kysely database on its own small pg pool that counts every query it sends, so a benchmark
 * can report database round trips per operation. Read `roundTrips()` before and after.
 */
export function countingDatabase(connectionString: string): { db: Kysely<Database>; roundTrips: () => number } {
  let roundTrips = 0;
  const pool = new Pool({ connectionString, max: 2 });
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      roundTrips++;
      return query(...args);
    };
  });
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), roundTrips: () => roundTrips };
}
