// Termination signals for the process entries (api, worker): the first SIGTERM or SIGINT starts
// a graceful stop; the process exits 0 when it completes, and 1 if it overruns its deadline or
// a second signal arrives, so an orchestrator's kill timeout is never the thing that ends it.
import type { Logger } from 'pino';

export interface GracefulShutdownOptions {
  logger: Logger;
  /** Hard bound on the whole stop, from the first signal to the exit. */
  deadlineMs: number;
  /** Stops accepting work and lets in-flight work finish (bounded by its own grace time). */
  stop(): Promise<void>;
}

export function exitGracefullyOnSignals(options: GracefulShutdownOptions): void {
  const { logger } = options;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, deadlineMs: options.deadlineMs }, 'shutting down gracefully');
    setTimeout(() => {
      logger.error({ deadlineMs: options.deadlineMs }, 'graceful shutdown overran its deadline: exiting');
      process.exit(1);
    }, options.deadlineMs).unref();
    options.stop().then(
      () => {
        logger.info('shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
