// Runs in every worker: now and then, starts the delivery workflows of events that were
// recorded but never started (the API process died between its commit and the starts, or
// Temporal refused them). Normally finds nothing. Several workers may sweep at once: starting
// a delivery is idempotent.
import type { Logger } from 'pino';
import type { ServiceContext } from '../services/context';
import { startStrandedDeliveries } from '../services/publishing.service';

export interface StrandedDeliverySweepOptions {
  /** How often to look (default 30 s). */
  intervalMs: number;
  /** Events younger than this are left to the API that recorded them (default 30 s). */
  olderThanMs: number;
}

export const defaultStrandedDeliverySweep: StrandedDeliverySweepOptions = { intervalMs: 30_000, olderThanMs: 30_000 };

export function startStrandedDeliverySweeper(
  services: ServiceContext,
  options: StrandedDeliverySweepOptions,
  logger?: Logger,
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const sweep = async () => {
    try {
      const started = await startStrandedDeliveries(services, { olderThanMs: options.olderThanMs });
      if (started.events > 0) logger?.warn(started, 'started the deliveries of events whose publish did not start them');
    } catch (error) {
      logger?.warn({ err: error }, 'stranded-delivery sweep failed; trying again at the next interval');
    }
  };
  const timer = setInterval(() => {
    running = running.then(sweep);
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
