// The delivery log.
import { listAttempts } from '../db/attempts.repository';
import { findDelivery, listDeliveries as queryDeliveries, type DeliveryFilter } from '../db/deliveries.repository';
import { toPage } from '../db/pagination';
import type { AttemptErrorKind, ResponseStatusClass } from '../domain/attempt-error-kinds';
import type { DeliveryStatus } from '../domain/delivery-status';
import type { PortalView } from '../domain/portal-sessions';
import { NotFoundError } from '../domain/errors';
import type { ServiceContext } from './context';
import { readCursor, type PageQuery } from './cursor';
import { getTenant } from './tenants.service';

/** A page of a tenant's deliveries; `since`/`until` are ISO-8601 (api/schemas' listDeliveriesQuery satisfies it). */
export interface ListDeliveriesInput extends PageQuery {
  endpointId?: string | undefined;
  eventType?: string | undefined;
  status?: DeliveryStatus | undefined;
  resourceId?: string | undefined;
  statusClass?: ResponseStatusClass | undefined;
  errorKind?: AttemptErrorKind | undefined;
  since?: string | undefined;
  until?: string | undefined;
}

export async function getDeliveryWithAttempts(ctx: ServiceContext, tenantId: string, id: string) {
  const delivery = await findDelivery(ctx.db, tenantId, id);
  if (!delivery) throw new NotFoundError('delivery', id);
  return { delivery, attempts: await listAttempts(ctx.db, delivery) };
}

/** The validated query string → the repository's filter (shared with the delivery-log benchmark). */
export function toDeliveryFilter(tenantId: string, query: ListDeliveriesInput, view?: PortalView): DeliveryFilter {
  return {
    tenantId,
    view,
    endpointId: query.endpointId,
    eventType: query.eventType,
    status: query.status,
    resourceId: query.resourceId,
    statusClass: query.statusClass,
    errorKind: query.errorKind,
    since: query.since ? new Date(query.since) : undefined,
    until: query.until ? new Date(query.until) : undefined,
    cursor: readCursor(query.cursor),
    limit: query.limit,
  };
}

/** `view`: a limited portal session's (absent for keys). */
export async function listDeliveries(ctx: ServiceContext, tenantId: string, query: ListDeliveriesInput, view?: PortalView) {
  await getTenant(ctx, tenantId); // an unknown tenant is a 404, not an empty log
  const rows = await queryDeliveries(ctx.db, toDeliveryFilter(tenantId, query, view));
  return toPage(rows, query.limit);
}
