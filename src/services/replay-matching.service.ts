// Which matches a replay step looks at next. `failed`: the repository's failed deliveries as they
// are. `missing`: candidates the repository finds (subscribed, enabled, no delivery yet) passed
// through each endpoint's current payload filter with the fan-out's own evaluator, so `missing`
// never sends what publishing would not have; read in batches, with a bound on rows per step.
import { listFailedMatches, listMissingCandidates, type ReplayMatch, type ReplayScope } from '../db/replay-matches.repository';
import { passesStoredFilter } from '../domain/payload-filter-evaluation';
import type { ReplayCursor } from '../domain/replay';
import type { ServiceContext } from './context';
import { storedEnvelope } from './payload-filter.service';

/** Candidates read per statement in `missing` mode. */
export const MISSING_SCAN_BATCH = 500;
/** Candidates one step reads at most: a long run of events a filter refuses spans several steps. */
export const MAX_MISSING_SCANNED_PER_STEP = 5_000;

export interface MatchWithSkips extends ReplayMatch {
  /** Candidates the filters refused between the scan's start and this match. */
  refusedBefore: number;
}

export interface ReplayScan {
  matches: MatchWithSkips[];
  /** Nothing matches after what was read. */
  exhausted: boolean;
  /** The last candidate read (match or not), or null when none was; a cursor past every refusal. */
  readTo: ReplayCursor | null;
  /** Candidates the filters refused in all. */
  refused: number;
}

/** The cursor just past `match`, in the keyset order both modes read in. */
export const positionOf = (match: ReplayMatch): ReplayCursor => ({
  t: match.at.toISOString(),
  id: match.keyId,
  endpointId: match.endpointId,
});

/** Up to `limit` matches after `cursor`, in keyset order. */
export async function scanReplayMatches(
  ctx: ServiceContext,
  scope: ReplayScope,
  cursor: ReplayCursor | null,
  limit: number,
): Promise<ReplayScan> {
  if (scope.mode === 'failed') {
    const matches = await listFailedMatches(ctx.db, scope, cursor, limit);
    const last = matches[matches.length - 1];
    return {
      matches: matches.map((match) => ({ ...match, refusedBefore: 0 })),
      exhausted: matches.length < limit,
      readTo: last ? positionOf(last) : null,
      refused: 0,
    };
  }
  const matches: MatchWithSkips[] = [];
  let refused = 0;
  let scanned = 0;
  let position = cursor;
  let readTo: ReplayCursor | null = null;
  while (scanned < MAX_MISSING_SCANNED_PER_STEP) {
    const size = Math.min(MISSING_SCAN_BATCH, MAX_MISSING_SCANNED_PER_STEP - scanned);
    const batch = await listMissingCandidates(ctx.db, scope, position, size);
    for (const candidate of batch) {
      scanned += 1;
      readTo = positionOf(candidate.match);
      if (candidate.filter === null || passesStoredFilter(candidate.filter, storedEnvelope(candidate.event))) {
        matches.push({ ...candidate.match, refusedBefore: refused });
        if (matches.length === limit) return { matches, exhausted: false, readTo, refused };
      } else {
        refused += 1;
      }
    }
    if (batch.length < size) return { matches, exhausted: true, readTo, refused };
    position = readTo;
  }
  return { matches, exhausted: false, readTo, refused };
}
