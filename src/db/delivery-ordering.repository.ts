// Queries of FIFO lines (domain/delivery-ordering.ts): the head a delivery waits behind, the next
// in line to wake, and a place right behind the head for a resend that asks for it. Every query
// reads the partial indexes of open positioned deliveries, so it touches a few index entries.
import { sql, type Kysely, type Transaction } from 'kysely';
import { OPEN_DELIVERY_STATUSES } from '../domain/delivery-status';
import type { LineHead, OrderingLine } from '../domain/delivery-ordering';
import type { Database } from './schema';

function openInLine(db: Kysely<Database>, line: OrderingLine) {
  let query = db
    .selectFrom('deliveries')
    .where('endpoint_id', '=', line.endpointId)
    .where('ordering_position', 'is not', null)
    .where('status', 'in', OPEN_DELIVERY_STATUSES);
  if (line.resourceId !== undefined) {
    query = line.resourceId === null ? query.where('resource_id', 'is', null) : query.where('resource_id', '=', line.resourceId);
  }
  return query;
}

/** The open delivery at the head of the line if it stands before `position` (ties: the older id first), else undefined. */
export async function findHeadAhead(
  db: Kysely<Database>,
  line: OrderingLine,
  me: { id: string; position: string },
): Promise<LineHead | undefined> {
  const row = await openInLine(db, line)
    .select(['id', 'status', 'attempt_count', 'next_attempt_at', 'last_response_status', 'last_error_kind', 'wait_reason'])
    .where(sql<boolean>`(ordering_position, id) < (${me.position}::bigint, ${me.id})`)
    .orderBy('ordering_position')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    status: row.status as LineHead['status'],
    attemptCount: row.attempt_count,
    nextAttemptAt: row.next_attempt_at,
    lastResponseStatus: row.last_response_status,
    lastErrorKind: row.last_error_kind,
    waitReason: row.wait_reason,
  };
}

/** The workflow of the open delivery now at the head of the line (to wake it), if any. */
export async function findHeadWorkflowId(db: Kysely<Database>, line: OrderingLine): Promise<string | undefined> {
  const row = await openInLine(db, line).select('workflow_id').orderBy('ordering_position').orderBy('id').limit(1).executeTakeFirst();
  return row?.workflow_id;
}

/** The workflow of the open delivery right behind `me` in the line (to wake it), if any. */
export async function findWorkflowIdBehind(
  db: Kysely<Database>,
  line: OrderingLine,
  me: { id: string; position: string },
): Promise<string | undefined> {
  const row = await openInLine(db, line)
    .select('workflow_id')
    .where(sql<boolean>`(ordering_position, id) > (${me.position}::bigint, ${me.id})`)
    .orderBy('ordering_position')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.workflow_id;
}

/** A finished delivery's line facts: its endpoint, resource, position and the endpoint's current ordering. */
export async function findOrderingOfDelivery(db: Kysely<Database>, deliveryId: string) {
  return db
    .selectFrom('deliveries as d')
    .innerJoin('endpoints as ep', 'ep.id', 'd.endpoint_id')
    .select([
      'd.endpoint_id as endpointId',
      'd.resource_id as resourceId',
      'd.ordering_position as orderingPosition',
      'ep.ordering as ordering',
    ])
    .where('d.id', '=', deliveryId)
    .executeTakeFirst();
}

/**
 * Holds the endpoint's row lock (FOR SHARE) for the rest of the transaction: an admission checks
 * its line under it, so a resend placed right behind the head (which locks the row FOR UPDATE to
 * read the head) cannot slip in front of a delivery admitted meanwhile.
 */
export async function lockEndpointForAdmission(trx: Transaction<Database>, endpointId: string): Promise<void> {
  await trx.selectFrom('endpoints').select('id').where('id', '=', endpointId).forShare().execute();
}

/** Locks the endpoint's row (FOR UPDATE) and answers the line's head (its id and position), if any. */
export async function lockLineForPlacement(
  trx: Transaction<Database>,
  line: OrderingLine,
): Promise<{ id: string; position: string } | undefined> {
  await trx.selectFrom('endpoints').select('id').where('id', '=', line.endpointId).forUpdate().execute();
  const row = await openInLine(trx, line)
    .select(['id', 'ordering_position'])
    .orderBy('ordering_position')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.ordering_position ? { id: row.id, position: row.ordering_position } : undefined;
}
