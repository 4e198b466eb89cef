// /v1/event-types: the deployment-wide catalog. Any key may read it; only the admin edits it.
import { Router } from 'express';
import type { z } from 'zod';
import type { ServiceContext } from '../../services/context';
import { createEventType, listEventTypes, updateEventType } from '../../services/event-types.service';
import { adminOnly, anyKey, principalOf, requireAccess } from '../auth';
import { eventTypeInView } from '../../services/portal-view.service';
import { toEventTypeResponse } from '../responses';
import { createEventTypeBody, eventTypeParams, listEventTypesQuery, noQuery, updateEventTypeBody } from '../schemas';
import { parseInput } from '../validation';
import type { ApiPaths } from '../openapi';
import { eventTypeCatalogResponse } from '../response-schemas';

/** Who may call each route: checked by its handler, stated in its OpenAPI description. */
const access = {
  createEventType: adminOnly,
  listEventTypes: anyKey,
  updateEventType: adminOnly,
};

export function eventTypesRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.post('/v1/event-types', async (req, res) => {
    requireAccess(req, access.createEventType);
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(createEventTypeBody, req.body, 'body');
    res.status(201).json(toEventTypeResponse(await createEventType(ctx, body)));
  });

  router.get('/v1/event-types', async (req, res) => {
    requireAccess(req, access.listEventTypes);
    const query = parseInput(listEventTypesQuery, req.query, 'query');
    const principal = principalOf(req);
    // A portal session limited to some event types sees only those in the catalog.
    const groups = (await listEventTypes(ctx, query))
      .map((group) => ({ ...group, eventTypes: group.eventTypes.filter((row) => eventTypeInView(principal, row.name)) }))
      .filter((group) => group.eventTypes.length > 0);
    // The catalog is small and keyed by name: it comes whole (nextCursor is always null).
    res.json({
      data: groups.flatMap((group) => group.eventTypes.map(toEventTypeResponse)),
      groups: groups.map((group) => ({ group: group.group, eventTypes: group.eventTypes.map((row) => row.name) })),
      nextCursor: null,
    } satisfies z.infer<typeof eventTypeCatalogResponse>);
  });

  router.patch('/v1/event-types/:name', async (req, res) => {
    requireAccess(req, access.updateEventType);
    const { name } = parseInput(eventTypeParams, req.params, 'params');
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(updateEventTypeBody, req.body, 'body');
    res.json(toEventTypeResponse(await updateEventType(ctx, name, body)));
  });

  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerEventTypesPaths({ path, json, problems, body, components: { EventType } }: ApiPaths): void {
  path({
    method: 'post',
    path: '/v1/event-types',
    summary: 'Add an event type to the catalog (admin)',
    access: access.createEventType,
    request: { body: body(createEventTypeBody) },
    responses: { 201: json(EventType, 'The event type'), ...problems(400, 401, 403, 409, 413, 415) },
  });
  path({
    method: 'get',
    path: '/v1/event-types',
    summary: 'The event type catalog, ordered by group then name (any key); returned whole',
    access: access.listEventTypes,
    request: { query: listEventTypesQuery },
    responses: {
      200: json(eventTypeCatalogResponse, 'The catalog'),
      ...problems(400, 401),
    },
  });
  path({
    method: 'patch',
    path: '/v1/event-types/{name}',
    summary: 'Archive, unarchive, describe, regroup or change the data schema of an event type (admin)',
    access: access.updateEventType,
    request: { params: eventTypeParams, body: body(updateEventTypeBody) },
    responses: { 200: json(EventType, 'The event type'), ...problems(400, 401, 403, 404, 413, 415) },
  });
}
