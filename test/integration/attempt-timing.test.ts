// The attempt log's breakdown of one POST, measured by the delivery HTTP client against real
// loopback receivers: DNS, connect, TLS, time to first byte and total for a new connection; a
// kept-alive one marked reused with no phases of its own; the address actually reached; the body's
// size in bytes; and each TLS failure named, with certificates made here (node-forge).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebhookHttpClient, type HttpAttemptResult } from '../../src/activities/webhook-http';
import { createTestAuthority, issueLeaf, startHttpsReceiver, type HttpsReceiver } from '../support/test-certificates';

const DAY_MS = 86_400_000;
/** Multi-byte characters, so bytes and characters differ. */
const BODY = JSON.stringify({ type: 'invoice.paid', data: { customer: 'Zoë', amount: '€ 12', note: 'x'.repeat(500) } });

interface PlainReceiver {
  port: number;
  /** Per request: the body bytes received and the local address the client had connected to. */
  received: Array<{ bytes: number; localAddress: string | undefined }>;
  connections: number;
  close(): Promise<void>;
}

async function plainReceiver(): Promise<PlainReceiver> {
  const state = { received: [] as PlainReceiver['received'], connections: 0 };
  const server: Server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      state.received.push({ bytes, localAddress: req.socket.localAddress });
      // A little think time, so the answer's first byte comes measurably after the request.
      setTimeout(() => res.end('ok'), 15);
    });
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received: state.received,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The next attempt comes a moment later, as a retry or the next event would: the connection is back in the pool by then. */
const NEXT_ATTEMPT_GAP_MS = 50;

const post = (client: WebhookHttpClient, url: string) =>
  client.post({ url, headers: { 'content-type': 'application/json' }, body: BODY, timeoutMs: 5_000 });

function expectError(result: HttpAttemptResult) {
  if (result.kind !== 'error') throw new Error(`expected an error, got status ${result.status}`);
  return result;
}

describe('attempt timing over plain HTTP on loopback', () => {
  let receiver: PlainReceiver;
  let client: WebhookHttpClient;

  beforeAll(async () => {
    receiver = await plainReceiver();
    client = new WebhookHttpClient({ allowPrivateNetworks: true });
  });
  afterAll(async () => {
    await client.close();
    await receiver.close();
  });

  it('measures a new connection by host name, then marks the kept-alive one reused', async () => {
    const url = `http://localhost:${receiver.port}/hook`;
    const first = await post(client, url);
    await sleep(NEXT_ATTEMPT_GAP_MS);
    const second = await post(client, url);
    expect(receiver.connections).toBe(1);
    if (first.kind !== 'response' || second.kind !== 'response') throw new Error('expected answers');

    expect(first.timing).toEqual({
      dnsMs: expect.any(Number),
      connectMs: expect.any(Number),
      tlsMs: null,
      ttfbMs: expect.any(Number),
      connectionReused: false,
      remoteAddress: receiver.received[0]!.localAddress,
      requestBodyBytes: Buffer.byteLength(BODY),
    });
    expect(['127.0.0.1', '::ffff:127.0.0.1']).toContain(first.timing.remoteAddress);
    // The receiver waits 15 ms before answering; the phases fit inside the total.
    expect(first.timing.ttfbMs!).toBeGreaterThanOrEqual(14);
    expect(first.timing.dnsMs! + first.timing.connectMs!).toBeLessThanOrEqual(first.timing.ttfbMs!);
    expect(first.timing.ttfbMs!).toBeLessThanOrEqual(first.durationMs);

    expect(second.timing).toEqual({
      dnsMs: null,
      connectMs: null,
      tlsMs: null,
      ttfbMs: expect.any(Number),
      connectionReused: true,
      remoteAddress: first.timing.remoteAddress,
      requestBodyBytes: Buffer.byteLength(BODY),
    });
    // The body size is the bytes the receiver read, not the characters.
    expect(receiver.received.map((request) => request.bytes)).toEqual([Buffer.byteLength(BODY), Buffer.byteLength(BODY)]);
    expect(Buffer.byteLength(BODY)).toBeGreaterThan(BODY.length);
  });

  it('looks nothing up for an IP-literal URL: DNS is null, connect is measured', async () => {
    const literal = new WebhookHttpClient({ allowPrivateNetworks: true });
    try {
      const result = await post(literal, `http://127.0.0.1:${receiver.port}/hook`);
      expect(result.kind).toBe('response');
      expect(result.timing).toMatchObject({
        dnsMs: null,
        connectMs: expect.any(Number),
        tlsMs: null,
        connectionReused: false,
        remoteAddress: '127.0.0.1',
      });
    } finally {
      await literal.close();
    }
  });

  it('keeps what it measured of a connection that was refused', async () => {
    const closed = await plainReceiver();
    const port = closed.port;
    await closed.close();
    const result = expectError(await post(client, `http://127.0.0.1:${port}/hook`));
    expect(result.errorKind).toBe('connection');
    expect(result.tlsFailureReason).toBeNull();
    expect(result.timing).toEqual({
      dnsMs: null,
      connectMs: expect.any(Number),
      tlsMs: null,
      ttfbMs: null,
      connectionReused: false,
      remoteAddress: null,
      requestBodyBytes: Buffer.byteLength(BODY),
    });
  });

  it('says nothing was connected when the URL is refused before any socket', async () => {
    const guarded = new WebhookHttpClient({ allowPrivateNetworks: false });
    try {
      const result = expectError(await post(guarded, `http://127.0.0.1:${receiver.port}/hook`));
      expect(result.errorKind).toBe('ssrf_blocked');
      expect(result.timing).toEqual({
        dnsMs: null,
        connectMs: null,
        tlsMs: null,
        ttfbMs: null,
        connectionReused: null,
        remoteAddress: null,
        requestBodyBytes: Buffer.byteLength(BODY),
      });
    } finally {
      await guarded.close();
    }
  });
});

