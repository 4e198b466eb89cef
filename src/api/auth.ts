// Bearer-key authentication and the access rules of SPEC §3: a tenant key sees only its own
// tenant (anything else answers 404, as if it did not exist) and needs the route's scope.
// Failed authentications are counted per client address and throttled before they cost a hash
// and a database lookup; accepted keys are never cached, so a revoke holds at once everywhere.
import type { Request, RequestHandler } from 'express';
import type { Kysely } from 'kysely';
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import { findApiKeyByHash, touchApiKey } from '../db/api-keys.repository';
import type { Config } from '../config';
import type { Database } from '../db/schema';
import {
  hashApiKey,
  isAdminKey,
  isWellFormedTenantKey,
  LAST_USED_RESOLUTION_SECONDS,
  type ApiKeyScope,
  type Principal,
} from '../domain/api-keys';
import { clientThrottleKey } from '../domain/client-address';
import { findPortalSessionBySessionHash } from '../db/portal-sessions.repository';
import type { PortalSessionRow } from '../db/schema';
import { hashPortalToken, isWellFormedPortalToken, portalScopes } from '../domain/portal-sessions';
import { AuthThrottledError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../domain/errors';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export interface AuthFailureLimit {
  /** Failed authentications one client address may make per minute; 0 turns the throttle off. */
  perMinute: number;
}

export interface AuthenticateOptions {
  db: Kysely<Database>;
  /** Every admin key the deployment accepts (several while one is being rotated out). */
  adminKeys: readonly string[];
  failureLimit?: AuthFailureLimit;
}

const FAILURE_WINDOW_SECONDS = 60;

/** The app options (src/api/app.ts) on keys and clients that the configuration sets. */
export function apiAccessOptions(config: Config): {
  adminKeys: string[];
  authFailureLimit: AuthFailureLimit;
  trustProxy: number | string | undefined;
} {
  return {
    adminKeys: config.HOOKRELAY_ADMIN_KEYS,
    authFailureLimit: { perMinute: config.HOOKRELAY_AUTH_FAILURES_PER_MINUTE },
    trustProxy: config.HOOKRELAY_TRUST_PROXY,
  };
}

export function authenticate(options: AuthenticateOptions): RequestHandler {
  const failures =
    options.failureLimit && options.failureLimit.perMinute > 0
      ? new RateLimiterMemory({ keyPrefix: 'auth-failures', points: options.failureLimit.perMinute, duration: FAILURE_WINDOW_SECONDS })
      : undefined;
  // One refresh of last_used_at in flight per key in this process, however many requests arrive.
  const touching = new Map<string, Promise<void>>();

  const refuse = async (client: string, message: string): Promise<never> => {
    await failures?.penalty(client, 1);
    throw new UnauthenticatedError(message);
  };

  return async (req, _res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) throw new UnauthenticatedError('Send an API key as "Authorization: Bearer <key>"');
    const key = match[1];
    const client = clientThrottleKey(req.ip ?? req.socket.remoteAddress ?? 'unknown');

    if (failures) {
      const spent: RateLimiterRes | null = await failures.get(client);
      if (spent && spent.consumedPoints >= failures.points) {
        throw new AuthThrottledError(Math.max(1, Math.ceil(spent.msBeforeNext / 1000)));
      }
    }
    if (isAdminKey(key, options.adminKeys)) {
      req.principal = { kind: 'admin' };
      return next();
    }
    if (isWellFormedPortalToken('session', key)) {
      const session = await findPortalSessionBySessionHash(options.db, hashPortalToken(key));
      if (!session) return refuse(client, 'The portal session is not valid');
      if (session.revoked_at) return refuse(client, 'The portal session has been revoked');
      if (session.expired) return refuse(client, 'The portal session has expired');
      req.principal = portalPrincipal(session);
      return next();
    }
    if (!isWellFormedTenantKey(key)) return refuse(client, 'The API key is not valid');

    const row = await findApiKeyByHash(options.db, hashApiKey(key));
    if (!row?.tenant_id) return refuse(client, 'The API key is not valid');
    if (row.revoked_at) return refuse(client, 'The API key has been revoked');
    if (row.expired) return refuse(client, 'The API key has expired');

    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_SECONDS * 1000) {
      let touch = touching.get(row.id);
      if (!touch) {
        touch = touchApiKey(options.db, row.id, LAST_USED_RESOLUTION_SECONDS).finally(() => touching.delete(row.id));
        touching.set(row.id, touch);
      }
      await touch;
    }
    req.principal = { kind: 'tenant', tenantId: row.tenant_id, keyId: row.id, scopes: row.scopes as ApiKeyScope[] };
    next();
  };
}

