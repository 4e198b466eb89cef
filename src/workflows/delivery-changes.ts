// The changes the delivery workflow took over time, each once guarded by `patched()`. The first
// delivery workflow type asks `patched()` for each (its running histories hold the markers); its
// successor takes them all and records no marker (see delivery.workflow.ts).

/** Whether this run takes a change: `patched(id)` for the first type, always for its successor. */
export type TakesChange = (patchId: string) => boolean;

/**
 * Issue 11: each step runs in a scope the cancel signal cancels (a step retrying our own fault
 * no longer outlives a cancel); an `unrecorded` attempt is recorded by a step of its own; a
 * delivery that cannot be sent from what is stored fails. Histories from before replay without it.
 */
export const ATTEMPT_STEPS_PATCH = 'attempt-record-step-and-cancellable-steps';

/**
 * Issue 16: disabling the endpoint (410 Gone, disableEndpointOnExhaustion) is a step of its own
 * (disableEndpoint) before finishDelivery, instead of an option finishDelivery carried out.
 * Evaluated only on that path, so a delivery that never disables its endpoint records no marker.
 */
export const DISABLE_AS_STEP_PATCH = 'disable-endpoint-as-own-step';

/**
 * Issue 12: a retry policy with `repeatCount` runs its whole sequence again after a pause of
 * `repeatAfterSeconds` instead of giving up. Asked only when a run is exhausted and another is
 * due, so deliveries that never repeat record no marker.
 */
export const RETRY_SEQUENCE_REPEAT_PATCH = 'retry-sequence-repeat';

/**
 * Issue 12 (ordering): a wake signal that arrives while the attempt that ends up deferred is still
 * running (the head finished just after this delivery checked its line) is kept, and the wait
 * after it ends at once, instead of being forgotten until the fallback timer.
 */
export const WAKE_KEPT_PATCH = 'wake-kept-across-deferred-attempt';
