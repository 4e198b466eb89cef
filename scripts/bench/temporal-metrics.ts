// Counters of the Temporal dev server's Prometheus endpoint, read before and after a run: how
// its tasks were matched (a poll answered by a task handed over at once, `poll_success_sync`,
// or one read back from the backlog in persistence) and how many persistence requests it made.
import { request } from 'undici';

const COUNTERS = ['poll_success', 'poll_success_sync', 'persistence_requests'] as const;
export type TemporalCounters = Record<(typeof COUNTERS)[number], number>;

export async function readTemporalCounters(metricsUrl: string | undefined): Promise<TemporalCounters | undefined> {
  if (!metricsUrl) return undefined;
  const text = await (await request(metricsUrl)).body.text();
  const totals = Object.fromEntries(COUNTERS.map((name) => [name, 0])) as TemporalCounters;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const name = /^([a-z_]+)[{ ]/.exec(line)?.[1];
    if (!name || !(COUNTERS as readonly string[]).includes(name)) continue;
    totals[name as keyof TemporalCounters] += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return totals;
}

/** Per item of the run: sync-matched share of polls and persistence requests per delivery. */
export function matchingPerItem(
  before: TemporalCounters | undefined,
  after: TemporalCounters | undefined,
  items: number,
): Record<string, number> {
  if (!before || !after) return {};
  const polls = after.poll_success - before.poll_success;
  const sync = after.poll_success_sync - before.poll_success_sync;
  return {
    syncMatchPct: polls > 0 ? Math.round((sync / polls) * 1000) / 10 : 0,
    pollsPerItem: polls / items,
    persistenceRequestsPerItem: (after.persistence_requests - before.persistence_requests) / items,
  };
}
