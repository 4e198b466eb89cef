// Process entry: the Temporal worker (workflows + activities), configured by the environment alone.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadConfigOrExit } from './config';
import { createDatabase } from './db/connection';
import { exitGracefullyOnSignals } from './graceful-shutdown';
import { createLogger } from './logger';
import { setUpRetention } from './retention-setup';
import { createServiceContext, deliveryTuning } from './runtime';
import { HookrelayMetrics } from './metrics/metrics';
import { startMetricsServer } from './metrics/metrics-server';
import { temporalConnectionOptions } from './temporal/connection-options';
import { createHookrelayWorker } from './temporal/create-worker';
import { installTemporalLogging } from './temporal/runtime-logging';
import { tracingClientInterceptors } from './temporal/client';
import { startTracing } from './tracing';

async function main(): Promise<void> {
  const config = loadConfigOrExit({ requireEncryptionKey: true });
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'hookrelay-worker' });
  installTemporalLogging(logger, 'WARN', { metricsBindAddress: config.TEMPORAL_METRICS_BIND_ADDRESS });
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
    logger.fatal('DATABASE_URL and TEMPORAL_ADDRESS are required (use `npm start` for the embedded stack)');
    process.exit(78);
  }
  const db = createDatabase({ connectionString: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  // One connection for the worker and the client its activities use: the delivery workflows a
  // publishEventWorkflow starts are started eagerly, on this worker, without a task-queue hop.
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.TEMPORAL_ADDRESS, config));
  const tracing = startTracing({
    otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
    serviceName: config.OTEL_SERVICE_NAME ?? 'hookrelay-worker',
  });
  // Its activities start the delivery workflows of a typed-client publish: the trace goes on into them.
  const temporal = new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(tracing && { interceptors: tracingClientInterceptors() }),
  });
  const metrics = new HookrelayMetrics({ processMetrics: true });
  const metricsServer =
    config.HOOKRELAY_WORKER_METRICS_PORT === undefined
      ? undefined
      : await startMetricsServer(metrics, { port: config.HOOKRELAY_WORKER_METRICS_PORT, host: config.HOST });
  const services = createServiceContext(config, { db, temporal, encryptionKey: config.encryptionKeys, eagerWorkflowStart: true });
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
    services,
    ...deliveryTuning(config),
    workflowBundlePath: config.HOOKRELAY_WORKFLOW_BUNDLE ?? prebuiltBundle(),
    tracing,
    sendTraceparent: config.HOOKRELAY_TRACEPARENT_TO_RECEIVERS,
  });
  const running = worker.run().finally(() => Promise.all([db.destroy(), metricsServer?.close(), tracing?.shutdown()]));
  exitGracefullyOnSignals({
    logger,
    // The worker's own bounds: activities are cancelled after the grace time, and it stops
    // waiting for them 5 s later; the process deadline leaves room for that.
    deadlineMs: config.HOOKRELAY_SHUTDOWN_GRACE_MS + 10_000,
    stop: async () => {
      worker.shutdown();
      await running;
    },
  });
  logger.info(
    {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      namespace: config.TEMPORAL_NAMESPACE,
      metrics: metricsServer?.url,
      temporalMetrics: config.TEMPORAL_METRICS_BIND_ADDRESS,
    },
    'worker running',
  );
  await running;
  await connection.close();
  process.exit(0);
}

/** dist/workflow-bundle.js, written by `npm run build`, when running from dist/. */
function prebuiltBundle(): string | undefined {
  const candidate = path.resolve(__dirname, '..', 'workflow-bundle.js');
  return existsSync(candidate) ? candidate : undefined;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
