// GET /v1/tenants/:tenantId/endpoints/:id/stats: an endpoint's health over a window, in buckets.
import { Router } from 'express';
import type { ServiceContext } from '../../services/context';
import { getEndpointStats } from '../../services/endpoint-stats.service';
import { principalOf, requireAccess, tenantScopes } from '../auth';
import { assertEndpointInView } from '../../services/portal-view.service';
import { toEndpointStatsResponse } from '../responses';
import { endpointParams, endpointStatsQuery } from '../schemas';
import { parseInput } from '../validation';
import type { ApiPaths } from '../openapi';

/** Who may call each route: checked by its handler, stated in its OpenAPI description. */
const access = {
  getEndpointStats: tenantScopes(['endpoints:read']),
};

export function endpointStatsRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.get('/v1/tenants/:tenantId/endpoints/:id/stats', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireAccess(req, access.getEndpointStats, tenantId);
    await assertEndpointInView(ctx, principalOf(req), tenantId, id);
    const query = parseInput(endpointStatsQuery, req.query, 'query');
    res.json(toEndpointStatsResponse(id, await getEndpointStats(ctx, tenantId, id, query)));
  });

  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerEndpointStatsPaths({ path, json, problems, components: { EndpointStats } }: ApiPaths): void {
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/endpoints/{id}/stats',
    summary: "An endpoint's health over a window, in buckets",
    access: access.getEndpointStats,
    description:
      'From the attempt log: attempts and deliveries by outcome, success rate, latency p50/p95, answers by status class and errors by kind, ' +
      'per bucket and for the whole window. The window is at most 90 days and 500 buckets.',
    request: { params: endpointParams, query: endpointStatsQuery },
    responses: { 200: json(EndpointStats, 'The statistics'), ...problems(400, 401, 403, 404) },
  });
}
