// Signals and queries of the delivery workflow, shared by the workflow and its clients.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { DeliveryState } from './contracts';

/** Attempt now (trigger `manual`) instead of waiting for the retry timer. */
export const resendSignal = defineSignal('resend');
/** Stop the delivery; it ends `cancelled`. */
export const cancelSignal = defineSignal<[{ reason?: string }?]>('cancel');
/**
 * A waiting delivery (status `waiting`) tries again now instead of at its timer: sent by the
 * delivery whose end or POST freed what it waits for (a concurrency slot, its FIFO turn).
 */
export const wakeSignal = defineSignal('wake');
export const stateQuery = defineQuery<DeliveryState>('state');

/**
 * A replay was asked to stop (the request is recorded on its row first): its wait ends now and
 * its next step ends it, instead of at the next paced step.
 */
export const replayCancelSignal = defineSignal('cancelReplay');
