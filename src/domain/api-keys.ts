// API key format, hashing and scopes. Keys are shown once; only their SHA-256 is stored.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const apiKeyScopes = ['endpoints:read', 'endpoints:write', 'events:publish'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

export type Principal = { kind: 'admin' } | { kind: 'tenant'; tenantId: string; keyId: string; scopes: ApiKeyScope[] };

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = `hr_${randomBytes(24).toString('base64url')}`;
  return { key, prefix: key.slice(0, 10), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateAdminKey(): string {
  return `hr_admin_${randomBytes(24).toString('base64url')}`;
}

/** Constant-time comparison of a presented key with the configured admin key. */
export function isAdminKey(presented: string, adminKey: string | undefined): boolean {
  if (!adminKey) return false;
  const a = Buffer.from(hashApiKey(presented), 'hex');
  const b = Buffer.from(hashApiKey(adminKey), 'hex');
  return timingSafeEqual(a, b);
}
