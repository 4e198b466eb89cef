// API key format, hashing and scopes. Keys are shown once; only their SHA-256 is stored.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PortalLimits } from './portal-sessions';

/**
 * - `endpoints:read`: endpoints (without secrets), events and the delivery log: a log viewer.
 * - `endpoints:secrets`: also the signing secrets (`GET …/endpoints/:id/secret`), e.g. for the
 *   receiving service that verifies signatures, without the right to change anything.
 * - `endpoints:write`: every change to endpoints and deliveries; it reads secrets too, because
 *   rotating answers with the new secret and a writer can point the endpoint anywhere anyway.
 * - `events:publish`: publishing, and reading events.
 * - `portal:sessions`: making, listing and revoking portal sessions (one-time links for the
 *   tenant's customers), e.g. for the SaaS backend that embeds the portal.
 */
export const apiKeyScopes = ['endpoints:read', 'endpoints:secrets', 'endpoints:write', 'events:publish', 'portal:sessions'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

/**
 * Who is calling: the deployment's admin, a tenant key, or a portal session's browser credential
 * (its scopes follow from the session's options; `keyId` is the session id, for rate limits and logs).
 */
export type Principal =
  | { kind: 'admin' }
  | { kind: 'tenant'; tenantId: string; keyId: string; scopes: ApiKeyScope[] }
  | { kind: 'portal'; tenantId: string; keyId: string; scopes: ApiKeyScope[]; limits: PortalLimits };

const KEY_PREFIX = 'hr_';
const KEY_RANDOM_BYTES = 24;
/** `hr_` and 24 random bytes in base64url (32 characters): the only shape a tenant key can have. */
const TENANT_KEY_PATTERN = /^hr_[A-Za-z0-9_-]{32}$/;
/** How much of a key is kept in clear to recognise it in lists (`hr_` and 7 characters). */
const DISPLAY_PREFIX_LENGTH = 10;

/** lastUsedAt is refreshed at most this often per key, so using a key costs no write per request. */
export const LAST_USED_RESOLUTION_SECONDS = 60;

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = `${KEY_PREFIX}${randomBytes(KEY_RANDOM_BYTES).toString('base64url')}`;
  return { key, prefix: key.slice(0, DISPLAY_PREFIX_LENGTH), hash: hashApiKey(key) };
}

/** True when the text could be a key this deployment issued; anything else is refused unseen. */
export function isWellFormedTenantKey(presented: string): boolean {
  return TENANT_KEY_PATTERN.test(presented);
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateAdminKey(): string {
  return `hr_admin_${randomBytes(24).toString('base64url')}`;
}

/**
 * Constant-time comparison of a presented key with each configured admin key. Every key is
 * compared (no early exit), so the time says nothing about which one, or how many, matched.
 */
export function isAdminKey(presented: string, adminKeys: readonly string[]): boolean {
  const a = Buffer.from(hashApiKey(presented), 'hex');
  let matched = false;
  for (const adminKey of adminKeys) {
    if (timingSafeEqual(a, Buffer.from(hashApiKey(adminKey), 'hex'))) matched = true;
  }
  return matched;
}

/** The admin keys of a deployment: the single key and the rotation list, without repeats. */
export function adminKeySet(single: string | undefined, list: readonly string[] | undefined): string[] {
  return [...new Set([...(single ? [single] : []), ...(list ?? [])])];
}

export const MAX_KEY_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

/** When a key asked to expire `expiresAt` or in `expiresInSeconds` does; null when it never does. */
export function keyExpiry(input: { expiresAt?: string; expiresInSeconds?: number }, now: Date): Date | null {
  if (input.expiresAt !== undefined) return new Date(input.expiresAt);
  if (input.expiresInSeconds !== undefined) return new Date(now.getTime() + input.expiresInSeconds * 1000);
  return null;
}
