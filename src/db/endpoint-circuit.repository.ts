// Queries on the endpoint's circuit (columns health_* of endpoints): the probe lease, the state
// changes (each one conditional, so two workers never both move it), the waiters a recovery wakes,
// and the endpoints per state for the metrics. A healthy endpoint's row is never written here.
import { sql, type Kysely } from 'kysely';
import type { CircuitChange, EndpointHealthState } from '../domain/endpoint-circuit';
import { ENDPOINT_HEALTH_STATES } from '../domain/endpoint-circuit';
import type { WaitReason } from '../domain/delivery-wait';
import type { Database } from './schema';

const CIRCUIT_WAIT_REASONS: WaitReason[] = ['endpoint_backing_off', 'endpoint_open'];

/** Takes the probe lease when the probe may go and nobody else holds it; true when taken. */
export async function takeProbeLease(db: Kysely<Database>, endpointId: string, holder: string, now: Date, until: Date): Promise<boolean> {
  const taken = await db
    .updateTable('endpoints')
    .set({ health_probe_holder: holder, health_probe_until: until })
    .where('id', '=', endpointId)
    .where('health_state', '!=', 'healthy')
    .where((eb) => eb.or([eb('health_next_probe_at', 'is', null), eb('health_next_probe_at', '<=', now)]))
    .where((eb) =>
      eb.or([eb('health_probe_holder', '=', holder), eb('health_probe_until', 'is', null), eb('health_probe_until', '<=', now)]),
    )
    .returning('id')
    .executeTakeFirst();
  return taken !== undefined;
}

/** Gives the lease back without a verdict (a later gate rule held the probe back). */
export async function releaseProbeLease(db: Kysely<Database>, endpointId: string, holder: string): Promise<void> {
  await db
    .updateTable('endpoints')
    .set({ health_probe_holder: null, health_probe_until: null })
    .where('id', '=', endpointId)
    .where('health_probe_holder', '=', holder)
    .execute();
}

/** A healthy endpoint backs off; false when it was not healthy any more (another worker was first). */
export async function backOffHealthyEndpoint(db: Kysely<Database>, endpointId: string, change: CircuitChange, now: Date): Promise<boolean> {
  const moved = await db
    .updateTable('endpoints')
    .set({ ...changeColumns(change, now), health_timeout_streak: 0 })
    .where('id', '=', endpointId)
    .where('health_state', '=', 'healthy')
    .returning('id')
    .executeTakeFirst();
  return moved !== undefined;
}

/** One more timeout in a row of a healthy endpoint; answers the streak (0 when it is not healthy). */
export async function countTimeout(db: Kysely<Database>, endpointId: string): Promise<number> {
  const row = await db
    .updateTable('endpoints')
    .set((eb) => ({ health_timeout_streak: eb('health_timeout_streak', '+', 1) }))
    .where('id', '=', endpointId)
    .where('health_state', '=', 'healthy')
    .returning('health_timeout_streak')
    .executeTakeFirst();
  return row?.health_timeout_streak ?? 0;
}

/** The endpoint answered: the timeouts no longer come in a row. */
export async function resetTimeouts(db: Kysely<Database>, endpointId: string): Promise<void> {
  await db
    .updateTable('endpoints')
    .set({ health_timeout_streak: 0 })
    .where('id', '=', endpointId)
    .where('health_timeout_streak', '>', 0)
    .execute();
}

/** The probe's verdict, written by its lease holder only; answers the state it replaced, or null. */
export async function settleProbe(
  db: Kysely<Database>,
  endpointId: string,
  holder: string,
  change: CircuitChange,
  now: Date,
): Promise<EndpointHealthState | null> {
  const row = await db
    .with('before', (qb) => qb.selectFrom('endpoints').select(['id', 'health_state']).where('id', '=', endpointId).forUpdate())
    .updateTable('endpoints')
    .from('before')
    .set({ ...changeColumns(change, now), health_probe_holder: null, health_probe_until: null, health_timeout_streak: 0 })
    .whereRef('endpoints.id', '=', 'before.id')
    .where('endpoints.health_probe_holder', '=', holder)
    .returning('before.health_state as previous')
    .executeTakeFirst();
  return row?.previous ?? null;
}

function changeColumns(change: CircuitChange, now: Date) {
  return {
    health_state: change.state,
    health_since: now,
    health_reason: change.reason,
    health_next_probe_at: change.nextProbeAt,
    health_failed_probes: change.failedProbes,
  };
}

/** The workflow ids of the deliveries waiting longest behind this endpoint's circuit (the recovery's first batch). */
export async function circuitWaiters(db: Kysely<Database>, endpointId: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select('workflow_id')
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'waiting')
    .where('wait_reason', 'in', CIRCUIT_WAIT_REASONS)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  return rows.map((row) => row.workflow_id);
}

/** Live endpoints per circuit state, every state present (the gauge collected on scrape). */
export async function countEndpointsByHealth(db: Kysely<Database>): Promise<Record<EndpointHealthState, number>> {
  const rows = await db
    .selectFrom('endpoints')
    .select(['health_state', sql<string>`count(*)`.as('count')])
    .where('deleted_at', 'is', null)
    .groupBy('health_state')
    .execute();
  const counts = Object.fromEntries(ENDPOINT_HEALTH_STATES.map((state) => [state, 0])) as Record<EndpointHealthState, number>;
  for (const row of rows) counts[row.health_state] = Number(row.count);
  return counts;
}