describe('attempt timing and TLS failures over HTTPS on loopback', () => {
  const authority = createTestAuthority();
  const now = Date.now();
  const receivers: HttpsReceiver[] = [];
  let client: WebhookHttpClient;

  async function httpsReceiver(leaf: ReturnType<typeof issueLeaf>): Promise<string> {
    const receiver = await startHttpsReceiver(leaf);
    receivers.push(receiver);
    return `https://localhost:${receiver.port}/hook`;
  }

  beforeAll(() => {
    client = new WebhookHttpClient({ allowPrivateNetworks: true, extraCaCertificates: authority.certPem });
  });
  afterAll(async () => {
    await client.close();
    await Promise.all(receivers.map((receiver) => receiver.close()));
  });

  it('times the TLS handshake of a trusted certificate, and none on the reused connection', async () => {
    const url = await httpsReceiver(issueLeaf(authority));
    const first = await post(client, url);
    await sleep(NEXT_ATTEMPT_GAP_MS);
    const second = await post(client, url);
    if (first.kind !== 'response' || second.kind !== 'response') throw new Error('expected answers');
    expect(first.status).toBe(200);
    expect(first.timing).toEqual({
      dnsMs: expect.any(Number),
      connectMs: expect.any(Number),
      tlsMs: expect.any(Number),
      ttfbMs: expect.any(Number),
      connectionReused: false,
      remoteAddress: '127.0.0.1',
      requestBodyBytes: Buffer.byteLength(BODY),
    });
    expect(first.timing.dnsMs! + first.timing.connectMs! + first.timing.tlsMs!).toBeLessThanOrEqual(first.timing.ttfbMs!);
    expect(second.timing).toMatchObject({ dnsMs: null, connectMs: null, tlsMs: null, connectionReused: true, remoteAddress: '127.0.0.1' });
    expect(receivers.at(-1)!.bodies.map((body) => body.length)).toEqual([Buffer.byteLength(BODY), Buffer.byteLength(BODY)]);
  });

  it.each([
    [
      'certificate_expired',
      'an expired certificate from the trusted CA',
      () => issueLeaf(authority, { notBefore: new Date(now - 30 * DAY_MS), notAfter: new Date(now - DAY_MS) }),
    ],
    [
      'hostname_mismatch',
      'a certificate from the trusted CA for another name',
      () => issueLeaf(authority, { dnsNames: ['other.example'], ipAddresses: [] }),
    ],
    ['unknown_ca', 'a self-signed certificate', () => issueLeaf(null)],
    ['unknown_ca', 'a certificate from a CA nobody trusts', () => issueLeaf(createTestAuthority('stranger CA'))],
    [
      'certificate_not_yet_valid',
      'a certificate from the trusted CA valid only from tomorrow',
      () => issueLeaf(authority, { notBefore: new Date(now + DAY_MS), notAfter: new Date(now + 30 * DAY_MS) }),
    ],
  ] as const)('names %s for %s, with the phases up to the failure', async (reason, _description, leaf) => {
    const url = await httpsReceiver(leaf());
    const result = expectError(await post(client, url));
    expect(result.errorKind).toBe('tls');
    expect(result.tlsFailureReason).toBe(reason);
    expect(result.partialResponse).toBeNull();
    expect(result.timing).toEqual({
      dnsMs: expect.any(Number),
      connectMs: expect.any(Number),
      tlsMs: expect.any(Number),
      ttfbMs: null,
      connectionReused: false,
      remoteAddress: '127.0.0.1',
      requestBodyBytes: Buffer.byteLength(BODY),
    });
    expect(receivers.at(-1)!.bodies).toEqual([]);
  });

  it('names a handshake that is not TLS at all (an http server on an https URL)', async () => {
    const plain = await plainReceiver();
    try {
      const result = expectError(await post(client, `https://localhost:${plain.port}/hook`));
      expect(result.errorKind).toBe('tls');
      expect(result.tlsFailureReason).toBe('handshake_failed');
      expect(result.timing).toMatchObject({ connectMs: expect.any(Number), tlsMs: expect.any(Number), connectionReused: false });
    } finally {
      await plain.close();
    }
  });

  it('trusts nothing extra unless told to', async () => {
    const url = await httpsReceiver(issueLeaf(authority));
    const untrusting = new WebhookHttpClient({ allowPrivateNetworks: true });
    try {
      const result = expectError(await post(untrusting, url));
      expect(result.tlsFailureReason).toBe('unknown_ca');
    } finally {
      await untrusting.close();
    }
  });
});
