// Queries on attempts: what one attempt loads, and recording it with the delivery's new state.
import { sql, type Kysely } from 'kysely';
import { LATE_ATTEMPT_SECONDS } from '../domain/endpoint-stats-rollup';
import { ensureAttemptPartitionForDelivery } from './attempt-partitions.repository';
import { precompiledQuery } from './precompiled-query';
import type { AttemptRow, Database, DeliveryUpdate, NewAttemptRow } from './schema';

/** Everything one attempt needs, in one round trip: delivery, event, endpoint and signing secrets. */
export const deliveryForAttemptQuery = (db: Kysely<Database>, { deliveryId, now }: { deliveryId: string; now: Date }) =>
  db
    .selectFrom('deliveries as d')
    .innerJoin('events as ev', 'ev.id', 'd.event_id')
    .innerJoin('endpoints as ep', 'ep.id', 'd.endpoint_id')
    .select([
      'd.id as deliveryId',
      'd.status as deliveryStatus',
      'd.tenant_id as tenantId',
      'ev.id as eventId',
      'ev.type as eventType',
      'ev.data as eventData',
      'ev.resource_id as resourceId',
      'ev.operation as operation',
      'ev.previous as previous',
      'ev.triggered_by as triggeredBy',
      'ev.occurred_at as occurredAt',
      'ep.id as endpointId',
      'ep.url as url',
      'ep.enabled as endpointEnabled',
      'ep.deleted_at as endpointDeletedAt',
      'ep.failing_since as endpointFailingSince',
      'ep.auth_sealed as authSealed',
      'ep.headers as customHeaders',
      'ep.retry_policy as retryPolicy',
      'ep.timeout_ms as timeoutMs',
      // The rate and concurrency limits (activities/rate-limit-rule, concurrency-limit-rule).
      'ep.rate_limit_per_second as rateLimitPerSecond',
      'ep.max_concurrent_requests as maxConcurrentRequests',
      'd.wait_reason as waitReason',
      'd.next_attempt_at as nextAttemptAt',
      'd.workflow_id as workflowId',
      // The circuit (endpoint-circuit-rule): read here so a healthy endpoint costs no round trip.
      'ep.health_check_url as healthCheckUrl',
      'ep.health_state as healthState',
      'ep.health_reason as healthReason',
      'ep.health_next_probe_at as healthNextProbeAt',
      'ep.health_probe_holder as healthProbeHolder',
      'ep.health_probe_until as healthProbeUntil',
      'ep.health_failed_probes as healthFailedProbes',
      'ep.health_timeout_streak as healthTimeoutStreak',
      'd.ordering_position as orderingPosition',
      // The attempt log's partition key, to the microsecond (a JS Date keeps milliseconds only).
      sql<string>`to_json(d.created_at) #>> '{}'`.as('deliveryCreatedAt'),
      'ep.ordering as endpointOrdering',
    ])
    .select(
      sql<string[]>`array(select s.secret_sealed from endpoint_secrets s
        where s.endpoint_id = ep.id and (s.expires_at is null or s.expires_at > ${now}) order by s.id desc)`.as('sealedSecrets'),
    )
    .where('d.id', '=', deliveryId);

/** Built and compiled once (precompiled-query): every delivery runs it (`npm run bench` part (k) measures what that saves). */
export const deliveryForAttempt = precompiledQuery(deliveryForAttemptQuery);

export async function loadDeliveryForAttempt(db: Kysely<Database>, deliveryId: string, now: Date) {
  return (await deliveryForAttempt(db, { deliveryId, now }))[0];
}

export type DeliveryForAttempt = NonNullable<Awaited<ReturnType<typeof loadDeliveryForAttempt>>>;

/**
 * Records an attempt, the delivery's new state and the endpoint's failing streak in ONE
 * statement (data-modifying CTEs are atomic): one round trip per attempt. Re-recording the
 * same attempt number (an activity retried after a crash) overwrites it.
 *
 * An attempt recorded over LATE_ATTEMPT_SECONDS after it started (a retried recording, a database
 * that was away) may fall into a 5-minute slice the statistics rollup has summed already: in the
 * same transaction it leaves a late mark, so the statistics read that slice from the log until the
 * rollup job sums it again. The check is made once a connection is held, so a wait for the pool
 * counts as lateness; only late attempts pay for the mark (a transaction of two statements).
 */
export async function recordAttempt(
  db: Kysely<Database>,
  attempt: AttemptToRecord,
  delivery: DeliveryUpdate,
  endpoint: { id: string; succeeded: boolean },
): Promise<void> {
  await db.connection().execute(async (connection) => {
    try {
      await recordOnConnection(connection, attempt, delivery, endpoint);
    } catch (error) {
      // Partitions are made days ahead; should that have failed, the insert makes its own and goes on.
      if (!isMissingPartitionError(error)) throw error;
      await ensureAttemptPartitionForDelivery(connection, attempt.delivery_id);
      await recordOnConnection(connection, attempt, delivery, endpoint);
    }
  });
}

