// The scopes table (README "Keys and scopes") as a test over every /v1 route of the OpenAPI
// document: a key with none of a route's scopes gets 403, a key with one of them gets past the
// access check, the admin key passes everywhere, and each operation's description says what it needs.
import { apiKeyScopes, type ApiKeyScope } from '../../src/domain/api-keys';
import { createKey, createTenant } from '../support/api';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

type Access = 'admin' | 'any key of the tenant' | 'portal session' | ApiKeyScope[];

const SCOPES_TABLE: Record<string, Access> = {
  'POST /v1/tenants': 'admin',
  'GET /v1/tenants': 'admin',
  'GET /v1/tenants/{tenantId}': 'any key of the tenant',
  'PATCH /v1/tenants/{tenantId}': 'admin',
  'POST /v1/tenants/{tenantId}/api-keys': 'admin',
  'GET /v1/tenants/{tenantId}/api-keys': 'admin',
  'DELETE /v1/tenants/{tenantId}/api-keys/{id}': 'admin',
  'POST /v1/tenants/{tenantId}/portal-sessions': ['portal:sessions'],
  'GET /v1/tenants/{tenantId}/portal-sessions': ['portal:sessions'],
  'DELETE /v1/tenants/{tenantId}/portal-sessions/{id}': ['portal:sessions'],
  'GET /v1/portal-session': 'portal session',
  'POST /v1/event-types': 'admin',
  'GET /v1/event-types': 'any key of the tenant',
  'PATCH /v1/event-types/{name}': 'admin',
  'POST /v1/tenants/{tenantId}/endpoints': ['endpoints:write'],
  'GET /v1/tenants/{tenantId}/endpoints': ['endpoints:read'],
  'GET /v1/tenants/{tenantId}/endpoints/{id}': ['endpoints:read'],
  'PATCH /v1/tenants/{tenantId}/endpoints/{id}': ['endpoints:write'],
  'DELETE /v1/tenants/{tenantId}/endpoints/{id}': ['endpoints:write'],
  'GET /v1/tenants/{tenantId}/endpoints/{id}/secret': ['endpoints:secrets', 'endpoints:write'],
  'GET /v1/tenants/{tenantId}/endpoints/{id}/stats': ['endpoints:read'],
  'POST /v1/tenants/{tenantId}/endpoints/{id}/secret/rotate': ['endpoints:write'],
  'POST /v1/tenants/{tenantId}/endpoints/{id}/enable': ['endpoints:write'],
  'POST /v1/tenants/{tenantId}/endpoints/{id}/disable': ['endpoints:write'],
  'POST /v1/tenants/{tenantId}/endpoints/{id}/test': ['endpoints:write'],
  'POST /v1/tenants/{tenantId}/endpoints/{id}/recover': ['endpoints:write'],
  'POST /v1/tenants/{tenantId}/endpoints/{id}/filter/test': ['endpoints:read'],
  'POST /v1/tenants/{tenantId}/events': ['events:publish'],
  'POST /v1/tenants/{tenantId}/events/batch': ['events:publish'],
  'GET /v1/tenants/{tenantId}/events': ['endpoints:read', 'events:publish'],
  'GET /v1/tenants/{tenantId}/events/{id}': ['endpoints:read', 'events:publish'],
  'GET /v1/tenants/{tenantId}/deliveries': ['endpoints:read'],
  'GET /v1/tenants/{tenantId}/deliveries/{id}': ['endpoints:read'],
  'POST /v1/tenants/{tenantId}/deliveries/{id}/resend': ['endpoints:write'],
  'POST /v1/tenants/{tenantId}/deliveries/{id}/cancel': ['endpoints:write'],
  'POST /v1/tenants/{tenantId}/replays': ['endpoints:write'],
  'GET /v1/tenants/{tenantId}/replays': ['endpoints:read'],
  'GET /v1/tenants/{tenantId}/replays/{id}': ['endpoints:read'],
  'POST /v1/tenants/{tenantId}/replays/{id}/cancel': ['endpoints:write'],
};

