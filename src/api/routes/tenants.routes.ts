// /v1/tenants and their API keys.
import { Router } from 'express';
import type { ServiceContext } from '../../services/context';
import {
  createApiKey,
  createTenant,
  getTenant,
  listApiKeys,
  listTenants,
  revokeApiKey,
  updateTenant,
} from '../../services/tenants.service';
import { adminOnly, anyTenantKey, requireAccess } from '../auth';
import { toApiKeyResponse, toTenantResponse } from '../responses';
import { apiKeyParams, createApiKeyBody, listApiKeysQuery, listTenantsQuery, noQuery, tenantBodies, tenantIdParam } from '../schemas';
import { parseInput } from '../validation';
import type { ApiPaths } from '../openapi';
import type { z } from 'zod';
import type { apiKeyResponse } from '../response-schemas';

/** Who may call each route: checked by its handler, stated in its OpenAPI description. */
const access = {
  createTenant: adminOnly,
  listTenants: adminOnly,
  getTenant: anyTenantKey,
  updateTenant: adminOnly,
  createApiKey: adminOnly,
  listApiKeys: adminOnly,
  revokeApiKey: adminOnly,
};

export function tenantsRouter(ctx: ServiceContext): Router {
  const router = Router();
  const bodies = tenantBodies(ctx.retentionDays);

  router.post('/v1/tenants', async (req, res) => {
    requireAccess(req, access.createTenant);
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(bodies.create, req.body, 'body');
    res.status(201).json(toTenantResponse(await createTenant(ctx, body)));
  });

  router.get('/v1/tenants', async (req, res) => {
    requireAccess(req, access.listTenants);
    const query = parseInput(listTenantsQuery, req.query, 'query');
    const page = await listTenants(ctx, query);
    res.json({ data: page.data.map(toTenantResponse), nextCursor: page.nextCursor });
  });

  router.get('/v1/tenants/:tenantId', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireAccess(req, access.getTenant, tenantId);
    parseInput(noQuery, req.query, 'query');
    res.json(toTenantResponse(await getTenant(ctx, tenantId)));
  });

  router.patch('/v1/tenants/:tenantId', async (req, res) => {
    requireAccess(req, access.updateTenant);
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(bodies.update, req.body, 'body');
    res.json(toTenantResponse(await updateTenant(ctx, tenantId, body)));
  });

  router.post('/v1/tenants/:tenantId/api-keys', async (req, res) => {
    requireAccess(req, access.createApiKey);
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(createApiKeyBody, req.body, 'body');
    const { row, key } = await createApiKey(ctx, tenantId, body);
    res
      .status(201)
      .set('cache-control', 'no-store')
      .json({ ...toApiKeyResponse(row), key } satisfies z.infer<typeof apiKeyResponse>);
  });

  router.get('/v1/tenants/:tenantId/api-keys', async (req, res) => {
    requireAccess(req, access.listApiKeys);
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    const query = parseInput(listApiKeysQuery, req.query, 'query');
    const page = await listApiKeys(ctx, tenantId, query);
    res.json({ data: page.data.map(toApiKeyResponse), nextCursor: page.nextCursor });
  });

  router.delete('/v1/tenants/:tenantId/api-keys/:id', async (req, res) => {
    requireAccess(req, access.revokeApiKey);
    const { tenantId, id } = parseInput(apiKeyParams, req.params, 'params');
    parseInput(noQuery, req.query, 'query');
    await revokeApiKey(ctx, tenantId, id);
    res.status(204).end();
  });

  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerTenantsPaths(
  { path, json, problems, body, page, components: { Tenant, ApiKey, ApiKeySummary } }: ApiPaths,
  deploymentRetentionDays?: number,
): void {
  const bodies = tenantBodies(deploymentRetentionDays);
  path({
    method: 'post',
    path: '/v1/tenants',
    summary: 'Create a tenant (admin)',
    access: access.createTenant,
    request: { body: body(bodies.create) },
    responses: { 201: json(Tenant, 'The tenant'), ...problems(400, 401, 403, 413, 415) },
  });
  path({
    method: 'get',
    path: '/v1/tenants',
    summary: 'List tenants (admin)',
    access: access.listTenants,
    request: { query: listTenantsQuery },
    responses: { 200: json(page(Tenant), 'A page of tenants, newest first'), ...problems(400, 401, 403) },
  });
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}',
    summary: 'Get a tenant (admin or a key of that tenant)',
    access: access.getTenant,
    request: { params: tenantIdParam },
    responses: { 200: json(Tenant, 'The tenant'), ...problems(400, 401, 404) },
  });
  path({
    method: 'patch',
    path: '/v1/tenants/{tenantId}',
    summary: "Change a tenant's name, metadata or retention (admin)",
    access: access.updateTenant,
    description:
      "Only the fields given change. retentionDays shortens how long this tenant's delivery log is kept (at most the deployment's HOOKRELAY_RETENTION_DAYS; null: the deployment's); the daily retention run purges the older rows in small batches.",
    request: { params: tenantIdParam, body: body(bodies.update) },
    responses: { 200: json(Tenant, 'The tenant'), ...problems(400, 401, 403, 404, 413, 415) },
  });
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/api-keys',
    summary: 'Create a tenant API key (admin); the key is shown only in this answer',
    access: access.createApiKey,
    description: 'Optional expiry: expiresAt (a future time) or expiresInSeconds, not both.',
    request: { params: tenantIdParam, body: body(createApiKeyBody) },
    responses: { 201: json(ApiKey, 'The key'), ...problems(400, 401, 403, 404, 413, 415) },
  });
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/api-keys',
    summary: "List a tenant's API keys, newest first, revoked and expired ones included; never the key itself",
    access: access.listApiKeys,
    request: { params: tenantIdParam, query: listApiKeysQuery },
    responses: { 200: json(page(ApiKeySummary), 'A page of keys'), ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'delete',
    path: '/v1/tenants/{tenantId}/api-keys/{id}',
    summary: 'Revoke an API key: every API process refuses it from the next request on (revoking again is harmless)',
    access: access.revokeApiKey,
    request: { params: apiKeyParams },
    responses: { 204: { description: 'Revoked' }, ...problems(400, 401, 403, 404) },
  });
}
