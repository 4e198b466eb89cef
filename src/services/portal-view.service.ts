// What a portal session's limits let it see and do, checked before a route touches anything:
// a resource outside its view is a 404 (as if it did not exist, like another tenant's), a write
// its options refuse is a 403. Keys and the admin have no view: every check passes at no cost.
import { deliveryIsInPortalView, endpointIsInPortalView, eventIsInPortalView } from '../db/portal-view.repository';
import type { Principal } from '../domain/api-keys';
import { ForbiddenError, NotFoundError } from '../domain/errors';
import { portalMayCreateEndpoints, portalMaySubscribe, type PortalView } from '../domain/portal-sessions';
import type { ServiceContext } from './context';

/** The list filter of a limited portal session; undefined for keys and unlimited sessions. */
export function portalViewOf(principal: Principal): PortalView | undefined {
  if (principal.kind !== 'portal') return undefined;
  const { endpointIds, eventTypes } = principal.limits;
  return endpointIds === null && eventTypes === null ? undefined : { endpointIds, eventTypes };
}

export async function assertEndpointInView(ctx: ServiceContext, principal: Principal, tenantId: string, id: string): Promise<void> {
  const view = portalViewOf(principal);
  if (view && !(await endpointIsInPortalView(ctx.db, tenantId, id, view))) throw new NotFoundError('endpoint', id);
}

export async function assertDeliveryInView(ctx: ServiceContext, principal: Principal, tenantId: string, id: string): Promise<void> {
  const view = portalViewOf(principal);
  if (view && !(await deliveryIsInPortalView(ctx.db, tenantId, id, view))) throw new NotFoundError('delivery', id);
}

export async function assertEventInView(ctx: ServiceContext, principal: Principal, tenantId: string, id: string): Promise<void> {
  const view = portalViewOf(principal);
  if (view && !(await eventIsInPortalView(ctx.db, tenantId, id, view))) throw new NotFoundError('event', id);
}

/** A session limited to some endpoints cannot add one (see assertMaySubscribe for its event types). */
export function assertMayCreateEndpoint(principal: Principal): void {
  if (principal.kind === 'portal' && !portalMayCreateEndpoints(principal.limits)) {
    throw new ForbiddenError('This portal session is limited to some endpoints: it cannot add one');
  }
}

export function assertMaySubscribe(principal: Principal, eventTypes: readonly string[] | undefined): void {
  if (principal.kind !== 'portal' || eventTypes === undefined) return;
  if (!portalMaySubscribe(principal.limits, eventTypes)) {
    throw new ForbiddenError(`This portal session may subscribe only to ${principal.limits.eventTypes!.join(', ')} (not "*")`);
  }
}

/** The catalog a session sees: its event types only, when it is limited to some. */
export function eventTypeInView(principal: Principal, name: string): boolean {
  return principal.kind !== 'portal' || principal.limits.eventTypes === null || principal.limits.eventTypes.includes(name);
}

/** Tenant-wide operations (replays) are for sessions without limits: their filters are not held to a view. */
export function assertUnlimitedPortal(principal: Principal): void {
  if (portalViewOf(principal)) {
    throw new ForbiddenError('This portal session is limited to some endpoints or event types; replays span the whole tenant');
  }
}
