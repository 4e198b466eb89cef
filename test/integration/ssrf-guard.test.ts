// The delivery HTTP client's connect-time guard against real loopback listeners: with private
// networks disallowed, nothing reaches them — not a request byte, not even a TCP connection —
// however the address is spelled or whatever a host name resolves to.
import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { peerRefusal, type ResolveHost } from '../../src/activities/ssrf-guard';
import { WebhookHttpClient, type HttpAttemptResult } from '../../src/activities/webhook-http';

interface CountingServer {
  port: number;
  connections: number;
  requests: number;
  close(): Promise<void>;
}

async function countingServer(host: '127.0.0.1' | '::1', port = 0): Promise<CountingServer> {
  const counts = { connections: 0, requests: 0 };
  const server: Server = createServer((_req, res) => {
    counts.requests++;
    res.writeHead(204).end();
  });
  server.on('connection', () => counts.connections++);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return counts.connections;
    },
    get requests() {
      return counts.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Only names answered locally: no DNS query leaves the machine during the tests.
// A made-up name that "DNS" points at loopback: what a rebinding attacker's resolver would do.
const rebindingResolver: ResolveHost = async (hostname) => {
  if (hostname === 'rebind.hookrelay.test') return [{ address: '127.0.0.1', family: 4 }];
  if (hostname === 'rebind6.hookrelay.test') return [{ address: '::1', family: 6 }];
  if (hostname === 'mapped.hookrelay.test') return [{ address: '::ffff:127.0.0.1', family: 6 }];
  if (hostname === 'localhost') return lookup(hostname, { all: true }); // /etc/hosts, no query leaves the machine
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

const post = (client: WebhookHttpClient, url: string): Promise<HttpAttemptResult> =>
  client.post({ url, headers: { 'content-type': 'application/json' }, body: '{"secret":"payload"}', timeoutMs: 5_000 });

describe('connect-time SSRF guard', () => {
  let v4: CountingServer;
  let v6: CountingServer;
  let guarded: WebhookHttpClient;
  let open: WebhookHttpClient;

  beforeAll(async () => {
    v4 = await countingServer('127.0.0.1');
    v6 = await countingServer('::1');
    guarded = new WebhookHttpClient({ allowPrivateNetworks: false, resolveHost: rebindingResolver });
    open = new WebhookHttpClient({ allowPrivateNetworks: true, resolveHost: rebindingResolver });
  });
  afterAll(async () => {
    await Promise.all([guarded?.close(), open?.close()]);
    await Promise.all([v4?.close(), v6?.close()]);
  });

  const v4Urls = () => [
    `http://127.0.0.1:${v4.port}/hook`,
    `https://127.0.0.1:${v4.port}/hook`,
    `http://2130706433:${v4.port}/hook`,
    `http://0177.0.0.1:${v4.port}/hook`,
    `http://0x7f.0.0.1:${v4.port}/hook`,
    `http://127.1:${v4.port}/hook`,
    `http://[::ffff:127.0.0.1]:${v4.port}/hook`,
    `http://[::ffff:7f00:1]:${v4.port}/hook`,
    `http://localhost:${v4.port}/hook`,
    `http://rebind.hookrelay.test:${v4.port}/hook`,
    `https://rebind.hookrelay.test:${v4.port}/hook`,
    `http://mapped.hookrelay.test:${v4.port}/hook`,
  ];

  it('refuses every spelling of a loopback address, and names that resolve to one, before connecting', async () => {
    for (const url of v4Urls()) {
      const result = await post(guarded, url);
      expect({ url, ...result }).toMatchObject({ url, kind: 'error', errorKind: 'ssrf_blocked' });
    }
    expect(v4.connections).toBe(0);
    expect(v4.requests).toBe(0);
  });

  it('refuses IPv6 loopback, literal or resolved', async () => {
    for (const url of [
      `http://[::1]:${v6.port}/hook`,
      `http://[0:0:0:0:0:0:0:1]:${v6.port}/hook`,
      `http://rebind6.hookrelay.test:${v6.port}/hook`,
    ]) {
      expect(await post(guarded, url)).toMatchObject({ kind: 'error', errorKind: 'ssrf_blocked' });
    }
    expect(v6.connections).toBe(0);
  });

  it('says why in the error message', async () => {
    expect(await post(guarded, `http://[::ffff:127.0.0.1]:${v4.port}/`)).toMatchObject({
      message: '::ffff:7f00:1 is an internal address (loopback (ipv4Mapped of 127.0.0.1))',
    });
    expect(await post(guarded, `http://rebind.hookrelay.test:${v4.port}/`)).toMatchObject({
      message: 'rebind.hookrelay.test resolves only to internal addresses (127.0.0.1: loopback)',
    });
  });

  it('classifies a name that does not resolve as a dns error, not as blocked', async () => {
    expect(await post(guarded, 'https://nowhere.hookrelay.test/hook')).toMatchObject({ kind: 'error', errorKind: 'dns' });
  });

  it('connects to the same listeners when private networks are allowed (the counters work)', async () => {
    const before = v4.requests;
    for (const url of [
      `http://127.0.0.1:${v4.port}/hook`,
      `http://rebind.hookrelay.test:${v4.port}/hook`,
      `http://[::ffff:127.0.0.1]:${v4.port}/hook`,
    ]) {
      expect(await post(open, url)).toMatchObject({ kind: 'response', status: 204 });
    }
    expect(await post(open, `http://[::1]:${v6.port}/hook`)).toMatchObject({ kind: 'response', status: 204 });
    expect(v4.requests - before).toBe(3);
    expect(v6.requests).toBe(1);
  });
});

describe('peer check after connecting (the last line of defence)', () => {
  it.each([
    [undefined, 'the connection has no peer address'],
    ['127.0.0.1', 'connected to 127.0.0.1, an internal address (loopback)'],
    ['::1', 'connected to ::1, an internal address (loopback)'],
    ['::ffff:10.0.0.1', 'connected to ::ffff:a00:1, an internal address (private (ipv4Mapped of 10.0.0.1))'],
    ['not-an-address', 'the peer address not-an-address could not be classified'],
    ['8.8.8.8', null],
    ['::ffff:8.8.8.8', null],
  ])('judges the peer %s', (peer, refusal) => {
    expect(peerRefusal(peer)).toBe(refusal);
  });
});
