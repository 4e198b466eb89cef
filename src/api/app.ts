// The Express application: JSON parsing with a size limit, key authentication, the v1 routes,
// health checks, and problem-details errors for everything that goes wrong.
import express, { type Express } from 'express';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { ServiceContext } from '../services/context';
import { authenticate, type AuthFailureLimit } from './auth';
import { adminKeySet } from '../domain/api-keys';
import { buildOpenApiDocument, type ApiPaths } from './openapi';
import { problem, problemErrorHandler, sendProblem, UnsupportedMediaTypeError } from './problems';
import { rateLimitPerKey, type ApiRateLimit } from './rate-limit';
import { deliveriesRouter, registerDeliveriesPaths } from './routes/deliveries.routes';
import { deliveryControlRouter, registerDeliveryControlPaths } from './routes/delivery-control.routes';
import { endpointsRouter, registerEndpointsPaths } from './routes/endpoints.routes';
import { endpointStatsRouter, registerEndpointStatsPaths } from './routes/endpoint-stats.routes';
import { eventTypesRouter, registerEventTypesPaths } from './routes/event-types.routes';
import { eventsRouter, registerEventsPaths } from './routes/events.routes';
import { registerTenantsPaths, tenantsRouter } from './routes/tenants.routes';
import { registerReplaysPaths, replaysRouter } from './routes/replays.routes';
import { HookrelayMetrics } from '../metrics/metrics';
import { requestObservability } from './request-observability';
import { consoleRouter, registerConsolePaths, type ConsoleOptions } from './routes/console.routes';
import { metricsRouter, registerMetricsPaths } from './routes/metrics.routes';
import { endpointFilterRouter, registerEndpointFilterPaths } from './routes/endpoint-filter.routes';
import { portalRouter, registerPortalPaths } from './routes/portal.routes';
import { portalSessionsRouter, registerPortalSessionsPaths, type PortalSessionOptions } from './routes/portal-sessions.routes';
import { healthResponse, jsonObject } from './response-schemas';
import { methodNotAllowed } from './method-not-allowed';

export interface AppOptions {
  adminKey: string | undefined;
  /** More admin keys accepted alongside `adminKey` (HOOKRELAY_ADMIN_KEYS), for rotating it without downtime. */
  adminKeys?: readonly string[];
  /** Failed authentications per client address and minute before 429; none when absent. */
  authFailureLimit?: AuthFailureLimit;
  /** Express's `trust proxy` (HOOKRELAY_TRUST_PROXY): whose X-Forwarded-For names the client address. */
  trustProxy?: number | string;
  maxBodyBytes: number;
  logger: Logger;
  /** The process's registry (shared with an in-process worker); a private one when absent. */
  metrics?: HookrelayMetrics;
  /** What the web console is told about Temporal (its UI link). */
  console?: Partial<ConsoleOptions>;
  /** Per-key request limit; none when absent. */
  rateLimit?: ApiRateLimit;
  /** Where the portal's one-time links point (PUBLIC_URL). */
  portal?: PortalSessionOptions;
}

export function createApp(ctx: ServiceContext, options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);
  const metrics = options.metrics ?? new HookrelayMetrics();
  metrics.collectBacklogFrom(ctx.db);
  // Publishing through the API counts into this process's registry (filtered-out events).
  const services: ServiceContext = { ...ctx, metrics: ctx.metrics ?? metrics };
  app.use(requestObservability({ logger: options.logger, metrics }));
  // In the order of the routes: the document lists paths as they are registered.
  const openApiDocument = buildOpenApiDocument([
    registerAppPaths,
    registerMetricsPaths,
    registerConsolePaths,
    registerPortalPaths,
    (paths) => registerTenantsPaths(paths, ctx.retentionDays),
    registerPortalSessionsPaths,
    registerEventTypesPaths,
    registerEndpointsPaths,
    registerEndpointStatsPaths,
    registerEndpointFilterPaths,
    registerEventsPaths,
    registerDeliveriesPaths,
    registerDeliveryControlPaths,
    registerReplaysPaths,
  ]);
  app.use(methodNotAllowed(openApiDocument));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });

  app.use(metricsRouter(metrics));
  app.use(consoleRouter({ namespace: 'default', ...options.console }));
  app.use(portalRouter(ctx, { maxBodyBytes: options.maxBodyBytes }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const checks = await Promise.all([
      check(() => sql`select 1`.execute(ctx.db)),
      check(() => ctx.temporal.connection.workflowService.getSystemInfo({})),
    ]);
    const [database, temporal] = checks;
    const ready = checks.every((c) => c === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks: { database, temporal } });
  });

  const jsonTypes = ['application/json', 'application/*+json'];
  app.use('/v1', express.json({ limit: options.maxBodyBytes, strict: true, type: jsonTypes }));
  app.use(
    '/v1',
    authenticate({ db: ctx.db, adminKeys: adminKeySet(options.adminKey, options.adminKeys), failureLimit: options.authFailureLimit }),
  );
  if (options.rateLimit) app.use('/v1', rateLimitPerKey(options.rateLimit));
  // express.json skips other content types silently; a body it skipped must not pass for "no body".
  app.use('/v1', (req, _res, next) => {
    const hasBody = req.get('transfer-encoding') !== undefined || Number(req.get('content-length') ?? 0) > 0;
    if (hasBody && !req.is(jsonTypes)) throw new UnsupportedMediaTypeError(req.get('content-type') ?? 'a body without content type');
    next();
  });
  app.use(tenantsRouter(services));
  app.use(portalSessionsRouter(services, options.portal ?? {}));
  app.use(eventTypesRouter(services));
  app.use(endpointsRouter(services));
  app.use(endpointStatsRouter(services));
  app.use(endpointFilterRouter(services));
  app.use(eventsRouter(services));
  app.use(deliveriesRouter(services));
  app.use(deliveryControlRouter(services));
  app.use(replaysRouter(services));

  app.use((req, res) => {
    sendProblem(res, problem(404, 'not-found', 'Not found', `No route for ${req.method} ${req.path}`));
  });
  app.use(problemErrorHandler(options.logger));
  return app;
}

async function check(probe: () => Promise<unknown>): Promise<'ok' | string> {
  try {
    await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), 2000))]);
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
}

/** The OpenAPI paths of the routes createApp defines itself. */
function registerAppPaths({ path, json }: ApiPaths): void {
  path({
    method: 'get',
    path: '/healthz',
    access: 'public',
    summary: 'Liveness',
    responses: { 200: json(healthResponse, 'The process is up') },
  });
  path({
    method: 'get',
    path: '/readyz',
    access: 'public',
    summary: 'Readiness: PostgreSQL and Temporal reachable',
    responses: { 200: json(healthResponse, 'Ready'), 503: json(healthResponse, 'A dependency is unreachable') },
  });
  path({
    method: 'get',
    path: '/openapi.json',
    access: 'public',
    summary: 'This document',
    responses: { 200: { description: 'The OpenAPI 3.1 document', content: { 'application/json': { schema: jsonObject } } } },
  });
}
