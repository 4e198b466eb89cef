// What a limited portal session's list queries add: conditions over endpoint ids and the
// event types endpoints subscribe to (see domain/portal-sessions.ts for the rules).
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { portalLogEventTypes, type PortalView } from '../domain/portal-sessions';
import type { Database } from './schema';

/** An endpoint subscribed only to these types (never "*"): event_types is contained in them. */
export function subscribedWithin(eventTypes: readonly string[]): RawBuilder<boolean> {
  return sql<boolean>`event_types <@ ${[...eventTypes]}::text[]`;
}

/** Deliveries the view may see: to a visible endpoint, of a visible event type. */
export function deliveryInPortalView(db: Kysely<Database>, tenantId: string, view: PortalView): RawBuilder<boolean> {
  const conditions: RawBuilder<boolean>[] = [sql<boolean>`true`];
  if (view.endpointIds) conditions.push(sql<boolean>`deliveries.endpoint_id = any(${[...view.endpointIds]}::text[])`);
  const types = portalLogEventTypes(view);
  if (types && view.eventTypes) {
    conditions.push(sql<boolean>`deliveries.event_type = any(${types}::text[])`);
    const visibleEndpoints = db
      .selectFrom('endpoints')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where(subscribedWithin(view.eventTypes));
    conditions.push(sql<boolean>`deliveries.endpoint_id in (${visibleEndpoints})`);
  }
  return sql<boolean>`(${sql.join(conditions, sql` and `)})`;
}

/** Events the view may see: those with a delivery it may see. */
export function eventInPortalView(db: Kysely<Database>, tenantId: string, view: PortalView): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from deliveries where deliveries.event_id = events.id and deliveries.tenant_id = ${tenantId} and ${deliveryInPortalView(db, tenantId, view)})`;
}

/** Whether a live endpoint of the tenant is in the view. */
export async function endpointIsInPortalView(db: Kysely<Database>, tenantId: string, id: string, view: PortalView): Promise<boolean> {
  let query = db
    .selectFrom('endpoints')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
  if (view.endpointIds) query = query.where('id', 'in', [...view.endpointIds]);
  if (view.eventTypes) query = query.where(subscribedWithin(view.eventTypes));
  return (await query.executeTakeFirst()) !== undefined;
}

export async function deliveryIsInPortalView(db: Kysely<Database>, tenantId: string, id: string, view: PortalView): Promise<boolean> {
  const row = await db
    .selectFrom('deliveries')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where(deliveryInPortalView(db, tenantId, view))
    .executeTakeFirst();
  return row !== undefined;
}

export async function eventIsInPortalView(db: Kysely<Database>, tenantId: string, id: string, view: PortalView): Promise<boolean> {
  const row = await db
    .selectFrom('events')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where(eventInPortalView(db, tenantId, view))
    .executeTakeFirst();
  return row !== undefined;
}
