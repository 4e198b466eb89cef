// What a replay sends: its matches in keyset order (`failed`: finished deliveries to resend;
// `missing`: events an endpoint is subscribed to but never got, read here as candidates that the
// service passes through the endpoint's payload filter), and the deliveries it plans for them, at
// most one per event and endpoint (a unique index), so a repeated step sends nothing twice.
import { sql, type Kysely, type Transaction } from 'kysely';
import { plannedDeliveryColumns, toPlannedDelivery } from './delivery-starts.repository';
import type { PlannedDelivery } from '../domain/delivery-status';
import { OPEN_DELIVERY_STATUSES } from '../domain/delivery-status';
import type { ReplayCursor, ReplayFilter, ReplayMode } from '../domain/replay';
import { whereDeliveryMatches } from './deliveries.repository';
import type { EnvelopeFields } from './events.repository';
import type { Database, EventRow } from './schema';

/** The event type of test sends: aimed at one endpoint, never "missing" elsewhere. */
const TEST_EVENT_TYPE = 'webhook.test';

/** One thing a replay sends: this event to this endpoint (a resend of `retryOfId` in `failed` mode). */
export interface ReplayMatch {
  eventId: string;
  endpointId: string;
  eventType: string;
  resourceId: string | null;
  retryOfId: string | null;
  /** The keyset position: the failed delivery's (created_at, id), or the event's (created_at, id). */
  at: Date;
  keyId: string;
}

export interface ReplayScope {
  replayId: string;
  tenantId: string;
  mode: ReplayMode;
  filter: ReplayFilter;
}

/** Through the delivery log's own criteria (whereDeliveryMatches), to endpoints that exist and are enabled. */
function failedMatches(db: Kysely<Database>, scope: ReplayScope) {
  const { filter } = scope;
  return whereDeliveryMatches(db.selectFrom('deliveries'), {
    tenantId: scope.tenantId,
    endpointId: filter.endpointIds,
    eventType: filter.eventTypes,
    status: filter.status ?? ['failed'],
    resourceId: filter.resourceId,
    statusClass: filter.statusClass,
    errorKind: filter.errorKind,
    since: filter.since ? new Date(filter.since) : undefined,
    until: new Date(filter.until),
  })
    .where(sql<boolean>`replay_id is distinct from ${scope.replayId}`)
    .where('endpoint_id', 'in', (eb) =>
      eb
        .selectFrom('endpoints')
        .select('endpoints.id')
        .where('endpoints.tenant_id', '=', scope.tenantId)
        .where('endpoints.deleted_at', 'is', null)
        .where('endpoints.enabled', '=', true),
    );
}

function missingMatches(db: Kysely<Database>, scope: ReplayScope) {
  const { filter } = scope;
  let query = db
    .selectFrom('events as v')
    .innerJoin('endpoints as e', 'e.tenant_id', 'v.tenant_id')
    .where('v.tenant_id', '=', scope.tenantId)
    .where('e.deleted_at', 'is', null)
    .where('e.enabled', '=', true)
    .where(sql<boolean>`(v.type = any(e.event_types) or '*' = any(e.event_types))`)
    // What it missed, not what happened before it existed.
    .whereRef('v.created_at', '>=', 'e.created_at')
    .where('v.type', '<>', TEST_EVENT_TYPE)
    .where('v.created_at', '<', new Date(filter.until))
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('deliveries as d').select('d.id').whereRef('d.event_id', '=', 'v.id').whereRef('d.endpoint_id', '=', 'e.id'))),
    );
  if (filter.since) query = query.where('v.created_at', '>=', new Date(filter.since));
  if (filter.endpointIds) query = query.where('e.id', 'in', filter.endpointIds);
  if (filter.eventTypes) query = query.where('v.type', 'in', filter.eventTypes);
  if (filter.resourceId) query = query.where('v.resource_id', '=', filter.resourceId);
  return query;
}

/**
 * `failed`: the matches. `missing`: the candidates, before payload filters (an upper bound the
 * job lowers as it reads past the events a filter refuses).
 */
export async function countReplayMatches(db: Kysely<Database>, scope: ReplayScope): Promise<number> {
  const count = sql<string>`count(*)`.as('count');
  const row =
    scope.mode === 'failed'
      ? await failedMatches(db, scope).select(count).executeTakeFirstOrThrow()
      : await missingMatches(db, scope).select(count).executeTakeFirstOrThrow();
  return Number(row.count);
}

const keysetAfter = (cursor: ReplayCursor | null) => cursor && ([new Date(cursor.t), cursor.id, cursor.endpointId] as const);

/** The next `limit` failed deliveries to resend after `cursor`, in keyset order (`failed` mode). */
export async function listFailedMatches(
  db: Kysely<Database>,
  scope: ReplayScope,
  cursor: ReplayCursor | null,
  limit: number,
): Promise<ReplayMatch[]> {
  const after = keysetAfter(cursor);
  let query = failedMatches(db, scope).select(['id', 'event_id', 'endpoint_id', 'event_type', 'resource_id', 'created_at']);
  if (after) query = query.where(sql<boolean>`(created_at, id, endpoint_id) > (${after[0]}, ${after[1]}, ${after[2]})`);
  const rows = await query.orderBy('created_at').orderBy('id').orderBy('endpoint_id').limit(limit).execute();
  return rows.map((row) => ({
    eventId: row.event_id,
    endpointId: row.endpoint_id,
    eventType: row.event_type,
    resourceId: row.resource_id,
    retryOfId: row.id,
    at: row.created_at,
    keyId: row.id,
  }));
}

