// One event to one endpoint: attempt, and on failure sleep until the next scheduled attempt or a
// resend signal, until success or a give-up rule. The workflow owns the schedule; activities own I/O.
import {
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { defaultRetryPolicy, maxAttempts, nextRetryDelayMs } from '../domain/retry-schedule';
import { deliveryStatusKey } from '../temporal/search-attributes';
import type { DeliveryState, DeliveryStatus, DeliveryWorkflowInput } from './contracts';
import { cancelSignal, resendSignal, stateQuery } from './messages';

const { attemptDelivery, scheduleRetry, finishDelivery } = proxyActivities<Activities>({
  // Covers the longest endpoint timeout (120 s) plus recording; our own faults are retried forever
  // with backoff and never spend the endpoint's retry budget.
  startToCloseTimeout: '3 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function deliveryWorkflow({ deliveryId }: DeliveryWorkflowInput): Promise<DeliveryState> {
  const state: DeliveryState = {
    deliveryId,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: null,
    lastResponseStatus: null,
    reason: null,
  };
  let resendRequested = false;
  let cancelRequested: { reason: string } | null = null;
  setHandler(resendSignal, () => {
    resendRequested = true;
  });
  setHandler(cancelSignal, (options) => {
    cancelRequested = { reason: options?.reason ?? 'cancelled by request' };
  });
  setHandler(stateQuery, () => state);

  const setStatus = (status: DeliveryStatus) => {
    if (state.status === status) return;
    state.status = status;
    upsertSearchAttributes([{ key: deliveryStatusKey, value: status }]);
  };

  for (;;) {
    const trigger = resendRequested ? 'manual' : 'scheduled';
    resendRequested = false;
    state.nextAttemptAt = null;
    const outcome = await attemptDelivery({ deliveryId, attemptNumber: state.attempts + 1, trigger });

    if (outcome.outcome === 'skipped') {
      state.reason = outcome.reason;
      setStatus(outcome.status);
      return state;
    }
    state.attempts += 1;
    state.lastResponseStatus = outcome.status;
    if (outcome.outcome === 'succeeded') {
      setStatus('succeeded');
      return state;
    }

    const policy = outcome.retryPolicy ?? defaultRetryPolicy;
    const delayMs = nextRetryDelayMs({
      policy,
      failedAttempt: state.attempts,
      random: Math.random,
      retryAfterSeconds: outcome.retryAfterSeconds,
    });
    if (delayMs === null) {
      return finish('failed', `gave up after ${state.attempts} of ${maxAttempts(policy)} attempts`);
    }

    state.nextAttemptAt = new Date(Date.now() + delayMs).toISOString();
    setStatus('retrying');
    await scheduleRetry({ deliveryId, nextAttemptAt: state.nextAttemptAt });
    await condition(() => resendRequested || cancelRequested !== null, delayMs);
    if (cancelRequested) return finish('cancelled', (cancelRequested as { reason: string }).reason);
  }

  async function finish(status: 'failed' | 'cancelled', reason: string): Promise<DeliveryState> {
    state.reason = reason;
    state.nextAttemptAt = null;
    await finishDelivery({ deliveryId, status, reason });
    setStatus(status);
    return state;
  }
}
