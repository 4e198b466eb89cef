// Outbound POST of one webhook attempt over undici: no redirects, a hard timeout for the whole
// attempt (connect to last body byte, so a dripping body cannot hold it), at most 64 KiB of the
// response kept as bytes, internal addresses refused at connect time (ssrf-guard.ts), and every
// failure classified into an error kind (a TLS one with its reason). Each attempt reports where its
// time went (connection-timing.ts). The answer is untrusted: nothing in it can make post() throw.
import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import { declaredLength, storableHeaders, storableText } from '../domain/response-body';
import type { AttemptErrorKind } from '../domain/attempt-error-kinds';
import type { AttemptTiming } from '../domain/attempt-timing';
import { tlsFailureReason, type TlsFailureReason } from '../domain/tls-failure';
import { ConnectionProbe } from './connection-timing';
import { createGuardedConnector, SsrfBlockedError, type ResolveHost } from './ssrf-guard';

export { SsrfBlockedError } from './ssrf-guard';

export const MAX_RESPONSE_BODY_BYTES = 64 * 1024;
/** Response status line plus headers; more is `too_large` (undici's HeadersOverflowError). */
export const MAX_RESPONSE_HEADER_BYTES = 16 * 1024;

export type { AttemptErrorKind };

export interface ReceivedResponse {
  status: number;
  /** Storable in jsonb: one string per name, NUL replaced. */
  headers: Record<string, string>;
  /** At most MAX_RESPONSE_BODY_BYTES, as received. */
  body: Buffer;
  bodyTruncated: boolean;
  /** Bytes counted when read whole; when truncated, the declared content-length, else null (unknown). */
  bodyLength: number | null;
}

export type HttpAttemptResult =
  | ({ kind: 'response'; durationMs: number; timing: AttemptTiming } & ReceivedResponse)
  | {
      kind: 'error';
      errorKind: AttemptErrorKind;
      /** Set with errorKind `tls`: what the certificate check or handshake refused. */
      tlsFailureReason: TlsFailureReason | null;
      message: string;
      durationMs: number;
      timing: AttemptTiming;
      /** The answer had begun (status and headers arrived) when it failed: a reset or timeout mid-body. */
      partialResponse: ReceivedResponse | null;
    };

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
  /** PEM certificates trusted for https:// receivers besides Node's bundled roots (HOOKRELAY_EXTRA_CA_CERTS_FILE). */
  extraCaCertificates?: string;
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
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      connect: createGuardedConnector({
        allowPrivateNetworks: options.allowPrivateNetworks ?? false,
        resolveHost: options.resolveHost,
        extraCaCertificates: options.extraCaCertificates,
      }),
    });
  }

  async post(req: WebhookRequest): Promise<HttpAttemptResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const timeout = AbortSignal.timeout(req.timeoutMs);
    const signal = req.cancellation ? AbortSignal.any([timeout, req.cancellation]) : timeout;
    let partial: ReceivedResponse | null = null;
    let ttfbMs: number | null = null;
    const body = Buffer.from(req.body);
    const probe = new ConnectionProbe(body);
    const timing = (error: unknown): AttemptTiming => ({ ...probe.connection(error), ttfbMs, requestBodyBytes: body.length });
    try {
      const response = await request(req.url, {
        method: 'POST',
        headers: req.headers,
        body,
        dispatcher: this.dispatcher,
        reset: !this.keepAlive,
        signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      ttfbMs = elapsed();
      partial = {
        status: response.statusCode,
        headers: storableHeaders(response.headers),
        body: Buffer.alloc(0),
        bodyTruncated: false,
        bodyLength: null,
      };
      const received = partial;
      await readLimited(response.body, MAX_RESPONSE_BODY_BYTES, (body, truncated) => {
        received.body = body;
        received.bodyTruncated = truncated;
      });
      received.bodyLength = received.bodyTruncated ? declaredLength(response.headers['content-length']) : received.body.length;
      return { kind: 'response', ...received, durationMs: elapsed(), timing: timing(null) };
    } catch (error) {
      const durationMs = elapsed();
      const attemptTiming = timing(error);
      if (req.cancellation?.aborted) throw req.cancellation.reason ?? error;
      const { errorKind, message, tlsReason } = classifyError(error, signal);
      return {
        kind: 'error',
        errorKind,
        tlsFailureReason: tlsReason,
        message: storableText(message),
        durationMs,
        timing: attemptTiming,
        partialResponse: partial,
      };
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/** Reads at most `limit` bytes, reporting progress so a body that breaks off keeps what arrived. */
async function readLimited(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  progress: (body: Buffer, truncated: boolean) => void,
): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size > limit) {
      body.destroy();
      progress(Buffer.concat(chunks).subarray(0, limit), true);
      return;
    }
    progress(Buffer.concat(chunks), false);
  }
}

function classifyError(
  error: unknown,
  signal: AbortSignal,
): { errorKind: AttemptErrorKind; message: string; tlsReason: TlsFailureReason | null } {
  const err = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const cause = err.cause ?? err;
  const code = cause.code ?? err.code ?? '';
  const { errorKind, message } = errorKindOf(err, cause, code, signal);
  return { errorKind, message, tlsReason: errorKind === 'tls' ? tlsFailureReason(code) : null };
}

function errorKindOf(
  err: NodeJS.ErrnoException,
  cause: NodeJS.ErrnoException,
  code: string,
  signal: AbortSignal,
): { errorKind: AttemptErrorKind; message: string } {
  const message = cause.message || err.message || String(err);
  if (cause instanceof SsrfBlockedError || err instanceof SsrfBlockedError) return { errorKind: 'ssrf_blocked', message };
  if (err instanceof undiciErrors.HeadersOverflowError || code === 'UND_ERR_HEADERS_OVERFLOW') {
    return { errorKind: 'too_large', message: `the response's status line and headers exceed ${MAX_RESPONSE_HEADER_BYTES} bytes` };
  }
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
  if (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'UND_ERR_SOCKET',
      'UND_ERR_CLOSED',
      'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
    ].includes(code)
  ) {
    return { errorKind: 'connection', message };
  }
  if (err instanceof undiciErrors.HTTPParserError || code.startsWith('HPE_') || code === 'UND_ERR_INFO') {
    return { errorKind: 'invalid_response', message: `not a valid HTTP response (${message})` };
  }
  if (err instanceof undiciErrors.InvalidArgumentError || code === 'ERR_INVALID_URL') return { errorKind: 'invalid_url', message };
  return { errorKind: 'unknown', message };
}
