// Batch publishing, shared by the API's POST …/events/batch and the client's publish-batch
// workflow: every event of the batch is recorded in one PostgreSQL transaction (all or none),
// then the deliveries of all of them are started together. Each event keeps its own idempotency
// key and its own result, in the batch's order.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { InvalidInputError } from '../domain/errors';
import { batchIdempotencyLockKeys, fieldErrorsOfBatchItem, MAX_BATCH_EVENTS } from '../domain/publish-batch';
import type { PublishEventInput, PublishEventResult, RecordedEvent } from '../workflows/contracts';
import type { ServiceContext } from './context';
import { memoizedLookups } from './publish-lookups';
import { advisoryLock, recordEvent, startRecordedDeliveries, type PublishOptions, type RecordOptions } from './publishing.service';

/**
 * Records every event of the batch in one transaction, or none: an event the catalog refuses
 * (unknown type, data against its schema) refuses the batch, its field errors pointing at it
 * (`body.events.3.data.amount`). A repeated idempotency key, within the 24 h window or within
 * the batch itself, answers that event as a duplicate of the original.
 */
export async function recordEvents(
  db: Kysely<Database>,
  inputs: PublishEventInput[],
  options: Pick<RecordOptions, 'freshEventId'> = {},
): Promise<RecordedEvent[]> {
  if (inputs.length < 1 || inputs.length > MAX_BATCH_EVENTS) {
    throw new InvalidInputError('Invalid batch', [{ path: 'body.events', message: `must hold 1 to ${MAX_BATCH_EVENTS} events` }]);
  }
  return db.transaction().execute(async (trx) => {
    // All of the batch's keys first, in one order for every batch: two batches sharing keys
    // wait for each other instead of deadlocking (recordEvent's own lock is then already held).
    for (const key of batchIdempotencyLockKeys(inputs)) await advisoryLock(trx, key);
    const lookups = memoizedLookups();
    const recorded: RecordedEvent[] = [];
    for (const [index, input] of inputs.entries()) {
      try {
        recorded.push(await recordEvent(trx, input, { ...options, lookups }));
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        throw new InvalidInputError(`Event ${index} of the batch: ${error.message}`, fieldErrorsOfBatchItem(index, error.errors));
      }
    }
    return recorded;
  });
}

/** Records the batch (one transaction) and starts the deliveries of all its events; one result per event, in order. */
export async function recordEventsAndStartDeliveries(
  ctx: ServiceContext,
  inputs: PublishEventInput[],
  options: PublishOptions = {},
): Promise<PublishEventResult[]> {
  const recorded = await recordEvents(ctx.db, inputs, { freshEventId: options.freshEventId });
  const filteredOut = recorded.reduce((sum, event) => sum + event.filteredOut, 0);
  if (filteredOut > 0) ctx.metrics?.eventsFilteredOut?.(filteredOut);
  // A key repeated within the batch hands back its first event's (still unstarted) deliveries again: start each once.
  const deliveries = new Map(recorded.flatMap((event) => event.deliveries).map((delivery) => [delivery.deliveryId, delivery]));
  await startRecordedDeliveries(ctx, [...deliveries.values()], options);
  return recorded.map(({ eventId, deliveryCount, duplicate }) => ({ eventId, deliveryCount, duplicate }));
}
