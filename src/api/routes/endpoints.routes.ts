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
