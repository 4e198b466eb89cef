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
import { requireTenantAccess } from '../auth';
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

export function endpointsRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.post('/v1/tenants/:tenantId/endpoints', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:write');
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(createEndpointBody, req.body, 'body');
    res.status(201).json(toEndpointResponse(await createEndpoint(ctx, tenantId, body)));
  });

  router.get('/v1/tenants/:tenantId/endpoints', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:read');
    const query = parseInput(listEndpointsQuery, req.query, 'query');
    const page = await listEndpoints(ctx, tenantId, query);
    res.json({ data: page.data.map(toEndpointResponse), nextCursor: page.nextCursor });
  });

  router.get('/v1/tenants/:tenantId/endpoints/:id', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:read');
    parseInput(noQuery, req.query, 'query');
    res.json(toEndpointResponse(await getEndpoint(ctx, tenantId, id)));
  });

  router.patch('/v1/tenants/:tenantId/endpoints/:id', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:write');
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(updateEndpointBody, req.body, 'body');
    res.json(toEndpointResponse(await updateEndpoint(ctx, tenantId, id, body)));
  });

  router.delete('/v1/tenants/:tenantId/endpoints/:id', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:write');
    parseInput(noQuery, req.query, 'query');
    await deleteEndpoint(ctx, tenantId, id, followUpLogging(req));
    res.status(204).end();
  });

  router.get('/v1/tenants/:tenantId/endpoints/:id/secret', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    // Not endpoints:read: a log viewer's key must not be able to sign webhooks (see apiKeyScopes).
    requireTenantAccess(req, tenantId, 'endpoints:secrets', 'endpoints:write');
    parseInput(noQuery, req.query, 'query');
    res.set('cache-control', 'no-store').json(await getEndpointSecrets(ctx, tenantId, id));
  });

  router.post('/v1/tenants/:tenantId/endpoints/:id/secret/rotate', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:write');
    parseInput(noQuery, req.query, 'query');
    // The body is optional here: no body means the default grace period.
    const body = parseInput(rotateSecretBody, req.body ?? {}, 'body');
    const rotated = await rotateEndpointSecret(ctx, tenantId, id, body, {
      onUnopenable: (error) =>
        req.log.warn({ endpointId: id, keyId: error.keyId }, `${error.message}: rotation ends that signing secret now`),
    });
    res.set('cache-control', 'no-store').json(rotated);
  });

  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerEndpointsPaths({ path, json, problems, body, page, components: { Endpoint, EndpointSecrets } }: ApiPaths): void {
  const endpointRead = 'Needs endpoints:read (or an admin key).';
  const endpointWrite = 'Needs endpoints:write (or an admin key).';
  const secretRead =
    'Needs endpoints:secrets or endpoints:write (or an admin key): endpoints:read alone is not enough, a log viewer must not sign webhooks.';
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/endpoints',
    summary: 'Register an endpoint',
    description: `${endpointWrite} A tenant may have HOOKRELAY_MAX_ENDPOINTS_PER_TENANT endpoints (default 25,000); one more is a 409 endpoint-limit-reached.`,
    request: { params: tenantIdParam, body: body(createEndpointBody) },
    responses: { 201: json(Endpoint, 'The endpoint'), ...problems(400, 401, 403, 404, 409, 413, 415) },
  });
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/endpoints',
    summary: 'List endpoints, newest first',
    description: endpointRead,
    request: { params: tenantIdParam, query: listEndpointsQuery },
    responses: { 200: json(page(Endpoint), 'A page of endpoints'), ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/endpoints/{id}',
    summary: 'Get an endpoint',
    description: endpointRead,
    request: { params: endpointParams },
    responses: { 200: json(Endpoint, 'The endpoint'), ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'patch',
    path: '/v1/tenants/{tenantId}/endpoints/{id}',
    summary: 'Change an endpoint',
    description: endpointWrite,
    request: { params: endpointParams, body: body(updateEndpointBody) },
    responses: { 200: json(Endpoint, 'The endpoint'), ...problems(400, 401, 403, 404, 413, 415) },
  });
  path({
    method: 'delete',
    path: '/v1/tenants/{tenantId}/endpoints/{id}',
    summary: 'Delete an endpoint (soft: it answers 404 afterwards, its log stays)',
    description: endpointWrite,
    request: { params: endpointParams },
    responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/endpoints/{id}/secret',
    summary: 'The signing secret, and rotated-out ones still valid',
    description: secretRead,
    request: { params: endpointParams },
    responses: { 200: json(EndpointSecrets, 'The secrets'), ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/endpoints/{id}/secret/rotate',
    summary: 'Rotate the signing secret; the previous one keeps signing for the grace period (default 24 h)',
    description: `${endpointWrite} The answer shows the new secret.`,
    request: { params: endpointParams, body: body(rotateSecretBody, false) },
    responses: { 200: json(EndpointSecrets, 'The secrets after rotation'), ...problems(400, 401, 403, 404, 413, 415) },
  });
}
