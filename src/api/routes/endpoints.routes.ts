// /v1/tenants/:tenantId/endpoints
import { Router } from 'express';
import type { ServiceContext } from '../../services/context';
import { createEndpoint, getEndpoint, getEndpointSecrets } from '../../services/endpoints.service';
import { requireTenantAccess } from '../auth';
import { toEndpointResponse } from '../responses';
import { createEndpointBody, endpointParams, tenantIdParam } from '../schemas';
import { parseInput } from '../validation';

export function endpointsRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.post('/v1/tenants/:tenantId/endpoints', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:write');
    const body = parseInput(createEndpointBody, req.body, 'body');
    res.status(201).json(toEndpointResponse(await createEndpoint(ctx, tenantId, body)));
  });

  router.get('/v1/tenants/:tenantId/endpoints/:id', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:read');
    res.json(toEndpointResponse(await getEndpoint(ctx, tenantId, id)));
  });

  router.get('/v1/tenants/:tenantId/endpoints/:id/secret', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:read');
    res.set('cache-control', 'no-store').json(await getEndpointSecrets(ctx, tenantId, id));
  });

  return router;
}
