// Receiver answers are untrusted input: whatever bytes a receiver on loopback sends (NUL,
// invalid UTF-8, binary, gzip without a header, megabytes, malformed status lines and headers,
// a reset mid-body, a dripping body), each POST ends in exactly one recorded attempt with the
// right outcome, shown by the API, and hookrelay goes on delivering.
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { createTenant, ensureEventType } from '../support/api';
import { rawResponse, startRawReceiver, type RawReceiver, type RawScript } from '../support/raw-receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

jest.setTimeout(60_000);

describe('hostile receivers', () => {
  let hookrelay: TestHookrelay;
  let receiver: RawReceiver;
  let cases = 0;

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([startTestHookrelay(), startRawReceiver()]);
    await ensureEventType(hookrelay, 'invoice.activated');
  });
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
  });

  /**
   * One event to an endpoint answered by `script`, with a single attempt allowed (so a second
   * POST could only come from hookrelay repeating one). Returns the delivery and its attempt as
   * the API shows them, once the delivery is final and a retry would have had time to happen.
   */
  async function deliverTo(script: RawScript, endpoint: Record<string, unknown> = {}) {
    const path = `/case-${++cases}`;
    const url = receiver.route(path, script);
    const tenantId = await createTenant(hookrelay); // its own, so each event goes to this endpoint only
    const created = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: {
        name: path,
        url,
        eventTypes: ['invoice.activated'],
        enabled: true,
        retryPolicy: { strategy: 'schedule', delaysSeconds: [], jitter: 0 },
        ...endpoint,
      },
    });
    expect(created.status).toBe(201);
    const published = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
      body: { type: 'invoice.activated', data: { path } },
    });
    expect(published.status).toBe(202);
    const { id: deliveryId } = await hookrelay.db
      .selectFrom('deliveries')
      .select('id')
      .where('event_id', '=', published.body.id)
      .executeTakeFirstOrThrow();
    const delivery = await waitFor(
      async () => {
        const res = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${deliveryId}`);
        return ['succeeded', 'failed'].includes(res.body.status) ? res.body : undefined;
      },
      { what: `delivery to ${path} final`, timeoutMs: 20_000 },
    );
    // Our own faults are retried after 1 s: a repeated POST would show up in this window.
    await sleep(1_500);
    expect(receiver.requestsTo(path)).toHaveLength(1);
    const again = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${deliveryId}`);
    expect(again.body.attempts).toHaveLength(1);
    expect(again.body.attemptCount).toBe(1);
    expect(again.body.status).toBe(delivery.status);
    return { delivery: again.body, attempt: again.body.attempts[0] };
  }

  const answer =
    (bytes: Buffer): RawScript =>
    (socket) => {
      socket.end(bytes);
    };

  it('records a 200 whose body holds a NUL byte once, as base64, and succeeds', async () => {
    const body = Buffer.from('ok\u0000done', 'utf8');
    const { delivery, attempt } = await deliverTo(answer(rawResponse('200 OK', ['content-type: text/plain'], body)));
    expect(delivery.status).toBe('succeeded');
    expect(attempt.error).toBeNull();
    expect(attempt.response).toMatchObject({
      status: 200,
      body: body.toString('base64'),
      bodyEncoding: 'base64',
      bodyTruncated: false,
      bodyLength: 7,
    });
  });

  it('keeps a gzip body sent without content-encoding byte for byte', async () => {
    const gzip = gzipSync(Buffer.from('{"received":true}'));
    const { delivery, attempt } = await deliverTo(answer(rawResponse('200 OK', ['content-type: application/json'], gzip)));
    expect(delivery.status).toBe('succeeded');
    expect(attempt.response.bodyEncoding).toBe('base64');
    expect(Buffer.from(attempt.response.body, 'base64').equals(gzip)).toBe(true);
    expect(attempt.response.bodyLength).toBe(gzip.length);
  });

  it('records a 500 with an invalid UTF-8 body as base64 and fails by its retry policy', async () => {
    const bytes = Buffer.from([0x45, 0x72, 0x72, 0xff, 0xfe, 0xc3, 0x28]);
    const { delivery, attempt } = await deliverTo(answer(rawResponse('500 Internal Server Error', [], bytes)));
    expect(delivery).toMatchObject({ status: 'failed', lastResponseStatus: 500 });
    expect(attempt.response).toMatchObject({ status: 500, body: bytes.toString('base64'), bodyEncoding: 'base64' });
  });

  it('shows a UTF-8 text body as text', async () => {
    const text = 'reçu ✓ — merci\n\ttab';
    const { attempt } = await deliverTo(answer(rawResponse('200 OK', ['content-type: text/plain; charset=utf-8'], text)));
    expect(attempt.response).toMatchObject({ body: text, bodyEncoding: 'utf8', bodyTruncated: false, bodyLength: Buffer.byteLength(text) });
  });

  it('keeps the first 64 KiB of a 5 MiB body, truncated, with the declared length', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 'a');
    const { delivery, attempt } = await deliverTo(answer(rawResponse('200 OK', ['content-type: text/plain'], big)));
    expect(delivery.status).toBe('succeeded');
    expect(attempt.response).toMatchObject({ bodyEncoding: 'utf8', bodyTruncated: true, bodyLength: big.length });
    expect(attempt.response.body).toBe('a'.repeat(64 * 1024));
  });

  it('keeps a chunked multi-megabyte text body as text although 64 KiB cut a character, length unknown', async () => {
    const { attempt } = await deliverTo((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n');
      const chunk = Buffer.from('✓'.repeat(10_000)); // 30,000 bytes; 65,536 is not a multiple of 3
      for (let i = 0; i < 100; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`);
      socket.end('0\r\n\r\n');
    });
    expect(attempt.response).toMatchObject({ status: 200, bodyEncoding: 'utf8', bodyTruncated: true, bodyLength: null });
    expect(attempt.response.body).toBe('✓'.repeat(Math.floor((64 * 1024) / 3)));
  });

  it.each([
    ['a malformed status line', 'HTTP/1.1 2OO OK\r\ncontent-length: 0\r\n\r\n'],
    ['something that is not HTTP', 'hello, this is not HTTP at all\r\n\r\n'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nX Bad Header\r\ncontent-length: 0\r\n\r\n'],
    ['a NUL byte in a header value', 'HTTP/1.1 200 OK\r\nx-odd: a\u0000b\r\ncontent-length: 0\r\n\r\n'],
    ['a broken chunked encoding', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'],
  ])('records %s once as invalid_response and fails', async (_what, bytes) => {
    const { delivery, attempt } = await deliverTo(answer(Buffer.from(bytes, 'latin1')));
    expect(delivery.status).toBe('failed');
    expect(attempt.error.kind).toBe('invalid_response');
  });

  it('stores odd but valid header values (obs-text bytes, repeated names) and an unusual 2xx status', async () => {
    const head =
      'HTTP/1.1 299 Fine\r\nx-latin: caf\xe9\r\nset-cookie: a=1\r\nset-cookie: b=2\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok';
    const { delivery, attempt } = await deliverTo(answer(Buffer.from(head, 'latin1')));
    expect(delivery.status).toBe('succeeded');
    expect(attempt.response.status).toBe(299);
    expect(attempt.response.headers['x-latin']).toBe('café');
    expect(attempt.response.headers['set-cookie']).toBe('a=1, b=2');
  });

  it('records a status outside 1xx–5xx as a failed answer', async () => {
    const { delivery, attempt } = await deliverTo(answer(rawResponse('999 Whatever', [], 'odd')));
    expect(delivery).toMatchObject({ status: 'failed', lastResponseStatus: 999 });
    expect(attempt.response).toMatchObject({ status: 999, body: 'odd', bodyEncoding: 'utf8' });
  });

  it('records headers over 16 KiB as too_large', async () => {
    const headers = Array.from({ length: 40 }, (_, i) => `x-filler-${i}: ${'v'.repeat(500)}`);
    const { delivery, attempt } = await deliverTo(answer(rawResponse('200 OK', headers, 'ok')));
    expect(delivery.status).toBe('failed');
    expect(attempt.error.kind).toBe('too_large');
    expect(attempt.response).toBeNull();
  });

  it('records a reset mid-body as a connection error, keeping the status and the bytes that arrived', async () => {
    const { delivery, attempt } = await deliverTo((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n\r\npartial');
      setTimeout(() => socket.resetAndDestroy(), 100);
    });
    expect(delivery).toMatchObject({ status: 'failed', lastResponseStatus: 200 });
    expect(attempt.error.kind).toBe('connection');
    expect(attempt.response).toMatchObject({ status: 200, body: 'partial', bodyEncoding: 'utf8' });
  });

  it('records a connection closed without an answer as a connection error', async () => {
    const { delivery, attempt } = await deliverTo((socket) => {
      socket.end();
    });
    expect(delivery.status).toBe('failed');
    expect(attempt.error.kind).toBe('connection');
    expect(attempt.response).toBeNull();
  });

  it('bounds a dripping body by the endpoint timeout for the whole attempt', async () => {
    const { delivery, attempt } = await deliverTo(
      (socket) => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 1000\r\n\r\n');
        const drip = setInterval(() => (socket.writable ? socket.write('.') : clearInterval(drip)), 100);
        socket.on('close', () => clearInterval(drip));
      },
      { timeoutMs: 1_000 },
    );
    expect(delivery.status).toBe('failed');
    expect(attempt.error.kind).toBe('timeout');
    expect(attempt.durationMs).toBeGreaterThanOrEqual(900);
    expect(attempt.durationMs).toBeLessThan(3_000);
    expect(attempt.response.status).toBe(200);
    expect(attempt.response.body).toMatch(/^\.+$/);
  });
});
