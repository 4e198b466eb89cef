// One step of a replay job, run by the replay workflow's activity: start the deliveries it
// planned but never started, plan and start the next matches, as many as each endpoint's pace
// allows (domain/replay.ts), then say when to step again. Every decision is read from and
// written to PostgreSQL, so a step repeated after a crash redoes nothing that committed.
import { replayDeliveryTotals, lockReplay, updateReplay } from '../db/replays.repository';
import {
  countReplayMatches,
  deleteUnstartedReplayDeliveries,
  insertReplayDeliveries,
  listUnstartedReplayDeliveries,
  loadEndpointPaces,
  type ReplayScope,
} from '../db/replay-matches.repository';
import type { ReplayRow } from '../db/schema';
import { deliveryWorkflowId, newId } from '../domain/ids';
import {
  DEFAULT_REPLAY_PACING,
  MAX_REPLAY_STEP_STARTS,
  REPLAY_STEP_MS,
  stepAllowance,
  takeWithinAllowance,
  type ReplayCursor,
} from '../domain/replay';
import type { ReplayStep } from '../workflows/contracts';
import type { ServiceContext } from './context';
import { tryStartDeliveries } from './publishing.service';
import { positionOf, scanReplayMatches, type MatchWithSkips, type ReplayScan } from './replay-matching.service';

/** The longest an endpoint's open circuit holds a replay before it looks again. */
const MAX_CIRCUIT_HOLD_MS = 10_000;

export async function runReplayStep(ctx: ServiceContext, replayId: string, now = new Date()): Promise<ReplayStep> {
  const replay = await ctx.db.selectFrom('replays').selectAll().where('id', '=', replayId).executeTakeFirst();
  if (!replay) return { outcome: 'finished', status: 'gone' };
  if (replay.status === 'completed' || replay.status === 'cancelled') return { outcome: 'finished', status: replay.status };
  if (replay.cancel_requested_at) return cancel(ctx, replay);
  const scope: ReplayScope = { replayId, tenantId: replay.tenant_id, mode: replay.mode, filter: replay.filter };
  if (replay.status === 'pending') {
    const matched = replay.planning_done ? replay.matched : await countReplayMatches(ctx.db, scope);
    await updateReplay(ctx.db, replayId, { status: 'running', matched });
  }

  const unstarted = await listUnstartedReplayDeliveries(ctx.db, replayId, MAX_REPLAY_STEP_STARTS);
  // Null: not looked at this step (planning is done, or planned deliveries fill the step).
  const scan =
    replay.planning_done || unstarted.length === MAX_REPLAY_STEP_STARTS
      ? null
      : await scanReplayMatches(ctx, scope, replay.cursor, MAX_REPLAY_STEP_STARTS);
  const candidates = scan?.matches ?? null;
  const endpointIds = [...new Set([...unstarted, ...(candidates ?? [])].map((item) => item.endpointId))];
  const paces = await loadEndpointPaces(ctx.db, replayId, endpointIds);
  const pacing = ctx.replayPacing ?? DEFAULT_REPLAY_PACING;
  const allowance = new Map(
    paces.map((pace) => [
      pace.id,
      stepAllowance(
        { rateLimitPerSecond: pace.rate_limit_per_second, healthy: pace.health_state === 'healthy', inFlight: Number(pace.in_flight ?? 0) },
        pacing,
      ),
    ]),
  );
  const restart = takeWithinAllowance(unstarted, allowance, MAX_REPLAY_STEP_STARTS);
  // New matches only once every planned delivery is on its way: the replay keeps its order.
  const fresh =
    candidates && restart.length === unstarted.length
      ? takeWithinAllowance(candidates, allowance, MAX_REPLAY_STEP_STARTS - restart.length)
      : [];
  const planned = await planMatches(ctx, replay, scan, fresh);
  if (planned === 'cancelled') return cancel(ctx, replay);

  const toStart = new Set([...restart.map((delivery) => delivery.deliveryId), ...planned.ids]);
  if (toStart.size > 0) {
    const deliveries = (await listUnstartedReplayDeliveries(ctx.db, replayId, toStart.size + MAX_REPLAY_STEP_STARTS)).filter((delivery) =>
      toStart.has(delivery.deliveryId),
    );
    // A start that fails (Temporal unreachable) leaves its delivery unstarted: the next step retries it.
    await tryStartDeliveries(ctx, deliveries);
  }

  if (planned.planningDone && restart.length === unstarted.length) {
    const settled = await settleIfDone(ctx, replayId);
    if (settled) return settled;
  }
  return { outcome: 'continue', waitMs: toStart.size > 0 ? REPLAY_STEP_MS : holdMs(paces, now) };
}

