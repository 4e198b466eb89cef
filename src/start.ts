// `npm start`: the whole system in one process for a laptop. Embedded PostgreSQL unless
// DATABASE_URL is set, a Temporal dev server unless TEMPORAL_ADDRESS is set, then migrations,
// the worker and the API. Ctrl-C stops everything; data stays under .data/ for the next start.
// Only here are the development values on (http and private-network endpoints, a generated
// encryption key kept in .data/); the separate production processes never fall back to them.
import path from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { apiAccessOptions } from './api/auth';
import { DEVELOPMENT_DEFAULTS, loadConfigOrExit } from './config';
import { createDatabase } from './db/connection';
import { migrateToLatest } from './db/migrate';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from './dev/embedded-postgres';
import { findTemporalBinary, temporalCli } from './dev/temporal-binaries';
import { startTemporalDevServer, type TemporalDevServer } from './dev/temporal-dev-server';
import { createLogger } from './logger';
import { setUpRetention } from './retention-setup';
import { SecretBox } from './domain/secret-box';
import { apiRateLimit, createServiceContext, deliveryTuning, persistedValue, resolveAdminKey, startApiServer } from './runtime';
import { HookrelayMetrics } from './metrics/metrics';
import { temporalConnectionOptions, type TemporalConnectionOptions } from './temporal/connection-options';
import { createHookrelayWorker } from './temporal/create-worker';
import { installTemporalLogging } from './temporal/runtime-logging';
import { tracingClientInterceptors } from './temporal/client';
import { startTracing } from './tracing';

