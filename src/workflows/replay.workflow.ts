// A replay job: step after step, each starting at most one second's worth of deliveries per
// endpoint (activity runReplayStep, which keeps the job's progress in PostgreSQL), until every
// match is started and has finished. All state lives on the replay's row, so a new run after
// continue-as-new, or after any crash, carries on from there and never sends twice.
import { condition, continueAsNew, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { settlingWaitMs } from '../domain/replay';
import type { ReplayStep, ReplayWorkflowInput } from './contracts';
import { replayCancelSignal } from './messages';

// Local: a step is a few queries and at most MAX_REPLAY_STEP_STARTS workflow starts, seconds at
// most. A worker killed mid-step is noticed at the workflow task timeout (10 s) and the step runs
// again elsewhere: what the first one committed is not redone (the cursor and the unique index).
const { runReplayStep } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Steps per run before continue-as-new: about 6 history events each, so a run stays under ~1,500. */
export const REPLAY_STEPS_PER_RUN = 250;

export async function replayWorkflow(input: ReplayWorkflowInput): Promise<ReplayStep> {
  let cancelRequested = false;
  setHandler(replayCancelSignal, () => {
    cancelRequested = true;
  });
  let settlingSteps = 0;
  for (let steps = 0; ; steps++) {
    if (steps >= REPLAY_STEPS_PER_RUN || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof replayWorkflow>(input);
    }
    cancelRequested = false; // a cancel arriving during the step ends the wait after it
    const step = await runReplayStep(input.replayId);
    if (step.outcome === 'finished') return step;
    const waitMs = step.outcome === 'settling' ? settlingWaitMs(settlingSteps++) : step.waitMs;
    if (step.outcome === 'continue') settlingSteps = 0;
    await condition(() => cancelRequested, waitMs);
  }
}
