// Replay jobs (issue 14): recording one from its filters (idempotent per Idempotency-Key), starting
// its workflow, reading its progress, cancelling it, and the sweep of replays whose workflow was
// never started. The job itself runs in replay.workflow.ts, one step at a time (replay-steps.service).
import { sql, type Kysely } from 'kysely';
import { findEndpoint } from '../db/endpoints.repository';
import { toPage } from '../db/pagination';
import {
  countReplayDeliveries,
  findReplay,
  findReplayByIdempotencyKey,
  findUnstartedReplays,
  insertReplay,
  listReplays as queryReplays,
  updateReplay,
} from '../db/replays.repository';
import type { Database, ReplayRow } from '../db/schema';
import { ConflictError, InvalidInputError, NotFoundError } from '../domain/errors';
import { newId } from '../domain/ids';
import { OPEN_REPLAY_STATUSES, replayWorkflowId, type ReplayCounts, type ReplayFilter, type ReplayMode } from '../domain/replay';
import { startReplayWorkflow } from '../temporal/client';
import { replayCancelSignal } from '../workflows/messages';
import type { ServiceContext } from './context';
import { readCursor, type PageQuery } from './cursor';
import { FOLLOW_UP_DEADLINE_MS, type FollowUpOptions } from './follow-up.service';
import { getTenant } from './tenants.service';

/** An Idempotency-Key names the same replay for this long (as a publish's does). */
export const REPLAY_IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;