/** A well-formed id of the kind the path names, that exists nowhere. */
function placeholderId(path: string): string {
  if (path.includes('/api-keys/')) return 'key_00000000000000000000000000';
  if (path.includes('/portal-sessions/')) return 'ps_00000000000000000000000000';
  if (path.includes('/endpoints/')) return 'ep_00000000000000000000000000';
  if (path.includes('/events/')) return 'evt_00000000000000000000000000';
  if (path.includes('/deliveries/')) return 'dlv_00000000000000000000000000';
  if (path.includes('/replays/')) return 'rpl_00000000000000000000000000';
  throw new Error(`no placeholder for ${path}`);
}

describe('scopes of every route', () => {
  let hookrelay: TestHookrelay;
  let tenantId: string;
  let keys: Record<ApiKeyScope, string>;
  let documented: Array<{ route: string; method: string; path: string; description: string }>;

  beforeAll(async () => {
    hookrelay = await startTestHookrelay();
    tenantId = await createTenant(hookrelay, 'Scoped');
    keys = Object.fromEntries(
      await Promise.all(apiKeyScopes.map(async (scope) => [scope, await createKey(hookrelay, tenantId, [scope])] as const)),
    ) as Record<ApiKeyScope, string>;
    const doc = (await hookrelay.request('GET', '/openapi.json', { key: null })).body;
    documented = Object.entries(doc.paths as Record<string, Record<string, { description?: string }>>)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, operations]) =>
        Object.entries(operations).map(([method, operation]) => ({
          route: `${method.toUpperCase()} ${path}`,
          method: method.toUpperCase(),
          path,
          description: operation.description ?? '',
        })),
      );
  });
  afterAll(async () => {
    await hookrelay?.close();
  });

  it('covers exactly the documented /v1 routes', () => {
    expect(documented.map((d) => d.route).sort()).toEqual(Object.keys(SCOPES_TABLE).sort());
  });

  it('says in each OpenAPI description what the route needs', () => {
    for (const { route, description } of documented) {
      const access = SCOPES_TABLE[route]!;
      if (access === 'admin')
        expect({ route, description }).toEqual({ route, description: expect.stringMatching(/^Needs an admin key\./) });
      else if (access === 'portal session')
        expect({ route, description }).toEqual({ route, description: expect.stringMatching(/^Needs a portal session credential/) });
      else if (access === 'any key of the tenant')
        expect({ route, description }).toEqual({ route, description: expect.stringMatching(/any (valid )?key/) });
      else for (const scope of access) expect({ route, description }).toEqual({ route, description: expect.stringContaining(scope) });
    }
  });

  it('refuses a key without the scope with 403, and lets a key with it and the admin key past the access check', async () => {
    const outcomes: string[] = [];
    for (const { route, method, path } of documented) {
      const url = path
        .replace('{tenantId}', tenantId)
        .replace('{name}', 'scope.checked')
        .replace('{id}', () => placeholderId(path));
      const send = (key: string) =>
        hookrelay.request(method, url, { key, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });
      const access = SCOPES_TABLE[route]!;

      const admin = await send(hookrelay.adminKey);
      // Only a portal session's credential asks about its own session (test/api/portal-access.test.ts).
      const adminAllowed = access !== 'portal session';
      expect({ route, admin: ![401, 403].includes(admin.status) }).toEqual({ route, admin: adminAllowed });
      for (const scope of apiKeyScopes) {
        const allowed = access === 'any key of the tenant' || (access !== 'admin' && access !== 'portal session' && access.includes(scope));
        const res = await send(keys[scope]);
        const passed = res.status !== 401 && res.status !== 403;
        expect({ route, scope, passed, status: passed ? 'past the check' : res.status }).toEqual({
          route,
          scope,
          passed: allowed,
          status: allowed ? 'past the check' : 403,
        });
        outcomes.push(`${route} ${scope} ${res.status}`);
      }
    }
    expect(outcomes.length).toBe(Object.keys(SCOPES_TABLE).length * apiKeyScopes.length);
  });
});
