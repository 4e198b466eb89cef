// Routes that steer deliveries through Temporal: resend, cancel, recover, enable/disable, test.
// A change the database committed is answered as done even when Temporal is unreachable: the
// worker's sweeper finishes it (only a change refused before its commit answers 4xx/503).
import { Router } from 'express';
import type { ServiceContext } from '../../services/context';
import { cancelDelivery, recoverEndpoint, resendDelivery } from '../../services/delivery-control.service';
import { disableEndpoint, enableEndpoint, sendTestEvent } from '../../services/endpoint-control.service';
import { getEndpoint } from '../../services/endpoints.service';
import { principalOf, requireAccess, tenantScopes } from '../auth';
import { assertDeliveryInView, assertEndpointInView } from '../../services/portal-view.service';
import { followUpLogging } from '../follow-up-logging';
import { toEndpointResponse } from '../responses';
import { deliveryParams, disableEndpointBody, endpointParams, noBody, noQuery, recoverEndpointBody, resendDeliveryBody } from '../schemas';
import { parseInput } from '../validation';
import type { ApiPaths } from '../openapi';
import type { z } from 'zod';
import type { cancelResponse, recoverResponse, resendResponse, testEventResponse } from '../response-schemas';

/** Who may call each route: checked by its handler, stated in its OpenAPI description. */
const access = {
  enable: tenantScopes(['endpoints:write']),
  disable: tenantScopes(['endpoints:write']),
  sendTest: tenantScopes(['endpoints:write']),
  recover: tenantScopes(['endpoints:write']),
  resend: tenantScopes(['endpoints:write']),
  cancel: tenantScopes(['endpoints:write']),
};

export function deliveryControlRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.post('/v1/tenants/:tenantId/deliveries/:id/resend', async (req, res) => {
    const { tenantId, id } = parseInput(deliveryParams, req.params, 'params');
    requireAccess(req, access.resend, tenantId);
    parseInput(noQuery, req.query, 'query');
    await assertDeliveryInView(ctx, principalOf(req), tenantId, id);
    const { position } = parseInput(resendDeliveryBody, req.body ?? {}, 'body');
    const result = await resendDelivery(ctx, tenantId, id, { ...followUpLogging(req), position: position ?? 'back' });
    res.status(202).json(result satisfies z.infer<typeof resendResponse>);
  });

  router.post('/v1/tenants/:tenantId/deliveries/:id/cancel', async (req, res) => {
    const { tenantId, id } = parseInput(deliveryParams, req.params, 'params');
    requireAccess(req, access.cancel, tenantId);
    parseInput(noQuery, req.query, 'query');
    await assertDeliveryInView(ctx, principalOf(req), tenantId, id);
    parseInput(noBody, req.body ?? {}, 'body');
    res.status(202).json((await cancelDelivery(ctx, tenantId, id)) satisfies z.infer<typeof cancelResponse>);
  });

  router.post('/v1/tenants/:tenantId/endpoints/:id/enable', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireAccess(req, access.enable, tenantId);
    parseInput(noQuery, req.query, 'query');
    await assertEndpointInView(ctx, principalOf(req), tenantId, id);
    parseInput(noBody, req.body ?? {}, 'body');
    await enableEndpoint(ctx, tenantId, id);
    res.json(toEndpointResponse(await getEndpoint(ctx, tenantId, id)));
  });

  router.post('/v1/tenants/:tenantId/endpoints/:id/disable', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireAccess(req, access.disable, tenantId);
    parseInput(noQuery, req.query, 'query');
    await assertEndpointInView(ctx, principalOf(req), tenantId, id);
    const body = parseInput(disableEndpointBody, req.body ?? {}, 'body');
    await disableEndpoint(ctx, tenantId, id, body.reason ?? 'disabled by request', followUpLogging(req));
    res.json(toEndpointResponse(await getEndpoint(ctx, tenantId, id)));
  });

  router.post('/v1/tenants/:tenantId/endpoints/:id/test', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireAccess(req, access.sendTest, tenantId);
    parseInput(noQuery, req.query, 'query');
    await assertEndpointInView(ctx, principalOf(req), tenantId, id);
    parseInput(noBody, req.body ?? {}, 'body');
    const result = await sendTestEvent(ctx, tenantId, id, followUpLogging(req));
    res.status(202).json({ id: result.eventId, deliveryCount: result.deliveryCount } satisfies z.infer<typeof testEventResponse>);
  });

  router.post('/v1/tenants/:tenantId/endpoints/:id/recover', async (req, res) => {
    const { tenantId, id } = parseInput(endpointParams, req.params, 'params');
    requireAccess(req, access.recover, tenantId);
    parseInput(noQuery, req.query, 'query');
    await assertEndpointInView(ctx, principalOf(req), tenantId, id);
    const body = parseInput(recoverEndpointBody, req.body, 'body');
    const { replayId, deliveryIds } = await recoverEndpoint(
      ctx,
      tenantId,
      id,
      { since: new Date(body.since), until: body.until ? new Date(body.until) : undefined },
      followUpLogging(req),
    );
    res.status(202).json({ deliveryCount: deliveryIds.length, deliveryIds, replayId } satisfies z.infer<typeof recoverResponse>);
  });

  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerDeliveryControlPaths({
  path,
  json,
  problems,
  body,
  components: { Endpoint, ResendResult, CancelResult, RecoverResult, TestEventResult },
}: ApiPaths): void {
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/endpoints/{id}/enable',
    summary: 'Enable an endpoint (clears disabledReason)',
    access: access.enable,
    request: { params: endpointParams },
    responses: { 200: json(Endpoint, 'The endpoint'), ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/endpoints/{id}/disable',
    summary: 'Disable an endpoint: its pending retries stop and an endpoint.disabled event is published',
    access: access.disable,
    request: { params: endpointParams, body: body(disableEndpointBody, false) },
    responses: { 200: json(Endpoint, 'The endpoint'), ...problems(400, 401, 403, 404, 413, 415) },
  });
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/endpoints/{id}/test',
    summary: 'Send a webhook.test event to this endpoint now (even while it is disabled)',
    access: access.sendTest,
    request: { params: endpointParams },
    responses: { 202: json(TestEventResult, 'The test event, delivered asynchronously'), ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/endpoints/{id}/recover',
    summary:
      'Resend every failed delivery of the endpoint created in [since, until) as new deliveries, sent paced by a replay (mode failed; replayId)',
    access: access.recover,
    request: { params: endpointParams, body: body(recoverEndpointBody) },
    responses: {
      202: json(RecoverResult, 'The new deliveries (recorded now, started by the replay at its pace)'),
      ...problems(400, 401, 403, 404, 413, 415),
    },
  });
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/deliveries/{id}/resend',
    summary:
      'Resend: a waiting delivery attempts now (trigger manual); a finished one is sent again as a new delivery (on a FIFO endpoint at the back of its line, or right behind its head with position next)',
    access: access.resend,
    request: { params: deliveryParams, body: body(resendDeliveryBody, false) },
    responses: { 202: json(ResendResult, 'Resent'), ...problems(400, 401, 403, 404, 409) },
  });
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/deliveries/{id}/cancel',
    summary: 'Cancel a pending or retrying delivery; it ends cancelled',
    access: access.cancel,
    request: { params: deliveryParams },
    responses: { 202: json(CancelResult, 'Cancelling'), ...problems(400, 401, 403, 404, 409) },
  });
}
