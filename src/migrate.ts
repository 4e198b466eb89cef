// Process entry: apply database migrations, then exit (non-zero on failure).
import { loadConfigOrExit } from './config';
import { createDatabase } from './db/connection';
import { migrateToLatest } from './db/migrate';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (!config.DATABASE_URL) {
    console.error('DATABASE_URL: required for `npm run migrate` (npm start runs migrations against its embedded database itself)');
    process.exit(78);
  }
  const db = createDatabase({ connectionString: config.DATABASE_URL, poolSize: 1 });
  try {
    const result = await migrateToLatest(db);
    const applied = result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date');
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
