// The API key lifecycle: listing without the key, revoking at once on every API instance, expiry,
// lastUsedAt without a write per request, several admin keys, the scope that reads signing
// secrets, and failed authentications throttled before they cost a database lookup.
import { Kysely, PostgresDialect } from 'kysely';
import { Pool } from 'pg';
import pino from 'pino';
import { apiKeySummaryResponse } from '../../src/api/response-schemas';
import type { Database } from '../../src/db/schema';
import { parseConfig } from '../../src/config';
import { startApiServer, type RunningApi } from '../../src/runtime';
import { collectPages, createKey, createTenant, ensureEventType, expectProblem } from '../support/api';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

/** A second API instance on the same database, with its own pool and memory, as another process has. */
interface ExtraApi {
  url: string;
  /** Statements this instance sent that read or wrote api_keys. */
  apiKeyQueries: string[];
  request(path: string, options?: { key?: string; method?: string; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

async function startExtraApi(
  hookrelay: TestHookrelay,
  options: { failuresPerMinute?: number; trustProxy?: string; adminKeys?: string[] } = {},
): Promise<ExtraApi> {
  const apiKeyQueries: string[] = [];
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new Pool({ connectionString: hookrelay.config.DATABASE_URL, max: 4 }) }),
    log: (event) => {
      if (event.level === 'query' && event.query.sql.includes('"api_keys"')) apiKeyQueries.push(event.query.sql);
    },
  });
  const api: RunningApi = await startApiServer(
    { ...hookrelay.ctx, db },
    {
      port: 0,
      host: '127.0.0.1',
      adminKey: hookrelay.adminKey,
      adminKeys: options.adminKeys,
      maxBodyBytes: 1024 * 1024,
      logger: pino({ level: 'silent' }),
      ...(options.failuresPerMinute !== undefined && { authFailureLimit: { perMinute: options.failuresPerMinute } }),
      ...(options.trustProxy !== undefined && { trustProxy: options.trustProxy }),
    },
  );
  return {
    url: api.url,
    apiKeyQueries,
    request: (path, { key, method = 'GET', headers = {} } = {}) =>
      fetch(api.url + path, { method, headers: { ...(key !== undefined && { authorization: `Bearer ${key}` }), ...headers } }),
    async close() {
      await api.close(1000);
      await db.destroy();
    },
  };
}

