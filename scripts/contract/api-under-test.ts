// The API that `npm run test:contract` puts under schemathesis: embedded PostgreSQL and a Temporal
// dev server in a throwaway directory on free loopback ports, migrations, then the API process's
// own pieces (createServiceContext, startApiServer), exactly as src/server.ts runs them.
// No worker runs: schemathesis creates endpoints with whatever URLs it generates, and a worker would
// POST to them. Deliveries the API starts wait on the task queue and are thrown away with the rest.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { apiAccessOptions } from '../../src/api/auth';
import { parseConfig } from '../../src/config';
import { createDatabase } from '../../src/db/connection';
import { migrateToLatest } from '../../src/db/migrate';
import { findTemporalBinary, temporalCli } from '../../src/dev/temporal-binaries';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { SecretBox } from '../../src/domain/secret-box';
import { apiRateLimit, createServiceContext, startApiServer } from '../../src/runtime';
import { connectTemporalClient } from '../../src/temporal/client';
import { freePort } from '../../test/support/free-port';
import { startThrowawayDatabase } from '../bench/throwaway-database';

export interface ApiUnderTest {
  url: string;
  adminKey: string;
  stop(): Promise<void>;
}

export async function startApiUnderTest(options: { toolsDir: string; log: (line: string) => void }): Promise<ApiUnderTest> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const postgres = await startThrowawayDatabase({ prefix: 'hookrelay-contract-', database: 'hookrelay' });
    cleanups.push(() => postgres.stop());
    const cliPath = await findTemporalBinary(temporalCli, {
      explicitPath: process.env.TEMPORAL_CLI_PATH,
      toolsDir: options.toolsDir,
      searchPath: process.env.PATH ?? '',
      log: options.log,
    });
    const temporalServer = await startTemporalDevServer({ cliPath, port: await freePort(), headless: true });
    cleanups.push(() => temporalServer.stop());

    const adminKey = `hr_contract_${randomBytes(16).toString('hex')}`;
    // What a deployment sets, with the development URL policy (the document allows http; private
    // addresses are what a loopback run has). Both request limits are off: a run spends its few
    // minutes on the routes' logic, not on 429s (the document declares 429 on every /v1 route).
    const config = parseConfig({
      DATABASE_URL: postgres.connectionString,
      TEMPORAL_ADDRESS: temporalServer.address,
      HOOKRELAY_ADMIN_KEY: adminKey,
      HOOKRELAY_ENCRYPTION_KEY: SecretBox.generateKey(),
      HOOKRELAY_ALLOW_HTTP: 'true',
      HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true',
      HOOKRELAY_API_RATE_LIMIT_PER_SECOND: '0',
      HOOKRELAY_AUTH_FAILURES_PER_MINUTE: '0',
      HOOKRELAY_TOOLS_DIR: options.toolsDir,
    });
    const db = createDatabase({ connectionString: postgres.connectionString, poolSize: config.DATABASE_POOL_SIZE });
    cleanups.push(() => db.destroy());
    await migrateToLatest(db);
    const temporal = await connectTemporalClient({ address: temporalServer.address, namespace: config.TEMPORAL_NAMESPACE });
    cleanups.push(() => temporal.connection.close());
    const ctx = createServiceContext(config, { db, temporal, encryptionKey: config.encryptionKeys });
    const api = await startApiServer(ctx, {
      port: 0,
      host: '127.0.0.1',
      adminKey,
      ...apiAccessOptions(config),
      maxBodyBytes: config.HOOKRELAY_MAX_BODY_BYTES,
      rateLimit: apiRateLimit(config),
      logger: pino({ level: 'error' }, pino.destination(2)),
    });
    cleanups.push(() => api.close(2_000));
    return { url: api.url, adminKey, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
