// The delivery's steps around its attempts: waiting for a retry, finishing, disabling its endpoint
// (a follow-up the workflow carries out, through the one service that disables endpoints), the
// retention purge and the endpoint statistics rollup.
import { findDeliveryById, finishOpenDelivery, updateDelivery } from '../db/deliveries.repository';
import { rollUpEndpointStats } from './endpoint-stats-rollup';
import { PURGE_BATCH_SIZE, purgeExpiredLog } from './retention';
import type {
  FinishedDelivery,
  DisableEndpointInput,
  FinishDeliveryInput,
  PurgeInput,
  PurgeResult,
  ScheduleRetryInput,
  ScheduledRetry,
  StatsRollupResult,
} from '../workflows/contracts';
import type { EndpointGate } from './endpoint-gate';
import type { ActivityDependencies } from './dependencies';

export function createDeliveryLifecycleActivities(deps: ActivityDependencies, gate: EndpointGate) {
  const { db, useCases } = deps;

  async function scheduleRetry(input: ScheduleRetryInput): Promise<ScheduledRetry> {
    await updateDelivery(db, input.deliveryId, { status: 'retrying', wait_reason: null, next_attempt_at: new Date(input.nextAttemptAt) });
    return { wakeWorkflowIds: await gate.retryScheduled(input.deliveryId) };
  }

  /**
   * Disables the delivery's endpoint and stops its other waiting deliveries (this one goes on by
   * its own rules): the failing-for-days rule, 410 Gone, disableEndpointOnExhaustion.
   */
  async function disableEndpoint(input: DisableEndpointInput): Promise<void> {
    const delivery = await findDeliveryById(db, input.deliveryId);
    if (!delivery) return;
    await useCases.disableEndpoint(delivery.tenant_id, delivery.endpoint_id, input.reason, { exceptDeliveryId: input.deliveryId });
  }

  /**
   * Answers the status the delivery ends with (see finishOpenDelivery) and the waiting deliveries
   * its end lets go (a FIFO line moves on). `disableEndpointReason` comes only from workflows
   * started before the disable became a step of its own.
   */
  async function finishDelivery(input: FinishDeliveryInput): Promise<FinishedDelivery> {
    // The endpoint is disabled first, so whoever sees the delivery finished sees the endpoint disabled.
    if (input.disableEndpointReason) await disableEndpoint({ deliveryId: input.deliveryId, reason: input.disableEndpointReason });
    const stored = await finishOpenDelivery(db, input.deliveryId, {
      status: input.status,
      status_reason: input.reason,
      wait_reason: null,
      next_attempt_at: null,
      finished_at: new Date(),
    });
    const wakeWorkflowIds = await gate.handOver(input.deliveryId);
    // Already finished by an attempt (a 2xx recorded as a cancel was being handled): that stands.
    if (stored && stored !== input.status) return { status: stored, wakeWorkflowIds };
    deps.metrics?.deliveryFinished(input.status);
    return { status: input.status, wakeWorkflowIds };
  }

  async function purgeExpiredData(input: PurgeInput): Promise<PurgeResult> {
    const batchSize = input.batchSize ?? PURGE_BATCH_SIZE;
    return purgeExpiredLog(db, { retentionDays: input.retentionDays, batchSize, now: new Date() });
  }

  /** The endpoint statistics rollup job (its Schedule runs it every few minutes). */
  async function rollUpEndpointStatistics(): Promise<StatsRollupResult> {
    return rollUpEndpointStats(db, new Date());
  }

  return { scheduleRetry, disableEndpoint, finishDelivery, purgeExpiredData, rollUpEndpointStatistics };
}
