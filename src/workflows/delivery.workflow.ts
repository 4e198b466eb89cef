// One event to one endpoint: attempt, and on failure sleep until the next scheduled attempt or a
// resend signal, until success or a give-up rule. The workflow owns the schedule; activities own I/O.
import { condition, proxyLocalActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { defaultRetryPolicy, maxAttempts, nextRetryDelayMs } from '../domain/retry-schedule';
import { deliveryStatusKey } from '../temporal/search-attributes';
import type { DeliveryState, DeliveryStatus, DeliveryWorkflowInput, FinishDeliveryInput } from './contracts';
import { cancelSignal, resendSignal, stateQuery } from './messages';

// Local activities: they run on the worker that holds the workflow, inside its workflow task, so
// a first-try delivery costs 7 history events instead of 12 and no activity-task round trip
// through the server (issue 6 measurements). A worker lost mid-attempt is noticed after the
// workflow task timeout (10 s), not an activity timeout, and the attempt runs again elsewhere.
const { attemptDelivery, scheduleRetry, finishDelivery } = proxyLocalActivities<Activities>({
  // Covers the longest endpoint timeout (120 s) plus recording. Our own faults (database or
  // network down) are retried forever with backoff and never spend the endpoint's retry budget.
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
  let cancelReason: string | null = null;
  setHandler(resendSignal, () => {
    resendRequested = true;
  });
  setHandler(cancelSignal, (options) => {
    cancelReason ??= options?.reason ?? 'cancelled by request';
  });
  setHandler(stateQuery, () => state);

  const setStatus = (status: DeliveryStatus) => {
    if (state.status === status) return;
    state.status = status;
    upsertSearchAttributes([{ key: deliveryStatusKey, value: status }]);
  };

  const finish = async (input: Omit<FinishDeliveryInput, 'deliveryId'>): Promise<DeliveryState> => {
    state.reason = input.reason;
    state.nextAttemptAt = null;
    await finishDelivery({ deliveryId, ...input });
    setStatus(input.status);
    return state;
  };

  for (;;) {
    // A cancel that arrived during the previous attempt wins over a retry.
    if (cancelReason !== null) return finish({ status: 'cancelled', reason: cancelReason });
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
    if (outcome.gone) {
      return finish({ status: 'failed', reason: 'endpoint answered 410 Gone', disableEndpointReason: 'endpoint answered 410 Gone' });
    }

    const policy = outcome.retryPolicy ?? defaultRetryPolicy;
    const delayMs = nextRetryDelayMs({
      policy,
      failedAttempt: state.attempts,
      random: Math.random,
      retryAfterSeconds: outcome.retryAfterSeconds,
    });
    if (delayMs === null) {
      const reason = `gave up after ${state.attempts} of ${maxAttempts(policy)} attempts`;
      return finish({
        status: 'failed',
        reason,
        ...(policy.disableEndpointOnExhaustion && { disableEndpointReason: `a delivery exhausted its retries (${reason})` }),
      });
    }
    if (cancelReason !== null) return finish({ status: 'cancelled', reason: cancelReason });

    state.nextAttemptAt = new Date(Date.now() + delayMs).toISOString();
    setStatus('retrying');
    await scheduleRetry({ deliveryId, nextAttemptAt: state.nextAttemptAt });
    // Sleep until the retry time, or wake early for a resend or a cancel.
    await condition(() => resendRequested || cancelReason !== null, delayMs);
  }
}
