// Routes that steer deliveries through Temporal: resend, cancel, recover, enable/disable, test.
// A change the database committed is answered as done even when Temporal is unreachable: the
// worker's sweeper finishes it (only a change refused before its commit answers 4xx/503).
import { Router } from 'express';
import type { ServiceContext } from '../../services/context';
import {
  cancelDelivery,
  disableEndpoint,
  enableEndpoint,
  recoverEndpoint,
  resendDelivery,
  sendTestEvent,
} from '../../services/delivery-control.service';
import { getEndpoint } from '../../services/endpoints.service';
import { requireTenantAccess } from '../auth';
import { followUpLogging } from '../follow-up-logging';
import { toEndpointResponse } from '../responses';
import { deliveryParams, disableEndpointBody, endpointParams, noBody, noQuery, recoverEndpointBody } from '../schemas';
import { parseInput } from '../validation';

export function deliveryControlRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.post('/v1/tenants/:tenantId/deliveries/:id/resend', async (req, res) => {
    const { tenantId, id } = parseInput(deliveryParams, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:write');
    parseInput(noQuery, req.query, 'query');
    parseInput(noBody, req.body ?? {}, 'body');
    res.status(202).json(await resendDelivery(ctx, tenantId, id, followUpLogging(req)));
  });

  router.post('/v1/tenants/:tenantId/deliveries/:id/cancel', async (req, res) => {
    const { tenantId, id } = parseInput(deliveryParams, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:write');
    parseInput(noQuery, req.query, 'query');
    parseInput(noBody, req.body ?? {}, 'body');
    res.status(202).json(await cancelDelivery(ctx, tenantId, id));
  });

  router.post('/v1/tenants/:tenantId/endpoints/:id/enable', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:write');
    parseInput(noQuery, req.query, 'query');
    parseInput(noBody, req.body ?? {}, 'body');
    await enableEndpoint(ctx, tenantId, id);
    res.json(toEndpointResponse(await getEndpoint(ctx, tenantId, id)));
  });

  router.post('/v1/tenants/:tenantId/endpoints/:id/disable', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:write');
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(disableEndpointBody, req.body ?? {}, 'body');
    await disableEndpoint(ctx, tenantId, id, body.reason ?? 'disabled by request', followUpLogging(req));
    res.json(toEndpointResponse(await getEndpoint(ctx, tenantId, id)));
  });

  router.post('/v1/tenants/:tenantId/endpoints/:id/test', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:write');
    parseInput(noQuery, req.query, 'query');
    parseInput(noBody, req.body ?? {}, 'body');
    const result = await sendTestEvent(ctx, tenantId, id, followUpLogging(req));
    res.status(202).json({ id: result.eventId, deliveryCount: result.deliveryCount });
  });

  router.post('/v1/tenants/:tenantId/endpoints/:id/recover', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:write');
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(recoverEndpointBody, req.body, 'body');
    const { deliveryIds } = await recoverEndpoint(
      ctx,
      tenantId,
      id,
      { since: new Date(body.since), until: body.until ? new Date(body.until) : undefined },
      followUpLogging(req),
    );
    res.status(202).json({ deliveryCount: deliveryIds.length, deliveryIds });
  });

  return router;
}
