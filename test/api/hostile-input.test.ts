// A battery of malformed requests generated from the OpenAPI document over every route: wrong
// types, huge strings and arrays, deep nesting, invalid JSON, wrong content types, NUL bytes and
// odd unicode, SQL metacharacters, bad pagination, cursors and dates, duplicate and unknown keys,
// over-limit bodies. Every answer must be a 4xx problem, the server must stay up, and the
// database must be exactly as it was.
import { connect } from 'node:net';
import { sql } from 'kysely';
import { startReceiver, type Receiver } from '../support/receiver';
import { createKey, createTenant, ensureEventType } from '../support/api';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

const MAX_BODY_BYTES = 64 * 1024;

interface HostileRequest {
  label: string;
  method: string;
  path: string;
  /** Raw body text; sent as-is. */
  body?: string;
  headers?: Record<string, string>;
}

interface Operation {
  method: string;
  template: string;
  queryParams: Array<{ name: string; schema: { type?: string; format?: string; enum?: string[] } }>;
  bodySchema: { properties?: Record<string, { type?: string | string[] }>; required?: string[] } | undefined;
}

/** Strings PostgreSQL cannot store or that no identifier may contain. */
const NUL = '\u0000';
const LONE_LOW = '\udfff';
const RTL = '\u202e';
const SQL_META = `'; DROP TABLE tenants; --`;
const DEEP = 10_000;

function nested(depth: number, leaf = '1'): string {
  return '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
}
function nestedArray(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}
/** JSON text of a string with a lone surrogate, as a client would escape it. */
const loneSurrogateJson = '"a\\ud800b"';

