// Routes the Temporal SDK's own logs (worker state, core) into pino at a chosen level, and,
// when given a bind address, serves the SDK's own Prometheus metrics (task slots, poll and
// schedule-to-start latencies, sticky cache…) there under /metrics. Must run before the first worker or native connection is created; later calls are ignored.
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

let installed = false;

const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export function installTemporalLogging(logger: Logger, level: LogLevel = 'WARN', options: { metricsBindAddress?: string } = {}): void {
  if (installed) return;
  installed = true;
  const sdkLogger = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => sdkLogger[levels[entry.level]]({ ...entry.meta }, entry.message)),
    ...(options.metricsBindAddress && {
      telemetryOptions: {
        metrics: { prometheus: { bindAddress: options.metricsBindAddress, countersTotalSuffix: true, useSecondsForDurations: true } },
      },
    }),
  });
}
