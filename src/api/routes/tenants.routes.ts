// /v1/tenants and their API keys.
import { Router } from 'express';
import type { ServiceContext } from '../../services/context';
import { createApiKey, createTenant, getTenant, listApiKeys, listTenants, revokeApiKey } from '../../services/tenants.service';
import { requireAdmin, requireTenantAccess } from '../auth';
import { toApiKeyResponse, toTenantResponse } from '../responses';
import { apiKeyParams, createApiKeyBody, createTenantBody, listApiKeysQuery, listTenantsQuery, noQuery, tenantIdParam } from '../schemas';
import { parseInput } from '../validation';

export function tenantsRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.post('/v1/tenants', async (req, res) => {
    requireAdmin(req);
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(createTenantBody, req.body, 'body');
    res.status(201).json(toTenantResponse(await createTenant(ctx, body)));
  });

  router.get('/v1/tenants', async (req, res) => {
    requireAdmin(req);
    const query = parseInput(listTenantsQuery, req.query, 'query');
    const page = await listTenants(ctx, query);
    res.json({ data: page.data.map(toTenantResponse), nextCursor: page.nextCursor });
  });

  router.get('/v1/tenants/:tenantId', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireTenantAccess(req, tenantId);
    parseInput(noQuery, req.query, 'query');
    res.json(toTenantResponse(await getTenant(ctx, tenantId)));
  });

  router.post('/v1/tenants/:tenantId/api-keys', async (req, res) => {
    requireAdmin(req);
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(createApiKeyBody, req.body, 'body');
    const { row, key } = await createApiKey(ctx, tenantId, body);
    res
      .status(201)
      .set('cache-control', 'no-store')
      .json({ ...toApiKeyResponse(row), key });
  });

  router.get('/v1/tenants/:tenantId/api-keys', async (req, res) => {
    requireAdmin(req);
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    const query = parseInput(listApiKeysQuery, req.query, 'query');
    const page = await listApiKeys(ctx, tenantId, query);
    res.json({ data: page.data.map(toApiKeyResponse), nextCursor: page.nextCursor });
  });

  router.delete('/v1/tenants/:tenantId/api-keys/:id', async (req, res) => {
    requireAdmin(req);
    const { tenantId, id } = parseInput(apiKeyParams, req.params, 'params');
    parseInput(noQuery, req.query, 'query');
    await revokeApiKey(ctx, tenantId, id);
    res.status(204).end();
  });

  return router;
}