describe('hostile input', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let ids: Record<string, string>;
  let tenantKey: string;
  let operations: Operation[];

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([
      startTestHookrelay({ HOOKRELAY_MAX_BODY_BYTES: String(MAX_BODY_BYTES), HOOKRELAY_API_RATE_LIMIT_PER_SECOND: '0' }),
      startReceiver(),
    ]);
    // Real rows, so that hostile parts reach validation behind a route's real resources.
    const tenantId = await createTenant(hookrelay, 'Hostile Inc');
    tenantKey = await createKey(hookrelay, tenantId, ['endpoints:read', 'endpoints:write', 'events:publish']);
    await ensureEventType(hookrelay, 'invoice.activated', { group: 'Invoice' });
    const endpoint = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'target', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true },
    });
    expect(endpoint.status).toBe(201);
    const published = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
      body: { type: 'invoice.activated', data: { n: 1 } },
    });
    expect(published.status).toBe(202);
    await receiver.waitForRequests(1);
    let delivery: { id: string; status: string } | undefined;
    for (let i = 0; i < 100 && delivery?.status !== 'succeeded'; i++) {
      delivery = await hookrelay.db
        .selectFrom('deliveries')
        .select(['id', 'status'])
        .where('event_id', '=', published.body.id)
        .executeTakeFirst();
      if (delivery?.status !== 'succeeded') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(delivery?.status).toBe('succeeded');
    // A replay with nothing to send, finished before the test looks at the database.
    const replay = await hookrelay.request('POST', `/v1/tenants/${tenantId}/replays`, { body: { mode: 'failed' } });
    expect(replay.status).toBe(202);
    for (let i = 0; i < 100; i++) {
      const row = await hookrelay.db.selectFrom('replays').select('status').where('id', '=', replay.body.id).executeTakeFirstOrThrow();
      if (row.status === 'completed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    ids = {
      tenantId,
      endpointId: endpoint.body.id,
      eventId: published.body.id,
      deliveryId: delivery!.id,
      replayId: replay.body.id,
      name: 'invoice.activated',
    };

    const doc = await hookrelay.request('GET', '/openapi.json', { key: null });
    operations = [];
    for (const [template, methods] of Object.entries(doc.body.paths as Record<string, Record<string, any>>)) {
      if (!template.startsWith('/v1/')) continue;
      for (const [method, op] of Object.entries(methods)) {
        operations.push({
          method: method.toUpperCase(),
          template,
          queryParams: (op.parameters ?? []).filter((p: { in: string }) => p.in === 'query'),
          bodySchema: resolve(doc.body, op.requestBody?.content?.['application/json']?.schema),
        });
      }
    }
  });
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });

  function realPath(template: string, override: Record<string, string> = {}): string {
    return template.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (override[name] !== undefined) return override[name];
      const key = name === 'id' ? idFor(template) : name;
      return encodeURIComponent(ids[key]!);
    });
  }
  function idFor(template: string): string {
    if (template.includes('/deliveries/')) return 'deliveryId';
    if (template.includes('/events/')) return 'eventId';
    if (template.includes('/replays/')) return 'replayId';
    return 'endpointId';
  }

  function hostileRequests(): HostileRequest[] {
    const out: HostileRequest[] = [];
    for (const op of operations) {
      const at = `${op.method} ${op.template}`;
      const path = realPath(op.template);
      const hasBody = op.method === 'POST' || op.method === 'PATCH';

      // Path parameters: one hostile value at a time, the others real.
      for (const name of [...op.template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)) {
        const values = [
          '%00',
          encodeURIComponent(SQL_META),
          encodeURIComponent(`${ids[name === 'id' ? idFor(op.template) : name]}${RTL}`),
          'a'.repeat(4000),
          '%ED%A0%80', // a lone surrogate encoded as UTF-8: not valid UTF-8
          '%E0%A4%A', // a broken percent escape
          '..%2F..%2Fetc%2Fpasswd',
          'ten_' + 'Z'.repeat(26),
          '-1',
        ];
        for (const value of values) {
          out.push({
            label: `${at}: path ${name}=${value.slice(0, 30)}`,
            method: op.method,
            path: realPath(op.template, { [name]: value }),
            ...(hasBody ? { body: '{}' } : {}),
          });
        }
      }

      // Query strings: unknown and repeated parameters, and hostile values per documented parameter.
      out.push({
        label: `${at}: unknown query parameter`,
        method: op.method,
        path: `${path}?isAdmin=true`,
        ...(hasBody && { body: '{}' }),
      });
      out.push({ label: `${at}: SQL in an unknown query parameter`, method: op.method, path: `${path}?${encodeURIComponent(SQL_META)}=1` });
      for (const param of op.queryParams) {
        const values = hostileQueryValues(param.name, param.schema);
        for (const value of values) {
          out.push({
            label: `${at}: query ${param.name}=${value.slice(0, 40)}`,
            method: op.method,
            path: `${path}?${param.name}=${value}`,
          });
        }
        out.push({ label: `${at}: query ${param.name} repeated`, method: op.method, path: `${path}?${param.name}=1&${param.name}=2` });
      }

      if (!hasBody) continue;
      // Bodies that are not JSON, or not what the route takes.
      const rawBodies: Array<[string, string, Record<string, string>?]> = [
        ['truncated JSON', '{"name": "x",'],
        ['trailing comma', '{"name": "x",}'],
        ['single quotes', "{'name': 'x'}"],
        ['NaN literal', '{"name": NaN}'],
        ['a bare string', '"just a string"'],
        ['a number', '42'],
        ['null', 'null'],
        ['an array', '[]'],
        ['a NUL byte in the JSON text', '{"name":"x"\u0000}'],
        [`${DEEP} nested objects`, nested(DEEP)],
        [`${DEEP} nested arrays`, nestedArray(DEEP)],
        ['a form body', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }],
        ['text/plain JSON', '{"name":"x"}', { 'content-type': 'text/plain' }],
        ['XML', '<tenant><name>x</name></tenant>', { 'content-type': 'application/xml' }],
        [
          'multipart',
          '--b\r\ncontent-disposition: form-data; name="name"\r\n\r\nx\r\n--b--',
          { 'content-type': 'multipart/form-data; boundary=b' },
        ],
        ['a charset JSON cannot have', '{"name":"x"}', { 'content-type': 'application/json; charset=ebcdic' }],
        ['gzip that is not gzip', '{"name":"x"}', { 'content-encoding': 'gzip' }],
        ['an unknown content encoding', '{"name":"x"}', { 'content-encoding': 'br2' }],
        ['over the body limit', JSON.stringify({ name: 'x', metadata: { blob: 'a'.repeat(MAX_BODY_BYTES + 10) } })],
        ['over the limit in a huge array', JSON.stringify({ eventTypes: Array.from({ length: 20_000 }, () => 'a.b') })],
        ['unknown fields', '{"isAdmin": true, "__proto__": {"polluted": 1}, "constructor": {"prototype": {}}}'],
      ];
      // An empty body counts as {}: malformed only where fields are required.
      if (op.bodySchema?.required?.length) rawBodies.push(['empty body with a JSON type', '']);
      for (const [what, body, headers] of rawBodies) out.push({ label: `${at}: ${what}`, method: op.method, path, body, headers });

      // Field by field, from the documented body schema: wrong types, hostile strings, deep values.
      const properties = op.bodySchema?.properties ?? {};
      const valid = minimalValidBody(op.template, op.method);
      for (const [field, schema] of Object.entries(properties)) {
        const types = ([] as string[]).concat(schema.type ?? []);
        const wrongTypes: Array<[string, string]> = (
          [
            ['a number', '123456789012345678901234567890'],
            ['a boolean', 'true'],
            ['an array', '[1,[2,[3]]]'],
            ['an object', '{"$gt":""}'],
            ['a string', `"${SQL_META}"`],
          ] as Array<[string, string]>
        ).filter(([kind]) => !typeMatches(kind, types));
        for (const [kind, value] of wrongTypes) {
          out.push({ label: `${at}: body.${field} as ${kind}`, method: op.method, path, body: withField(valid, field, value) });
        }
        const hostileValues: Array<[string, string]> = [
          ['a NUL byte', JSON.stringify(`x${NUL}y`)],
          ['a lone high surrogate', loneSurrogateJson],
          ['a lone low surrogate', JSON.stringify(`x${LONE_LOW}`).replace(/\udfff/, '\\udfff')],
          [`${DEEP} levels deep`, nested(DEEP)],
          ['a huge string', JSON.stringify('b'.repeat(MAX_BODY_BYTES - 2000))],
          ['a huge array', `[${Array.from({ length: 10_000 }, () => '0').join(',')}]`],
          ['NUL in a key', `{"a\\u0000b": 1}`],
          ['NUL inside an object', `{"k": "x\\u0000y"}`],
          ['a lone surrogate inside an object', `{"k": ["\\ud83d"]}`],
          ['a lone surrogate in a key', `{"\\udc00": 1}`],
        ];
        for (const [kind, value] of hostileValues) {
          out.push({ label: `${at}: body.${field} with ${kind}`, method: op.method, path, body: withField(valid, field, value) });
        }
        // A duplicate key: JSON.parse keeps the last value, which here is of the wrong type.
        out.push({
          label: `${at}: body.${field} given twice`,
          method: op.method,
          path,
          body: withField(valid, field, 'null').replace(/}$/, `,"${field}": [true]}`),
        });
      }
      if (Object.keys(properties).length > 0) {
        out.push({
          label: `${at}: a valid body plus an unknown field`,
          method: op.method,
          path,
          body: withField(valid, 'unexpected', '1'),
        });
        out.push({
          label: `${at}: an unknown field named with an RTL override`,
          method: op.method,
          path,
          body: withField(valid, 'unexpected\u202e', '1'),
        });
      }
    }

    // Authentication headers that are not what they claim.
    const anyPath = `/v1/tenants/${ids.tenantId}`;
    for (const authorization of [
      'Bearer',
      'Bearer ',
      `Bearer ${'k'.repeat(8000)}`,
      `Bearer ${SQL_META.replace(/ /g, '')}`,
      'Bearer a b',
      `Basic ${Buffer.from('admin:admin').toString('base64')}`,
      `Bearer ${encodeURIComponent(RTL)}`,
      `bearer\tkey`,
    ]) {
      out.push({ label: `authorization: ${authorization.slice(0, 30)}`, method: 'GET', path: anyPath, headers: { authorization } });
    }
    // Publishing with a hostile idempotency key header.
    const publishPath = `/v1/tenants/${ids.tenantId}/events`;
    const publishBody = JSON.stringify({ type: 'invoice.activated', data: {} });
    for (const key of ['k'.repeat(300), '']) {
      out.push({
        label: `idempotency-key of ${key.length} characters`,
        method: 'POST',
        path: publishPath,
        body: publishBody,
        headers: { 'idempotency-key': key },
      });
    }
    out.push({
      label: 'idempotency-key header differing from the body',
      method: 'POST',
      path: publishPath,
      body: JSON.stringify({ type: 'invoice.activated', data: {}, idempotencyKey: 'one' }),
      headers: { 'idempotency-key': 'two' },
    });
    // Methods no route takes.
    for (const method of ['PUT', 'PROPFIND', 'PURGE']) out.push({ label: `${method} on a documented path`, method, path: anyPath });
    return out;
  }

  function minimalValidBody(template: string, method: string): string {
    const bodies: Record<string, unknown> = {
      'POST /v1/tenants': { name: 'n' },
      'POST /v1/tenants/{tenantId}/api-keys': { scopes: ['endpoints:read'] },
      'POST /v1/event-types': { name: 'hostile.valid' },
      'PATCH /v1/event-types/{name}': { description: 'd' },
      'POST /v1/tenants/{tenantId}/endpoints': { name: 'n', url: receiver.url, eventTypes: ['invoice.activated'] },
      'PATCH /v1/tenants/{tenantId}/endpoints/{id}': { name: 'n' },
      'POST /v1/tenants/{tenantId}/events': { type: 'invoice.activated', data: {} },
      'POST /v1/tenants/{tenantId}/endpoints/{id}/recover': { since: '2020-01-01T00:00:00Z' },
      'POST /v1/tenants/{tenantId}/replays': { mode: 'failed' },
    };
    return JSON.stringify(bodies[`${method} ${template}`] ?? {});
  }

  it('answers at least 300 malformed requests over every route with a 4xx problem, changes nothing, and stays up', async () => {
    const before = await databaseFingerprint(hookrelay);
    const requests = hostileRequests();
    expect(requests.length).toBeGreaterThanOrEqual(300);
    const covered = new Set(requests.map((r) => r.label.split(':')[0]));
    expect(covered.size).toBeGreaterThanOrEqual(operations.length);

    const wrong: string[] = [];
    for (const request of requests) {
      const answer = await send(hookrelay.apiUrl, hookrelay.adminKey, request);
      const problem = answer.json as { status?: unknown; type?: unknown; title?: unknown } | undefined;
      const ok =
        answer.status >= 400 &&
        answer.status < 500 &&
        /^application\/problem\+json/.test(answer.contentType) &&
        problem?.status === answer.status &&
        typeof problem.type === 'string' &&
        typeof problem.title === 'string';
      if (!ok) wrong.push(`${request.label} → ${answer.status} ${answer.contentType} ${answer.text.slice(0, 200)}`);
    }
    if (wrong.length) console.log(wrong.join('\n'));
    expect(wrong).toEqual([]);

    expect((await hookrelay.request('GET', '/healthz', { key: null })).status).toBe(200);
    expect(await databaseFingerprint(hookrelay)).toEqual(before);
    console.log(`hostile input: ${requests.length} requests over ${operations.length} operations, all 4xx problems`);
  }, 240_000);

  it('answers the same malformed requests made with a tenant key with 4xx problems', async () => {
    const before = await databaseFingerprint(hookrelay);
    const requests = hostileRequests().filter((r) => r.path.includes(ids.tenantId!) && !r.headers?.authorization);
    const wrong: string[] = [];
    for (const request of requests) {
      const answer = await send(hookrelay.apiUrl, tenantKey, request);
      if (!(answer.status >= 400 && answer.status < 500 && /^application\/problem\+json/.test(answer.contentType))) {
        wrong.push(`${request.label} → ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await databaseFingerprint(hookrelay)).toEqual(before);
  }, 240_000);

  it('answers SQL metacharacters in free-text filters with an empty page and changes nothing', async () => {
    const before = await databaseFingerprint(hookrelay);
    for (const path of [
      `/v1/tenants/${ids.tenantId}/events?resourceId=${encodeURIComponent(SQL_META)}`,
      `/v1/tenants/${ids.tenantId}/deliveries?resourceId=${encodeURIComponent("' OR '1'='1")}`,
      `/v1/tenants/${ids.tenantId}/events?resourceId=${encodeURIComponent('%_\\')}`,
    ]) {
      const res = await hookrelay.request('GET', path);
      expect({ path, status: res.status, data: res.body.data }).toEqual({ path, status: 200, data: [] });
    }
    expect(await databaseFingerprint(hookrelay)).toEqual(before);
  });

  it('answers requests Node itself rejects (bad framing, NUL in a header) with a problem, and stays up', async () => {
    const raw = [
      'GET /v1/tenants HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n',
      'GET /v1/tenants HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello',
      'BLAH\r\n\r\n',
      `GET /v1/tenants HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(20_000)}\r\n\r\n`,
    ];
    const url = new URL(hookrelay.apiUrl);
    for (const text of raw) {
      const answer = await rawExchange(url.hostname, Number(url.port), text);
      expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(answer).toMatch(/content-type: application\/problem\+json/i);
    }
    expect((await hookrelay.request('GET', '/healthz', { key: null })).status).toBe(200);
  });
});

function hostileQueryValues(name: string, schema: { type?: string; format?: string; enum?: string[] }): string[] {
  const common = ['%00', 'a%uD800', '%ED%A0%80', 'x'.repeat(8000)];
  if (name === 'limit') return [...common, '-1', '0', '251', '1e309', '99999999999999999999999', '1.5', 'abc', 'NaN', 'Infinity'];
  if (name === 'cursor') {
    const cursor = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
    return [
      ...common,
      'nope',
      '====',
      cursor({ t: '2026-01-01T00:00:00.000Z', id: `x${NUL}` }),
      cursor({ t: '0000-01-01T00:00:00.000Z', id: 'x y' }),
      cursor({ t: '9999-12-31T23:59:59.999Z', id: SQL_META }),
      cursor({ t: 'yesterday', id: 'x' }),
      cursor({ t: '2026-01-01T00:00:00.000Z', id: 'x', extra: 1 }),
      cursor([1, 2, 3]),
      cursor(nested(50)),
    ];
  }
  if (schema.format === 'date-time' || name === 'since' || name === 'until') {
    return [
      ...common,
      'yesterday',
      '2026-13-01T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '-000001-01-01T00:00:00Z',
      '1e10',
      encodeURIComponent(SQL_META),
    ];
  }
  if (schema.enum) return [...common, 'SUCCEEDED', encodeURIComponent(`${schema.enum[0]}${RTL}`), encodeURIComponent(SQL_META)];
  if (name === 'includeArchived') return [...common, 'yes', '1', 'TRUE'];
  if (name === 'endpointId') return [...common, 'ep_' + 'Z'.repeat(26), encodeURIComponent(SQL_META)];
  if (name === 'type' || name === 'eventType')
    return [...common, encodeURIComponent(SQL_META), encodeURIComponent(`invoice${RTL}.paid`), 'a..b'];
  return ['%00', 'x'.repeat(8000)]; // free text (resourceId): only what cannot be stored or is over the limit
}

function typeMatches(kind: string, types: string[]): boolean {
  if (types.length === 0) return true; // a union or anything: skip the wrong-type cases, other cases cover it
  if (kind === 'a number') return types.includes('number') || types.includes('integer');
  if (kind === 'a boolean') return types.includes('boolean');
  if (kind === 'an array') return types.includes('array');
  if (kind === 'an object') return types.includes('object');
  return types.includes('string');
}

/** The body with one field replaced by raw JSON text. */
function withField(valid: string, field: string, rawValue: string): string {
  const object = JSON.parse(valid) as Record<string, unknown>;
  delete object[field];
  const rest = JSON.stringify(object).slice(1, -1);
  return `{${rest}${rest ? ',' : ''}${JSON.stringify(field)}:${rawValue}}`;
}

function resolve(doc: any, schema: any): any {
  if (!schema) return undefined;
  if (schema.$ref) return resolve(doc, doc.components.schemas[schema.$ref.split('/').pop()]);
  return schema;
}

async function send(apiUrl: string, key: string, request: HostileRequest) {
  const response = await fetch(apiUrl + request.path, {
    method: request.method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(request.body !== undefined && { 'content-type': 'application/json' }),
      ...request.headers,
    },
    body: request.body,
    signal: AbortSignal.timeout(5_000),
  }).catch((error: Error) => ({ failed: error.message }));
  if ('failed' in response) return { status: 0, contentType: '', text: `no answer: ${response.failed}`, json: undefined };
  const text = await response.text().catch((error: Error) => `no complete answer: ${error.message}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, json };
}

/** Sends raw bytes on a fresh connection and returns what comes back before the server closes it. */
function rawExchange(host: string, port: number, text: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect(port, host);
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolvePromise(received);
    }, 3000);
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('end', () => {
      clearTimeout(timer);
      resolvePromise(received);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      if (received) resolvePromise(received);
      else reject(error);
    });
    socket.write(Buffer.from(text, 'latin1'));
  });
}

/**
 * Row counts and a checksum of the contents of every table. An API key's last_used_at is left out:
 * it records that a valid key was used (at most once a minute), not a change the request made.
 */
async function databaseFingerprint(hookrelay: TestHookrelay): Promise<Record<string, { rows: number; checksum: string }>> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(
    hookrelay.db,
  );
  const result: Record<string, { rows: number; checksum: string }> = {};
  for (const { table_name } of tables.rows) {
    const row = await sql<{ rows: string; checksum: string | null }>`
      select count(*)::text as rows,
        md5(coalesce(string_agg((to_jsonb(t) - 'last_used_at')::text, '|' order by (to_jsonb(t) - 'last_used_at')::text), '')) as checksum
      from ${sql.table(table_name)} as t`.execute(hookrelay.db);
    result[table_name] = { rows: Number(row.rows[0]!.rows), checksum: row.rows[0]!.checksum ?? '' };
  }
  return result;
}
