// Runs in every worker: now and then, finishes what committed changes left undone in Temporal
// (the API process died between its commit and the follow-up, or Temporal refused it):
//   - starts every delivery row whose workflow was never started, whatever recorded it
//     (publish, resend, recover, test event, operational event);
//   - carries out pending requests to stop an endpoint's waiting deliveries (disable, delete);
//   - starts the workflow of every open replay whose start failed (its own deliveries it starts itself).
// Normally finds nothing. Several workers may sweep at once: both steps are idempotent.
import type { Logger } from 'pino';
import type { ServiceContext } from './context';
import { carryOutStopRequests } from './stop-requests.service';
import { startStrandedDeliveries } from './publishing.service';
import { startStrandedReplays } from './replays.service';

export interface StrandedDeliverySweepOptions {
  /** How often to look (default 30 s). */
  intervalMs: number;
  /** Work younger than this is left to the process that recorded it (default 30 s). */
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
      const stopped = await carryOutStopRequests(services, { olderThanMs: options.olderThanMs });
      if (stopped.requests > 0)
        logger?.warn(stopped, 'stopped the waiting deliveries of disabled or deleted endpoints left to the sweeper');
    } catch (error) {
      logger?.warn({ err: error }, 'stop-request sweep failed; trying again at the next interval');
    }
    try {
      const { firstError, ...started } = await startStrandedDeliveries(services, { olderThanMs: options.olderThanMs });
      if (started.started > 0) logger?.warn(started, 'started delivery workflows that were recorded but never started');
      if (started.failed > 0)
        logger?.warn({ ...started, err: firstError }, 'some deliveries could not be started; trying again at the next interval');
    } catch (error) {
      logger?.warn({ err: error }, 'stranded-delivery sweep failed; trying again at the next interval');
    }
    try {
      const replays = await startStrandedReplays(services, { olderThanMs: options.olderThanMs });
      if (replays.started > 0 || replays.failed > 0) logger?.warn(replays, 'started replay workflows that were recorded but never started');
    } catch (error) {
      logger?.warn({ err: error }, 'stranded-replay sweep failed; trying again at the next interval');
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
