// POST /v1/tenants/:tenantId/endpoints/:id/filter/test: try a payload filter on an event.
import { Router } from 'express';
import type { ServiceContext } from '../../services/context';
import { testEndpointFilter } from '../../services/payload-filter.service';
import { assertEndpointInView, assertEventInView, assertUnlimitedPortal } from '../../services/portal-view.service';
import { principalOf, requireAccess, tenantScopes } from '../auth';
import { endpointParams, noQuery, testFilterBody } from '../schemas';
import { parseInput } from '../validation';
import type { ApiPaths } from '../openapi';

/** Who may call each route: checked by its handler, stated in its OpenAPI description. */
const access = {
  testFilter: tenantScopes(['endpoints:read']),
};

export function endpointFilterRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.post('/v1/tenants/:tenantId/endpoints/:id/filter/test', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireAccess(req, access.testFilter, tenantId);
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(testFilterBody, req.body ?? {}, 'body');
    // A portal session sees only its view: the endpoint, the stored event it names, and the
    // newest event of the endpoint's types only when the session is not limited.
    const principal = principalOf(req);
    await assertEndpointInView(ctx, principal, tenantId, id);
    if (body.eventId !== undefined) await assertEventInView(ctx, principal, tenantId, body.eventId);
    else if (body.event === undefined) assertUnlimitedPortal(principal);
    res.json(await testEndpointFilter(ctx, tenantId, id, body));
  });

  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerEndpointFilterPaths({ path, json, problems, body, components: { FilterTestResult } }: ApiPaths): void {
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/endpoints/{id}/filter/test',
    summary: 'Try a payload filter on an event and say why it matched or not',
    access: access.testFilter,
    description:
      "Evaluates `filter` (default: the endpoint's stored filter) against `event` (sent in the request), `eventId` (a stored event), " +
      'or, with neither, the newest event of a type the endpoint subscribes to (404 when there is none). Nothing is stored or delivered.',
    request: { params: endpointParams, body: body(testFilterBody, false) },
    responses: { 200: json(FilterTestResult, 'The verdict'), ...problems(400, 401, 403, 404, 413, 415) },
  });
}
