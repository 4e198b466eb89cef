// The publish workflows' only step: record the event (or a batch of them) and start the delivery
// workflows, handed to the publishing use cases (services/publishing.service through services/activity-use-cases).
import { ApplicationFailure, Context } from '@temporalio/activity';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import type { PublishBatchInput, PublishEventInput, PublishEventResult } from '../workflows/contracts';
import { INVALID_EVENT_FAILURE, NOT_FOUND_FAILURE } from '../workflows/contracts';
import type { ActivityDependencies } from './dependencies';

export function createPublishActivities({ useCases }: ActivityDependencies) {
  /**
   * Records the event and starts its delivery workflows (client starts, not children). Repeating
   * it after a crash starts whatever is missing. Its name is the activity type in recorded publish
   * histories, so it stays.
   */
  async function publishAndStartDeliveries(input: PublishEventInput): Promise<PublishEventResult> {
    // A large fan-out's starts outlive this activity (see recordEventAndStartDeliveries): keep its logger.
    const log = Context.current().log;
    return asActivityFailure(() =>
      useCases.recordEventAndStartDeliveries(input, {
        onBackgroundStartFailed: (error) =>
          log.warn('event recorded; starting its delivery workflows failed, the worker sweeper starts the rest', { error: String(error) }),
      }),
    );
  }

  /** The batch path (publishEventsWorkflow): every event in one transaction, then all their starts. */
  async function publishBatchAndStartDeliveries(input: PublishBatchInput): Promise<PublishEventResult[]> {
    const log = Context.current().log;
    return asActivityFailure(() =>
      useCases.recordEventsAndStartDeliveries(input.events, {
        onBackgroundStartFailed: (error) =>
          log.warn('batch recorded; starting its delivery workflows failed, the worker sweeper starts the rest', { error: String(error) }),
      }),
    );
  }

  return { publishAndStartDeliveries, publishBatchAndStartDeliveries };
}

/**
 * A publish that can never succeed, as a non-retryable failure: an unknown tenant, or a catalog
 * refusal the publishing client turns back into InvalidInputError.
 */
async function asActivityFailure<T>(publish: () => Promise<T>): Promise<T> {
  try {
    return await publish();
  } catch (error) {
    if (error instanceof InvalidInputError) throw ApplicationFailure.nonRetryable(error.message, INVALID_EVENT_FAILURE, error.errors);
    if (error instanceof NotFoundError) throw ApplicationFailure.nonRetryable(error.message, NOT_FOUND_FAILURE);
    throw error;
  }
}
