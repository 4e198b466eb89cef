// The rules that turn one POST's result into the delivery's next step (success, retry with a
// Retry-After, 410 Gone). Pure and deterministic: the attempt step and the delivery workflow
// (when an attempt could not be recorded) both use it.
import type { AttemptOutcome, SentAttempt } from '../workflows/contracts';
import { parseRetryAfter } from './retry-schedule';

/** A complete answer with a 2xx status; an answer that broke off mid-body is not one. */
export function attemptSucceeded(attempt: Pick<SentAttempt, 'response' | 'error'>): boolean {
  return attempt.error === null && attempt.response !== null && attempt.response.status >= 200 && attempt.response.status < 300;
}

export function attemptOutcome(attempt: SentAttempt, now: Date): Extract<AttemptOutcome, { outcome: 'succeeded' | 'failed' }> {
  const status = attempt.response?.status ?? null;
  if (attemptSucceeded(attempt)) return { outcome: 'succeeded', status: status! };
  const retryAfter = status === 429 || status === 503 ? attempt.response?.headers['retry-after'] : undefined;
  return {
    outcome: 'failed',
    status,
    errorKind: attempt.error?.kind ?? null,
    retryAfterSeconds: retryAfter === undefined ? null : parseRetryAfter(retryAfter, now),
    gone: status === 410,
    retryPolicy: attempt.retryPolicy,
  };
}