/** What a replay request asks for (api/schemas' createReplayBody satisfies it). */
export interface ReplayRequest {
  mode: ReplayMode;
  endpointIds?: string[] | undefined;
  eventTypes?: string[] | undefined;
  status?: ReplayFilter['status'] | undefined;
  statusClass?: ReplayFilter['statusClass'] | undefined;
  errorKind?: ReplayFilter['errorKind'] | undefined;
  resourceId?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

export interface ReplayView {
  replay: ReplayRow;
  counts: ReplayCounts;
}

export type CreateReplayResult =
  /** 202: recorded; its workflow runs (or the sweeper starts it). */
  | (ReplayView & { duplicate: false })
  /** 200: the key named a replay already; that one is answered. */
  | (ReplayView & { duplicate: true });

export async function createReplay(
  ctx: ServiceContext,
  tenantId: string,
  request: ReplayRequest,
  options: FollowUpOptions & { idempotencyKey?: string | undefined } = {},
): Promise<CreateReplayResult> {
  const filter = toReplayFilter(request, new Date());
  const { replay, duplicate } = await ctx.db.transaction().execute(async (trx) => {
    await getTenant({ ...ctx, db: trx }, tenantId);
    for (const [index, endpointId] of (request.endpointIds ?? []).entries()) {
      if (!(await findEndpoint(trx, tenantId, endpointId)))
        throw new InvalidInputError('Unknown endpoint', [
          { path: `body.endpointIds.${index}`, message: `endpoint ${endpointId} not found` },
        ]);
    }
    if (options.idempotencyKey) {
      const existing = await claimIdempotencyKey(trx, tenantId, options.idempotencyKey);
      if (existing) return { replay: existing, duplicate: true };
    }
    const id = newId('rpl');
    const row = await insertReplay(trx, {
      id,
      tenant_id: tenantId,
      mode: request.mode,
      filter: JSON.stringify(filter),
      idempotency_key: options.idempotencyKey ?? null,
      workflow_id: replayWorkflowId(id),
    });
    return { replay: row, duplicate: false };
  });
  if (!duplicate || replay.workflow_started_at === null) await startReplay(ctx, replay, options);
  const view = await viewOf(ctx.db, (await findReplay(ctx.db, tenantId, replay.id)) ?? replay);
  return { ...view, duplicate };
}

/**
 * The replay the key names within the window, or none; a key older than the window is released so
 * it can name a new one. Serialised per key, so two concurrent requests cannot both create one.
 */
export async function claimIdempotencyKey(trx: Kysely<Database>, tenantId: string, key: string): Promise<ReplayRow | undefined> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`replay:${tenantId}:${key}`}, 0))`.execute(trx);
  const existing = await findReplayByIdempotencyKey(trx, tenantId, key);
  if (existing && existing.created_at.getTime() > Date.now() - REPLAY_IDEMPOTENCY_WINDOW_MS) return existing;
  if (existing) await updateReplay(trx, existing.id, { idempotency_key: null });
  return undefined;
}

/** The request's filters as stored: `until` fixed now when open, so the set of matches does not grow. */
export function toReplayFilter(request: ReplayRequest, now: Date): ReplayFilter {
  const until = request.until ?? now.toISOString();
  if (request.since && Date.parse(request.since) >= Date.parse(until))
    throw new InvalidInputError('Empty window', [{ path: 'body.since', message: 'must be before until' }]);
  if (request.mode === 'missing') {
    const failedOnly = (['status', 'statusClass', 'errorKind'] as const).filter((field) => request[field] !== undefined);
    if (failedOnly.length > 0)
      throw new InvalidInputError(
        'Filter does not apply to mode missing',
        failedOnly.map((field) => ({ path: `body.${field}`, message: 'applies to mode failed only (a missing event has no delivery)' })),
      );
  }
  return {
    ...(request.endpointIds && { endpointIds: [...new Set(request.endpointIds)] }),
    ...(request.eventTypes && { eventTypes: [...new Set(request.eventTypes)] }),
    ...(request.status && { status: [...new Set(request.status)] }),
    ...(request.statusClass && { statusClass: request.statusClass }),
    ...(request.errorKind && { errorKind: request.errorKind }),
    ...(request.resourceId && { resourceId: request.resourceId }),
    ...(request.since && { since: new Date(request.since).toISOString() }),
    until: new Date(until).toISOString(),
  };
}

/** Starts the replay's workflow now, best-effort within the follow-up deadline; the sweeper retries what fails. */
export async function startReplay(ctx: ServiceContext, replay: ReplayRow, options: FollowUpOptions = {}): Promise<void> {
  try {
    await ctx.temporal.withDeadline(Date.now() + FOLLOW_UP_DEADLINE_MS, () =>
      startReplayWorkflow(
        ctx.temporal,
        { replayId: replay.id, workflowId: replay.workflow_id, summary: `replay ${replay.mode} for ${replay.tenant_id}` },
        { taskQueue: ctx.taskQueue },
      ),
    );
    await ctx.db
      .updateTable('replays')
      .set({ workflow_started_at: new Date() })
      .where('id', '=', replay.id)
      .where('workflow_started_at', 'is', null)
      .execute();
  } catch (error) {
    options.onFollowUpFailed?.(error);
  }
}

export async function getReplay(ctx: ServiceContext, tenantId: string, id: string): Promise<ReplayView> {
  const replay = await findReplay(ctx.db, tenantId, id);
  if (!replay) throw new NotFoundError('replay', id);
  return viewOf(ctx.db, replay);
}

export async function listReplays(ctx: ServiceContext, tenantId: string, query: PageQuery) {
  await getTenant(ctx, tenantId);
  const page = toPage(await queryReplays(ctx.db, { tenantId, cursor: readCursor(query.cursor), limit: query.limit }), query.limit);
  const counts = await countReplayDeliveries(
    ctx.db,
    page.data.map((replay) => replay.id),
  );
  return {
    data: page.data.map((replay) => ({ replay, counts: withMatched(replay, counts.get(replay.id)) })),
    nextCursor: page.nextCursor,
  };
}

/**
 * Stops a replay that is still open: recorded on its row (its next step ends it, dropping what
 * it never started), then its workflow is woken. Deliveries it started go on by their own rules.
 */
export async function cancelReplay(ctx: ServiceContext, tenantId: string, id: string, options: FollowUpOptions = {}): Promise<ReplayView> {
  const replay = await findReplay(ctx.db, tenantId, id);
  if (!replay) throw new NotFoundError('replay', id);
  if (!(OPEN_REPLAY_STATUSES as readonly string[]).includes(replay.status))
    throw new ConflictError(`replay ${id} is already ${replay.status}`);
  await ctx.db
    .updateTable('replays')
    .set({ cancel_requested_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .where('cancel_requested_at', 'is', null)
    .execute();
  try {
    await ctx.temporal.withDeadline(Date.now() + FOLLOW_UP_DEADLINE_MS, () =>
      ctx.temporal.workflow.getHandle(replay.workflow_id).signal(replayCancelSignal),
    );
  } catch (error) {
    // Not running (never started, or between runs): its next step, whenever it comes, cancels it.
    options.onFollowUpFailed?.(error);
  }
  return getReplay(ctx, tenantId, id);
}

/** Starts the workflows of open replays recorded at least `olderThanMs` ago but never started. */
export async function startStrandedReplays(
  ctx: ServiceContext,
  options: { olderThanMs: number },
): Promise<{ started: number; failed: number }> {
  const stranded = await findUnstartedReplays(ctx.db, { updatedBefore: new Date(Date.now() - options.olderThanMs), limit: 100 });
  let failed = 0;
  for (const replay of stranded) await startReplay(ctx, replay, { onFollowUpFailed: () => failed++ });
  return { started: stranded.length - failed, failed };
}

export async function viewOf(db: Kysely<Database>, replay: ReplayRow): Promise<ReplayView> {
  const counts = await countReplayDeliveries(db, [replay.id]);
  return { replay, counts: withMatched(replay, counts.get(replay.id)) };
}

function withMatched(replay: ReplayRow, counts: Omit<ReplayCounts, 'matched'> | undefined): ReplayCounts {
  const { started, delivered, failed } = counts ?? { started: 0, delivered: 0, failed: 0 };
  return { matched: Math.max(replay.matched, started), started, delivered, failed };
}
