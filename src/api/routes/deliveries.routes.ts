// /v1/tenants/:tenantId/deliveries: the delivery log.
import { Router } from 'express';
import type { ServiceContext } from '../../services/context';
import { getDeliveryWithAttempts, listDeliveries } from '../../services/deliveries.service';
import { requireTenantAccess } from '../auth';
import { toAttemptResponse, toDeliveryResponse } from '../responses';
import { deliveryParams, listDeliveriesQuery, noQuery, tenantIdParam } from '../schemas';
import { parseInput } from '../validation';

export function deliveriesRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.get('/v1/tenants/:tenantId/deliveries', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:read');
    const query = parseInput(listDeliveriesQuery, req.query, 'query');
    const page = await listDeliveries(ctx, tenantId, query);
    res.json({ data: page.data.map(toDeliveryResponse), nextCursor: page.nextCursor });
  });

  router.get('/v1/tenants/:tenantId/deliveries/:id', async (req, res) => {
    const { tenantId, id } = parseInput(deliveryParams, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:read');
    parseInput(noQuery, req.query, 'query');
    const { delivery, attempts } = await getDeliveryWithAttempts(ctx, tenantId, id);
    res.json({ ...toDeliveryResponse(delivery), attempts: attempts.map(toAttemptResponse) });
  });

  return router;
}
