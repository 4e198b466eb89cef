// The replay workflow's only step, handed to the replay use case (services/replay-steps.service
// through services/activity-use-cases): it starts the next paced share of the job's deliveries.
import type { ReplayStep } from '../workflows/contracts';
import type { ActivityDependencies } from './dependencies';

export function createReplayActivities({ useCases }: Pick<ActivityDependencies, 'useCases'>) {
  async function runReplayStep(replayId: string): Promise<ReplayStep> {
    return useCases.runReplayStep(replayId);
  }
  return { runReplayStep };
}