/** A portal session's browser credential: its tenant, and scopes and limits from its options. */
function portalPrincipal(session: PortalSessionRow): Principal {
  const limits = { readOnly: session.read_only, endpointIds: session.endpoint_ids, eventTypes: session.event_types };
  return { kind: 'portal', tenantId: session.tenant_id, keyId: session.id, scopes: portalScopes(limits), limits };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw new UnauthenticatedError('Not authenticated');
  return req.principal;
}

export function requireAdmin(req: Request): void {
  if (principalOf(req).kind !== 'admin') throw new ForbiddenError('This operation needs the admin key');
}

/**
 * Admin, or a key of this tenant holding one of `scopes` (none given: any key of the tenant).
 * Other tenants get 404 before anything else is looked at, so they learn nothing.
 */
export function requireTenantAccess(req: Request, tenantId: string, ...scopes: ApiKeyScope[]): void {
  const principal = principalOf(req);
  if (principal.kind === 'admin') return;
  if (principal.tenantId !== tenantId) throw new NotFoundError('tenant', tenantId);
  if (scopes.length > 0 && !scopes.some((scope) => principal.scopes.includes(scope))) {
    throw new ForbiddenError(`This operation needs the ${scopes.join(' or ')} scope`);
  }
}

/**
 * Who may call a route, declared once per route: the handler checks it (requireAccess) and the
 * route's OpenAPI description says it (describeAccess).
 */
export type Access =
  | { kind: 'admin' }
  | { kind: 'any-key' }
  /** Only a portal session's browser credential (it asks about itself). */
  | { kind: 'portal-session' }
  /** Admin, or a key of the route's tenant holding one of `scopes` (none: any key of the tenant). */
  | { kind: 'tenant'; scopes: readonly ApiKeyScope[]; why?: string };

export const adminOnly: Access = { kind: 'admin' };
export const anyKey: Access = { kind: 'any-key' };
export const portalSessionOnly: Access = { kind: 'portal-session' };
export const anyTenantKey: Access = { kind: 'tenant', scopes: [] };
/** One of `scopes` on a key of the tenant; `why` explains a choice in the description. */
export const tenantScopes = (scopes: readonly ApiKeyScope[], why?: string): Access => ({ kind: 'tenant', scopes, why });

export function requireAccess(req: Request, access: Access, tenantId?: string): void {
  if (access.kind === 'admin') return requireAdmin(req);
  if (access.kind === 'any-key') return void principalOf(req);
  if (access.kind === 'portal-session') {
    if (principalOf(req).kind !== 'portal') throw new ForbiddenError('This operation needs a portal session credential');
    return;
  }
  if (tenantId === undefined) throw new Error('A tenant route must name its tenant');
  requireTenantAccess(req, tenantId, ...access.scopes);
}

/** The sentence the OpenAPI description starts with. */
export function describeAccess(access: Access): string {
  if (access.kind === 'admin') return 'Needs an admin key.';
  if (access.kind === 'any-key') return 'Needs any valid key.';
  if (access.kind === 'portal-session') return 'Needs a portal session credential (hrps_…), not an API key.';
  if (access.scopes.length === 0) return 'Needs an admin key or any key of this tenant.';
  return `Needs ${access.scopes.join(' or ')} (or an admin key)${access.why ? `: ${access.why}` : ''}.`;
}
