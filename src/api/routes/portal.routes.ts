// The portal page (outside /v1, no key): GET /portal/:sessionId serves the portal with that
// session's frame-ancestors, and POST /portal/:sessionId/exchange trades the one-time link token
// (read by the page from the link's fragment) for the browser session credential, once.
import path from 'node:path';
import express, { Router } from 'express';
import type { z } from 'zod';
import { portalContentSecurityPolicy } from '../../domain/portal-sessions';
import type { ServiceContext } from '../../services/context';
import { exchangePortalLink, portalSessionForPage } from '../../services/portal-sessions.service';
import type { ApiPaths } from '../openapi';
import { exchangeLinkBody, portalPageParams, portalPagePathParams } from '../portal-schemas';
import { problem, sendProblem } from '../problems';
import { portalExchangeResponse } from '../response-schemas';
import { toPortalSessionResponse } from '../responses';
import { noQuery } from '../schemas';
import { parseInput } from '../validation';
import { consoleDirectory } from './console.routes';

export function portalRouter(ctx: ServiceContext, options: { maxBodyBytes: number }): Router {
  const router = Router();
  const page = path.join(consoleDirectory(), 'portal.html');

  router.get('/portal/:sessionId', async (req, res) => {
    // A malformed or unknown session still gets the page (it says the link is not valid), unframeable;
    // a used or expired one keeps its origins, so its "link used" page shows inside the host's frame.
    const params = portalPageParams.safeParse(req.params);
    const session = params.success ? await portalSessionForPage(ctx, params.data.sessionId) : undefined;
    res.set({
      'content-security-policy': portalContentSecurityPolicy(session?.allowed_origins ?? []),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.sendFile(page);
  });

  router.post('/portal/:sessionId/exchange', express.json({ limit: options.maxBodyBytes, strict: true }), async (req, res) => {
    const { sessionId } = parseInput(portalPageParams, req.params, 'params');
    parseInput(noQuery, req.query, 'query');
    const { linkToken } = parseInput(exchangeLinkBody, req.body, 'body');
    const exchange = await exchangePortalLink(ctx, sessionId, linkToken);
    res.set('cache-control', 'no-store');
    switch (exchange.outcome) {
      case 'exchanged':
        res.json({
          sessionToken: exchange.sessionToken,
          expiresAt: exchange.row.expires_at.toISOString(),
          session: toPortalSessionResponse({ ...exchange.row, expired: false }),
        } satisfies z.infer<typeof portalExchangeResponse>);
        return;
      case 'used':
        return sendProblem(
          res,
          problem(410, 'portal-link-used', 'This link was already used', 'A portal link opens once. Ask for a new one.'),
        );
      case 'expired':
        return sendProblem(res, problem(410, 'portal-link-expired', 'This link has expired', 'Ask for a new one.'));
      case 'revoked':
        return sendProblem(res, problem(410, 'portal-link-revoked', 'This link was revoked', 'Ask for a new one.'));
      case 'unknown':
        return sendProblem(res, problem(404, 'not-found', 'No such link', 'This is not a portal link of this service.'));
    }
  });

  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerPortalPaths({ path, json, problems, body }: ApiPaths): void {
  path({
    method: 'get',
    path: '/portal/{sessionId}',
    access: 'public',
    summary: "The portal page of a session (the one-time link's address): framed only by the session's allowed origins",
    request: { params: portalPagePathParams },
    responses: { 200: { description: 'The portal (HTML)', content: { 'text/html': { schema: { type: 'string' } } } } },
  });
  path({
    method: 'post',
    path: '/portal/{sessionId}/exchange',
    access: 'public',
    summary: "Exchange the link's token (its fragment) for the browser session credential, once",
    request: { params: portalPageParams, body: body(exchangeLinkBody) },
    responses: {
      200: json(portalExchangeResponse, 'The session credential'),
      ...problems(400, 404, 410, 415),
    },
  });
}
