// The signed request a half-open probe sends to an endpoint's healthCheckUrl instead of spending a
// real delivery: a POST with a small JSON body, the endpoint's auth and custom headers, signed the
// Standard Webhooks way like any delivery (webhook-id, webhook-timestamp, webhook-signature). Pure.
import { authHeaders, type EndpointAuth } from './endpoint-auth';
import { webhookHeaders } from './signature';

export const HEALTH_CHECK_TYPE = 'hookrelay.health_check';

export interface HealthCheckRequestInput {
  /** webhook-id of this check (hc_…); never an event id. */
  checkId: string;
  endpointId: string;
  customHeaders: Record<string, string>;
  auth: EndpointAuth;
  signingSecrets: string[];
  userAgent: string;
  timestamp: Date;
}

/** Throws when the request cannot be signed (no signing secret). */
export function healthCheckRequest(input: HealthCheckRequestInput): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({ type: HEALTH_CHECK_TYPE, endpointId: input.endpointId, timestamp: input.timestamp.toISOString() });
  const headers: Record<string, string> = {
    ...input.customHeaders,
    ...authHeaders(input.auth),
    'content-type': 'application/json',
    'user-agent': input.userAgent,
    ...webhookHeaders({ messageId: input.checkId, timestamp: input.timestamp, body, secrets: input.signingSecrets }),
  };
  return { body, headers };
}
