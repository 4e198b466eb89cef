// Process entry: re-seal every stored secret with the newest encryption key (the first of
// HOOKRELAY_ENCRYPTION_KEYS), then exit. Batches commit as they go; run it again after an
// interruption and it finishes the rest. Exit 0 when done, 3 when some values no configured
// key opens (listed by key id), 130 when interrupted.
import { loadConfigOrExit } from './config';
import { createDatabase } from './db/connection';
import { createLogger } from './logger';
import { SecretBox } from './domain/secret-box';
import { RESEAL_TABLES, resealSecrets } from './services/reseal.service';

async function main(): Promise<void> {
  const config = loadConfigOrExit({ requireEncryptionKey: true });
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'hookrelay-reseal' });
  if (!config.DATABASE_URL) {
    console.error('DATABASE_URL: required for `npm run reseal` (the database whose secrets are re-sealed)');
    process.exit(78);
  }
  const box = new SecretBox(config.encryptionKeys);
  const db = createDatabase({ connectionString: config.DATABASE_URL, poolSize: 2 });
  const stop = new AbortController();
  const interrupt = () => {
    console.log('Stopping after the current batch (what is done stays done; run again to finish) …');
    stop.abort();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  console.log(
    `Re-sealing stored secrets with key "${box.currentKeyId}" (configured: ${config.encryptionKeys.map((k) => k.id).join(', ')})`,
  );
  try {
    const report = await resealSecrets(db, box, {
      signal: stop.signal,
      onSkipped: (table, rowId, error) => logger.warn({ table, rowId, keyId: error.keyId, reason: error.reason }, error.message),
    });
    for (const table of RESEAL_TABLES) {
      const { resealed, skipped, changedMeanwhile } = report.tables[table];
      const skippedText = Object.entries(skipped).map(([keyId, count]) => `${count} sealed with "${keyId}"`);
      console.log(
        `  ${table.padEnd(32)} resealed ${resealed}, skipped ${skippedText.length ? skippedText.join(', ') : 0}` +
          (changedMeanwhile ? `, changed meanwhile ${changedMeanwhile}` : ''),
      );
    }
    console.log(JSON.stringify(report));
    const skippedTotal = RESEAL_TABLES.reduce((sum, t) => sum + Object.values(report.tables[t].skipped).reduce((a, b) => a + b, 0), 0);
    if (!report.complete) {
      console.log('Interrupted: run the command again to re-seal the rest.');
      process.exitCode = 130;
    } else if (skippedTotal > 0) {
      console.log(`${skippedTotal} value(s) could not be opened with any configured key: configure the key ids named above and run again.`);
      process.exitCode = 3;
    } else {
      console.log(
        `Done: every stored secret is sealed with "${box.currentKeyId}"; older keys can be removed from HOOKRELAY_ENCRYPTION_KEYS.`,
      );
    }
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
