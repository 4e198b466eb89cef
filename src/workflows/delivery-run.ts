// The delivery workflow's steps, shared by both delivery workflow types (delivery.workflow.ts):
// attempt, and on failure sleep until the next scheduled attempt or a resend signal, until success
// or a give-up rule. The workflow owns the schedule; activities own I/O.
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { attemptOutcome } from '../domain/attempt-outcome';
import { defaultRetryPolicy, maxAttempts, nextRetryStep, sequenceRuns } from '../domain/retry-schedule';
import { deliveryStatusKey } from './search-attributes';
import {
  UNDELIVERABLE_FAILURE,
  type AttemptInput,
  type AttemptOutcome,
  type AttemptTrigger,
  type Deferral,
  type DeliveryState,
  type DeliveryStatus,
  type DeliveryWorkflowInput,
  type FinishDeliveryInput,
  type FinishedDelivery,
  type FollowUps,
  type ScheduledRetry,
} from './contracts';
import {
  ATTEMPT_STEPS_PATCH,
  DISABLE_AS_STEP_PATCH,
  RETRY_SEQUENCE_REPEAT_PATCH,
  WAKE_KEPT_PATCH,
  type TakesChange,
} from './delivery-changes';
import { cancelSignal, resendSignal, stateQuery, wakeSignal } from './messages';

