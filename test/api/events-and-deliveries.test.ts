// Events (publish, list with filters, get) and the delivery log (list with filters, get with
// attempts). List rows are seeded straight into the database so pages and filters are exact.
import { sql } from 'kysely';
import { whereDeliveryMatches, type DeliveryCriteria } from '../../src/db/deliveries.repository';
import { deliveryResponse, deliveryWithAttemptsResponse, eventResponse, publishResponse } from '../../src/api/response-schemas';
import { collectPages, createKey, createTenant, ensureEventType, expectProblem, seedDelivery } from '../support/api';
import { insertAttemptRows } from '../support/attempt-rows';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

describe('events and deliveries API', () => {
  let hookrelay: TestHookrelay;
  let tenantA: string;
  let tenantB: string;
  let readKeyA: string;
  let publishKeyA: string;
  let writeOnlyKeyA: string;
  let keyB: string;
  let endpointA1: string;
  let endpointA2: string;

  const createEndpoint = async (tenantId: string, name: string) => {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name, url: 'https://example.com/hook', eventTypes: ['*'] },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    hookrelay = await startTestHookrelay();
    [tenantA, tenantB] = await Promise.all([createTenant(hookrelay, 'A'), createTenant(hookrelay, 'B')]);
    await Promise.all(['invoice.activated', 'invoice.paid', 'order.placed'].map((name) => ensureEventType(hookrelay, name)));
    [readKeyA, publishKeyA, writeOnlyKeyA, keyB] = await Promise.all([
      createKey(hookrelay, tenantA, ['endpoints:read']),
      createKey(hookrelay, tenantA, ['events:publish']),
      createKey(hookrelay, tenantA, ['endpoints:write']),
      createKey(hookrelay, tenantB, ['endpoints:read', 'endpoints:write', 'events:publish']),
    ]);
    endpointA1 = await createEndpoint(tenantA, 'one');
    endpointA2 = await createEndpoint(tenantA, 'two');
  });
  afterAll(async () => {
    await hookrelay?.close();
  });

  describe('publish', () => {
    it('answers 202 once and 200 duplicate for the same Idempotency-Key', async () => {
      const body = { type: 'invoice.activated', data: { invoiceId: 'inv_1' }, resourceId: 'inv_1' };
      const first = await hookrelay.request('POST', `/v1/tenants/${tenantA}/events`, {
        key: publishKeyA,
        body,
        headers: { 'idempotency-key': 'pub-1' },
      });
      expect(first.status).toBe(202);
      expect(publishResponse.parse(first.body)).toEqual({ id: expect.stringMatching(/^evt_/), deliveryCount: 0, duplicate: false });
      const again = await hookrelay.request('POST', `/v1/tenants/${tenantA}/events`, {
        key: publishKeyA,
        body,
        headers: { 'idempotency-key': 'pub-1' },
      });
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ id: first.body.id, deliveryCount: 0, duplicate: true });
    });

    it('needs events:publish, hides other tenants and validates the body', async () => {
      const path = `/v1/tenants/${tenantA}/events`;
      const body = { type: 'invoice.activated', data: {} };
      expectProblem(await hookrelay.request('POST', path, { key: readKeyA, body }), 403);
      expectProblem(await hookrelay.request('POST', path, { key: keyB, body }), 404);
      expectProblem(await hookrelay.request('POST', path, { key: null, body }), 401);
      expectProblem(await hookrelay.request('POST', path, { key: publishKeyA, body: { ...body, extra: 1 } }), 400);
      expectProblem(await hookrelay.request('POST', path, { key: publishKeyA, body: { type: 'invoice.activated', data: [] } }), 400, [
        'body.data',
      ]);
      expectProblem(await hookrelay.request('POST', path, { key: publishKeyA, body: { ...body, operation: 'UPSERT' } }), 400, [
        'body.operation',
      ]);
      expectProblem(
        await hookrelay.request('POST', path, {
          key: publishKeyA,
          body: { ...body, idempotencyKey: 'a' },
          headers: { 'idempotency-key': 'b' },
        }),
        400,
        ['headers.idempotency-key'],
      );
      expectProblem(await hookrelay.request('POST', path, { key: publishKeyA, body: { type: 'never.declared', data: {} } }), 400, [
        'body.type',
      ]);
    });
  });

  describe('events list and get', () => {
    let tenant: string;
    let key: string;
    const seeded: Array<{ id: string; type: string; resourceId: string; createdAt: Date }> = [];

    beforeAll(async () => {
      tenant = await createTenant(hookrelay, 'Events');
      key = await createKey(hookrelay, tenant, ['events:publish']);
      const endpoint = await createEndpoint(tenant, 'sink');
      const start = Date.parse('2026-01-01T00:00:00.000Z');
      for (let i = 0; i < 30; i++) {
        // Every third pair shares a timestamp: pages must break ties by id.
        const createdAt = new Date(start + Math.floor(i / 2) * 60_000);
        const type = ['invoice.activated', 'invoice.paid', 'order.placed'][i % 3]!;
        const resourceId = `res_${i % 4}`;
        const { eventId } = await seedDelivery(hookrelay, tenant, { endpointId: endpoint, eventType: type, resourceId, createdAt });
        seeded.push({ id: eventId, type, resourceId, createdAt });
      }
    });

    const newestFirst = (rows: typeof seeded) =>
      [...rows].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1)).map((r) => r.id);

    it('pages through every event once, newest first, with ties on createdAt', async () => {
      const { ids, pages } = await collectPages(hookrelay, `/v1/tenants/${tenant}/events`, { key, limit: 7 });
      expect(pages).toBe(5);
      expect(ids).toEqual(newestFirst(seeded));
    });

    it('filters by type, resourceId, since and until, also across pages', async () => {
      const byType = await collectPages(hookrelay, `/v1/tenants/${tenant}/events?type=invoice.paid`, { key, limit: 3 });
      expect(byType.ids).toEqual(newestFirst(seeded.filter((r) => r.type === 'invoice.paid')));
      const byResource = await collectPages(hookrelay, `/v1/tenants/${tenant}/events?resourceId=res_2`, { key, limit: 3 });
      expect(byResource.ids).toEqual(newestFirst(seeded.filter((r) => r.resourceId === 'res_2')));
      const since = '2026-01-01T00:05:00.000Z';
      const until = '2026-01-01T00:10:00.000Z';
      const window = await collectPages(hookrelay, `/v1/tenants/${tenant}/events?since=${since}&until=${until}`, { key, limit: 4 });
      expect(window.ids).toEqual(newestFirst(seeded.filter((r) => r.createdAt >= new Date(since) && r.createdAt < new Date(until))));
      const res = await hookrelay.request('GET', `/v1/tenants/${tenant}/events?limit=1&type=order.placed`, { key });
      expect(eventResponse.parse(res.body.data[0])).toMatchObject({ type: 'order.placed', tenantId: tenant });
    });

    it('gets one event; reading takes endpoints:read or events:publish', async () => {
      const id = seeded[0]!.id;
      const res = await hookrelay.request('GET', `/v1/tenants/${tenant}/events/${id}`, { key });
      expect(res.status).toBe(200);
      expect(eventResponse.parse(res.body)).toMatchObject({ id, resourceId: 'res_0' });
      expect((await hookrelay.request('GET', `/v1/tenants/${tenantA}/events`, { key: readKeyA })).status).toBe(200);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenantA}/events`, { key: writeOnlyKeyA }), 403);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenantA}/events/${id}`, { key: writeOnlyKeyA }), 403);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenant}/events/${id}`, { key: keyB }), 404);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenant}/events`, { key: keyB }), 404);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenantB}/events/${id}`, { key: keyB }), 404);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenant}/events/${id}`, { key: null }), 401);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenant}/events/evt_nope`, { key }), 400, ['params.id']);
    });

    it('rejects bad filters, unknown query parameters and bad cursors', async () => {
      const path = `/v1/tenants/${tenant}/events`;
      expectProblem(await hookrelay.request('GET', `${path}?since=yesterday`, { key }), 400, ['query.since']);
      expectProblem(await hookrelay.request('GET', `${path}?type=not%20a%20type`, { key }), 400, ['query.type']);
      expectProblem(await hookrelay.request('GET', `${path}?status=failed`, { key }), 400);
      expectProblem(await hookrelay.request('GET', `${path}?cursor=${Buffer.from('{"t":"x"}').toString('base64url')}`, { key }), 400, [
        'query.cursor',
      ]);
      expectProblem(await hookrelay.request('GET', `${path}?limit=many`, { key }), 400, ['query.limit']);
    });
  });

  describe('delivery log', () => {
    type Seeded = {
      id: string;
      endpointId: string;
      eventType: string;
      status: string;
      resourceId: string;
      createdAt: Date;
      lastResponseStatus: number | null;
      lastErrorKind: string | null;
    };
    // The last attempt of each seeded delivery: answers of every class, answers that broke off, no answer.
    const lastAttempts = [
      { lastResponseStatus: 200, lastErrorKind: null },
      { lastResponseStatus: 503, lastErrorKind: null },
      { lastResponseStatus: null, lastErrorKind: 'timeout' },
      { lastResponseStatus: 404, lastErrorKind: null },
      { lastResponseStatus: 599, lastErrorKind: null },
      { lastResponseStatus: null, lastErrorKind: 'tls' },
      { lastResponseStatus: 500, lastErrorKind: 'timeout' },
      { lastResponseStatus: 302, lastErrorKind: null },
      { lastResponseStatus: 499, lastErrorKind: null },
      { lastResponseStatus: null, lastErrorKind: null },
      { lastResponseStatus: 600, lastErrorKind: null },
    ];
    const seeded: Seeded[] = [];
    const statuses = ['pending', 'retrying', 'succeeded', 'failed', 'cancelled'] as const;
    const start = Date.parse('2026-02-01T00:00:00.000Z');

    beforeAll(async () => {
      for (let i = 0; i < 40; i++) {
        const row = {
          endpointId: i % 2 === 0 ? endpointA1 : endpointA2,
          eventType: ['invoice.activated', 'invoice.paid', 'order.placed'][i % 3]!,
          status: statuses[i % 5]!,
          resourceId: `res_${i % 6}`,
          createdAt: new Date(start + Math.floor(i / 3) * 1000),
          ...lastAttempts[i % lastAttempts.length]!,
        };
        const { deliveryId } = await seedDelivery(hookrelay, tenantA, row);
        seeded.push({ id: deliveryId, ...row });
      }
    });

    const newestFirst = (rows: Seeded[]) =>
      [...rows].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1)).map((r) => r.id);
    const since = new Date(start).toISOString();
    const window = `since=${since}&until=2026-03-01T00:00:00Z`;

    it('pages through every delivery once while new deliveries keep arriving', async () => {
      let inserting = true;
      const concurrent = (async () => {
        let n = 0;
        while (inserting && n < 50) {
          await seedDelivery(hookrelay, tenantA, { endpointId: endpointA1, eventType: 'invoice.paid', createdAt: new Date() });
          n++;
        }
      })();
      const { ids } = await collectPages(hookrelay, `/v1/tenants/${tenantA}/deliveries?until=2026-03-01T00:00:00Z`, {
        key: readKeyA,
        limit: 6,
      });
      const all = await collectPages(hookrelay, `/v1/tenants/${tenantA}/deliveries`, { key: readKeyA, limit: 9 });
      inserting = false;
      await concurrent;
      expect(ids).toEqual(newestFirst(seeded));
      expect(new Set(all.ids).size).toBe(all.ids.length);
      expect(all.ids.filter((id) => seeded.some((s) => s.id === id))).toEqual(newestFirst(seeded));
    });

    it.each([
      ['endpointId', (s: Seeded) => s.endpointId === endpointA2, () => endpointA2],
      ['eventType', (s: Seeded) => s.eventType === 'order.placed', () => 'order.placed'],
      ['status', (s: Seeded) => s.status === 'failed', () => 'failed'],
      ['resourceId', (s: Seeded) => s.resourceId === 'res_3', () => 'res_3'],
      [
        'statusClass',
        (s: Seeded) => s.lastResponseStatus !== null && s.lastResponseStatus >= 500 && s.lastResponseStatus < 600,
        () => '5xx',
      ],
      [
        'statusClass',
        (s: Seeded) => s.lastResponseStatus !== null && s.lastResponseStatus >= 400 && s.lastResponseStatus < 500,
        () => '4xx',
      ],
      ['statusClass', (s: Seeded) => s.lastResponseStatus === 302, () => '3xx'],
      ['statusClass', (s: Seeded) => s.lastResponseStatus === 200, () => '2xx'],
      ['errorKind', (s: Seeded) => s.lastErrorKind === 'timeout', () => 'timeout'],
      ['errorKind', (s: Seeded) => s.lastErrorKind === 'tls', () => 'tls'],
    ])('filters by %s', async (name, predicate, value) => {
      const { ids } = await collectPages(hookrelay, `/v1/tenants/${tenantA}/deliveries?${window}&${name}=${value()}`, {
        key: readKeyA,
        limit: 3,
      });
      expect(ids).toEqual(newestFirst(seeded.filter(predicate)));
      expect(ids.length).toBeGreaterThan(0);
    });

    it('combines the outcome filters with the others', async () => {
      const { ids } = await collectPages(
        hookrelay,
        `/v1/tenants/${tenantA}/deliveries?${window}&statusClass=5xx&errorKind=timeout&endpointId=${endpointA1}`,
        { key: readKeyA, limit: 2 },
      );
      const expected = seeded.filter((s) => s.lastResponseStatus === 500 && s.lastErrorKind === 'timeout' && s.endpointId === endpointA1);
      expect(ids).toEqual(newestFirst(expected));
      expect(ids.length).toBeGreaterThan(0);
      const none = await hookrelay.request('GET', `/v1/tenants/${tenantA}/deliveries?${window}&errorKind=ssrf_blocked`, { key: readKeyA });
      expect(none.body).toEqual({ data: [], nextCursor: null });
    });

    it('selects by lists of endpoints, types and statuses (the criteria replays share), an empty list matching nothing', async () => {
      const select = (criteria: Omit<DeliveryCriteria, 'tenantId'>) =>
        whereDeliveryMatches(hookrelay.db.selectFrom('deliveries').select(['id', 'created_at']), { tenantId: tenantA, ...criteria })
          .where('created_at', '<', new Date('2026-03-01T00:00:00Z'))
          .orderBy('created_at', 'desc')
          .orderBy('id', 'desc')
          .execute();
      const rows = await select({ eventType: ['invoice.paid', 'order.placed'], status: ['failed', 'retrying'], statusClass: '5xx' });
      const expected = seeded.filter(
        (s) =>
          s.eventType !== 'invoice.activated' &&
          (s.status === 'failed' || s.status === 'retrying') &&
          s.lastResponseStatus !== null &&
          s.lastResponseStatus >= 500 &&
          s.lastResponseStatus <= 599,
      );
      expect(rows.map((row) => row.id)).toEqual(newestFirst(expected));
      expect(await select({ endpointId: [endpointA1, endpointA2] })).toHaveLength(seeded.length);
      expect(await select({ endpointId: [] })).toEqual([]);
    });

    it('filters by since and until (createdAt, since inclusive, until exclusive)', async () => {
      const from = new Date(start + 3000);
      const to = new Date(start + 7000);
      const { ids } = await collectPages(
        hookrelay,
        `/v1/tenants/${tenantA}/deliveries?since=${from.toISOString()}&until=${to.toISOString()}`,
        { key: readKeyA, limit: 5 },
      );
      expect(ids).toEqual(newestFirst(seeded.filter((s) => s.createdAt >= from && s.createdAt < to)));
    });

    it('loses no row whose timestamp carries microseconds (cursors are exact)', async () => {
      const tenant = await createTenant(hookrelay, 'Micro');
      const endpoint = await createEndpoint(tenant, 'sink');
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const { deliveryId } = await seedDelivery(hookrelay, tenant, { endpointId: endpoint, eventType: 'invoice.paid' });
        // Timestamps a few microseconds apart inside the same millisecond, as now() produces.
        await sql`update deliveries set created_at = ${'2026-04-01T00:00:00.123' + String(100 + i * 7) + 'Z'}::timestamptz where id = ${deliveryId}`.execute(
          hookrelay.db,
        );
        ids.push(deliveryId);
      }
      const { ids: listed } = await collectPages(hookrelay, `/v1/tenants/${tenant}/deliveries`, { limit: 5 });
      expect([...listed].sort()).toEqual([...ids].sort());
    });

    it('answers with the SPEC delivery shape, and one delivery with its attempts', async () => {
      const list = await hookrelay.request('GET', `/v1/tenants/${tenantA}/deliveries?limit=2&${window}`, { key: readKeyA });
      for (const item of list.body.data) deliveryResponse.parse(item);
      const target = seeded[0]!;
      await insertAttemptRows(hookrelay.db, [
        {
          delivery_id: target.id,
          endpoint_id: target.endpointId,
          number: 1,
          trigger: 'scheduled',
          started_at: new Date(start),
          duration_ms: 12,
          request_url: 'https://example.com/hook',
          request_headers: JSON.stringify({ authorization: '[redacted]' }),
          error_kind: 'timeout',
          error_message: 'no answer in 15000 ms',
        },
        {
          delivery_id: target.id,
          endpoint_id: target.endpointId,
          number: 2,
          trigger: 'manual',
          started_at: new Date(start + 5000),
          duration_ms: 30,
          request_url: 'https://example.com/hook',
          request_headers: JSON.stringify({}),
          response_status: 200,
          response_headers: JSON.stringify({ 'content-type': 'text/plain' }),
          response_body: 'ok', // a row from before 2026-12: the body in the text column
        },
        {
          delivery_id: target.id,
          endpoint_id: target.endpointId,
          number: 3,
          trigger: 'scheduled',
          started_at: new Date(start + 9000),
          duration_ms: 7,
          request_url: 'https://example.com/hook',
          request_headers: JSON.stringify({}),
          response_status: 502,
          response_headers: JSON.stringify({}),
          response_body_bytes: Buffer.from([0x1f, 0x8b, 0x00, 0xff]),
          response_body_truncated: true,
          response_body_length: 1_000_000,
        },
      ]);
      const res = await hookrelay.request('GET', `/v1/tenants/${tenantA}/deliveries/${target.id}`, { key: readKeyA });
      expect(res.status).toBe(200);
      const delivery = deliveryWithAttemptsResponse.parse(res.body);
      expect(delivery.attempts).toEqual([
        {
          number: 1,
          startedAt: new Date(start).toISOString(),
          durationMs: 12,
          trigger: 'scheduled',
          request: { url: 'https://example.com/hook', headers: { authorization: '[redacted]' }, bodyBytes: null },
          response: null,
          error: { kind: 'timeout', message: 'no answer in 15000 ms', tlsFailureReason: null },
          // Not recorded before 2026-12-03: where the time went, the address reached, the body size.
          timing: null,
          remoteAddress: null,
        },
        {
          number: 2,
          startedAt: new Date(start + 5000).toISOString(),
          durationMs: 30,
          trigger: 'manual',
          request: { url: 'https://example.com/hook', headers: {}, bodyBytes: null },
          response: {
            status: 200,
            headers: { 'content-type': 'text/plain' },
            body: 'ok',
            bodyEncoding: 'utf8',
            bodyTruncated: false,
            bodyLength: null, // not recorded before 2026-12
          },
          error: null,
          timing: null,
          remoteAddress: null,
        },
        {
          number: 3,
          startedAt: new Date(start + 9000).toISOString(),
          durationMs: 7,
          trigger: 'scheduled',
          request: { url: 'https://example.com/hook', headers: {}, bodyBytes: null },
          response: { status: 502, headers: {}, body: 'H4sA/w==', bodyEncoding: 'base64', bodyTruncated: true, bodyLength: 1_000_000 },
          error: null,
          timing: null,
          remoteAddress: null,
        },
      ]);
    });

    it('guards the log: scope, tenant, key, filters, cursor', async () => {
      const path = `/v1/tenants/${tenantA}/deliveries`;
      const id = seeded[1]!.id;
      expectProblem(await hookrelay.request('GET', path, { key: publishKeyA }), 403);
      expectProblem(await hookrelay.request('GET', `${path}/${id}`, { key: publishKeyA }), 403);
      expectProblem(await hookrelay.request('GET', path, { key: keyB }), 404);
      expectProblem(await hookrelay.request('GET', `${path}/${id}`, { key: keyB }), 404);
      expectProblem(await hookrelay.request('GET', `/v1/tenants/${tenantB}/deliveries/${id}`, { key: keyB }), 404);
      expect((await hookrelay.request('GET', `/v1/tenants/${tenantB}/deliveries`, { key: keyB })).body.data).toEqual([]);
      expectProblem(await hookrelay.request('GET', path, { key: null }), 401);
      expectProblem(await hookrelay.request('GET', `${path}?status=lost`, { key: readKeyA }), 400, ['query.status']);
      expectProblem(await hookrelay.request('GET', `${path}?endpointId=42`, { key: readKeyA }), 400, ['query.endpointId']);
      expectProblem(await hookrelay.request('GET', `${path}?statusClass=5XX`, { key: readKeyA }), 400, ['query.statusClass']);
      expectProblem(await hookrelay.request('GET', `${path}?statusClass=503`, { key: readKeyA }), 400, ['query.statusClass']);
      expectProblem(await hookrelay.request('GET', `${path}?statusClass=1xx`, { key: readKeyA }), 400, ['query.statusClass']);
      expectProblem(await hookrelay.request('GET', `${path}?errorKind=boom`, { key: readKeyA }), 400, ['query.errorKind']);
      expectProblem(await hookrelay.request('GET', `${path}?errorKind=tls&errorKind=dns`, { key: readKeyA }), 400, ['query.errorKind']);
      expectProblem(await hookrelay.request('GET', `${path}?until=soon`, { key: readKeyA }), 400, ['query.until']);
      expectProblem(await hookrelay.request('GET', `${path}?cursor=%%%`, { key: readKeyA }), 400);
      expectProblem(await hookrelay.request('GET', `${path}?cursor=abc`, { key: readKeyA }), 400, ['query.cursor']);
      expectProblem(await hookrelay.request('GET', `${path}?sort=asc`, { key: readKeyA }), 400);
      expectProblem(await hookrelay.request('GET', `${path}?status=failed&status=pending`, { key: readKeyA }), 400, ['query.status']);
      expectProblem(await hookrelay.request('GET', `${path}/${id}?verbose=1`, { key: readKeyA }), 400);
      expectProblem(await hookrelay.request('GET', `${path}/dlv_00000000000000000000000000`, { key: readKeyA }), 404);
      expectProblem(await hookrelay.request('GET', '/v1/tenants/ten_00000000000000000000000000/deliveries'), 404);
      expectProblem(await hookrelay.request('GET', '/v1/tenants/ten_00000000000000000000000000/events'), 404);
    });
  });
});
