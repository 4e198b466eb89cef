// Bearer-key authentication and the access rules of SPEC §3: a tenant key sees only its own
// tenant (anything else answers 404, as if it did not exist) and needs the route's scope.
import type { Request, RequestHandler } from 'express';
import type { Kysely } from 'kysely';
import { findActiveApiKeyByHash } from '../db/api-keys.repository';
import type { Database } from '../db/schema';
import { hashApiKey, isAdminKey, type ApiKeyScope, type Principal } from '../domain/api-keys';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../domain/errors';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function authenticate(options: { db: Kysely<Database>; adminKey: string | undefined }): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) throw new UnauthenticatedError('Send an API key as "Authorization: Bearer <key>"');
    const key = match[1];
    if (isAdminKey(key, options.adminKey)) {
      req.principal = { kind: 'admin' };
      return next();
    }
    const row = key.length <= 200 ? await findActiveApiKeyByHash(options.db, hashApiKey(key)) : undefined;
    if (!row?.tenant_id) throw new UnauthenticatedError('The API key is not valid');
    req.principal = { kind: 'tenant', tenantId: row.tenant_id, keyId: row.id, scopes: row.scopes as ApiKeyScope[] };
    next();
  };
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
