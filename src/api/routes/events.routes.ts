// /v1/tenants/:tenantId/events: publishing, and reading what was published. Reading takes
// endpoints:read (the log's scope) or events:publish (a publisher may look up its own events).
import { Router } from 'express';
import { z } from 'zod';
import type { ServiceContext } from '../../services/context';
import { getEvent, listEvents, publishBatchFromApi, publishFromApi } from '../../services/events.service';
import { principalOf, requireAccess, tenantScopes } from '../auth';
import { assertEventInView, portalViewOf } from '../../services/portal-view.service';
import { toEventResponse } from '../responses';
import { eventParams, listEventsQuery, noQuery, publishBatchBody, publishEventBody, tenantIdParam } from '../schemas';
import { parseInput } from '../validation';
import { InvalidInputError } from '../../domain/errors';
import { idempotencyKeyOf } from '../idempotency-key';
import type { ApiPaths } from '../openapi';
import type { publishBatchResponse, publishResponse } from '../response-schemas';
import { MAX_BATCH_EVENTS } from '../../domain/publish-batch';
import { withPublishSpan } from '../../domain/publish-span';

/** Who may call each route: checked by its handler, stated in its OpenAPI description. */
const access = {
  publishEvent: tenantScopes(['events:publish']),
  publishBatch: tenantScopes(['events:publish']),
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
    const subject = { tenantId, eventType: body.type, eventCount: 1, via: 'http' as const };
    const result = await withPublishSpan(subject, req.headers, async (span) => {
      const published = await publishFromApi(
        ctx,
        tenantId,
        { ...body, idempotencyKey: idempotencyKeyOf(req, body.idempotencyKey) },
        {
          onStartFailed: (error) =>
            req.log.warn({ err: error }, 'event recorded; its delivery workflows will be started by the worker sweeper'),
        },
      );
      span.setAttributes({ 'hookrelay.event.id': published.eventId, 'hookrelay.delivery_count': published.deliveryCount });
      return published;
    });
    // 202: accepted and durably recorded; deliveries proceed asynchronously. A repeat is 200.
    res
      .status(result.duplicate ? 200 : 202)
      .json({ id: result.eventId, deliveryCount: result.deliveryCount, duplicate: result.duplicate } satisfies z.infer<
        typeof publishResponse
      >);
  });

  router.post('/v1/tenants/:tenantId/events/batch', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireAccess(req, access.publishBatch, tenantId);
    parseInput(noQuery, req.query, 'query');
    // One key cannot name many events: each event carries its own idempotencyKey.
    if (req.get('idempotency-key') !== undefined) {
      throw new InvalidInputError('Idempotency-Key header on a batch', [
        { path: 'headers.idempotency-key', message: "a batch takes each event's own idempotencyKey field instead" },
      ]);
    }
    const body = parseInput(publishBatchBody, req.body, 'body');
    const results = await withPublishSpan({ tenantId, eventCount: body.events.length, via: 'http' }, req.headers, () =>
      publishBatchFromApi(ctx, tenantId, body.events, {
        onStartFailed: (error) =>
          req.log.warn({ err: error }, 'batch recorded; its delivery workflows will be started by the worker sweeper'),
      }),
    );
    // 202 as soon as one event is new; 200 when every event repeats an earlier publish (as a single repeat).
    res.status(results.every((result) => result.duplicate) ? 200 : 202).json({
      results: results.map((result) => ({ id: result.eventId, deliveryCount: result.deliveryCount, duplicate: result.duplicate })),
    } satisfies z.infer<typeof publishBatchResponse>);
  });

  router.get('/v1/tenants/:tenantId/events', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireAccess(req, access.listEvents, tenantId);
    const query = parseInput(listEventsQuery, req.query, 'query');
    const page = await listEvents(ctx, tenantId, query, portalViewOf(principalOf(req)));
    res.json({ data: page.data.map(toEventResponse), nextCursor: page.nextCursor });
  });

  router.get('/v1/tenants/:tenantId/events/:id', async (req, res) => {
    const { tenantId, id } = parseInput(eventParams, req.params, 'params');
    requireAccess(req, access.getEvent, tenantId);
    parseInput(noQuery, req.query, 'query');
    await assertEventInView(ctx, principalOf(req), tenantId, id);
    res.json(toEventResponse(await getEvent(ctx, tenantId, id)));
  });

  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerEventsPaths({
  path,
  json,
  problems,
  body,
  page,
  components: { Event, PublishResult, PublishBatchResult },
}: ApiPaths): void {
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
    method: 'post',
    path: '/v1/tenants/{tenantId}/events/batch',
    summary: `Publish up to ${MAX_BATCH_EVENTS} events in one request (events:publish), each with its own idempotencyKey`,
    description:
      'All events are recorded in one transaction, or none: an event that fails validation or the catalog (unknown type, data ' +
      'against its schema) refuses the whole batch with 400, its field errors under body.events.<index>, so a corrected batch can ' +
      'be sent again as it is. Answers one result per event, in order; a result with duplicate: true repeats an earlier publish ' +
      '(or an earlier event of the same batch) with the same idempotencyKey. The Idempotency-Key header is refused here.',
    access: access.publishBatch,
    request: { params: tenantIdParam, body: body(publishBatchBody) },
    responses: {
      200: json(PublishBatchResult, 'Every event repeats an earlier publish (duplicate: true throughout)'),
      202: json(PublishBatchResult, 'Accepted: every event recorded with its deliveries, which are all started'),
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
