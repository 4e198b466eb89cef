// /v1/tenants/:tenantId/endpoints: registration, edits, soft deletion and signing secrets.
// (enable, disable, test and recover live with the delivery controls.)
import { Router } from 'express';
import type { ServiceContext } from '../../services/context';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  getEndpointSecrets,
  listEndpoints,
  rotateEndpointSecret,
  updateEndpoint,
} from '../../services/endpoints.service';
import { principalOf, requireAccess, tenantScopes } from '../auth';
import { assertEndpointInView, assertMayCreateEndpoint, assertMaySubscribe, portalViewOf } from '../../services/portal-view.service';
import { followUpLogging } from '../follow-up-logging';
import { toEndpointResponse } from '../responses';
import {
  createEndpointBody,
  endpointParams,
  listEndpointsQuery,
  noQuery,
  rotateSecretBody,
  tenantIdParam,
  updateEndpointBody,
} from '../schemas';
import { parseInput } from '../validation';
import type { ApiPaths } from '../openapi';
import type { z } from 'zod';
import type { endpointSecretsResponse } from '../response-schemas';

/** Who may call each route: checked by its handler, stated in its OpenAPI description. */
const access = {
  createEndpoint: tenantScopes(['endpoints:write']),
  listEndpoints: tenantScopes(['endpoints:read']),
  getEndpoint: tenantScopes(['endpoints:read']),
  updateEndpoint: tenantScopes(['endpoints:write']),
  deleteEndpoint: tenantScopes(['endpoints:write']),
  getSecrets: tenantScopes(
    ['endpoints:secrets', 'endpoints:write'],
    'endpoints:read alone is not enough, a log viewer must not sign webhooks',
  ),
  rotateSecret: tenantScopes(['endpoints:write']),
};

export function endpointsRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.post('/v1/tenants/:tenantId/endpoints', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireAccess(req, access.createEndpoint, tenantId);
    assertMayCreateEndpoint(principalOf(req));
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(createEndpointBody, req.body, 'body');
    assertMaySubscribe(principalOf(req), body.eventTypes);
    res.status(201).json(toEndpointResponse(await createEndpoint(ctx, tenantId, body)));
  });

  router.get('/v1/tenants/:tenantId/endpoints', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireAccess(req, access.listEndpoints, tenantId);
    const query = parseInput(listEndpointsQuery, req.query, 'query');
    const page = await listEndpoints(ctx, tenantId, query, portalViewOf(principalOf(req)));
    res.json({ data: page.data.map(toEndpointResponse), nextCursor: page.nextCursor });
  });

  router.get('/v1/tenants/:tenantId/endpoints/:id', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireAccess(req, access.getEndpoint, tenantId);
    parseInput(noQuery, req.query, 'query');
    await assertEndpointInView(ctx, principalOf(req), tenantId, id);
    res.json(toEndpointResponse(await getEndpoint(ctx, tenantId, id)));
  });

  router.patch('/v1/tenants/:tenantId/endpoints/:id', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireAccess(req, access.updateEndpoint, tenantId);
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(updateEndpointBody, req.body, 'body');
    await assertEndpointInView(ctx, principalOf(req), tenantId, id);
    assertMaySubscribe(principalOf(req), body.eventTypes);
    res.json(toEndpointResponse(await updateEndpoint(ctx, tenantId, id, body)));
  });

  router.delete('/v1/tenants/:tenantId/endpoints/:id', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireAccess(req, access.deleteEndpoint, tenantId);
    parseInput(noQuery, req.query, 'query');
    await assertEndpointInView(ctx, principalOf(req), tenantId, id);
    await deleteEndpoint(ctx, tenantId, id, followUpLogging(req));
    res.status(204).end();
  });

  router.get('/v1/tenants/:tenantId/endpoints/:id/secret', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    // Not endpoints:read: a log viewer's key must not be able to sign webhooks (see apiKeyScopes).
    requireAccess(req, access.getSecrets, tenantId);
    parseInput(noQuery, req.query, 'query');
    await assertEndpointInView(ctx, principalOf(req), tenantId, id);
    res
      .set('cache-control', 'no-store')
      .json((await getEndpointSecrets(ctx, tenantId, id)) satisfies z.infer<typeof endpointSecretsResponse>);
  });

  router.post('/v1/tenants/:tenantId/endpoints/:id/secret/rotate', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireAccess(req, access.rotateSecret, tenantId);
    parseInput(noQuery, req.query, 'query');
    await assertEndpointInView(ctx, principalOf(req), tenantId, id);
    // The body is optional here: no body means the default grace period.
    const body = parseInput(rotateSecretBody, req.body ?? {}, 'body');
    const rotated = await rotateEndpointSecret(ctx, tenantId, id, body, {
      onUnopenable: (error) =>
        req.log.warn({ endpointId: id, keyId: error.keyId }, `${error.message}: rotation ends that signing secret now`),
    });
    res.set('cache-control', 'no-store').json(rotated satisfies z.infer<typeof endpointSecretsResponse>);
  });

  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerEndpointsPaths({ path, json, problems, body, page, components: { Endpoint, EndpointSecrets } }: ApiPaths): void {
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/endpoints',
    summary: 'Register an endpoint',
    access: access.createEndpoint,
    description:
      'A tenant may have HOOKRELAY_MAX_ENDPOINTS_PER_TENANT endpoints (default 25,000); one more is a 409 endpoint-limit-reached.',
    request: { params: tenantIdParam, body: body(createEndpointBody) },
    responses: { 201: json(Endpoint, 'The endpoint'), ...problems(400, 401, 403, 404, 409, 413, 415) },
  });
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/endpoints',
    summary: 'List endpoints, newest first',
    access: access.listEndpoints,
    request: { params: tenantIdParam, query: listEndpointsQuery },
    responses: { 200: json(page(Endpoint), 'A page of endpoints'), ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/endpoints/{id}',
    summary: 'Get an endpoint',
    access: access.getEndpoint,
    request: { params: endpointParams },
    responses: { 200: json(Endpoint, 'The endpoint'), ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'patch',
    path: '/v1/tenants/{tenantId}/endpoints/{id}',
    summary: 'Change an endpoint',
    access: access.updateEndpoint,
    request: { params: endpointParams, body: body(updateEndpointBody) },
    responses: { 200: json(Endpoint, 'The endpoint'), ...problems(400, 401, 403, 404, 413, 415) },
  });
  path({
    method: 'delete',
    path: '/v1/tenants/{tenantId}/endpoints/{id}',
    summary: 'Delete an endpoint (soft: it answers 404 afterwards, its log stays)',
    access: access.deleteEndpoint,
    request: { params: endpointParams },
    responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/endpoints/{id}/secret',
    summary: 'The signing secret, and rotated-out ones still valid',
    access: access.getSecrets,
    request: { params: endpointParams },
    responses: { 200: json(EndpointSecrets, 'The secrets'), ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/endpoints/{id}/secret/rotate',
    summary: 'Rotate the signing secret; the previous one keeps signing for the grace period (default 24 h)',
    access: access.rotateSecret,
    description: 'The answer shows the new secret.',
    request: { params: endpointParams, body: body(rotateSecretBody, false) },
    responses: { 200: json(EndpointSecrets, 'The secrets after rotation'), ...problems(400, 401, 403, 404, 413, 415) },
  });
}
