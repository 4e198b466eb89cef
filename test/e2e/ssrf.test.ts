// SPEC §8 end to end, as production runs it (private networks not allowed): the API refuses
// literal internal endpoint URLs up front, and the worker refuses to connect to whatever else
// turns out to be internal — a rebinding name, literals that reached the database — recording
// the attempt as `ssrf_blocked` while the receiver on 127.0.0.1 sees nothing at all.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolveHost } from '../../src/activities/ssrf-guard';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

// Only made-up names, answered here: no DNS query leaves the machine.
const resolveHost: ResolveHost = async (hostname) => {
  if (hostname === 'rebind.hookrelay.test') return [{ address: '127.0.0.1', family: 4 }];
  if (hostname === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

describe('SSRF protection with private networks disallowed', () => {
  let hookrelay: TestHookrelay;
  let receiver: Server;
  let port: number;
  const seen = { connections: 0, requests: 0 };
  let tenantId: string;

  beforeAll(async () => {
    receiver = createServer((_req, res) => {
      seen.requests++;
      res.writeHead(200).end('ok');
    });
    receiver.on('connection', () => seen.connections++);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
    hookrelay = await startTestHookrelay({ HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'false', HOOKRELAY_ALLOW_HTTP: 'true' }, { resolveHost });
    tenantId = (await hookrelay.request('POST', '/v1/tenants', { body: { name: 'Acme' } })).body.id;
    expect((await hookrelay.request('POST', '/v1/event-types', { body: { name: 'invoice.activated', group: 'Invoice' } })).status).toBe(
      201,
    );
  });
  afterAll(async () => {
    await hookrelay?.close();
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const createEndpoint = (url: string) =>
    hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'billing', url, eventTypes: ['invoice.activated'], enabled: true },
    });

  it('refuses literal internal addresses and localhost when the endpoint is created', async () => {
    for (const url of [
      `http://127.0.0.1:${port}/hook`,
      `http://2130706433:${port}/hook`,
      `http://[::1]:${port}/hook`,
      `http://[::ffff:127.0.0.1]:${port}/hook`,
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.1/hook',
      `http://localhost:${port}/hook`,
    ]) {
      const response = await createEndpoint(url);
      expect({ url, status: response.status }).toEqual({ url, status: 400 });
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(response.body.errors).toEqual([
        { path: 'body.url', message: expect.stringMatching(/^url must not point to (an internal address|localhost)/) },
      ]);
    }
    expect(await hookrelay.db.selectFrom('endpoints').select('id').execute()).toEqual([]);
  });

  it('blocks deliveries at connect time: a rebinding name, and literal loopback that reached the database', async () => {
    // Accepted at creation: a name, judged only once it resolves (to 127.0.0.1).
    const rebinding = await createEndpoint(`http://rebind.hookrelay.test:${port}/hook`);
    expect(rebinding.status).toBe(201);

    // URLs creation would refuse, written straight to the database (as an older release, a
    // relaxed policy or a manual fix could have left them): the worker must still refuse them.
    const literalUrls = [
      `http://localhost:${port}/hook`,
      `http://[::1]:${port}/hook`,
      `http://[::ffff:127.0.0.1]:${port}/hook`,
      `http://127.1:${port}/hook`,
    ];
    const endpointUrls = new Map<string, string>([[rebinding.body.id, `http://rebind.hookrelay.test:${port}/hook`]]);
    for (const url of literalUrls) {
      const created = await createEndpoint('https://placeholder.hookrelay.test/hook');
      expect(created.status).toBe(201);
      await hookrelay.db.updateTable('endpoints').set({ url }).where('id', '=', created.body.id).execute();
      endpointUrls.set(created.body.id, url);
    }

    const published = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
      body: { type: 'invoice.activated', data: { invoiceId: 'inv_1' } },
    });
    expect(published.status).toBe(202);
    expect(published.body.deliveryCount).toBe(5);

    const deliveries = await hookrelay.db
      .selectFrom('deliveries')
      .select(['id', 'endpoint_id'])
      .where('event_id', '=', published.body.id)
      .execute();
    for (const delivery of deliveries) {
      const attempt = await firstAttempt(delivery.id);
      expect({ url: endpointUrls.get(delivery.endpoint_id), attempt }).toMatchObject({
        url: attempt.request.url,
        attempt: { number: 1, response: null, error: { kind: 'ssrf_blocked', message: expect.stringMatching(/internal address/) } },
      });
    }
    expect(seen).toEqual({ connections: 0, requests: 0 });
  });

  async function firstAttempt(deliveryId: string): Promise<any> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const delivery = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${deliveryId}`);
      if (delivery.body.attempts?.length > 0) return delivery.body.attempts[0];
      if (Date.now() > deadline) throw new Error(`no attempt recorded for ${deliveryId}: ${JSON.stringify(delivery.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});
