// /v1/tenants/:tenantId/portal-sessions: one-time links to the portal for a tenant's customers
// (admin, or a tenant key with portal:sessions), and /v1/portal-session: a portal's own session.
import { Router, type Request } from 'express';
import type { z } from 'zod';
import type { ServiceContext } from '../../services/context';
import { createPortalSession, listPortalSessions, portalSessionForPage, revokePortalSession } from '../../services/portal-sessions.service';
import { NotFoundError } from '../../domain/errors';
import { portalSessionOnly, principalOf, requireAccess, tenantScopes } from '../auth';
import type { ApiPaths } from '../openapi';
import { createPortalSessionBody, listPortalSessionsQuery, portalSessionParams } from '../portal-schemas';
import type { createdPortalSessionResponse } from '../response-schemas';
import { createdPortalSessionResponse as createdSchema, portalSessionResponse } from '../response-schemas';
import { toPortalSessionResponse } from '../responses';
import { noQuery, tenantIdParam } from '../schemas';
import { parseInput } from '../validation';

export interface PortalSessionOptions {
  /** The API's address as browsers reach it (PUBLIC_URL); the request's own when absent. */
  publicUrl?: string | undefined;
}

/** Who may call each route: checked by its handler, stated in its OpenAPI description. */
const access = {
  createPortalSession: tenantScopes(['portal:sessions']),
  listPortalSessions: tenantScopes(['portal:sessions']),
  revokePortalSession: tenantScopes(['portal:sessions']),
  currentPortalSession: portalSessionOnly,
};

/** The link's address: the session in the path (its page's frame-ancestors), the token in the fragment (never sent to a server). */
function portalLink(req: Request, options: PortalSessionOptions, sessionId: string, linkToken: string): string {
  const base = (options.publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`).replace(/\/+$/, '');
  return `${base}/portal/${sessionId}#${linkToken}`;
}

export function portalSessionsRouter(ctx: ServiceContext, options: PortalSessionOptions): Router {
  const router = Router();

  router.post('/v1/tenants/:tenantId/portal-sessions', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireAccess(req, access.createPortalSession, tenantId);
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(createPortalSessionBody, req.body, 'body');
    const principal = principalOf(req);
    const createdBy = principal.kind === 'admin' ? 'admin' : principal.keyId;
    const { row, linkToken } = await createPortalSession(ctx, tenantId, body, createdBy);
    res
      .status(201)
      .set('cache-control', 'no-store')
      .json({
        ...toPortalSessionResponse({ ...row, expired: false }),
        url: portalLink(req, options, row.id, linkToken),
      } satisfies z.infer<typeof createdPortalSessionResponse>);
  });

  router.get('/v1/tenants/:tenantId/portal-sessions', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireAccess(req, access.listPortalSessions, tenantId);
    const query = parseInput(listPortalSessionsQuery, req.query, 'query');
    const page = await listPortalSessions(ctx, tenantId, query);
    res.json({ data: page.data.map(toPortalSessionResponse), nextCursor: page.nextCursor });
  });

  router.delete('/v1/tenants/:tenantId/portal-sessions/:id', async (req, res) => {
    const { tenantId, id } = parseInput(portalSessionParams, req.params, 'params');
    requireAccess(req, access.revokePortalSession, tenantId);
    parseInput(noQuery, req.query, 'query');
    await revokePortalSession(ctx, tenantId, id);
    res.status(204).end();
  });

  router.get('/v1/portal-session', async (req, res) => {
    requireAccess(req, access.currentPortalSession);
    parseInput(noQuery, req.query, 'query');
    const principal = principalOf(req);
    const row = principal.kind === 'portal' ? await portalSessionForPage(ctx, principal.keyId) : undefined;
    if (!row) throw new NotFoundError('portal session', principal.kind === 'portal' ? principal.keyId : '');
    res.set('cache-control', 'no-store').json(toPortalSessionResponse(row));
  });

  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerPortalSessionsPaths({ path, json, problems, body, page }: ApiPaths): void {
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/portal-sessions',
    summary: "Make a one-time link to the portal for this tenant's customer; the link is shown only in this answer",
    access: access.createPortalSession,
    description:
      'Opening the link exchanges it, once, for a browser session with only what the options allow. ' +
      'Nothing it carries is an API key: it reaches neither API keys nor other portal sessions.',
    request: { params: tenantIdParam, body: body(createPortalSessionBody) },
    responses: { 201: json(createdSchema, 'The session and its one-time link (url)'), ...problems(400, 401, 403, 404, 413, 415) },
  });
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/portal-sessions',
    summary: "List the tenant's portal sessions, newest first (never their links or tokens)",
    access: access.listPortalSessions,
    request: { params: tenantIdParam, query: listPortalSessionsQuery },
    responses: { 200: json(page(portalSessionResponse), 'A page of portal sessions'), ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'delete',
    path: '/v1/tenants/{tenantId}/portal-sessions/{id}',
    summary: 'Revoke a portal session: its link and its browser session are refused from the next request on',
    access: access.revokePortalSession,
    request: { params: portalSessionParams },
    responses: { 204: { description: 'Revoked' }, ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'get',
    path: '/v1/portal-session',
    summary: 'The portal session this credential belongs to: its options and branding',
    access: access.currentPortalSession,
    responses: { 200: json(portalSessionResponse, 'The session'), ...problems(400, 401, 403) },
  });
}
