// The one place errors become HTTP: RFC 9457 problem details (application/problem+json).
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  ConflictError,
  EndpointLimitReachedError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  SecretKeyUnavailableError,
  UnauthenticatedError,
} from '../domain/errors';

export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** A body route received something other than JSON. An HTTP concern, so it lives here. → 415 */
export class UnsupportedMediaTypeError extends Error {
  constructor(readonly contentType: string) {
    super(`Send the body as application/json, not ${contentType}`);
  }
}

const PROBLEM_BASE = 'https://hookrelay.dev/problems/';

export function problem(status: number, slug: string, title: string, detail?: string, extra: Partial<Problem> = {}): Problem {
  return { type: PROBLEM_BASE + slug, title, status, ...(detail !== undefined && { detail }), ...extra };
}

export function sendProblem(res: Response, body: Problem): void {
  res.status(body.status).type('application/problem+json').send(JSON.stringify(body));
}

export function zodFieldErrors(error: z.ZodError, prefix: string): FieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

/** Maps anything thrown by a route to a problem; unknown errors are 500 and logged. */
export function toProblem(error: unknown): Problem {
  if (error instanceof InvalidInputError) {
    return problem(400, 'invalid-request', 'Invalid request', error.message, error.errors.length ? { errors: error.errors } : {});
  }
  if (error instanceof UnauthenticatedError) return problem(401, 'unauthenticated', 'Unauthenticated', error.message);
  if (error instanceof ForbiddenError) return problem(403, 'forbidden', 'Forbidden', error.message);
  if (error instanceof NotFoundError) return problem(404, 'not-found', 'Not found', error.message);
  if (error instanceof EndpointLimitReachedError) {
    return problem(409, 'endpoint-limit-reached', 'Endpoint limit reached', error.message, { limit: error.limit });
  }
  if (error instanceof ConflictError) return problem(409, 'conflict', 'Conflict', error.message);
  if (error instanceof RateLimitedError) return problem(429, 'rate-limited', 'Too many requests', error.message);
  if (error instanceof UnsupportedMediaTypeError) return problem(415, 'unsupported-media-type', 'Unsupported media type', error.message);
  if (error instanceof SecretKeyUnavailableError) {
    // The key id is a name, not key material: safe to show, and what the operator needs to act.
    return problem(500, 'secret-key-unavailable', 'Secret sealed with an unavailable encryption key', error.message, {
      keyId: error.keyId,
    });
  }

  // body-parser's errors carry a status and a type.
  const httpError = error as { status?: number; type?: string; message?: string };
  if (httpError.type === 'entity.too.large')
    return problem(413, 'payload-too-large', 'Payload too large', 'The request body exceeds the configured limit');
  if (httpError.type === 'entity.parse.failed')
    return problem(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON');
  if (httpError.type === 'encoding.unsupported' || httpError.type === 'charset.unsupported') {
    return problem(415, 'unsupported-media-type', 'Unsupported media type', httpError.message);
  }
  if (typeof httpError.status === 'number' && httpError.status >= 400 && httpError.status < 500) {
    return problem(httpError.status, 'bad-request', 'Bad request', httpError.message);
  }
  if (isDependencyUnavailable(error)) {
    return problem(503, 'unavailable', 'Service unavailable', 'PostgreSQL or Temporal is unreachable; nothing was accepted, retry shortly');
  }
  return problem(500, 'internal', 'Internal server error');
}

// Connection-level failures of PostgreSQL (socket errors, SQLSTATE class 08, shutdown 57P0x) and
// Temporal (gRPC UNAVAILABLE): our outage, not the caller's mistake, so 503 and "retry".
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03']);
const GRPC_UNAVAILABLE = 14;

function isDependencyUnavailable(error: unknown): boolean {
  for (
    let current = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined, depth = 0;
    current && depth < 5;
    depth++
  ) {
    if (typeof current.code === 'string' && (UNAVAILABLE_CODES.has(current.code) || current.code.startsWith('08'))) return true;
    if (current.code === GRPC_UNAVAILABLE) return true;
    if (typeof current.message === 'string' && /Connection terminated|terminating connection/.test(current.message)) return true;
    current = current.cause as typeof current;
  }
  return false;
}

export function problemErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const body = toProblem(error);
    if (error instanceof SecretKeyUnavailableError) {
      logger.error({ keyId: error.keyId, reason: error.reason, method: req.method, path: req.path }, error.message);
    } else if (body.status >= 500) logger.error({ err: error, status: body.status, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) return;
    if (error instanceof RateLimitedError) res.set('retry-after', String(error.retryAfterSeconds));
    if (body.status === 503) res.set('retry-after', '1');
    sendProblem(res, body);
  };
}

/**
 * Requests Node's HTTP parser rejects before Express sees them (broken framing, NUL in a header,
 * headers over the size limit) get a problem too, instead of Node's bare "400 Bad Request".
 */
export function answerClientErrorsWithProblems(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const body =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? problem(431, 'headers-too-large', 'Request header fields too large', 'The request headers exceed the size limit')
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? problem(408, 'request-timeout', 'Request timeout', 'The request was not received in time')
          : problem(400, 'bad-request', 'Bad request', 'The request is not valid HTTP/1.1');
    const text = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${body.status} ${body.title}\r\ncontent-type: application/problem+json\r\n` +
        `content-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    );
  });
}
