// Outbound POST of one webhook attempt over undici: no redirects, a hard timeout, at most
// 64 KiB of the response read, internal addresses refused at connect time (ssrf-guard.ts),
// and every failure classified into an error kind.
import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import { createGuardedConnector, SsrfBlockedError, type ResolveHost } from './ssrf-guard';

export { SsrfBlockedError } from './ssrf-guard';

export const MAX_RESPONSE_BODY_BYTES = 64 * 1024;

export type AttemptErrorKind = 'timeout' | 'dns' | 'connection' | 'tls' | 'ssrf_blocked' | 'too_large' | 'invalid_url' | 'unknown';

export type HttpAttemptResult =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string>;
      body: string;
      bodyTruncated: boolean;
      durationMs: number;
    }
  | { kind: 'error'; errorKind: AttemptErrorKind; message: string; durationMs: number };

export interface WebhookHttpClientOptions {
  /** Connection pool per origin; keep-alive makes repeat deliveries to one receiver cheap. */
  connectionsPerOrigin?: number;
  /** Reuse connections (default true); false opens one per attempt, only to measure what reuse buys. */
  keepAlive?: boolean;
  /**
   * Deliver to private, loopback and other internal addresses (HOOKRELAY_ALLOW_PRIVATE_NETWORKS).
   * Off unless asked: the guard is the safe default.
   */
  allowPrivateNetworks?: boolean;
  /** DNS resolution of endpoint host names; the system resolver unless a test injects one. */
  resolveHost?: ResolveHost;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /**
   * Aborts the attempt without an outcome (the activity's cancellation, e.g. on worker shutdown):
   * post() then throws instead of returning, so nothing is recorded and Temporal runs it again.
   */
  cancellation?: AbortSignal;
}

export class WebhookHttpClient {
  private readonly dispatcher: Dispatcher;
  private readonly keepAlive: boolean;

  constructor(options: WebhookHttpClientOptions = {}) {
    this.keepAlive = options.keepAlive ?? true;
    this.dispatcher = new Agent({
      connections: options.connectionsPerOrigin ?? 32,
      keepAliveTimeout: 30_000,
      connect: createGuardedConnector({ allowPrivateNetworks: options.allowPrivateNetworks ?? false, resolveHost: options.resolveHost }),
    });
  }

  async post(req: WebhookRequest): Promise<HttpAttemptResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = req.cancellation ? AbortSignal.any([timeout, req.cancellation]) : timeout;
    try {
      const response = await request(req.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        dispatcher: this.dispatcher,
        reset: !this.keepAlive,
        signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      const { text, truncated } = await readLimited(response.body, MAX_RESPONSE_BODY_BYTES);
      return {
        kind: 'response',
        status: response.statusCode,
        headers: flattenHeaders(response.headers),
        body: text,
        bodyTruncated: truncated,
        durationMs: elapsed(),
      };
    } catch (error) {
      if (req.cancellation?.aborted) throw req.cancellation.reason ?? error;
      return { kind: 'error', ...classifyError(error, signal), durationMs: elapsed() };
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

async function readLimited(body: Dispatcher.ResponseData['body'], limit: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size >= limit) {
      body.destroy();
      return { text: Buffer.concat(chunks).subarray(0, limit).toString('utf8'), truncated: true };
    }
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function classifyError(error: unknown, signal: AbortSignal): { errorKind: AttemptErrorKind; message: string } {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const cause = err.cause ?? err;
  const code = cause.code ?? err.code ?? '';
  const message = cause.message || err.message || String(error);
  if (cause instanceof SsrfBlockedError || err instanceof SsrfBlockedError) return { errorKind: 'ssrf_blocked', message };
  if (
    signal.aborted ||
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    err instanceof undiciErrors.ConnectTimeoutError ||
    code === 'ETIMEDOUT'
  ) {
    return { errorKind: 'timeout', message: `no complete response within the timeout (${message})` };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return { errorKind: 'dns', message };
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL') || /certificate|ssl|tls/i.test(message)) {
    return { errorKind: 'tls', message };
  }
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code)) {
    return { errorKind: 'connection', message };
  }
  if (err instanceof undiciErrors.InvalidArgumentError || code === 'ERR_INVALID_URL') return { errorKind: 'invalid_url', message };
  return { errorKind: 'unknown', message };
}