async function recordOnConnection(
  connection: Kysely<Database>,
  attempt: AttemptToRecord,
  delivery: DeliveryUpdate,
  endpoint: { id: string; succeeded: boolean },
): Promise<void> {
  const startedAt = new Date(attempt.started_at);
  if (Date.now() - startedAt.getTime() <= LATE_ATTEMPT_SECONDS * 1000) {
    await recordAttemptStatement(connection, attempt, delivery, endpoint);
    return;
  }
  await connection.transaction().execute(async (trx) => {
    await recordAttemptStatement(trx, attempt, delivery, endpoint);
    await trx.insertInto('endpoint_stats_late_attempts').values({ endpoint_id: attempt.endpoint_id, started_at: startedAt }).execute();
  });
}

/**
 * An attempt row as the activity knows it. The partition key is the delivery's creation time as
 * the database wrote it (text, to the microsecond); without it, it is read from the delivery's row
 * (one lookup more, about a quarter of the insert's cost).
 */
export type AttemptToRecord = Omit<NewAttemptRow, 'delivery_created_at'> & { delivery_created_at?: string };

const isMissingPartitionError = (error: unknown) =>
  (error as { code?: unknown }).code === '23514' && /no partition of relation/.test((error as Error).message);

async function recordAttemptStatement(
  db: Kysely<Database>,
  attempt: AttemptToRecord,
  delivery: DeliveryUpdate,
  endpoint: { id: string; succeeded: boolean },
): Promise<void> {
  await db
    .with('recorded_attempt', (qb) =>
      qb
        .insertInto('attempts')
        .values((eb) => ({
          ...attempt,
          // The partition key, given or read from the delivery's row (null, refused: not null, when the delivery is gone).
          delivery_created_at:
            attempt.delivery_created_at === undefined
              ? eb.selectFrom('deliveries').select('created_at').where('id', '=', attempt.delivery_id)
              : sql<Date>`${attempt.delivery_created_at}::timestamptz`,
        }))
        .onConflict((oc) =>
          oc.columns(['delivery_id', 'number', 'delivery_created_at']).doUpdateSet((eb) => ({
            trigger: eb.ref('excluded.trigger'),
            started_at: eb.ref('excluded.started_at'),
            duration_ms: eb.ref('excluded.duration_ms'),
            request_url: eb.ref('excluded.request_url'),
            request_headers: eb.ref('excluded.request_headers'),
            response_status: eb.ref('excluded.response_status'),
            response_headers: eb.ref('excluded.response_headers'),
            response_body: eb.ref('excluded.response_body'),
            response_body_bytes: eb.ref('excluded.response_body_bytes'),
            response_body_truncated: eb.ref('excluded.response_body_truncated'),
            response_body_length: eb.ref('excluded.response_body_length'),
            error_kind: eb.ref('excluded.error_kind'),
            error_message: eb.ref('excluded.error_message'),
            tls_failure_reason: eb.ref('excluded.tls_failure_reason'),
            dns_ms: eb.ref('excluded.dns_ms'),
            connect_ms: eb.ref('excluded.connect_ms'),
            tls_ms: eb.ref('excluded.tls_ms'),
            ttfb_ms: eb.ref('excluded.ttfb_ms'),
            connection_reused: eb.ref('excluded.connection_reused'),
            remote_address: eb.ref('excluded.remote_address'),
            request_body_bytes: eb.ref('excluded.request_body_bytes'),
          })),
        )
        .returning('delivery_id'),
    )
    .with('updated_delivery', (qb) =>
      qb
        .updateTable('deliveries')
        .set({ ...delivery, updated_at: new Date() })
        .where('id', '=', attempt.delivery_id)
        .returning('id'),
    )
    // The streak only changes at its edges, so a busy healthy endpoint's row is never rewritten.
    .with('updated_endpoint', (qb) =>
      qb
        .updateTable('endpoints')
        .set({ failing_since: endpoint.succeeded ? null : new Date() })
        .where('id', '=', endpoint.id)
        .where('failing_since', endpoint.succeeded ? 'is not' : 'is', null)
        .returning('id'),
    )
    .selectFrom('recorded_attempt')
    .select('delivery_id')
    .execute();
}

/** A delivery's attempts; its creation time prunes the read to the one partition that holds them. */
export async function listAttempts(db: Kysely<Database>, delivery: { id: string; created_at: Date }): Promise<AttemptRow[]> {
  return db
    .selectFrom('attempts')
    .selectAll()
    .where('delivery_id', '=', delivery.id)
    .where('delivery_created_at', '=', delivery.created_at)
    .orderBy('number')
    .execute();
}
