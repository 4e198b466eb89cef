// Portal sessions, the pure part: token shapes and hashing, the expiry bounds, what a session's
// options let its credential see and do, and the frame-ancestors policy of its origins.
import { createHash, randomBytes } from 'node:crypto';
import { TEST_EVENT_TYPE } from './operational-event-types';

export const PORTAL_EXPIRY_SECONDS = { min: 5 * 60, max: 7 * 24 * 3600, default: 3600 } as const;

/**
 * How long a session that has ended (expired or revoked; a link never used ends at its expiry)
 * stays listed, and its link still answers "expired" or "used" rather than "unknown", before the
 * retention run deletes it.
 */
export const PORTAL_SESSION_GRACE_DAYS = 7;

/** The one-time link's token (in the link's fragment) and the browser's session credential. */
const TOKEN_PREFIX = { link: 'hrpl_', session: 'hrps_' } as const;
const TOKEN_RANDOM_BYTES = 24;
const TOKEN_PATTERN = { link: /^hrpl_[A-Za-z0-9_-]{32}$/, session: /^hrps_[A-Za-z0-9_-]{32}$/ } as const;

export type PortalTokenKind = keyof typeof TOKEN_PREFIX;

export function generatePortalToken(kind: PortalTokenKind): { token: string; hash: string } {
  const token = `${TOKEN_PREFIX[kind]}${randomBytes(TOKEN_RANDOM_BYTES).toString('base64url')}`;
  return { token, hash: hashPortalToken(token) };
}

export function isWellFormedPortalToken(kind: PortalTokenKind, presented: string): boolean {
  return TOKEN_PATTERN[kind].test(presented);
}

export function hashPortalToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** What a session's options allow beyond its tenant: null limits mean "all of them". */
export interface PortalLimits {
  readOnly: boolean;
  endpointIds: readonly string[] | null;
  eventTypes: readonly string[] | null;
}

/**
 * The API scopes a portal credential holds. Read-only: the endpoints and their log, not the
 * signing secrets (reading a secret needs more than read-only access). Never events:publish nor
 * portal:sessions: a portal cannot publish nor make more links.
 */
export function portalScopes(limits: PortalLimits): Array<'endpoints:read' | 'endpoints:secrets' | 'endpoints:write'> {
  return limits.readOnly ? ['endpoints:read'] : ['endpoints:read', 'endpoints:secrets', 'endpoints:write'];
}

/** What a limited portal session's lists leave out (null: no limit of that kind). */
export type PortalView = Pick<PortalLimits, 'endpointIds' | 'eventTypes'>;

/** The event types a limited session sees in logs: its own and the test event. */
export function portalLogEventTypes(view: PortalView): string[] | null {
  return view.eventTypes === null ? null : [...view.eventTypes, TEST_EVENT_TYPE];
}

/** The session may subscribe an endpoint to these types: all within its event-type limit ("*" is not). */
export function portalMaySubscribe(limits: PortalLimits, eventTypes: readonly string[]): boolean {
  return limits.eventTypes === null || eventTypes.every((type) => type !== '*' && limits.eventTypes!.includes(type));
}

/** A new endpoint would not be among a fixed set of endpoints. */
export function portalMayCreateEndpoints(limits: PortalLimits): boolean {
  return !limits.readOnly && limits.endpointIds === null;
}

/**
 * An origin as a host page's address bar has it (scheme, host, port; nothing else), or null when
 * the text is not one: no path, query, fragment, credentials or wildcards.
 */
export function normalizeOrigin(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) return null;
  if (text.includes('*') || text.replace(/\/$/, '') !== url.origin) return null;
  return url.origin;
}

/**
 * The portal page's policy: scripts, styles, images (and data: logos) and API calls from this
 * origin only; framed only by the session's origins ('none' when it has none).
 */
export function portalContentSecurityPolicy(allowedOrigins: readonly string[]): string {
  const ancestors = allowedOrigins.length ? allowedOrigins.join(' ') : "'none'";
  return `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors ${ancestors}`;
}

export type PortalSessionStatus = 'unused' | 'active' | 'expired' | 'revoked';

export function portalSessionStatus(state: { revoked: boolean; expired: boolean; exchanged: boolean }): PortalSessionStatus {
  if (state.revoked) return 'revoked';
  if (state.expired) return 'expired';
  return state.exchanged ? 'active' : 'unused';
}
