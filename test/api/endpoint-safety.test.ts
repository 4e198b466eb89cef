// Issue 11, parts 5 and 8 through the API: auth header names and credentials that HTTP cannot
// carry are refused, secret custom headers are sealed and redacted (and really sent), tenants
// cannot publish hookrelay's operational types, and a secret sealed with a key that is gone is a
// named problem that says which key, never a bare 500.
import { sql } from 'kysely';
import { Writable } from 'node:stream';
import pino from 'pino';
import { SecretBox } from '../../src/domain/secret-box';
import { publishEvent } from '../../src/temporal/client';
import { InvalidInputError } from '../../src/domain/errors';
import { createKey, createTenant, ensureEventType, expectProblem } from '../support/api';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

describe('endpoint safety (API)', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let tenantId: string;
  let key: string;
  const logLines: string[] = [];

  const base = () => `/v1/tenants/${tenantId}/endpoints`;
  const create = (body: Record<string, unknown>) =>
    hookrelay.request('POST', base(), { key, body: { name: 'e', url: receiver.url, eventTypes: ['order.placed'], ...body } });
  const update = (id: string, body: Record<string, unknown>) => hookrelay.request('PATCH', `${base()}/${id}`, { key, body });

  beforeAll(async () => {
    const logger = pino(
      { level: 'warn' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
          done();
        },
      }),
    );
    [hookrelay, receiver] = await Promise.all([startTestHookrelay({}, { logger }), startReceiver()]);
    tenantId = await createTenant(hookrelay, 'Safety');
    await ensureEventType(hookrelay, 'order.placed');
    key = await createKey(hookrelay, tenantId, ['endpoints:read', 'endpoints:write', 'events:publish']);
  });
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });

  describe('auth and header values', () => {
    it.each(['host', 'Content-Length', 'webhook-signature', 'Transfer-Encoding', 'x-forwarded-host'])(
      'refuses %s as the auth header name, at creation and at update, and stores nothing',
      async (name) => {
        const before = await hookrelay.db
          .selectFrom('endpoints')
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow();
        expectProblem(await create({ auth: { type: 'header', name, value: 'v' } }), 400, ['body.auth.name']);
        const after = await hookrelay.db
          .selectFrom('endpoints')
          .select(sql<number>`count(*)::int`.as('n'))
          .executeTakeFirstOrThrow();
        expect(after.n).toBe(before.n);

        const ok = await create({ auth: { type: 'header', name: 'x-api-key', value: 'v' } });
        expect(ok.status).toBe(201);
        expectProblem(await update(ok.body.id, { auth: { type: 'header', name, value: 'v' } }), 400, ['body.auth.name']);
        expect((await hookrelay.request('GET', `${base()}/${ok.body.id}`, { key })).body.auth).toEqual({
          type: 'header',
          name: 'x-api-key',
          value: '[redacted]',
        });
      },
    );

    it.each([
      [{ auth: { type: 'bearer', token: 'tok\r\nX-Injected: 1' } }, 'body.auth.token'],
      [{ auth: { type: 'bearer', token: 'tok\u0000' } }, 'body.auth.token'],
      [{ auth: { type: 'basic', username: 'u\n', password: 'p' } }, 'body.auth.username'],
      [{ auth: { type: 'basic', username: 'u', password: 'p\r\n' } }, 'body.auth.password'],
      [{ auth: { type: 'header', name: 'x-api-key', value: 'v\nX-Injected: 1' } }, 'body.auth.value'],
      [{ headers: { 'x-plain': 'v\r\nX-Injected: 1' } }, 'body.headers.x-plain'],
      [{ headers: { 'x-secret': { value: 'v\u0000', secret: true } } }, 'body.headers.x-secret.value'],
    ])('refuses CR, LF or NUL in %j with 400, at creation and at update', async (body, path) => {
      expectProblem(await create(body), 400, [path]);
      const ok = await create({});
      expect(ok.status).toBe(201);
      expectProblem(await update(ok.body.id, body), 400, [path]);
    });

    it('refuses a custom header that repeats the auth header', async () => {
      expectProblem(await create({ auth: { type: 'header', name: 'X-Api-Key', value: 'a' }, headers: { 'x-api-key': 'b' } }), 400, [
        'body.headers.x-api-key',
      ]);
    });
  });

  describe('secret custom headers', () => {
    const SECRET = 'partner-key-5e1f9a7c3b-SECRET';

    it('are sealed at rest, redacted in answers and the attempt log, and sent for real', async () => {
      const created = await create({
        enabled: true,
        headers: { 'x-partner-key': { value: SECRET, secret: true }, 'x-team': 'billing', 'x-also-plain': { value: 'p', secret: false } },
      });
      expect(created.status).toBe(201);
      const shown = { 'x-partner-key': { value: '[redacted]', secret: true }, 'x-team': 'billing', 'x-also-plain': 'p' };
      expect(created.body.headers).toEqual(shown);
      const id = created.body.id as string;
      expect((await hookrelay.request('GET', `${base()}/${id}`, { key })).body.headers).toEqual(shown);
      const listed = await hookrelay.request('GET', base(), { key });
      expect(JSON.stringify(listed.body)).not.toContain(SECRET);

      const row = await hookrelay.db.selectFrom('endpoints').select('headers').where('id', '=', id).executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain(SECRET);
      expect(row.headers['x-partner-key']).toEqual({ sealed: expect.stringMatching(/^v2\.default\./) });

      const published = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
        key,
        body: { type: 'order.placed', data: { n: 1 } },
      });
      expect(published.status).toBe(202);
      const [request] = await receiver.waitForRequests(1, 20_000);
      expect(request!.headers['x-partner-key']).toBe(SECRET);
      expect(request!.headers['x-team']).toBe('billing');

      const delivery = await waitFor(async () => {
        const list = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries?endpointId=${id}`, { key });
        const found = list.body.data?.[0];
        return found && found.status === 'succeeded' ? found : undefined;
      });
      const detail = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${delivery.id}`, { key });
      expect(detail.body.attempts[0].request.headers).toMatchObject({ 'x-partner-key': '[redacted]', 'x-team': 'billing' });
      expect(JSON.stringify(detail.body)).not.toContain(SECRET);
      const attempts = await hookrelay.db.selectFrom('attempts').selectAll().where('delivery_id', '=', delivery.id).execute();
      expect(JSON.stringify(attempts)).not.toContain(SECRET);
    });

    it('keep their value when sent back redacted, as the answer shows them; change when sent anew', async () => {
      const created = await create({ headers: { 'x-partner-key': { value: SECRET, secret: true } } });
      const id = created.body.id as string;
      const sealedOf = async () =>
        (await hookrelay.db.selectFrom('endpoints').select('headers').where('id', '=', id).executeTakeFirstOrThrow()).headers;
      const before = await sealedOf();

      const roundTrip = await update(id, { headers: { ...created.body.headers, 'x-new': 'n' } });
      expect(roundTrip.status).toBe(200);
      expect(roundTrip.body.headers).toEqual({ 'x-partner-key': { value: '[redacted]', secret: true }, 'x-new': 'n' });
      expect((await sealedOf())['x-partner-key']).toEqual(before['x-partner-key']);

      expect((await update(id, { headers: { 'x-partner-key': { value: 'other', secret: true } } })).status).toBe(200);
      expect((await sealedOf())['x-partner-key']).not.toEqual(before['x-partner-key']);
      // Redacted, but nothing stored under that name: refused rather than stored as "[redacted]".
      expectProblem(await update(id, { headers: { 'x-unknown': { value: '[redacted]', secret: true } } }), 400, ['body.headers.x-unknown']);
    });
  });

  describe('operational event types', () => {
    it.each(['endpoint.disabled', 'webhook.test'])(
      'a tenant cannot publish %s through the API (400) and nothing is recorded',
      async (type) => {
        const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
          key,
          body: { type, data: { endpointId: 'ep_x' } },
        });
        expectProblem(res, 400, ['body.type']);
        expect(res.body.errors[0].message).toMatch(/published by hookrelay itself/);
        const events = await hookrelay.db
          .selectFrom('events')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('type', '=', type)
          .execute();
        expect(events).toEqual([]);
      },
    );

    it.each(['endpoint.disabled', 'webhook.test'])('the typed client refuses %s with InvalidInputError', async (type) => {
      await expect(publishEvent(hookrelay.temporal, { tenantId, type, data: {} }, { taskQueue: hookrelay.taskQueue })).rejects.toThrow(
        InvalidInputError,
      );
    });

    it('hookrelay itself still sends webhook.test', async () => {
      const created = await create({});
      const sent = await hookrelay.request('POST', `${base()}/${created.body.id}/test`, { key });
      expect(sent.status).toBe(202);
      await waitFor(async () => receiver.requests.find((r) => JSON.parse(r.body).type === 'webhook.test'), { what: 'the test event' });
    });
  });

  describe('a secret sealed with a key that is no longer configured', () => {
    it('answers GET …/secret with the named problem and logs the key id; rotation replaces the lost secret', async () => {
      const created = await create({});
      const id = created.body.id as string;
      const retired = new SecretBox([{ id: 'retired-2025', key: SecretBox.generateKey() }]);
      await hookrelay.db
        .updateTable('endpoint_secrets')
        .set({ secret_sealed: retired.seal('whsec_' + Buffer.alloc(24, 1).toString('base64')) })
        .where('endpoint_id', '=', id)
        .execute();

      const res = await hookrelay.request('GET', `${base()}/${id}/secret`, { key });
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        type: 'https://hookrelay.dev/problems/secret-key-unavailable',
        title: 'Secret sealed with an unavailable encryption key',
        keyId: 'retired-2025',
        detail: expect.stringContaining('"retired-2025"'),
      });
      await waitFor(async () => logLines.find((line) => line.includes('"keyId":"retired-2025"')), { what: 'a log line naming the key id' });

      const rotated = await hookrelay.request('POST', `${base()}/${id}/secret/rotate`, { key, body: {} });
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.previousSecrets).toEqual([]);
      expect((await hookrelay.request('GET', `${base()}/${id}/secret`, { key })).body.secret).toBe(rotated.body.secret);
    });

    it('still lists and shows an endpoint whose credentials are sealed with a retired key, saying which key', async () => {
      const created = await create({ auth: { type: 'bearer', token: 'tok' } });
      const id = created.body.id as string;
      const retired = new SecretBox([{ id: 'gone-key', key: SecretBox.generateKey() }]);
      await hookrelay.db
        .updateTable('endpoints')
        .set({ auth_sealed: retired.seal(JSON.stringify({ type: 'bearer', token: 'tok' })) })
        .where('id', '=', id)
        .execute();
      const shown = await hookrelay.request('GET', `${base()}/${id}`, { key });
      expect(shown.status).toBe(200);
      expect(shown.body.auth).toEqual({ type: 'bearer', unavailable: 'sealed with encryption key "gone-key", not configured' });
      const listed = await hookrelay.request('GET', `${base()}?limit=100`, { key });
      expect(listed.status).toBe(200);
      expect(listed.body.data.map((e: { id: string }) => e.id)).toContain(id);
      // New credentials replace the unopenable ones.
      const fixed = await update(id, { auth: { type: 'bearer', token: 'new-token' } });
      expect(fixed.body.auth).toEqual({ type: 'bearer', token: '[redacted]' });
    });
  });
});
