// GET /metrics: the process's Prometheus registry in the text exposition format. Unauthenticated,
// like every Prometheus target: keep the port on the internal network.
import { Router } from 'express';
import type { HookrelayMetrics } from '../../metrics/metrics';

export function metricsRouter(metrics: HookrelayMetrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const { contentType, body } = await metrics.scrape();
    res.set('cache-control', 'no-store').type(contentType).send(body);
  });
  return router;
}
