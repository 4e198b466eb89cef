// Process entry: the HTTP API, configured by the environment alone.
import { apiAccessOptions } from './api/auth';
import { loadConfigOrExit } from './config';
import { createDatabase } from './db/connection';
import { exitGracefullyOnSignals } from './graceful-shutdown';
import { createLogger } from './logger';
import { apiRateLimit, createServiceContext, startApiServer } from './runtime';
import { HookrelayMetrics } from './metrics/metrics';
import { connectTemporalClient } from './temporal/client';
import { temporalConnectionOptions } from './temporal/connection-options';
import { startTracing } from './tracing';

async function main(): Promise<void> {
  const config = loadConfigOrExit({ requireEncryptionKey: true });
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'hookrelay-api' });
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    logger.fatal('DATABASE_URL and TEMPORAL_ADDRESS are required (use `npm start` for the embedded stack)');
    process.exit(78);
  }
  if (!config.HOOKRELAY_ADMIN_KEY && config.HOOKRELAY_ADMIN_KEYS.length === 0) {
    logger.warn('HOOKRELAY_ADMIN_KEY is not set: no admin operations are possible');
  }
  const db = createDatabase({ connectionString: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  const tracing = startTracing({
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: config.OTEL_SERVICE_NAME ?? 'hookrelay-api',
  });
  const temporal = await connectTemporalClient({
    ...temporalConnectionOptions(config.TEMPORAL_ADDRESS, config),
    namespace: config.TEMPORAL_NAMESPACE,
    tracing: tracing !== undefined,
  });
  const ctx = createServiceContext(config, { db, temporal, encryptionKey: config.encryptionKeys });
  const api = await startApiServer(ctx, {
    port: config.PORT,
    host: config.HOST,
    adminKey: config.HOOKRELAY_ADMIN_KEY,
    ...apiAccessOptions(config),
    maxBodyBytes: config.HOOKRELAY_MAX_BODY_BYTES,
    rateLimit: apiRateLimit(config),
    logger,
    metrics: new HookrelayMetrics({ processMetrics: true }),
    console: { temporalUiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE },
    portal: { publicUrl: config.PUBLIC_URL },
  });
  logger.info({ url: api.url }, 'API listening');
  const graceMs = config.HOOKRELAY_SHUTDOWN_GRACE_MS;
  exitGracefullyOnSignals({
    logger,
    deadlineMs: graceMs + 5_000,
    stop: async () => {
      await api.close(graceMs);
      await Promise.all([db.destroy(), temporal.connection.close(), tracing?.shutdown()]);
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
