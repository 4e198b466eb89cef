// One attempt's HTTP request, assembled from what is stored once its sealed values are opened:
// the envelope body, the endpoint's custom and auth headers, our own headers and the signature.
// Pure: the attempt activity opens the secrets, calls this, and POSTs what it returns.
import { authHeaders, redactHeaders, sensitiveHeaderNames, type EndpointAuth } from './endpoint-auth';
import type { StoredHeaders } from './endpoint-headers';
import { envelopeBody, type EnvelopeEvent } from './envelope';
import { webhookHeaders } from './signature';

export interface AttemptRequestInput {
  event: EnvelopeEvent;
  /** The endpoint's custom headers as stored (secret ones sealed): they name the headers to redact. */
  storedCustomHeaders: StoredHeaders;
  /** The same headers, opened. */
  customHeaders: Record<string, string>;
  auth: EndpointAuth;
  /** Every signing secret in force (a rotation's grace period signs with the old one too). */
  signingSecrets: string[];
  userAgent: string;
  /** When the attempt is made: signed as webhook-timestamp. */
  timestamp: Date;
}

export interface AttemptRequest {
  body: string;
  headers: Record<string, string>;
  /** The headers as recorded and shown: credentials and secret custom headers redacted. */
  redactedHeaders: Record<string, string>;
}

/** Throws when the request cannot be signed (no signing secret). */
export function attemptRequest(input: AttemptRequestInput): AttemptRequest {
  const body = envelopeBody(input.event);
  const headers: Record<string, string> = {
    ...input.customHeaders,
    ...authHeaders(input.auth),
    'content-type': 'application/json',
    'user-agent': input.userAgent,
    ...webhookHeaders({ messageId: input.event.id, timestamp: input.timestamp, body, secrets: input.signingSecrets }),
  };
  return { body, headers, redactedHeaders: redactHeaders(headers, sensitiveHeaderNames(input.auth, input.storedCustomHeaders)) };
}