// Local activities: they run on the worker that holds the workflow, inside its workflow task, so
// a first-try delivery costs 7 history events instead of 12 and no activity-task round trip
// through the server (issue 6 measurements). A worker lost mid-attempt is noticed after the
// workflow task timeout (10 s), not an activity timeout, and the attempt runs again elsewhere.
const { attemptDelivery, scheduleRetry, finishDelivery, disableEndpoint, reportUnrecordedAttempt } = proxyLocalActivities<Activities>({
  // Covers the longest endpoint timeout (120 s) plus recording. Our own faults (database or
  // network down) are retried forever with backoff and never spend the endpoint's retry budget;
  // attemptDelivery throws only before its POST, so a retry never sends twice.
  startToCloseTimeout: '3 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// The same attempt step under ATTEMPT_STEPS_PATCH: a retry more than a second away waits on a
// workflow timer instead of inside the workflow task, so a cancel signal is seen (and cancels
// the step) at once rather than at the task's next heartbeat, seconds later.
// A cancel waits for a POST already on its way (the step then returns its recorded outcome); a
// step waiting to retry is cancelled at once.
const { attemptDelivery: attemptDeliveryStep } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  localRetryThreshold: '1 second',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Recording a POST that happened, when attemptDelivery could not: our own fault (the database
// unreachable), retried with a bound (about 4 minutes in all). Then the delivery goes on by its
// rules without the record, logged and counted, and the receiver is never POSTed again for it.
const { recordSentAttempt } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  localRetryThreshold: '1 second',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export async function runDelivery({ deliveryId }: DeliveryWorkflowInput, takes: TakesChange): Promise<DeliveryState> {
  const state: DeliveryState = {
    deliveryId,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: null,
    lastResponseStatus: null,
    reason: null,
  };
  let resendRequested = false;
  let woken = false;
  let cancelReason: string | null = null;
  setHandler(resendSignal, () => {
    resendRequested = true;
  });
  setHandler(wakeSignal, () => {
    woken = true;
  });
  // The step running now (attempt or recording), under ATTEMPT_STEPS_PATCH only.
  let step: CancellationScope | undefined;
  setHandler(cancelSignal, (options) => {
    cancelReason ??= options?.reason ?? 'cancelled by request';
    step?.cancel();
  });
  setHandler(stateQuery, () => state);

  const setStatus = (status: DeliveryStatus) => {
    if (state.status === status) return;
    state.status = status;
    upsertSearchAttributes([{ key: deliveryStatusKey, value: status }]);
  };

  /** What activities ask the workflow to do: disable the endpoint, wake deliveries waiting for this one. */
  const carryOut = async (followUps: FollowUps | undefined): Promise<void> => {
    if (!followUps) return;
    if (followUps.disableEndpointReason) await disableEndpoint({ deliveryId, reason: followUps.disableEndpointReason });
    for (const workflowId of followUps.wakeWorkflowIds ?? []) {
      // A waiter that finished meanwhile (or was never started) needs no wake: its timer was the fallback.
      await getExternalWorkflowHandle(workflowId)
        .signal(wakeSignal)
        .catch(() => undefined);
    }
  };

  const finish = async (input: Omit<FinishDeliveryInput, 'deliveryId'>): Promise<DeliveryState> => {
    state.reason = input.reason;
    state.nextAttemptAt = null;
    let request: FinishDeliveryInput = { deliveryId, ...input };
    if (input.disableEndpointReason && takes(DISABLE_AS_STEP_PATCH)) {
      await disableEndpoint({ deliveryId, reason: input.disableEndpointReason });
      request = { deliveryId, status: input.status, reason: input.reason };
    }
    // What histories hold: `undefined` (oldest), the status, or the status with waiters to wake.
    const finished: FinishedDelivery | DeliveryStatus | undefined = await finishDelivery(request);
    const stored = typeof finished === 'object' ? finished.status : finished;
    setStatus(stored ?? input.status);
    if (typeof finished === 'object') await carryOut({ wakeWorkflowIds: finished.wakeWorkflowIds });
    return state;
  };

  /** Held back before anything was sent: wait (no attempt spent) until the deferral's time, a wake, a resend or a cancel. */
  const waitDeferred = async (deferral: Deferral): Promise<void> => {
    state.reason = deferral.reason;
    state.nextAttemptAt = deferral.until;
    setStatus('waiting');
    if (!takes(WAKE_KEPT_PATCH)) woken = false;
    const waitMs = Math.max(1, Date.parse(deferral.until) - Date.now());
    await condition(() => woken || resendRequested || cancelReason !== null, waitMs);
  };

  const inStep = async <T>(run: () => Promise<T>): Promise<T> => {
    const scope = new CancellationScope();
    step = scope;
    try {
      return await scope.run(run);
    } finally {
      if (step === scope) step = undefined;
    }
  };

  /**
   * One attempt: the POST, and its record in a step of its own when the first try could not
   * store it. `cancelled`: the cancel signal stopped a step. `undeliverable`: nothing was sent.
   */
  const attempt = async (
    input: AttemptInput,
  ): Promise<AttemptOutcome | { outcome: 'cancelled' } | { outcome: 'undeliverable'; reason: string }> => {
    let outcome: AttemptOutcome;
    try {
      outcome = await inStep(() => attemptDeliveryStep(input));
    } catch (error) {
      if (isCancellation(error) && cancelReason !== null) return { outcome: 'cancelled' };
      const undeliverable = applicationFailure(error, UNDELIVERABLE_FAILURE);
      if (undeliverable) return { outcome: 'undeliverable', reason: undeliverable.message };
      throw error;
    }
    if (outcome.outcome !== 'unrecorded') return outcome;
    const sent = outcome.attempt;
    try {
      return await inStep(() => recordSentAttempt(sent));
    } catch (error) {
      if (isCancellation(error) && cancelReason !== null) return { outcome: 'cancelled' };
      if (isCancellation(error)) throw error;
      const reason =
        error instanceof ActivityFailure && error.cause ? error.cause.message : error instanceof Error ? error.message : String(error);
      await reportUnrecordedAttempt({
        deliveryId,
        attemptNumber: sent.attemptNumber,
        status: sent.response?.status ?? null,
        errorKind: sent.error?.kind ?? null,
        reason,
      });
      const fallback = attemptOutcome(sent, new Date(sent.startedAt));
      if (fallback.outcome === 'succeeded') {
        // The attempt step would have marked it succeeded; nothing else will.
        await finishDelivery({
          deliveryId,
          status: 'succeeded',
          reason: `the receiver answered ${fallback.status}; the attempt could not be recorded (${reason})`,
        });
      }
      return fallback;
    }
  };

  // The trigger of an attempt that was deferred carries over to the attempt that follows the wait.
  let deferredTrigger: AttemptTrigger | null = null;
  for (;;) {
    // A cancel that arrived during the previous attempt wins over a retry.
    if (cancelReason !== null) return finish({ status: 'cancelled', reason: cancelReason });
    const trigger: AttemptTrigger = resendRequested ? 'manual' : (deferredTrigger ?? 'scheduled');
    resendRequested = false;
    deferredTrigger = null;
    // Wakes before this attempt are spent by it; one during it counts (see WAKE_KEPT_PATCH).
    woken = false;
    state.nextAttemptAt = null;
    const input: AttemptInput = { deliveryId, attemptNumber: state.attempts + 1, trigger };
    let outcome: AttemptOutcome;
    if (takes(ATTEMPT_STEPS_PATCH)) {
      const attempted = await attempt(input);
      if (attempted.outcome === 'cancelled') continue;
      if (attempted.outcome === 'undeliverable') return finish({ status: 'failed', reason: attempted.reason });
      outcome = attempted;
    } else {
      outcome = await attemptDelivery(input);
    }
    if (outcome.outcome === 'unrecorded') throw new Error('unreachable: an unrecorded attempt is recorded by attempt()');
    if (outcome.outcome === 'deferred') {
      deferredTrigger = trigger;
      await waitDeferred(outcome);
      continue;
    }

    if (outcome.outcome === 'skipped') {
      state.reason = outcome.reason;
      setStatus(outcome.status);
      return state;
    }
    state.attempts += 1;
    state.lastResponseStatus = outcome.status;
    await carryOut(outcome.followUps);
    if (outcome.outcome === 'succeeded') {
      setStatus('succeeded');
      return state;
    }
    if (outcome.gone) {
      return finish({ status: 'failed', reason: 'endpoint answered 410 Gone', disableEndpointReason: 'endpoint answered 410 Gone' });
    }

    const policy = outcome.retryPolicy ?? defaultRetryPolicy;
    const next = nextRetryStep({
      policy,
      failedAttempt: state.attempts,
      random: Math.random,
      retryAfterSeconds: outcome.retryAfterSeconds,
    });
    const delayMs = next.kind === 'retry' || (next.kind === 'repeat' && takes(RETRY_SEQUENCE_REPEAT_PATCH)) ? next.delayMs : null;
    if (delayMs === null) {
      const runs = sequenceRuns(policy);
      const reason = `gave up after ${state.attempts} of ${maxAttempts(policy)} attempts${runs > 1 ? ` (the sequence ran ${runs} times)` : ''}`;
      return finish({
        status: 'failed',
        reason,
        ...(policy.disableEndpointOnExhaustion && { disableEndpointReason: `a delivery exhausted its retries (${reason})` }),
      });
    }
    if (cancelReason !== null) return finish({ status: 'cancelled', reason: cancelReason });

    state.nextAttemptAt = new Date(Date.now() + delayMs).toISOString();
    setStatus('retrying');
    // What histories hold: `undefined` (older), or the waiters to wake.
    const scheduled: ScheduledRetry | undefined = await scheduleRetry({ deliveryId, nextAttemptAt: state.nextAttemptAt });
    if (scheduled) await carryOut({ wakeWorkflowIds: scheduled.wakeWorkflowIds });
    // Sleep until the retry time, or wake early for a resend or a cancel.
    await condition(() => resendRequested || cancelReason !== null, delayMs);
  }
}

/** The ApplicationFailure of this type in an error's cause chain (a local activity's may come unwrapped). */
function applicationFailure(error: unknown, type: string): ApplicationFailure | undefined {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current instanceof ApplicationFailure && current.type === type) return current;
  }
  return undefined;
}
