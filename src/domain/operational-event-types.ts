// The event types hookrelay itself publishes. Receivers trust them to come from hookrelay (an
// `endpoint.disabled` may page someone), so no publisher may send them: only hookrelay's own
// paths (disable, test event) do, and they do not pass through these checks.
import { InvalidInputError } from './errors';

/** Raised when an endpoint is disabled (by a user, on 410 Gone, or after failing for days). */
export const ENDPOINT_DISABLED_EVENT_TYPE = 'endpoint.disabled';
/** The endpoint's "send test event" action; delivered even to a disabled endpoint (only ever targeted at one). */
export const TEST_EVENT_TYPE = 'webhook.test';

export const OPERATIONAL_EVENT_TYPES: readonly string[] = [ENDPOINT_DISABLED_EVENT_TYPE, TEST_EVENT_TYPE];

export function isOperationalEventType(type: string): boolean {
  return OPERATIONAL_EVENT_TYPES.includes(type);
}

/** Throws InvalidInputError (→ 400) for a publisher's event of an operational type. */
export function assertPublisherMayPublish(type: string, path = 'body.type'): void {
  if (isOperationalEventType(type)) {
    throw new InvalidInputError('Operational event type', [
      { path, message: `"${type}" is published by hookrelay itself and cannot be published through the API or the client` },
    ]);
  }
}
