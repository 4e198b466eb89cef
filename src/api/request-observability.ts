// Per-request observability: a request id (the caller's x-request-id when it is sane, else a
// new one, echoed back), one pino-http log line per request with the tenant and resource ids,
// and the Prometheus request metrics labelled by route pattern. Headers are never logged.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { HookrelayMetrics } from '../metrics/metrics';

const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
/** Polled endpoints stay out of the log (they still count in the metrics). */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** The caller's id when it is a plain token of reasonable length; anything else is replaced. */
export function requestIdFor(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && REQUEST_ID.test(given) ? given : randomUUID();
}

/** The Express route pattern (`/v1/tenants/:tenantId/endpoints`), never the raw path, so labels stay few. */
export function routeLabel(req: Request): string {
  if (req.route?.path) return `${req.baseUrl}${String(req.route.path)}`;
  if (req.path.startsWith('/console')) return '/console';
  return 'unmatched';
}

/** Ids a reader of the log filters on: the caller's tenant and the resources named in the path. */
function requestIds(req: Request): Record<string, string> {
  const ids: Record<string, string> = {};
  const tenantId =
    req.principal && req.principal.kind !== 'admin' ? req.principal.tenantId : /\/tenants\/(ten_[0-9a-z]+)/.exec(req.path)?.[1];
  if (tenantId) ids.tenantId = tenantId;
  for (const [key, prefix] of [
    ['deliveryId', 'dlv'],
    ['endpointId', 'ep'],
    ['eventId', 'evt'],
  ] as const) {
    const match = new RegExp(`/(${prefix}_[0-9a-z]{26})(?:/|$)`).exec(req.path);
    if (match?.[1]) ids[key] = match[1];
  }
  if (req.principal) ids.principal = req.principal.kind === 'admin' ? 'admin' : req.principal.keyId;
  return ids;
}

export function requestObservability(options: { logger: Logger; metrics: HookrelayMetrics }): RequestHandler[] {
  const assignId: RequestHandler = (req, res, next) => {
    const id = requestIdFor(req.headers['x-request-id']);
    (req as IncomingMessage & { id?: string }).id = id;
    res.setHeader('x-request-id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      options.metrics.httpRequestFinished({
        method: req.method,
        route: routeLabel(req),
        status: res.statusCode,
        durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    });
    next();
  };
  const log = pinoHttp({
    logger: options.logger.child({ component: 'api' }),
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? randomUUID(),
    // reqId on every line of the request (req.log too), not only inside req.
    quietReqLogger: true,
    autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.has((req.url ?? '').split('?')[0] ?? '') },
    customProps: (req: IncomingMessage) => requestIds(req as Request),
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    customSuccessMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${(req as Request).originalUrl} ${res.statusCode}`,
    customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${(req as Request).originalUrl} ${res.statusCode}`,
    serializers: {
      // Method and path only: no headers (authorization, cookies), no bodies.
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    wrapSerializers: false,
  });
  return [assignId, log];
}
