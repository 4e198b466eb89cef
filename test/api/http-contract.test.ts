// What every route shares: key authentication, problem details for malformed, oversized and
// non-JSON bodies, tenants, health checks, and the OpenAPI document matching the real routes.
import { request as httpRequest } from 'node:http';
import type { Express } from 'express';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { apiKeyResponse, tenantResponse } from '../../src/api/response-schemas';
import { validateOpenApi } from '../support/openapi-validator';
import { collectPages, createKey, createTenant, expectProblem } from '../support/api';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

describe('HTTP contract', () => {
  let hookrelay: TestHookrelay;

  beforeAll(async () => {
    hookrelay = await startTestHookrelay({ HOOKRELAY_MAX_BODY_BYTES: '4096' });
  });
  afterAll(async () => {
    await hookrelay?.close();
  });

  describe('bodies', () => {
    it('answers 413 problem for a body over the configured limit', async () => {
      const res = await hookrelay.request('POST', '/v1/tenants', { body: { name: 'x', metadata: { blob: 'a'.repeat(5000) } } });
      expectProblem(res, 413);
    });

    it('answers 400 problem for malformed JSON', async () => {
      expectProblem(await hookrelay.request('POST', '/v1/tenants', { body: '{"name": "x",' }), 400);
      expectProblem(await hookrelay.request('POST', '/v1/tenants', { body: '"just a string"' }), 400);
    });

    it('answers 415 problem for a body that is not JSON', async () => {
      const res = await hookrelay.request('POST', '/v1/tenants', {
        body: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expectProblem(res, 415);
      expectProblem(
        await hookrelay.request('POST', '/v1/tenants', { body: '{"name":"x"}', headers: { 'content-type': 'text/plain' } }),
        415,
      );
    });

    it('accepts application/*+json and answers 400 with field errors for a missing body', async () => {
      const ok = await hookrelay.request('POST', '/v1/tenants', {
        body: { name: 'Plus' },
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      expect(ok.status).toBe(201);
      expectProblem(await hookrelay.request('POST', '/v1/tenants'), 400, ['body']);
      expectProblem(await hookrelay.request('POST', '/v1/tenants', { body: { name: '' } }), 400, ['body.name']);
    });
  });

  describe('authentication', () => {
    it('answers 401 problem without a key, with a malformed header and with an unknown key', async () => {
      expectProblem(await hookrelay.request('GET', '/v1/event-types', { key: null }), 401);
      expectProblem(await hookrelay.request('GET', '/v1/event-types', { key: null, headers: { authorization: 'Basic dTpw' } }), 401);
      expectProblem(await hookrelay.request('GET', '/v1/event-types', { key: 'hr_unknown' }), 401);
      expectProblem(await hookrelay.request('GET', '/v1/event-types', { key: 'x'.repeat(500) }), 401);
    });

    it('answers 401 problem on every documented /v1 route without a key', async () => {
      const doc = await hookrelay.request('GET', '/openapi.json', { key: null });
      const placeholders: Record<string, string> = {
        tenantId: 'ten_00000000000000000000000000',
        id: 'ep_00000000000000000000000000',
        name: 'invoice.activated',
      };
      const checked: string[] = [];
      for (const [path, operations] of Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)) {
        if (!path.startsWith('/v1/')) continue;
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => placeholders[name]!);
        for (const method of Object.keys(operations)) {
          const res = await hookrelay.request(method.toUpperCase(), url, {
            key: null,
            ...(method === 'get' || method === 'delete' ? {} : { body: {} }),
          });
          expect({ route: `${method} ${path}`, status: res.status }).toEqual({ route: `${method} ${path}`, status: 401 });
          checked.push(`${method} ${path}`);
        }
      }
      expect(checked.length).toBeGreaterThanOrEqual(19);
    });

    it('answers 404 problem for an unknown route', async () => {
      expectProblem(await hookrelay.request('GET', '/v1/nothing-here'), 404);
    });
  });

  describe('tenants', () => {
    it('creates, gets and lists tenants; a tenant key sees only its own', async () => {
      const a = await createTenant(hookrelay, 'Tenant A');
      const b = await createTenant(hookrelay, 'Tenant B');
      const keyA = await createKey(hookrelay, a, ['endpoints:read']);
      const own = await hookrelay.request('GET', `/v1/tenants/${a}`, { key: keyA });
      expect(own.status).toBe(200);
      expect(tenantResponse.parse(own.body)).toMatchObject({ id: a, name: 'Tenant A' });
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${b}`, { key: keyA }), 404);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/ten_00000000000000000000000000`), 404);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${a}?expand=keys`), 400);
      expectProblem(await hookrelay.request('GET', `/v1/tenants`, { key: keyA }), 403);
      expectProblem(await hookrelay.request('POST', `/v1/tenants`, { key: keyA, body: { name: 'x' } }), 403);
      expectProblem(await hookrelay.request('POST', `/v1/tenants/${a}/api-keys`, { key: keyA, body: { scopes: ['endpoints:read'] } }), 403);
      expectProblem(await hookrelay.request('POST', `/v1/tenants/${a}/api-keys`, { body: { scopes: ['everything'] } }), 400, [
        'body.scopes.0',
      ]);
      expectProblem(
        await hookrelay.request('POST', `/v1/tenants/ten_00000000000000000000000000/api-keys`, { body: { scopes: ['endpoints:read'] } }),
        404,
      );
      expectProblem(await hookrelay.request('POST', '/v1/tenants', { body: { name: 'x', plan: 'gold' } }), 400);
      expectProblem(
        await hookrelay.request('POST', `/v1/tenants/${a}/api-keys`, { body: { scopes: ['endpoints:read'], admin: true } }),
        400,
      );
      expectProblem(await hookrelay.request('POST', `/v1/tenants/${a}/api-keys`, { body: { scopes: [] } }), 400, ['body.scopes']);
      const issued = await hookrelay.request('POST', `/v1/tenants/${a}/api-keys`, { body: { name: 'ci', scopes: ['events:publish'] } });
      expect(apiKeyResponse.parse(issued.body)).toMatchObject({
        name: 'ci',
        scopes: ['events:publish'],
        tenantId: a,
        key: expect.stringMatching(/^hr_/),
      });
      const stored = await hookrelay.db
        .selectFrom('api_keys')
        .select('key_hash')
        .where('id', '=', issued.body.id)
        .executeTakeFirstOrThrow();
      expect(stored.key_hash).not.toContain(issued.body.key);

      const created: string[] = [a, b];
      for (let i = 0; i < 5; i++) created.push(await createTenant(hookrelay, `T${i}`));
      const { ids } = await collectPages(hookrelay, '/v1/tenants', { limit: 2 });
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.filter((id) => created.includes(id))).toEqual([...created].reverse());
      expectProblem(await hookrelay.request('GET', '/v1/tenants?cursor=nope'), 400, ['query.cursor']);
    });
  });

  describe('health', () => {
    it('answers /healthz and /readyz without a key', async () => {
      const health = await hookrelay.request('GET', '/healthz', { key: null });
      expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
      const ready = await hookrelay.request('GET', '/readyz', { key: null });
      expect(ready).toMatchObject({ status: 200, body: { status: 'ok', checks: { database: 'ok', temporal: 'ok' } } });
    });
  });

  describe('OpenAPI document', () => {
    it('is a valid OpenAPI 3.1 document', async () => {
      const res = await hookrelay.request('GET', '/openapi.json', { key: null });
      expect(res.status).toBe(200);
      expect(res.body.openapi).toMatch(/^3\.1\./);
      const result = await validateOpenApi(res.body);
      expect(result).toEqual({ valid: true, version: expect.stringMatching(/^3\.1/), errors: null });
    });

    it('lists exactly the routes the app serves', async () => {
      const res = await hookrelay.request('GET', '/openapi.json', { key: null });
      const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>)
        .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      const app = createApp(hookrelay.ctx, { adminKey: 'unused-admin-key-0000', maxBodyBytes: 1024, logger: pino({ level: 'silent' }) });
      expect(documented).toEqual(expressRoutes(app).sort());
    });

    it('answers a method a documented path does not take with 405 and Allow, before authentication', async () => {
      const trace = await rawRequest(hookrelay.apiUrl, 'TRACE', '/v1/tenants');
      expect(trace.status).toBe(405);
      expect(trace.headers.allow).toBe('GET, HEAD, POST');
      expect(trace.headers['content-type']).toMatch(/^application\/problem\+json/);
      const put = await rawRequest(
        hookrelay.apiUrl,
        'PUT',
        '/v1/tenants/ten_00000000000000000000000000/endpoints/ep_00000000000000000000000000',
      );
      expect(put.status).toBe(405);
      expect(put.headers.allow).toBe('GET, HEAD, PATCH, DELETE');
      expect((await rawRequest(hookrelay.apiUrl, 'DELETE', '/healthz')).headers.allow).toBe('GET, HEAD');
      // A concrete path wins over a templated one that also matches (…/events/batch, not …/events/{id}).
      const batch = await rawRequest(hookrelay.apiUrl, 'GET', '/v1/tenants/ten_00000000000000000000000000/events/batch');
      expect(batch.status).toBe(405);
      expect(batch.headers.allow).toBe('POST');
      // Paths the document does not have stay 404, and documented methods go on to their routes.
      expect((await rawRequest(hookrelay.apiUrl, 'TRACE', '/nothing-here')).status).toBe(404);
      expect((await rawRequest(hookrelay.apiUrl, 'GET', '/v1/tenants')).status).toBe(401);
    });

    it('declares every answer any route may give, and the rules of storable text', async () => {
      const res = await hookrelay.request('GET', '/openapi.json', { key: null });
      const listTenants = res.body.paths['/v1/tenants'].get;
      expect(Object.keys(listTenants.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '413', '415', '429', '431', '503']));
      expect(listTenants.responses['503'].headers['Retry-After']).toBeDefined();
      expect(listTenants.responses['429'].headers['Retry-After']).toBeDefined();
      expect(Object.keys(res.body.paths['/healthz'].get.responses)).toEqual(['200', '431']);
      const cursor = listTenants.parameters.find((p: { name: string }) => p.name === 'cursor').schema;
      const issued = (await hookrelay.request('GET', '/v1/tenants?limit=1')).body.nextCursor as string;
      expect(issued).toMatch(new RegExp(cursor.pattern));
      expect('0').not.toMatch(new RegExp(cursor.pattern));
      const createTenantSchema = res.body.paths['/v1/tenants'].post.requestBody.content['application/json'].schema;
      expect(createTenantSchema.properties.name.pattern).toBe('^[^\\u0000]*$');
      expect(createTenantSchema.properties.metadata.additionalProperties).toEqual({ $ref: '#/components/schemas/StorableJson' });
      expect(res.body.components.schemas.StorableJson.anyOf).toHaveLength(6);
    });

    it('describes request validation the way the server applies it', async () => {
      const res = await hookrelay.request('GET', '/openapi.json', { key: null });
      const createEndpoint = res.body.paths['/v1/tenants/{tenantId}/endpoints'].post;
      const schema = createEndpoint.requestBody.content['application/json'].schema;
      expect(schema.additionalProperties).toBe(false);
      expect(schema.required).toEqual(expect.arrayContaining(['name', 'url', 'eventTypes']));
      // A retry policy's repeat fields, on each strategy, in the request and in the Endpoint answer.
      const endpointAnswer = createEndpoint.responses['201'].content['application/json'].schema;
      const answerSchema = endpointAnswer.$ref ? res.body.components.schemas[endpointAnswer.$ref.split('/').pop()] : endpointAnswer;
      for (const policy of [schema.properties.retryPolicy, answerSchema.properties.retryPolicy]) {
        const strategies = JSON.stringify(policy).match(/"repeatAfterSeconds":\{[^}]*"minimum":60,"maximum":604800/g);
        expect(strategies).toHaveLength(3);
        expect(JSON.stringify(policy).match(/"repeatCount":\{[^}]*"minimum":0,"maximum":10/g)).toHaveLength(3);
      }
      const listDeliveries = res.body.paths['/v1/tenants/{tenantId}/deliveries'].get;
      expect(listDeliveries.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort()).toEqual(
        [
          'path:tenantId',
          'query:cursor',
          'query:endpointId',
          'query:errorKind',
          'query:eventType',
          'query:limit',
          'query:resourceId',
          'query:since',
          'query:status',
          'query:statusClass',
          'query:until',
        ].sort(),
      );
    });
  });
});

/** A request fetch cannot make (it refuses TRACE). */
function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(baseUrl + path, { method }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** "METHOD /path/{param}" for every route registered on the app, nested routers included. */
function expressRoutes(app: Express): string[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const routes: string[] = [];
  const visit = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
        for (const [method, enabled] of Object.entries(layer.route.methods))
          if (enabled && method !== '_all') routes.push(`${method.toUpperCase()} ${path}`);
      } else if (layer.handle?.stack) {
        visit(layer.handle.stack);
      }
    }
  };
  visit((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return routes;
}