async function issueKey(hookrelay: TestHookrelay, tenantId: string, body: Record<string, unknown>) {
  const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/api-keys`, { body });
  expect(res.status).toBe(201);
  return res.body as { id: string; key: string; expiresAt: string | null; createdAt: string };
}

const listKeys = async (hookrelay: TestHookrelay, tenantId: string) =>
  (await hookrelay.request('GET', `/v1/tenants/${tenantId}/api-keys?limit=250`)).body.data as Array<Record<string, any>>;

describe('API key lifecycle', () => {
  let hookrelay: TestHookrelay;
  let tenantId: string;

  beforeAll(async () => {
    hookrelay = await startTestHookrelay();
    tenantId = await createTenant(hookrelay, 'Keys');
  });
  afterAll(async () => {
    await hookrelay?.close();
  });

  describe('listing', () => {
    it("lists a tenant's keys newest first, page by page, with prefix and dates but never the key", async () => {
      const tenant = await createTenant(hookrelay, 'Listed');
      const issued = [];
      for (const name of ['ci', 'dashboard', 'billing'])
        issued.push(await issueKey(hookrelay, tenant, { name, scopes: ['endpoints:read'] }));
      const other = await createTenant(hookrelay, 'Other');
      await issueKey(hookrelay, other, { scopes: ['events:publish'] });

      const { ids, pages } = await collectPages(hookrelay, `/v1/tenants/${tenant}/api-keys`, { limit: 2 });
      expect(ids).toEqual(issued.map((k) => k.id).reverse());
      expect(pages).toBe(2);

      const res = await hookrelay.request('GET', `/v1/tenants/${tenant}/api-keys`);
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.body);
      for (const { key } of issued) {
        expect(text).not.toContain(key);
        expect(text).not.toContain(key.slice(10));
      }
      expect(text).not.toMatch(/hash/i);
      for (const item of res.body.data) apiKeySummaryResponse.parse(item);
      expect(res.body.data[0]).toEqual({
        id: issued[2]!.id,
        name: 'billing',
        prefix: issued[2]!.key.slice(0, 10),
        scopes: ['endpoints:read'],
        tenantId: tenant,
        createdAt: issued[2]!.createdAt,
        expiresAt: null,
        lastUsedAt: null,
        revokedAt: null,
      });
    });

    it('is for the admin only, answers 404 for an unknown tenant and 400 for a bad cursor or unknown parameter', async () => {
      const key = await createKey(hookrelay, tenantId, ['endpoints:read', 'endpoints:write', 'endpoints:secrets', 'events:publish']);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenantId}/api-keys`, { key }), 403);
      expectProblem(await hookrelay.request('GET', '/v1/tenants/ten_00000000000000000000000000/api-keys'), 404);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenantId}/api-keys?cursor=nope`), 400, ['query.cursor']);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenantId}/api-keys?all=true`), 400);
    });
  });

  describe('revoking', () => {
    it('refuses a revoked key at once on a second API instance that accepted it a moment before', async () => {
      const second = await startExtraApi(hookrelay);
      try {
        const { id, key } = await issueKey(hookrelay, tenantId, { name: 'leaked', scopes: ['endpoints:read'] });
        const path = `/v1/tenants/${tenantId}/endpoints`;
        // Warm the second instance with the key: several requests that it accepts.
        for (let i = 0; i < 3; i++) expect((await second.request(path, { key })).status).toBe(200);

        const revoked = await hookrelay.request('DELETE', `/v1/tenants/${tenantId}/api-keys/${id}`);
        expect(revoked.status).toBe(204);

        const refused = await second.request(path, { key });
        expect(refused.status).toBe(401);
        expect(await refused.json()).toMatchObject({ status: 401, detail: 'The API key has been revoked' });
        expectProblem(await hookrelay.request('GET', path, { key }), 401);

        const listed = (await listKeys(hookrelay, tenantId)).find((k) => k.id === id)!;
        expect(Date.parse(listed.revokedAt)).toBeGreaterThan(Date.now() - 60_000);
        // Revoking again changes nothing.
        expect((await hookrelay.request('DELETE', `/v1/tenants/${tenantId}/api-keys/${id}`)).status).toBe(204);
        expect((await listKeys(hookrelay, tenantId)).find((k) => k.id === id)!.revokedAt).toBe(listed.revokedAt);
      } finally {
        await second.close();
      }
    });

    it("answers 404 for an unknown key or another tenant's, 400 for a malformed id, 403 for a tenant key", async () => {
      const other = await createTenant(hookrelay, 'Neighbour');
      const { id: otherKeyId, key: otherKey } = await issueKey(hookrelay, other, { scopes: ['endpoints:read'] });
      expectProblem(await hookrelay.request('DELETE', `/v1/tenants/${tenantId}/api-keys/${otherKeyId}`), 404);
      expect((await hookrelay.request('GET', `/v1/tenants/${other}/endpoints`, { key: otherKey })).status).toBe(200);
      expectProblem(await hookrelay.request('DELETE', `/v1/tenants/${tenantId}/api-keys/key_00000000000000000000000000`), 404);
      expectProblem(await hookrelay.request('DELETE', `/v1/tenants/${tenantId}/api-keys/nope`), 400, ['params.id']);
      const own = await issueKey(hookrelay, tenantId, { scopes: ['endpoints:write'] });
      expectProblem(await hookrelay.request('DELETE', `/v1/tenants/${tenantId}/api-keys/${own.id}`, { key: own.key }), 403);
      expect((await hookrelay.request('GET', `/v1/tenants/${tenantId}`, { key: own.key })).status).toBe(200);
    });
  });

  describe('expiry', () => {
    it('accepts a key until expiresInSeconds have passed, then answers 401', async () => {
      const before = Date.now();
      const { id, key, expiresAt } = await issueKey(hookrelay, tenantId, { scopes: ['endpoints:read'], expiresInSeconds: 2 });
      expect(Date.parse(expiresAt!) - before).toBeGreaterThanOrEqual(1500);
      expect(Date.parse(expiresAt!) - before).toBeLessThan(5000);
      expect((await listKeys(hookrelay, tenantId)).find((k) => k.id === id)!.expiresAt).toBe(expiresAt);
      expect((await hookrelay.request('GET', `/v1/tenants/${tenantId}`, { key })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(expiresAt!) - Date.now()) + 300));
      const res = await hookrelay.request('GET', `/v1/tenants/${tenantId}`, { key });
      expectProblem(res, 401);
      expect(res.body.detail).toBe('The API key has expired');
    });

    it('takes an expiresAt in the future and refuses bad expiries with 400, creating nothing', async () => {
      const at = new Date(Date.now() + 3600_000).toISOString();
      expect((await issueKey(hookrelay, tenantId, { scopes: ['endpoints:read'], expiresAt: at })).expiresAt).toBe(at);
      const count = (await listKeys(hookrelay, tenantId)).length;
      const path = `/v1/tenants/${tenantId}/api-keys`;
      const past = new Date(Date.now() - 1000).toISOString();
      const tooFar = new Date(Date.now() + 11 * 365 * 24 * 3600_000).toISOString();
      for (const [body, field] of [
        [{ expiresAt: past }, 'body.expiresAt'],
        [{ expiresAt: tooFar }, 'body.expiresAt'],
        [{ expiresAt: 'tomorrow' }, 'body.expiresAt'],
        [{ expiresInSeconds: 0 }, 'body.expiresInSeconds'],
        [{ expiresInSeconds: 1.5 }, 'body.expiresInSeconds'],
        [{ expiresInSeconds: 400_000_000 }, 'body.expiresInSeconds'],
        [{ expiresAt: at, expiresInSeconds: 60 }, 'body.expiresInSeconds'],
      ] as const) {
        expectProblem(await hookrelay.request('POST', path, { body: { scopes: ['endpoints:read'], ...body } }), 400, [field]);
      }
      expect((await listKeys(hookrelay, tenantId)).length).toBe(count);
    });
  });

  describe('lastUsedAt', () => {
    it('moves when a key is used, without a write on every request', async () => {
      const counting = await startExtraApi(hookrelay);
      try {
        const { id, key } = await issueKey(hookrelay, tenantId, { scopes: ['endpoints:read'] });
        const lastUsed = async () => (await listKeys(hookrelay, tenantId)).find((k) => k.id === id)!.lastUsedAt as string | null;
        expect(await lastUsed()).toBeNull();

        const path = `/v1/tenants/${tenantId}/endpoints`;
        const before = Date.now();
        expect((await counting.request(path, { key })).status).toBe(200);
        const first = await lastUsed();
        expect(Date.parse(first!)).toBeGreaterThanOrEqual(before - 1000);

        const updatesBefore = counting.apiKeyQueries.filter((q) => q.startsWith('update')).length;
        for (let i = 0; i < 10; i++) expect((await counting.request(path, { key })).status).toBe(200);
        expect(counting.apiKeyQueries.filter((q) => q.startsWith('update')).length).toBe(updatesBefore);
        expect(await lastUsed()).toBe(first);

        // A minute later (aged in the database) the next use moves it again.
        await hookrelay.db
          .updateTable('api_keys')
          .set({ last_used_at: new Date(Date.now() - 120_000) })
          .where('id', '=', id)
          .execute();
        const aged = await lastUsed();
        expect((await counting.request(path, { key })).status).toBe(200);
        expect(Date.parse((await lastUsed())!)).toBeGreaterThan(Date.parse(aged!) + 60_000);
      } finally {
        await counting.close();
      }
    });
  });

  describe('admin keys', () => {
    it('accepts every configured admin key, so one can be rotated out without downtime', async () => {
      const [oldKey, newKey] = ['admin-old-0123456789abcdef', 'admin-new-0123456789abcdef'];
      const during = parseConfig({ HOOKRELAY_ADMIN_KEY: hookrelay.adminKey, HOOKRELAY_ADMIN_KEYS: `${oldKey}, ${newKey}` });
      const rotating = await startExtraApi(hookrelay, { adminKeys: during.HOOKRELAY_ADMIN_KEYS });
      try {
        for (const key of [hookrelay.adminKey, oldKey, newKey]) {
          const res = await rotating.request('/v1/tenants', { key });
          expect(res.status).toBe(200);
        }
        expect((await rotating.request('/v1/tenants', { key: 'admin-gone-0123456789abcdef' })).status).toBe(401);
      } finally {
        await rotating.close();
      }
      // After the rotation the old key is no longer configured: refused.
      const rotated = await startExtraApi(hookrelay, { adminKeys: parseConfig({ HOOKRELAY_ADMIN_KEYS: newKey }).HOOKRELAY_ADMIN_KEYS });
      try {
        expect((await rotated.request('/v1/tenants', { key: newKey })).status).toBe(200);
        expect((await rotated.request('/v1/tenants', { key: hookrelay.adminKey })).status).toBe(200);
        expect((await rotated.request('/v1/tenants', { key: oldKey })).status).toBe(401);
      } finally {
        await rotated.close();
      }
    });
  });

  describe('signing secret scope', () => {
    it('needs endpoints:secrets or endpoints:write: a read-only key gets 403', async () => {
      await ensureEventType(hookrelay, 'invoice.paid');
      const [readKey, secretsKey, writeKey] = await Promise.all([
        createKey(hookrelay, tenantId, ['endpoints:read']),
        createKey(hookrelay, tenantId, ['endpoints:secrets']),
        createKey(hookrelay, tenantId, ['endpoints:write']),
      ]);
      const created = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
        key: writeKey,
        body: { name: 'r', url: 'http://127.0.0.1:9/hook', eventTypes: ['invoice.paid'] },
      });
      expect(created.status).toBe(201);
      const path = `/v1/tenants/${tenantId}/endpoints/${created.body.id}/secret`;

      expectProblem(await hookrelay.request('GET', path, { key: readKey }), 403);
      expect((await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${created.body.id}`, { key: readKey })).status).toBe(200);
      const bySecrets = await hookrelay.request('GET', path, { key: secretsKey });
      expect(bySecrets.status).toBe(200);
      expect(bySecrets.body.secret).toMatch(/^whsec_/);
      expect((await hookrelay.request('GET', path, { key: writeKey })).body).toEqual(bySecrets.body);
      // Reading secrets is not changing anything: rotation needs endpoints:write.
      expectProblem(await hookrelay.request('POST', `${path}/rotate`, { key: secretsKey }), 403);
      expect((await hookrelay.request('POST', `${path}/rotate`, { key: writeKey })).status).toBe(200);
    });
  });

  describe('failed authentications', () => {
    it('refuses malformed keys with 401 without looking anything up', async () => {
      const api = await startExtraApi(hookrelay);
      try {
        const valid = await createKey(hookrelay, tenantId, ['endpoints:read']);
        for (const key of [
          'hr_short',
          valid.slice(0, -1),
          `${valid}x`,
          `xx_${valid.slice(3)}`,
          `${valid.slice(0, -1)}!`,
          `${valid.slice(0, -1)}é`,
          'hr_' + 'a'.repeat(500),
        ]) {
          const res = await api.request('/v1/event-types', { key });
          expect({ key, status: res.status }).toEqual({ key, status: 401 });
        }
        expect(api.apiKeyQueries).toEqual([]);
        expect((await api.request('/v1/event-types', { key: valid })).status).toBe(200);
        expect(api.apiKeyQueries.length).toBeGreaterThan(0);
      } finally {
        await api.close();
      }
    });

    it('answers 429 with Retry-After after too many failures from one address, before any lookup, leaving other addresses alone', async () => {
      // Behind a proxy on loopback: X-Forwarded-For names the client, so the test can be several clients.
      const api = await startExtraApi(hookrelay, { failuresPerMinute: 5, trustProxy: 'loopback' });
      try {
        const valid = await createKey(hookrelay, tenantId, ['endpoints:read']);
        const attacker = { 'x-forwarded-for': '198.51.100.7' };
        const neighbour = { 'x-forwarded-for': '198.51.100.8' };
        const garbage = (i: number) => `hr_${String(i).padStart(32, 'z')}`;

        for (let i = 0; i < 5; i++) expect((await api.request('/v1/event-types', { key: garbage(i), headers: attacker })).status).toBe(401);
        const lookups = api.apiKeyQueries.length;
        expect(lookups).toBe(5);

        for (let i = 5; i < 25; i++) {
          const res = await api.request('/v1/event-types', { key: garbage(i), headers: attacker });
          expect(res.status).toBe(429);
          const retryAfter = Number(res.headers.get('retry-after'));
          expect(retryAfter).toBeGreaterThanOrEqual(1);
          expect(retryAfter).toBeLessThanOrEqual(60);
          expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(await res.json()).toMatchObject({ status: 429, detail: expect.stringContaining('failed authentications') });
        }
        // Documented: while an address is throttled, its valid keys wait too (no lookup happens).
        expect((await api.request('/v1/event-types', { key: valid, headers: attacker })).status).toBe(429);
        expect(api.apiKeyQueries.length).toBe(lookups);

        // Another address is not affected, and valid keys never count as failures.
        for (let i = 0; i < 10; i++) expect((await api.request('/v1/event-types', { key: valid, headers: neighbour })).status).toBe(200);
        expect((await api.request('/v1/event-types', { key: hookrelay.adminKey, headers: neighbour })).status).toBe(200);
        expect((await api.request('/v1/event-types', { key: garbage(99), headers: neighbour })).status).toBe(401);
      } finally {
        await api.close();
      }
    });

    it('ignores X-Forwarded-For unless a proxy is trusted, so a client cannot dodge the throttle with it', async () => {
      const api = await startExtraApi(hookrelay, { failuresPerMinute: 3 });
      try {
        for (let i = 0; i < 3; i++) {
          const res = await api.request('/v1/event-types', {
            key: `hr_${String(i).padStart(32, 'q')}`,
            headers: { 'x-forwarded-for': `198.51.100.${i}` },
          });
          expect(res.status).toBe(401);
        }
        const res = await api.request('/v1/event-types', { key: 'hr_' + 'q'.repeat(32), headers: { 'x-forwarded-for': '198.51.100.200' } });
        expect(res.status).toBe(429);
      } finally {
        await api.close();
      }
    });
  });
});