async function main(): Promise<void> {
  const config = loadConfigOrExit({ defaults: DEVELOPMENT_DEFAULTS });
  const logger = createLogger({ level: config.LOG_LEVEL });
  installTemporalLogging(logger, 'WARN', { metricsBindAddress: config.TEMPORAL_METRICS_BIND_ADDRESS });
  const dataDir = path.resolve(config.HOOKRELAY_DATA_DIR);
  const cleanups: Array<() => Promise<unknown>> = [];
  const say = (line: string) => process.stdout.write(line + '\n');

  let shuttingDown = false;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    say('\nStopping hookrelay …');
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => logger.warn({ err: error }, 'error during shutdown'));
    }
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      say(`Starting embedded PostgreSQL (data in ${path.join(dataDir, 'postgres')}) …`);
      const postgres: EmbeddedPostgresServer = await startEmbeddedPostgres({
        dataDir: path.join(dataDir, 'postgres'),
        port: config.HOOKRELAY_DEV_POSTGRES_PORT,
        log: (line) => logger.debug({ component: 'postgres' }, line),
      });
      cleanups.push(() => postgres.stop());
      databaseUrl = postgres.connectionString;
    }

    let temporalAddress = config.TEMPORAL_ADDRESS;
    let temporalUiUrl = config.TEMPORAL_UI_URL;
    if (!temporalAddress) {
      const cliPath = await findTemporalBinary(temporalCli, {
        explicitPath: config.TEMPORAL_CLI_PATH,
        toolsDir: config.HOOKRELAY_TOOLS_DIR,
        searchPath: config.PATH,
        log: say,
      });
      say(`Starting Temporal dev server (${cliPath}, state in ${path.join(dataDir, 'temporal.db')}) …`);
      const temporalServer: TemporalDevServer = await startTemporalDevServer({
        cliPath,
        port: config.HOOKRELAY_DEV_TEMPORAL_PORT,
        uiPort: config.HOOKRELAY_DEV_TEMPORAL_UI_PORT,
        dbFile: path.join(dataDir, 'temporal.db'),
        namespace: config.TEMPORAL_NAMESPACE,
        log: (line) => logger.debug({ component: 'temporal' }, line),
      });
      cleanups.push(() => temporalServer.stop());
      temporalAddress = temporalServer.address;
      temporalUiUrl = temporalServer.uiUrl;
    }

    const db = createDatabase({ connectionString: databaseUrl, poolSize: config.DATABASE_POOL_SIZE });
    cleanups.push(() => db.destroy());
    await migrateToLatest(db);

    // A development key of its own, kept next to the embedded data it seals, unless one is configured.
    const encryptionKeyFile = path.join(dataDir, 'encryption.key');
    const encryptionKey = config.encryptionKeys.length
      ? config.encryptionKeys
      : persistedValue(dataDir, 'encryption.key', SecretBox.generateKey);
    const adminKey = resolveAdminKey(config);
    // TLS and API keys apply to an external Temporal only; the dev server speaks plain gRPC.
    const connectionOptions: TemporalConnectionOptions = config.TEMPORAL_ADDRESS
      ? temporalConnectionOptions(temporalAddress, config)
      : { address: temporalAddress };
    // One connection for the worker and the API's client: deliveries the API starts are started
    // eagerly, their first workflow task handed straight to this process's worker.
    const connection = await NativeConnection.connect(connectionOptions);
    cleanups.push(() => connection.close());
    const tracing = startTracing({
      otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
      serviceName: config.OTEL_SERVICE_NAME ?? 'hookrelay',
    });
    if (tracing) cleanups.push(() => tracing.shutdown());
    const temporal = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      ...(tracing && { interceptors: tracingClientInterceptors() }),
    });
    // One process: the worker's delivery metrics and the API's request metrics share a registry.
    const metrics = new HookrelayMetrics({ processMetrics: true });
    const ctx = createServiceContext(config, { db, temporal, encryptionKey, eagerWorkflowStart: true });
    await setUpRetention(db, temporal, logger, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      namespace: config.TEMPORAL_NAMESPACE,
      retentionDays: config.HOOKRELAY_RETENTION_DAYS,
    });
    const worker = await createHookrelayWorker({
      connection,
      metrics,
      logger,
      namespace: config.TEMPORAL_NAMESPACE,
      services: ctx,
      ...deliveryTuning(config),
      workflowBundlePath: config.HOOKRELAY_WORKFLOW_BUNDLE,
      tracing,
      sendTraceparent: config.HOOKRELAY_TRACEPARENT_TO_RECEIVERS,
    });
    const workerRun = worker.run();
    cleanups.push(async () => {
      worker.shutdown();
      await workerRun;
    });
    workerRun.catch((error: unknown) => {
      logger.fatal({ err: error }, 'worker stopped');
      void shutdown(1);
    });

    const api = await startApiServer(ctx, {
      port: config.PORT,
      host: config.HOST,
      adminKey,
      ...apiAccessOptions(config),
      maxBodyBytes: config.HOOKRELAY_MAX_BODY_BYTES,
      rateLimit: apiRateLimit(config),
      logger,
      metrics,
      console: { temporalUiUrl, namespace: config.TEMPORAL_NAMESPACE },
      portal: { publicUrl: config.PUBLIC_URL },
    });
    cleanups.push(() => api.close());

    say('');
    say('hookrelay is running');
    say(`  API:         ${api.url}`);
    say(`  Console:     ${api.url}/console`);
    say(`  Metrics:     ${api.url}/metrics`);
    say(`  Temporal UI: ${temporalUiUrl ?? '(not started here; set TEMPORAL_UI_URL to show it)'}`);
    say(`  Temporal:    ${temporalAddress} (namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.TEMPORAL_TASK_QUEUE})`);
    say(`  Admin key:   ${adminKey}`);
    say(
      config.encryptionKeys.length
        ? `  Encryption:  key "${config.encryptionKeys[0]!.id}" from the environment`
        : `  Encryption:  development key in ${encryptionKeyFile} (set HOOKRELAY_ENCRYPTION_KEY in production)`,
    );
    if (config.HOOKRELAY_ALLOW_HTTP || config.HOOKRELAY_ALLOW_PRIVATE_NETWORKS) {
      say('  Safety:      development mode: http:// and private-network endpoints are allowed (the production processes refuse them)');
    }
    say('Press Ctrl-C to stop.');
  } catch (error) {
    console.error(`\nhookrelay could not start: ${(error as Error).message}`);
    await shutdown(1);
  }
}

void main();