/**
 * Records deliveries for the matches taken and moves the cursor past them (past every candidate
 * read when all were taken, so events a payload filter refused are not read again), lowering
 * `matched` by the refusals it moved past; one transaction under the replay's row lock. Planning
 * is done when the matches ran out and every one was taken.
 */
async function planMatches(
  ctx: ServiceContext,
  replay: ReplayRow,
  scan: ReplayScan | null,
  taken: MatchWithSkips[],
): Promise<{ ids: string[]; planningDone: boolean } | 'cancelled'> {
  if (replay.planning_done) return { ids: [], planningDone: true };
  if (!scan) return { ids: [], planningDone: false };
  const allTaken = taken.length === scan.matches.length;
  const exhausted = scan.exhausted && allTaken;
  const last = taken[taken.length - 1];
  const moveTo: ReplayCursor | null = allTaken ? scan.readTo : last ? positionOf(last) : null;
  const refused = allTaken ? scan.refused : (last?.refusedBefore ?? 0);
  if (!moveTo && !exhausted) return { ids: [], planningDone: false };
  return ctx.db.transaction().execute(async (trx) => {
    const locked = await lockReplay(trx, replay.id);
    if (!locked || locked.cancel_requested_at) return 'cancelled' as const;
    // Another run of this step got here first: what it planned stands, and this one plans nothing.
    if (!sameCursor(locked.cursor, replay.cursor)) return { ids: [], planningDone: locked.planning_done };
    const ids = await insertReplayDeliveries(
      trx,
      { replayId: replay.id, tenantId: replay.tenant_id },
      taken.map((match) => {
        const id = newId('dlv');
        return { ...match, id, workflowId: deliveryWorkflowId(id) };
      }),
    );
    const cursor = moveTo ?? locked.cursor;
    await updateReplay(trx, replay.id, {
      cursor: cursor && JSON.stringify(cursor),
      planning_done: exhausted,
      ...(refused > 0 && { matched: Math.max(0, locked.matched - refused) }),
    });
    return { ids, planningDone: exhausted };
  });
}

function sameCursor(a: ReplayCursor | null, b: ReplayCursor | null): boolean {
  return a === b || (a !== null && b !== null && a.t === b.t && a.id === b.id && a.endpointId === b.endpointId);
}

/** Every delivery is started: the replay completes once all have finished, else it settles. */
async function settleIfDone(ctx: ServiceContext, replayId: string): Promise<ReplayStep | undefined> {
  return ctx.db.transaction().execute(async (trx) => {
    const locked = await lockReplay(trx, replayId);
    if (!locked || locked.cancel_requested_at) return undefined;
    const totals = await replayDeliveryTotals(trx, replayId);
    if (totals.unstarted > 0) return undefined;
    if (totals.open > 0) {
      if (locked.status !== 'settling' || locked.matched !== totals.total)
        await updateReplay(trx, replayId, { status: 'settling', matched: totals.total });
      return { outcome: 'settling' as const };
    }
    await updateReplay(trx, replayId, { status: 'completed', matched: totals.total, finished_at: new Date() });
    return { outcome: 'finished' as const, status: 'completed' as const };
  });
}

/** Cancelled: the deliveries it never started are dropped; those started go on by their own rules. */
async function cancel(ctx: ServiceContext, replay: ReplayRow): Promise<ReplayStep> {
  await ctx.db.transaction().execute(async (trx) => {
    await lockReplay(trx, replay.id);
    await deleteUnstartedReplayDeliveries(trx, replay.id);
    const totals = await replayDeliveryTotals(trx, replay.id);
    await updateReplay(trx, replay.id, {
      status: 'cancelled',
      matched: replay.planning_done ? totals.total : Math.max(replay.matched, totals.total),
      finished_at: new Date(),
    });
  });
  return { outcome: 'finished', status: 'cancelled' };
}

/** The pace's step, or longer while an endpoint's circuit holds the replay (until its next probe, bounded). */
function holdMs(paces: Array<{ health_state: string; health_next_probe_at: Date | null }>, now: Date): number {
  const held = paces.filter((pace) => pace.health_state !== 'healthy');
  if (held.length === 0) return REPLAY_STEP_MS;
  const nextProbe = Math.min(...held.map((pace) => pace.health_next_probe_at?.getTime() ?? now.getTime() + MAX_CIRCUIT_HOLD_MS));
  return Math.max(REPLAY_STEP_MS, Math.min(MAX_CIRCUIT_HOLD_MS, nextProbe - now.getTime()));
}
