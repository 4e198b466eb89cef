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
