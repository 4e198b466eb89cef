// The limits of a batch publish (the API's POST …/events/batch and the typed client's
// publishEvents) and the pure rules both apply: how many events, and how a refused item's field
// errors point at it.

/** The most events one batch may hold; a larger batch is refused whole (400). */
export const MAX_BATCH_EVENTS = 100;

/**
 * The most bytes a client batch may carry as JSON: the API's default body limit, so a batch the
 * client sends through one publish workflow fits what the API would take in one request, far
 * below Temporal's 2 MiB payload limit.
 */
export const MAX_BATCH_JSON_BYTES = 1024 * 1024;

type FieldError = { path: string; message: string };

/**
 * A refusal of one event re-pointed at its place in the batch: `body.type` of event 3 becomes
 * `body.events.3.type` (a path without the `body.` prefix is put under `events.3`).
 */
export function fieldErrorsOfBatchItem(index: number, errors: FieldError[]): FieldError[] {
  return errors.map(({ path, message }) => ({
    path: path.startsWith('body.') ? `body.events.${index}.${path.slice('body.'.length)}` : `events.${index}${path ? `.${path}` : ''}`,
    message,
  }));
}

/**
 * The advisory-lock keys of a batch's idempotency keys, distinct and sorted: every batch takes its
 * locks in the same order, so two batches sharing keys wait for each other instead of deadlocking.
 */
export function batchIdempotencyLockKeys(events: ReadonlyArray<{ tenantId: string; idempotencyKey?: string | undefined }>): string[] {
  const keys = new Set<string>();
  for (const event of events) if (event.idempotencyKey) keys.add(idempotencyLockKey(event.tenantId, event.idempotencyKey));
  return [...keys].sort();
}

/** The advisory-lock key that serialises publishers of one idempotency key of one tenant. */
export function idempotencyLockKey(tenantId: string, idempotencyKey: string): string {
  return `${tenantId}:${idempotencyKey}`;
}
