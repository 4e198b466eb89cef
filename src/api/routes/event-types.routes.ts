// /v1/event-types: the deployment-wide catalog. Any key may read it; only the admin edits it.
import { Router } from 'express';
import type { ServiceContext } from '../../services/context';
import { createEventType, listEventTypes, updateEventType } from '../../services/event-types.service';
import { principalOf, requireAdmin } from '../auth';
import { toEventTypeResponse } from '../responses';
import { createEventTypeBody, eventTypeParams, listEventTypesQuery, noQuery, updateEventTypeBody } from '../schemas';
import { parseInput } from '../validation';

export function eventTypesRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.post('/v1/event-types', async (req, res) => {
    requireAdmin(req);
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(createEventTypeBody, req.body, 'body');
    res.status(201).json(toEventTypeResponse(await createEventType(ctx, body)));
  });

  router.get('/v1/event-types', async (req, res) => {
    principalOf(req);
    const query = parseInput(listEventTypesQuery, req.query, 'query');
    const groups = await listEventTypes(ctx, query);
    // The catalog is small and keyed by name: it comes whole (nextCursor is always null).
    res.json({
      data: groups.flatMap((group) => group.eventTypes.map(toEventTypeResponse)),
      groups: groups.map((group) => ({ group: group.group, eventTypes: group.eventTypes.map((row) => row.name) })),
      nextCursor: null,
    });
  });

  router.patch('/v1/event-types/:name', async (req, res) => {
    requireAdmin(req);
    const { name } = parseInput(eventTypeParams, req.params, 'params');
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(updateEventTypeBody, req.body, 'body');
    res.json(toEventTypeResponse(await updateEventType(ctx, name, body)));
  });

  return router;
}
