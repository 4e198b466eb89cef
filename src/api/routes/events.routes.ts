// /v1/tenants/:tenantId/events: publishing, and reading what was published. Reading takes
// endpoints:read (the log's scope) or events:publish (a publisher may look up its own events).
import { Router } from 'express';
import { z } from 'zod';
import type { ServiceContext } from '../../services/context';
import { getEvent, listEvents, publishFromApi } from '../../services/events.service';
import { requireAccess, tenantScopes } from '../auth';
import { toEventResponse } from '../responses';
import { eventParams, listEventsQuery, noQuery, publishEventBody, tenantIdParam } from '../schemas';
import { parseInput } from '../validation';
import { idempotencyKeyOf } from '../idempotency-key';
import type { ApiPaths } from '../openapi';
import type { publishResponse } from '../response-schemas';

/** Who may call each route: checked by its handler, stated in its OpenAPI description. */
const access = {
  publishEvent: tenantScopes(['events:publish']),
  listEvents: tenantScopes(['endpoints:read', 'events:publish']),
  getEvent: tenantScopes(['endpoints:read', 'events:publish']),
};

export function eventsRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.post('/v1/tenants/:tenantId/events', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireAccess(req, access.publishEvent, tenantId);
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(publishEventBody, req.body, 'body');
    const result = await publishFromApi(
      ctx,
      tenantId,
      { ...body, idempotencyKey: idempotencyKeyOf(req, body.idempotencyKey) },
      {
        onStartFailed: (error) =>
          req.log.warn({ err: error }, 'event recorded; its delivery workflows will be started by the worker sweeper'),
      },
    );
    // 202: accepted and durably recorded; deliveries proceed asynchronously. A repeat is 200.
    res
      .status(result.duplicate ? 200 : 202)
      .json({ id: result.eventId, deliveryCount: result.deliveryCount, duplicate: result.duplicate } satisfies z.infer<
        typeof publishResponse
      >);
  });

  router.get('/v1/tenants/:tenantId/events', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireAccess(req, access.listEvents, tenantId);
    const query = parseInput(listEventsQuery, req.query, 'query');
    const page = await listEvents(ctx, tenantId, query);
    res.json({ data: page.data.map(toEventResponse), nextCursor: page.nextCursor });
  });

  router.get('/v1/tenants/:tenantId/events/:id', async (req, res) => {
    const { tenantId, id } = parseInput(eventParams, req.params, 'params');
    requireAccess(req, access.getEvent, tenantId);
    parseInput(noQuery, req.query, 'query');
    res.json(toEventResponse(await getEvent(ctx, tenantId, id)));
  });

  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerEventsPaths({ path, json, problems, body, page, components: { Event, PublishResult } }: ApiPaths): void {
  path({
    method: 'post',
    path: '/v1/tenants/{tenantId}/events',
    summary: 'Publish an event (events:publish); an Idempotency-Key header or field makes repeats harmless',
    access: access.publishEvent,
    request: {
      params: tenantIdParam,
      headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
      body: body(publishEventBody),
    },
    responses: {
      200: json(PublishResult, 'A repeat of an earlier publish (duplicate: true)'),
      202: json(
        PublishResult,
        'Accepted: recorded with one delivery per subscribed endpoint; every one is started (a large fan-out after the answer)',
      ),
      ...problems(400, 401, 403, 404, 413, 415),
    },
  });
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/events',
    summary: 'List events, newest first',
    access: access.listEvents,
    request: { params: tenantIdParam, query: listEventsQuery },
    responses: { 200: json(page(Event), 'A page of events'), ...problems(400, 401, 403, 404) },
  });
  path({
    method: 'get',
    path: '/v1/tenants/{tenantId}/events/{id}',
    summary: 'Get an event',
    access: access.getEvent,
    request: { params: eventParams },
    responses: { 200: json(Event, 'The event'), ...problems(400, 401, 403, 404) },
  });
}
