// The endpoint routes: create, list, get, change, delete, and the signing secret with rotation.
import { endpointResponse, endpointSecretsResponse } from '../../src/api/response-schemas';
import { collectPages, createKey, createTenant, ensureEventType, expectProblem } from '../support/api';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

describe('endpoints API', () => {
  let hookrelay: TestHookrelay;
  let tenantA: string;
  let tenantB: string;
  let readKeyA: string;
  let writeKeyA: string;
  let publishKeyA: string;
  let writeKeyB: string;

  const base = () => `/v1/tenants/${tenantA}/endpoints`;
  const create = (body: Record<string, unknown> = {}, key?: string) =>
    hookrelay.request('POST', base(), {
      key,
      body: { name: 'billing', url: 'https://example.com/hook', eventTypes: ['invoice.activated'], ...body },
    });

  beforeAll(async () => {
    hookrelay = await startTestHookrelay();
    [tenantA, tenantB] = await Promise.all([createTenant(hookrelay, 'A'), createTenant(hookrelay, 'B')]);
    await ensureEventType(hookrelay, 'invoice.activated', { group: 'Invoice' });
    await ensureEventType(hookrelay, 'invoice.paid', { group: 'Invoice' });
    [readKeyA, writeKeyA, publishKeyA, writeKeyB] = await Promise.all([
      createKey(hookrelay, tenantA, ['endpoints:read']),
      createKey(hookrelay, tenantA, ['endpoints:read', 'endpoints:write']),
      createKey(hookrelay, tenantA, ['events:publish']),
      createKey(hookrelay, tenantB, ['endpoints:read', 'endpoints:write', 'events:publish']),
    ]);
  });
  afterAll(async () => {
    await hookrelay?.close();
  });

  describe('create', () => {
    it('creates a disabled endpoint with redacted auth and answers with the SPEC shape', async () => {
      const res = await create(
        { auth: { type: 'basic', username: 'u', password: 'hunter2' }, headers: { 'x-team': 'billing' } },
        writeKeyA,
      );
      expect(res.status).toBe(201);
      expect(endpointResponse.parse(res.body)).toMatchObject({
        tenantId: tenantA,
        enabled: false,
        auth: { type: 'basic', username: 'u', password: '[redacted]' },
        headers: { 'x-team': 'billing' },
      });
      expect(JSON.stringify(res.body)).not.toContain('hunter2');
    });

    it('needs endpoints:write (403), a key (401), and hides other tenants (404)', async () => {
      expectProblem(await create({}, readKeyA), 403);
      expectProblem(await hookrelay.request('POST', base(), { key: null, body: {} }), 401);
      expectProblem(await hookrelay.request('POST', base(), { key: 'hr_not-a-real-key', body: {} }), 401);
      expectProblem(await create({}, writeKeyB), 404);
    });

    it('rejects unknown fields, bad URLs, unknown event types and reserved headers with field errors', async () => {
      expectProblem(await create({ colour: 'red' }, writeKeyA), 400);
      expectProblem(await create({ url: 'ftp://example.com' }, writeKeyA), 400, ['body.url']);
      expectProblem(await create({ eventTypes: ['no.such.type'] }, writeKeyA), 400, ['body.eventTypes']);
      expectProblem(await create({ headers: { 'webhook-id': 'x' } }, writeKeyA), 400, ['body.headers.webhook-id']);
      expectProblem(await create({ auth: { type: 'bearer', token: '[redacted]' } }, writeKeyA), 400, ['body.auth.token']);
      expectProblem(
        await hookrelay.request('POST', `${base()}?dryRun=true`, {
          key: writeKeyA,
          body: { name: 'x', url: 'https://example.com', eventTypes: ['*'] },
        }),
        400,
        ['query'],
      );
    });
  });

  describe('get and list', () => {
    it('gets one endpoint with a read key; other tenants and unknown ids get 404', async () => {
      const created = await create({}, writeKeyA);
      const res = await hookrelay.request('GET', `${base()}/${created.body.id}`, { key: readKeyA });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(created.body);
      expectProblem(await hookrelay.request('GET', `${base()}/${created.body.id}`, { key: publishKeyA }), 403);
      expectProblem(await hookrelay.request('GET', `${base()}/${created.body.id}`, { key: writeKeyB }), 404);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenantB}/endpoints/${created.body.id}`, { key: writeKeyB }), 404);
      expectProblem(await hookrelay.request('GET', `${base()}/ep_00000000000000000000000000`, { key: readKeyA }), 404);
      expectProblem(await hookrelay.request('GET', `${base()}/not-an-id`, { key: readKeyA }), 400, ['params.id']);
    });

    it('lists every endpoint once over several pages, newest first, while others are created', async () => {
      const tenant = await createTenant(hookrelay, 'Pages');
      const key = await createKey(hookrelay, tenant, ['endpoints:read', 'endpoints:write']);
      const make = (i: number) =>
        hookrelay.request('POST', `/v1/tenants/${tenant}/endpoints`, {
          key,
          body: { name: `e${i}`, url: 'https://example.com', eventTypes: ['*'] },
        });
      const existing: string[] = [];
      for (let i = 0; i < 23; i++) existing.push((await make(i)).body.id);

      const concurrent = (async () => {
        for (let i = 0; i < 10; i++) await make(100 + i);
      })();
      const { ids, pages } = await collectPages(hookrelay, `/v1/tenants/${tenant}/endpoints`, { key, limit: 4 });
      await concurrent;
      expect(pages).toBeGreaterThanOrEqual(6);
      expect(new Set(ids).size).toBe(ids.length);
      // Every endpoint that existed before the walk appears, in newest-first order.
      expect(ids.filter((id) => existing.includes(id))).toEqual([...existing].reverse());

      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenant}/endpoints?cursor=garbage`, { key }), 400, ['query.cursor']);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenant}/endpoints?limit=0`, { key }), 400, ['query.limit']);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenant}/endpoints?limit=251`, { key }), 400, ['query.limit']);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenant}/endpoints?enabled=true`, { key }), 400);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenant}/endpoints`, { key: readKeyA }), 404);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenant}/endpoints`, { key: null }), 401);
    });

    it('lists with a read key but not a publish key', async () => {
      const res = await hookrelay.request('GET', base(), { key: readKeyA });
      expect(res.status).toBe(200);
      for (const item of res.body.data) endpointResponse.parse(item);
      expectProblem(await hookrelay.request('GET', base(), { key: publishKeyA }), 403);
    });
  });

  describe('update', () => {
    it('changes every mutable field and re-validates the URL and subscriptions', async () => {
      const created = await create({ auth: { type: 'bearer', token: 'secret-token' } }, writeKeyA);
      const path = `${base()}/${created.body.id}`;
      const res = await hookrelay.request('PATCH', path, {
        key: writeKeyA,
        body: {
          name: 'renamed',
          url: 'https://example.org/new',
          description: 'new description',
          eventTypes: ['invoice.paid', 'invoice.paid'],
          auth: { type: 'header', name: 'x-api-key', value: 'k-123' },
          headers: { 'x-env': 'prod' },
          retryPolicy: { strategy: 'schedule', delaysSeconds: [60, 120] },
          timeoutMs: 5000,
          rateLimitPerSecond: 10,
          metadata: { owner: 'finance' },
        },
      });
      expect(res.status).toBe(200);
      expect(endpointResponse.parse(res.body)).toMatchObject({
        name: 'renamed',
        url: 'https://example.org/new',
        description: 'new description',
        eventTypes: ['invoice.paid'],
        auth: { type: 'header', name: 'x-api-key', value: '[redacted]' },
        headers: { 'x-env': 'prod' },
        retryPolicy: { strategy: 'schedule', delaysSeconds: [60, 120] },
        timeoutMs: 5000,
        rateLimitPerSecond: 10,
        metadata: { owner: 'finance' },
        enabled: false,
      });
      expect(JSON.stringify(res.body)).not.toContain('k-123');
      const opened = await hookrelay.request('GET', path, { key: readKeyA });
      expect(opened.body).toEqual(res.body);

      const cleared = await hookrelay.request('PATCH', path, {
        key: writeKeyA,
        body: { retryPolicy: null, timeoutMs: null, auth: { type: 'none' } },
      });
      expect(cleared.body).toMatchObject({ retryPolicy: null, timeoutMs: null, auth: { type: 'none' }, name: 'renamed' });

      expectProblem(await hookrelay.request('PATCH', path, { key: writeKeyA, body: { url: 'not a url' } }), 400, ['body.url']);
      expectProblem(await hookrelay.request('PATCH', path, { key: writeKeyA, body: { eventTypes: ['nope.nope'] } }), 400, [
        'body.eventTypes',
      ]);
      expectProblem(await hookrelay.request('PATCH', path, { key: writeKeyA, body: { enabled: true } }), 400);
      expectProblem(await hookrelay.request('PATCH', path, { key: writeKeyA, body: { secret: 'whsec_x' } }), 400);
      expectProblem(await hookrelay.request('PATCH', path, { key: writeKeyA, body: { timeoutMs: 'slow' } }), 400, ['body.timeoutMs']);
      expectProblem(await hookrelay.request('PATCH', path, { key: readKeyA, body: { name: 'x' } }), 403);
      expectProblem(await hookrelay.request('PATCH', path, { key: writeKeyB, body: { name: 'x' } }), 404);
      expectProblem(await hookrelay.request('PATCH', path, { key: null, body: { name: 'x' } }), 401);
    });

    it('stores a retry policy that repeats, and refuses repeats out of bounds with field errors, changing nothing', async () => {
      const created = await create({}, writeKeyA);
      const path = `${base()}/${created.body.id}`;
      const retryPolicy = {
        strategy: 'exponential',
        initialDelaySeconds: 5,
        multiplier: 2,
        maxDelaySeconds: 600,
        maxAttempts: 6,
        repeatCount: 3,
        repeatAfterSeconds: 3600,
      };
      const res = await hookrelay.request('PATCH', path, { key: writeKeyA, body: { retryPolicy } });
      expect(res.status).toBe(200);
      expect(endpointResponse.parse(res.body).retryPolicy).toEqual(retryPolicy);

      const refused = async (policy: object, field: string) => {
        const answer = await hookrelay.request('PATCH', path, { key: writeKeyA, body: { retryPolicy: policy } });
        expectProblem(answer, 400, [`body.retryPolicy.${field}`]);
      };
      const schedule = { strategy: 'schedule', delaysSeconds: [60] };
      await refused({ ...schedule, repeatCount: 2 }, 'repeatAfterSeconds');
      await refused({ ...schedule, repeatCount: 11, repeatAfterSeconds: 60 }, 'repeatCount');
      await refused({ ...schedule, repeatCount: 1, repeatAfterSeconds: 30 }, 'repeatAfterSeconds');
      await refused({ ...schedule, repeatCount: 10, repeatAfterSeconds: 7 * 24 * 3600 }, 'repeatCount'); // 70 days of pauses
      await refused(
        { strategy: 'linear', initialDelaySeconds: 1, intervalSeconds: 1, maxAttempts: 50, repeatCount: 4, repeatAfterSeconds: 60 },
        'repeatCount',
      );
      expect((await hookrelay.request('GET', path, { key: readKeyA })).body.retryPolicy).toEqual(retryPolicy);
    });

    it('refuses http URLs when the deployment allows only https', async () => {
      const strict = await startTestHookrelay({ HOOKRELAY_ALLOW_HTTP: 'false' });
      try {
        const tenant = await createTenant(strict);
        const created = await strict.request('POST', `/v1/tenants/${tenant}/endpoints`, {
          body: { name: 'x', url: 'https://example.com', eventTypes: ['*'] },
        });
        expect(created.status).toBe(201);
        const res = await strict.request('PATCH', `/v1/tenants/${tenant}/endpoints/${created.body.id}`, {
          body: { url: 'http://example.com' },
        });
        expectProblem(res, 400, ['body.url']);
      } finally {
        await strict.close();
      }
    });
  });

  describe('delete', () => {
    it('soft-deletes: 204, then 404 everywhere, the row kept disabled', async () => {
      const created = await create({ enabled: true }, writeKeyA);
      const path = `${base()}/${created.body.id}`;
      expectProblem(await hookrelay.request('DELETE', path, { key: readKeyA }), 403);
      expectProblem(await hookrelay.request('DELETE', path, { key: writeKeyB }), 404);
      expectProblem(await hookrelay.request('DELETE', path, { key: null }), 401);

      const res = await hookrelay.request('DELETE', path, { key: writeKeyA });
      expect(res.status).toBe(204);
      expect(res.body).toBeNull();

      expectProblem(await hookrelay.request('GET', path, { key: readKeyA }), 404);
      expectProblem(await hookrelay.request('PATCH', path, { key: writeKeyA, body: { name: 'x' } }), 404);
      expectProblem(await hookrelay.request('GET', `${path}/secret`, { key: writeKeyA }), 404);
      expectProblem(await hookrelay.request('POST', `${path}/secret/rotate`, { key: writeKeyA }), 404);
      expectProblem(await hookrelay.request('DELETE', path, { key: writeKeyA }), 404);
      const list = await hookrelay.request('GET', `${base()}?limit=250`, { key: readKeyA });
      expect(list.body.data.map((e: { id: string }) => e.id)).not.toContain(created.body.id);

      const row = await hookrelay.db
        .selectFrom('endpoints')
        .select(['enabled', 'deleted_at'])
        .where('id', '=', created.body.id)
        .executeTakeFirstOrThrow();
      expect(row.enabled).toBe(false);
      expect(row.deleted_at).toBeInstanceOf(Date);
    });
  });

  describe('signing secret', () => {
    it('shows the secret only on the secret route, and rotation keeps the previous one for the grace period', async () => {
      const given = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
      const created = await create({ secret: given }, writeKeyA);
      expect(JSON.stringify(created.body)).not.toContain('whsec_');
      const path = `${base()}/${created.body.id}/secret`;

      const before = await hookrelay.request('GET', path, { key: writeKeyA });
      expect(before.status).toBe(200);
      expect(before.body).toEqual({ secret: given, previousSecrets: [] });
      // A read-only key sees the endpoint but not its secret (endpoints:secrets or endpoints:write).
      expectProblem(await hookrelay.request('GET', path, { key: readKeyA }), 403);
      expectProblem(await hookrelay.request('GET', path, { key: publishKeyA }), 403);
      expectProblem(await hookrelay.request('GET', path, { key: writeKeyB }), 404);

      const started = Date.now();
      const rotated = await hookrelay.request('POST', `${path}/rotate`, { key: writeKeyA });
      expect(rotated.status).toBe(200);
      expect(endpointSecretsResponse.parse(rotated.body).secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(given);
      expect(rotated.body.previousSecrets).toEqual([{ secret: given, expiresAt: expect.any(String) }]);
      const expiresIn = Date.parse(rotated.body.previousSecrets[0].expiresAt) - started;
      expect(expiresIn).toBeGreaterThan(24 * 3600 * 1000 - 60_000);
      expect(expiresIn).toBeLessThan(24 * 3600 * 1000 + 60_000);
      expect(await hookrelay.request('GET', path, { key: writeKeyA })).toMatchObject({ body: rotated.body });

      const custom = await hookrelay.request('POST', `${path}/rotate`, { key: writeKeyA, body: { gracePeriodSeconds: 3600 } });
      expect(custom.body.previousSecrets).toHaveLength(2);
      expect(custom.body.previousSecrets[0].secret).toBe(rotated.body.secret);
      expect(Date.parse(custom.body.previousSecrets[0].expiresAt) - Date.now()).toBeLessThan(3600 * 1000 + 60_000);

      const immediate = await hookrelay.request('POST', `${path}/rotate`, { key: writeKeyA, body: { gracePeriodSeconds: 0 } });
      expect(immediate.body.previousSecrets.map((s: { secret: string }) => s.secret)).not.toContain(custom.body.secret);
    });

    it('validates the rotation body and needs endpoints:write', async () => {
      const created = await create({}, writeKeyA);
      const rotate = `${base()}/${created.body.id}/secret/rotate`;
      expectProblem(await hookrelay.request('POST', rotate, { key: writeKeyA, body: { gracePeriodSeconds: 7 * 24 * 3600 + 1 } }), 400, [
        'body.gracePeriodSeconds',
      ]);
      expectProblem(await hookrelay.request('POST', rotate, { key: writeKeyA, body: { gracePeriodSeconds: -1 } }), 400, [
        'body.gracePeriodSeconds',
      ]);
      expectProblem(await hookrelay.request('POST', rotate, { key: writeKeyA, body: { grace: 1 } }), 400);
      expectProblem(await hookrelay.request('POST', rotate, { key: readKeyA }), 403);
      expectProblem(await hookrelay.request('POST', rotate, { key: writeKeyB }), 404);
      expectProblem(await hookrelay.request('POST', rotate, { key: null }), 401);
    });

    it('concurrent rotations leave exactly one current secret', async () => {
      const created = await create({}, writeKeyA);
      const rotate = `${base()}/${created.body.id}/secret/rotate`;
      const results = await Promise.all(Array.from({ length: 5 }, () => hookrelay.request('POST', rotate, { key: writeKeyA })));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const current = await hookrelay.db
        .selectFrom('endpoint_secrets')
        .select('id')
        .where('endpoint_id', '=', created.body.id)
        .where('expires_at', 'is', null)
        .execute();
      expect(current).toHaveLength(1);
    });
  });
});
