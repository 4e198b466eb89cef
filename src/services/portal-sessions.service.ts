// Portal sessions: a tenant (or the admin) makes a one-time link for its customer's browser; the
// portal page exchanges it once for a session credential whose scopes and limits follow from the
// session's options. Only hashes of either token are kept; the plaintexts are returned once.
import { findEndpointIdsOfTenant } from '../db/endpoints.repository';
import { toPage } from '../db/pagination';
import {
  exchangePortalLink as exchangeLinkRow,
  findPortalSession,
  findPortalSessionByLinkHash,
  insertPortalSession,
  listPortalSessions as queryPortalSessions,
  revokePortalSession as revokeRow,
  type PortalSessionLookup,
} from '../db/portal-sessions.repository';
import type { PortalBrandingColumn, PortalSessionRow } from '../db/schema';
import { InvalidInputError, NotFoundError } from '../domain/errors';
import { newId } from '../domain/ids';
import { generatePortalToken, hashPortalToken, isWellFormedPortalToken, PORTAL_EXPIRY_SECONDS } from '../domain/portal-sessions';
import type { ServiceContext } from './context';
import { readCursor, type PageQuery } from './cursor';
import { assertSubscribableTypes } from './event-types.service';
import { getTenant } from './tenants.service';

export interface CreatePortalSessionInput {
  expiresInSeconds?: number | undefined;
  readOnly?: boolean | undefined;
  endpointIds?: string[] | undefined;
  eventTypes?: string[] | undefined;
  allowedOrigins?: string[] | undefined;
  branding?: PortalBrandingColumn | undefined;
}

/** Makes a session; `linkToken` is returned here only (it goes in the link's fragment). */
export async function createPortalSession(
  ctx: ServiceContext,
  tenantId: string,
  input: CreatePortalSessionInput,
  createdBy: string,
): Promise<{ row: PortalSessionRow; linkToken: string }> {
  await getTenant(ctx, tenantId);
  const endpointIds = input.endpointIds ? [...new Set(input.endpointIds)] : null;
  if (endpointIds) {
    const found = new Set(await findEndpointIdsOfTenant(ctx.db, tenantId, endpointIds));
    const unknown = endpointIds.filter((id) => !found.has(id));
    if (unknown.length) {
      throw new InvalidInputError(
        'Unknown endpoints',
        unknown.map((id) => ({ path: 'body.endpointIds', message: `no endpoint ${id} in this tenant` })),
      );
    }
  }
  const eventTypes = input.eventTypes ? [...new Set(input.eventTypes)] : null;
  if (eventTypes) await assertSubscribableTypes(ctx, eventTypes);
  const link = generatePortalToken('link');
  const row = await insertPortalSession(ctx.db, {
    id: newId('ps'),
    tenant_id: tenantId,
    link_token_hash: link.hash,
    read_only: input.readOnly ?? false,
    endpoint_ids: endpointIds,
    event_types: eventTypes,
    allowed_origins: [...new Set(input.allowedOrigins ?? [])],
    branding: JSON.stringify(input.branding ?? {}),
    created_by: createdBy,
    expires_at: new Date(Date.now() + (input.expiresInSeconds ?? PORTAL_EXPIRY_SECONDS.default) * 1000),
  });
  return { row, linkToken: link.token };
}

export async function listPortalSessions(ctx: ServiceContext, tenantId: string, query: PageQuery) {
  await getTenant(ctx, tenantId);
  return toPage(await queryPortalSessions(ctx.db, { tenantId, cursor: readCursor(query.cursor), limit: query.limit }), query.limit);
}

/** Revokes a session: its link and its browser credential are refused from the next request on. */
export async function revokePortalSession(ctx: ServiceContext, tenantId: string, id: string): Promise<PortalSessionLookup> {
  await getTenant(ctx, tenantId);
  const row = await revokeRow(ctx.db, tenantId, id);
  if (!row) throw new NotFoundError('portal session', id);
  return row;
}

/** The session behind a portal page (its frame-ancestors), or undefined. */
export async function portalSessionForPage(ctx: Pick<ServiceContext, 'db'>, id: string): Promise<PortalSessionLookup | undefined> {
  return findPortalSession(ctx.db, id);
}

export type LinkExchange =
  /** 200 with the session credential */
  | { outcome: 'exchanged'; row: PortalSessionRow; sessionToken: string }
  /** 410 link-used: it was opened before */
  | { outcome: 'used' }
  /** 410 link-expired */
  | { outcome: 'expired' }
  /** 410 link-revoked */
  | { outcome: 'revoked' }
  /** 404: no such link (or not this session's) */
  | { outcome: 'unknown' };

/** Opens the link of session `id`, once. */
export async function exchangePortalLink(ctx: Pick<ServiceContext, 'db'>, id: string, linkToken: string): Promise<LinkExchange> {
  if (!isWellFormedPortalToken('link', linkToken)) return { outcome: 'unknown' };
  const linkHash = hashPortalToken(linkToken);
  const session = generatePortalToken('session');
  const row = await exchangeLinkRow(ctx.db, id, linkHash, session.hash);
  if (row) return { outcome: 'exchanged', row, sessionToken: session.token };
  const existing = await findPortalSessionByLinkHash(ctx.db, linkHash);
  if (!existing || existing.id !== id) return { outcome: 'unknown' };
  if (existing.revoked_at) return { outcome: 'revoked' };
  if (existing.exchanged_at) return { outcome: 'used' };
  return { outcome: 'expired' };
}
