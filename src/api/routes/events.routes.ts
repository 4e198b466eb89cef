// /v1/tenants/:tenantId/events: publishing, and reading what was published. Reading takes
// endpoints:read (the log's scope) or events:publish (a publisher may look up its own events).
import { Router } from 'express';
import type { ServiceContext } from '../../services/context';
import { getEvent, listEvents, publishFromApi } from '../../services/events.service';
import { requireTenantAccess } from '../auth';
import { toEventResponse } from '../responses';
import { eventParams, listEventsQuery, noQuery, publishEventBody, tenantIdParam } from '../schemas';
import { parseInput } from '../validation';
import { InvalidInputError } from '../../domain/errors';

export function eventsRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.post('/v1/tenants/:tenantId/events', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireTenantAccess(req, tenantId, 'events:publish');
    parseInput(noQuery, req.query, 'query');
    const body = parseInput(publishEventBody, req.body, 'body');
    const headerKey = req.get('idempotency-key');
    if (headerKey !== undefined && body.idempotencyKey !== undefined && headerKey !== body.idempotencyKey) {
      throw new InvalidInputError('Idempotency key given twice', [
        { path: 'headers.idempotency-key', message: 'differs from body.idempotencyKey' },
      ]);
    }
    if (headerKey !== undefined && (headerKey.length < 1 || headerKey.length > 255)) {
      throw new InvalidInputError('Invalid idempotency key', [{ path: 'headers.idempotency-key', message: 'must be 1 to 255 characters' }]);
    }
    const result = await publishFromApi(
      ctx,
      tenantId,
      { ...body, idempotencyKey: body.idempotencyKey ?? headerKey },
      {
        onStartFailed: (error) =>
          req.log.warn({ err: error }, 'event recorded; its delivery workflows will be started by the worker sweeper'),
      },
    );
    // 202: accepted and durably recorded; deliveries proceed asynchronously. A repeat is 200.
    res.status(result.duplicate ? 200 : 202).json({ id: result.eventId, deliveryCount: result.deliveryCount, duplicate: result.duplicate });
  });

  router.get('/v1/tenants/:tenantId/events', async (req, res) => {
    const { tenantId } = parseInput(tenantIdParam, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:read', 'events:publish');
    const query = parseInput(listEventsQuery, req.query, 'query');
    const page = await listEvents(ctx, tenantId, query);
    res.json({ data: page.data.map(toEventResponse), nextCursor: page.nextCursor });
  });

  router.get('/v1/tenants/:tenantId/events/:id', async (req, res) => {
    const { tenantId, id } = parseInput(eventParams, req.params, 'params');
    requireTenantAccess(req, tenantId, 'endpoints:read', 'events:publish');
    parseInput(noQuery, req.query, 'query');
    res.json(toEventResponse(await getEvent(ctx, tenantId, id)));
  });

  return router;
}
