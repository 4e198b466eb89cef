/** The most timestamps (ms) in any half-open window [t, t + widthMs): the peak rate a receiver saw. */
export function maxInWindow(times: number[], widthMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= widthMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/**
 * The most requests a receiver was holding at once: from arrival until its answer was written
 * (an unanswered one is still held). At equal times an answer counts before an arrival, since a
 * sender limited to N in flight can send its next request only after it has an answer.
 */
export function mostInFlight(requests: ReadonlyArray<{ receivedAt: number; answeredAt?: number }>): number {
  const changes = requests.flatMap((request) => [
    { at: request.receivedAt, step: 1 },
    { at: request.answeredAt ?? Infinity, step: -1 },
  ]);
  changes.sort((a, b) => a.at - b.at || a.step - b.step);
  let held = 0;
  let most = 0;
  for (const change of changes) {
    held += change.step;
    most = Math.max(most, held);
  }
  return most;
}
