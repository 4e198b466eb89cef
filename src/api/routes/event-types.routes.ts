// /v1/event-types: the deployment-wide catalog.
import { Router } from 'express';
import type { ServiceContext } from '../../services/context';
import { createEventType } from '../../services/event-types.service';
import { requireAdmin } from '../auth';
import { toEventTypeResponse } from '../responses';
import { createEventTypeBody } from '../schemas';
import { parseInput } from '../validation';

export function eventTypesRouter(ctx: ServiceContext): Router {
  const router = Router();

  router.post('/v1/event-types', async (req, res) => {
    requireAdmin(req);
    const body = parseInput(createEventTypeBody, req.body, 'body');
    res.status(201).json(toEventTypeResponse(await createEventType(ctx, body)));
  });

  return router;
}
