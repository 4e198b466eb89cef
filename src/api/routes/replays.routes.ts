// /v1/tenants/:tenantId/replays: replay jobs (README "Replays"). Creating one records it and starts
// its workflow; the job then sends its matches at its own pace, and these routes show its progress.
import { Router } from 'express';
import { z } from 'zod';
import type { ServiceContext } from '../../services/context';
import { cancelReplay, createReplay, getReplay, listReplays } from '../../services/replays.service';
import { principalOf, requireAccess, tenantScopes } from '../auth';
import { assertUnlimitedPortal } from '../../services/portal-view.service';
import { followUpLogging } from '../follow-up-logging';
import { idempotencyKeyOf } from '../idempotency-key';
import { toReplayResponse } from '../responses';
import { createReplayBody, listReplaysQuery, noBody, noQuery, replayParams, tenantIdParam } from '../schemas';
import { parseInput } from '../validation';
import type { ApiPaths } from '../openapi';

/** Who may call each route: checked by its handler, stated in its OpenAPI description. */
const access = {
  create: tenantScopes(['endpoints:write']),
  list: tenantScopes(['endpoints:read']),
  get: tenantScopes(['endpoints:read']),
  cancel: tenantScopes(['endpoints:write']),
};

export function replaysRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.post('/v1/tenants/:tenantId/replays', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireAccess(req, access.create, tenantId);
    assertUnlimitedPortal(principalOf(req));
    parseInput(noQuery, req.query, 'query');
    const { idempotencyKey, ...request } = parseInput(createReplayBody, req.body, 'body');
    const result = await createReplay(ctx, tenantId, request, {
      ...followUpLogging(req),
      idempotencyKey: idempotencyKeyOf(req, idempotencyKey),
    });
    // 202: recorded; the workflow sends its matches, paced. A repeat of the key is 200.
    res.status(result.duplicate ? 200 : 202).json(toReplayResponse(result));
  });

  router.get('/v1/tenants/:tenantId/replays', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireAccess(req, access.list, tenantId);
    assertUnlimitedPortal(principalOf(req));
    const query = parseInput(listReplaysQuery, req.query, 'query');
    const page = await listReplays(ctx, tenantId, query);
    res.json({ data: page.data.map(toReplayResponse), nextCursor: page.nextCursor });
  });

  router.get('/v1/tenants/:tenantId/replays/:id', async (req, res) => {
    const { tenantId, id } = parseInput(replayParams, req.params, 'params');
    requireAccess(req, access.get, tenantId);
    assertUnlimitedPortal(principalOf(req));
    parseInput(noQuery, req.query, 'query');
    res.json(toReplayResponse(await getReplay(ctx, tenantId, id)));
  });

  router.post('/v1/tenants/:tenantId/replays/:id/cancel', async (req, res) => {
    const { tenantId, id } = parseInput(replayParams, req.params, 'params');
    requireAccess(req, access.cancel, tenantId);
    assertUnlimitedPortal(principalOf(req));
    parseInput(noQuery, req.query, 'query');
    parseInput(noBody, req.body ?? {}, 'body');
    res.status(202).json(toReplayResponse(await cancelReplay(ctx, tenantId, id, followUpLogging(req))));
  });

  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerReplaysPaths({ path, json, problems, body, page, components: { Replay } }: ApiPaths): void {
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/replays',
    summary:
      'Replay: resend what failed (mode failed) or send what endpoints never got (mode missing), as a durable job paced per endpoint; an Idempotency-Key header or field makes repeats harmless',
    access: access.create,
    request: {
      params: tenantIdParam,
      headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
      body: body(createReplayBody),
    },
    responses: {
      200: json(Replay, 'A repeat of an earlier request with the same key: that replay'),
      202: json(Replay, 'Recorded; it runs in the background (GET it for its progress)'),
      ...problems(400, 401, 403, 404, 413, 415),
    },
  });
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/replays',
    summary: 'List replays with their progress, newest first',
    access: access.list,
    request: { params: tenantIdParam, query: listReplaysQuery },
    responses: { 200: json(page(Replay), 'A page of replays'), ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/replays/{id}',
    summary: 'Get a replay and its progress (matched, started, delivered, failed)',
    access: access.get,
    request: { params: replayParams },
    responses: { 200: json(Replay, 'The replay'), ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/replays/{id}/cancel',
    summary: 'Cancel a replay: it starts nothing more (deliveries it started go on by their own rules)',
    access: access.cancel,
    request: { params: replayParams },
    responses: { 202: json(Replay, 'Cancelling: status becomes cancelled at its next step'), ...problems(400, 401, 403, 404, 409) },
  });
}
