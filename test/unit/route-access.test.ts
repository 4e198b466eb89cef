// A route's access is declared once (src/api/auth.ts): the handler checks it with requireAccess
// and the OpenAPI description starts with describeAccess's sentence. These pin both readings.
import type { Request } from 'express';
import { adminOnly, anyKey, anyTenantKey, describeAccess, portalSessionOnly, requireAccess, tenantScopes } from '../../src/api/auth';
import type { Principal } from '../../src/domain/api-keys';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../src/domain/errors';

const as = (principal?: Principal) => ({ principal }) as Request;
const admin = as({ kind: 'admin' });
const reader = as({ kind: 'tenant', tenantId: 't1', keyId: 'k1', scopes: ['endpoints:read'] });
const portal = as({
  kind: 'portal',
  tenantId: 't1',
  keyId: 'ps_1',
  scopes: ['endpoints:read'],
  limits: { readOnly: true, endpointIds: null, eventTypes: null },
});

describe('describeAccess', () => {
  it('states each kind of access as the OpenAPI descriptions do', () => {
    expect(describeAccess(adminOnly)).toBe('Needs an admin key.');
    expect(describeAccess(anyKey)).toBe('Needs any valid key.');
    expect(describeAccess(anyTenantKey)).toBe('Needs an admin key or any key of this tenant.');
    expect(describeAccess(tenantScopes(['endpoints:read', 'events:publish']))).toBe(
      'Needs endpoints:read or events:publish (or an admin key).',
    );
    expect(describeAccess(tenantScopes(['endpoints:secrets'], 'because'))).toBe('Needs endpoints:secrets (or an admin key): because.');
  });
});

describe('requireAccess', () => {
  it('lets the admin key through everything', () => {
    for (const access of [adminOnly, anyKey, anyTenantKey, tenantScopes(['endpoints:write'])]) {
      expect(() => requireAccess(admin, access, 't1')).not.toThrow();
    }
  });

  it('holds a tenant key to its tenant and to one of the scopes', () => {
    expect(() => requireAccess(reader, adminOnly)).toThrow(ForbiddenError);
    expect(() => requireAccess(reader, anyKey)).not.toThrow();
    expect(() => requireAccess(reader, anyTenantKey, 't1')).not.toThrow();
    expect(() => requireAccess(reader, tenantScopes(['endpoints:read', 'events:publish']), 't1')).not.toThrow();
    expect(() => requireAccess(reader, tenantScopes(['endpoints:write']), 't1')).toThrow(ForbiddenError);
    expect(() => requireAccess(reader, tenantScopes(['endpoints:read']), 't2')).toThrow(NotFoundError);
  });

  it('holds a portal session to its tenant and scopes, and keeps its own route to it', () => {
    expect(() => requireAccess(portal, adminOnly)).toThrow(ForbiddenError);
    expect(() => requireAccess(portal, tenantScopes(['endpoints:read']), 't1')).not.toThrow();
    expect(() => requireAccess(portal, tenantScopes(['endpoints:write']), 't1')).toThrow(ForbiddenError);
    expect(() => requireAccess(portal, tenantScopes(['endpoints:read']), 't2')).toThrow(NotFoundError);
    expect(() => requireAccess(portal, portalSessionOnly)).not.toThrow();
    expect(() => requireAccess(reader, portalSessionOnly)).toThrow(ForbiddenError);
    expect(() => requireAccess(admin, portalSessionOnly)).toThrow(ForbiddenError);
    expect(describeAccess(portalSessionOnly)).toBe('Needs a portal session credential (hrps_…), not an API key.');
  });

  it('refuses a request nobody authenticated', () => {
    expect(() => requireAccess(as(), anyKey)).toThrow(UnauthenticatedError);
  });
});
