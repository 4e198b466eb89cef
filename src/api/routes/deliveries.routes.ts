// /v1/tenants/:tenantId/deliveries: the delivery log.
import { Router } from 'express';
import type { ServiceContext } from '../../services/context';
import { getDeliveryWithAttempts, listDeliveries } from '../../services/deliveries.service';
import { principalOf, requireAccess, tenantScopes } from '../auth';
import { assertDeliveryInView, portalViewOf } from '../../services/portal-view.service';
import { toAttemptResponse, toDeliveryResponse } from '../responses';
import { deliveryParams, listDeliveriesQuery, noQuery, tenantIdParam } from '../schemas';
import { parseInput } from '../validation';
import type { ApiPaths } from '../openapi';

/** Who may call each route: checked by its handler, stated in its OpenAPI description. */
const access = {
  listDeliveries: tenantScopes(['endpoints:read']),
  getDelivery: tenantScopes(['endpoints:read']),
};

export function deliveriesRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.get('/v1/tenants/:tenantId/deliveries', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireAccess(req, access.listDeliveries, tenantId);
    const query = parseInput(listDeliveriesQuery, req.query, 'query');
    const page = await listDeliveries(ctx, tenantId, query, portalViewOf(principalOf(req)));
    res.json({ data: page.data.map(toDeliveryResponse), nextCursor: page.nextCursor });
  });

  router.get('/v1/tenants/:tenantId/deliveries/:id', async (req, res) => {
    const { tenantId, id } = parseInput(deliveryParams, req.params, 'params');
    requireAccess(req, access.getDelivery, tenantId);
    parseInput(noQuery, req.query, 'query');
    await assertDeliveryInView(ctx, principalOf(req), tenantId, id);
    const { delivery, attempts } = await getDeliveryWithAttempts(ctx, tenantId, id);
    res.json({ ...toDeliveryResponse(delivery), attempts: attempts.map(toAttemptResponse) });
  });

  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerDeliveriesPaths({ path, json, problems, page, components: { Delivery, DeliveryWithAttempts } }: ApiPaths): void {
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/deliveries',
    summary: 'The delivery log, newest first',
    access: access.listDeliveries,
    request: { params: tenantIdParam, query: listDeliveriesQuery },
    responses: { 200: json(page(Delivery), 'A page of deliveries'), ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/deliveries/{id}',
    summary: 'One delivery with every attempt',
    access: access.getDelivery,
    request: { params: deliveryParams },
    responses: { 200: json(DeliveryWithAttempts, 'The delivery'), ...problems(400, 401, 403, 404) },
  });
}