/** An event an endpoint subscribes to and never got, with what its payload filter needs. */
export interface MissingCandidate {
  match: ReplayMatch;
  /** The endpoint's payload filter as stored (null: none; then `event` carries no data). */
  filter: unknown;
  event: EnvelopeFields & { created_at: Date };
}

/** The next `limit` candidates after `cursor`, in keyset order (`missing` mode). */
export async function listMissingCandidates(
  db: Kysely<Database>,
  scope: ReplayScope,
  cursor: ReplayCursor | null,
  limit: number,
): Promise<MissingCandidate[]> {
  const after = keysetAfter(cursor);
  let query = missingMatches(db, scope).select([
    'v.id',
    'v.tenant_id',
    'v.type',
    'v.resource_id',
    'v.operation',
    'v.triggered_by',
    'v.occurred_at',
    'v.created_at',
    'e.id as endpoint_id',
    'e.filter',
    // The payload is read only where a filter will look at it.
    sql<EventRow['data']>`case when e.filter is null then '{}'::jsonb else v.data end`.as('data'),
    sql<EventRow['previous']>`case when e.filter is null then null else v.previous end`.as('previous'),
  ]);
  if (after) query = query.where(sql<boolean>`(v.created_at, v.id, e.id) > (${after[0]}, ${after[1]}, ${after[2]})`);
  const rows = await query.orderBy('v.created_at').orderBy('v.id').orderBy('e.id').limit(limit).execute();
  return rows.map(({ endpoint_id, filter, ...event }) => ({
    match: {
      eventId: event.id,
      endpointId: endpoint_id,
      eventType: event.type,
      resourceId: event.resource_id,
      retryOfId: null,
      at: event.created_at,
      keyId: event.id,
    },
    filter,
    event,
  }));
}

/**
 * Records one unstarted delivery per match for the replay, in one statement; a match whose event
 * and endpoint the replay already has a delivery for is skipped by the unique index. Answers the
 * ids recorded.
 */
export async function insertReplayDeliveries(
  trx: Transaction<Database>,
  scope: Pick<ReplayScope, 'replayId' | 'tenantId'>,
  planned: Array<ReplayMatch & { id: string; workflowId: string }>,
): Promise<string[]> {
  if (planned.length === 0) return [];
  const column = <K extends keyof (typeof planned)[number]>(key: K) => planned.map((row) => row[key]);
  const { rows } = await sql<{ id: string }>`
    insert into deliveries (id, tenant_id, event_id, endpoint_id, event_type, resource_id, retry_of_id, workflow_id, replay_id, workflow_started_at)
    select n.id, ${scope.tenantId}, n.event_id, n.endpoint_id, n.event_type, n.resource_id, n.retry_of_id, n.workflow_id, ${scope.replayId}, null
    from unnest(${column('id')}::text[], ${column('eventId')}::text[], ${column('endpointId')}::text[], ${column('eventType')}::text[],
                ${column('resourceId')}::text[], ${column('retryOfId')}::text[], ${column('workflowId')}::text[])
      as n(id, event_id, endpoint_id, event_type, resource_id, retry_of_id, workflow_id)
    on conflict (replay_id, event_id, endpoint_id) where replay_id is not null and recover_key is null do nothing
    returning id`.execute(trx);
  return rows.map((row) => row.id);
}

/** The replay's deliveries not started yet, oldest first, with what starting them needs. */
export async function listUnstartedReplayDeliveries(db: Kysely<Database>, replayId: string, limit: number): Promise<PlannedDelivery[]> {
  const rows = await db
    .selectFrom('deliveries')
    .innerJoin('endpoints', 'endpoints.id', 'deliveries.endpoint_id')
    .select(plannedDeliveryColumns)
    .where('deliveries.replay_id', '=', replayId)
    .where('deliveries.workflow_started_at', 'is', null)
    .orderBy('deliveries.created_at')
    .orderBy('deliveries.id')
    .limit(limit)
    .execute();
  return rows.map(toPlannedDelivery);
}

/** What pacing needs of each endpoint: its rate limit, its circuit, and this replay's unfinished deliveries to it. */
export async function loadEndpointPaces(db: Kysely<Database>, replayId: string, endpointIds: string[]) {
  if (endpointIds.length === 0) return [];
  return db
    .selectFrom('endpoints as e')
    .select((eb) => [
      'e.id',
      'e.rate_limit_per_second',
      'e.health_state',
      'e.health_next_probe_at',
      eb
        .selectFrom('deliveries as d')
        .select(eb.fn.countAll<string>().as('n'))
        .where('d.replay_id', '=', replayId)
        .whereRef('d.endpoint_id', '=', 'e.id')
        .where('d.status', 'in', OPEN_DELIVERY_STATUSES)
        .where('d.workflow_started_at', 'is not', null)
        .as('in_flight'),
    ])
    .where('e.id', 'in', endpointIds)
    .execute();
}

/** Drops the replay's deliveries that were never started (a cancelled replay sends no more). */
export async function deleteUnstartedReplayDeliveries(trx: Transaction<Database>, replayId: string): Promise<void> {
  await trx.deleteFrom('deliveries').where('replay_id', '=', replayId).where('workflow_started_at', 'is', null).execute();
}
