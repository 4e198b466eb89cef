// The attempt log as the API shows it, from deliveries the worker made: each attempt's timing
// (DNS, connect, TLS, time to first byte, total), whether it went out on a kept-alive connection,
// the address it reached and its body size; a TLS failure named. The worker trusts the test's own
// CA through HOOKRELAY_EXTRA_CA_CERTS_FILE, as a deployment with a private CA would.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTenant, ensureEventType } from '../support/api';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { createTestAuthority, issueLeaf, startHttpsReceiver, type HttpsReceiver } from '../support/test-certificates';
import { waitFor } from '../support/wait';

jest.setTimeout(90_000);

const DAY_MS = 86_400_000;

describe('the attempt log explains each attempt', () => {
  const authority = createTestAuthority();
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  const secure: Record<'trusted' | 'expired' | 'mismatch' | 'selfSigned', HttpsReceiver | undefined> = {
    trusted: undefined,
    expired: undefined,
    mismatch: undefined,
    selfSigned: undefined,
  };
  let tenantId: string;

  beforeAll(async () => {
    const caFile = join(mkdtempSync(join(tmpdir(), 'hookrelay-ca-')), 'extra-ca.pem');
    writeFileSync(caFile, authority.certPem);
    const now = Date.now();
    [hookrelay, receiver, secure.trusted, secure.expired, secure.mismatch, secure.selfSigned] = await Promise.all([
      startTestHookrelay({ HOOKRELAY_EXTRA_CA_CERTS_FILE: caFile }),
      startReceiver(),
      startHttpsReceiver(issueLeaf(authority)),
      startHttpsReceiver(issueLeaf(authority, { notBefore: new Date(now - 60 * DAY_MS), notAfter: new Date(now - 2 * DAY_MS) })),
      startHttpsReceiver(issueLeaf(authority, { dnsNames: ['receiver.example'], ipAddresses: [] })),
      startHttpsReceiver(issueLeaf(null)),
    ]);
    await ensureEventType(hookrelay, 'invoice.paid');
    tenantId = await createTenant(hookrelay);
  });
  afterAll(async () => {
    await hookrelay?.close();
    await receiver?.close();
    await Promise.all(Object.values(secure).map((server) => server?.close()));
  });

  async function endpoint(name: string, url: string): Promise<string> {
    const created = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      // One attempt now; the retry is an hour away, after the test.
      body: { name, url, eventTypes: ['invoice.paid'], enabled: true, retryPolicy: { strategy: 'schedule', delaysSeconds: [3600] } },
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  /** Publishes one event and answers the first attempt of each endpoint's delivery, once recorded. */
  async function publishAndReadAttempts(data: Record<string, unknown>): Promise<Map<string, Record<string, any>>> {
    const published = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, { body: { type: 'invoice.paid', data } });
    expect(published.status).toBe(202);
    const deliveries = await hookrelay.db
      .selectFrom('deliveries')
      .select(['id', 'endpoint_id'])
      .where('event_id', '=', published.body.id)
      .execute();
    const attempts = new Map<string, Record<string, any>>();
    for (const delivery of deliveries) {
      const body = await waitFor(
        async () => {
          const read = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${delivery.id}`);
          return read.body.attempts?.length > 0 ? read.body : null;
        },
        { what: `the first attempt of ${delivery.id}` },
      );
      attempts.set(delivery.endpoint_id, body.attempts[0]);
    }
    return attempts;
  }

  it('shows the breakdown of a new connection, then a reused one, for a plain HTTP receiver', async () => {
    const plainId = await endpoint('plain', receiver.url.replace('127.0.0.1', 'localhost'));
    const data = { customer: 'Zoë', amount: '€ 42' };
    const first = (await publishAndReadAttempts(data)).get(plainId)!;
    const [received] = await receiver.waitForRequests(1);
    expect(first).toMatchObject({
      response: { status: 200 },
      error: null,
      request: { bodyBytes: Buffer.byteLength(received!.body) },
      timing: {
        dnsMs: expect.any(Number),
        connectMs: expect.any(Number),
        tlsMs: null,
        ttfbMs: expect.any(Number),
        totalMs: first.durationMs,
        connectionReused: false,
      },
      remoteAddress: '127.0.0.1',
    });
    // Multi-byte characters: the size is bytes, as sent.
    expect(first.request.bodyBytes).toBeGreaterThan(received!.body.length);

    const second = (await publishAndReadAttempts(data)).get(plainId)!;
    expect(second).toMatchObject({
      timing: { dnsMs: null, connectMs: null, tlsMs: null, ttfbMs: expect.any(Number), connectionReused: true },
      remoteAddress: '127.0.0.1',
    });
    await hookrelay.request('DELETE', `/v1/tenants/${tenantId}/endpoints/${plainId}`);
  });

  it('times the TLS handshake of a trusted receiver and names each refused certificate', async () => {
    const url = (server: HttpsReceiver | undefined) => `https://localhost:${server!.port}/hook`;
    const ids = {
      trusted: await endpoint('trusted', url(secure.trusted)),
      expired: await endpoint('expired', url(secure.expired)),
      mismatch: await endpoint('mismatch', url(secure.mismatch)),
      selfSigned: await endpoint('self-signed', url(secure.selfSigned)),
    };
    const attempts = await publishAndReadAttempts({ invoice: 'inv_1' });

    expect(attempts.get(ids.trusted)).toMatchObject({
      response: { status: 200 },
      error: null,
      timing: { dnsMs: expect.any(Number), connectMs: expect.any(Number), tlsMs: expect.any(Number), connectionReused: false },
      remoteAddress: '127.0.0.1',
    });
    for (const [name, reason] of [
      ['expired', 'certificate_expired'],
      ['mismatch', 'hostname_mismatch'],
      ['selfSigned', 'unknown_ca'],
    ] as const) {
      expect(attempts.get(ids[name])).toMatchObject({
        response: null,
        error: { kind: 'tls', tlsFailureReason: reason },
        timing: { connectMs: expect.any(Number), tlsMs: expect.any(Number), ttfbMs: null, connectionReused: false },
        remoteAddress: '127.0.0.1',
      });
      expect(secure[name]!.bodies).toEqual([]);
    }
    // The log can be searched for them: error kind tls.
    const failed = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries?errorKind=tls`);
    expect(failed.status).toBe(200);
    expect(new Set(failed.body.data.map((delivery: { endpointId: string }) => delivery.endpointId))).toEqual(
      new Set([ids.expired, ids.mismatch, ids.selfSigned]),
    );
  });
});
