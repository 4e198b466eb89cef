// GET /metrics: the process's Prometheus registry in the text exposition format. Unauthenticated,
// like every Prometheus target: keep the port on the internal network.
import { Router } from 'express';
import { z } from 'zod';
import type { HookrelayMetrics } from '../../metrics/metrics';
import type { ApiPaths } from '../openapi';

export function metricsRouter(metrics: HookrelayMetrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const { contentType, body } = await metrics.scrape();
    res.set('cache-control', 'no-store').type(contentType).send(body);
  });
  return router;
}

/** The OpenAPI paths of the routes above. */
export function registerMetricsPaths({ path }: ApiPaths): void {
  path({
    method: 'get',
    path: '/metrics',
    access: 'public',
    summary: 'Prometheus metrics (text exposition format): deliveries, attempts, backlog, API requests',
    responses: {
      200: { description: 'Metrics in the Prometheus text format', content: { 'text/plain; version=0.0.4': { schema: z.string() } } },
    },
  });
}
