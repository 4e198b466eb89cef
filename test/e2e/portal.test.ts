// The customer portal driven end to end in headless Chromium: a host page on another origin frames
// a one-time link at 360 px; the customer signs in through it and does every task of the portal
// (endpoints created from the keyboard, edited, disabled, enabled and deleted; the catalog; the
// log with its filters and search; attempts; resend, recover, test event; reveal and rotate the
// secret; verification snippets), while the host hears postMessage events. Then: a used and an
// expired link are refused, read-only hides and refuses writes, another tenant's ids typed into the
// address bar show nothing, and an origin not allowed cannot frame it. Screenshots go to docs/.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type BrowserContext, type Frame, type Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { createKey } from '../support/api';
import { browserTests, type HeadlessBrowser } from '../support/headless-browser';
import { createPortalSession } from '../support/portal';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

const { found: browserFound, itInBrowser, inBrowser, requireBrowser, launch } = browserTests();
const DOCS = path.resolve(__dirname, '../../docs');
/** A 1×1 PNG, as a data: URL (the portal loads nothing from another origin). */
const LOGO = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

interface PortalMessage {
  origin: string;
  data: { source: string; type: string; endpointId?: string; deliveryId?: string };
}

/** The SaaS's page: frames the link at 360 px and records what the portal posts to it. */
async function startHostPage(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const link = new URL(req.url ?? '/', 'http://host').searchParams.get('link') ?? '';
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html><head><title>Acme app</title></head><body style="margin:0;font-family:sans-serif">
<header style="padding:8px 12px;background:#eef">Acme app: webhooks settings</header>
<iframe id="portal" title="Webhooks" src="${link.replace(/"/g, '&quot;')}" style="width:360px;height:780px;border:1px solid #ccc"></iframe>
<script>window.portalMessages=[];addEventListener('message',function(e){window.portalMessages.push({origin:e.origin,data:e.data})});</script>
</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('customer portal', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let host: { origin: string; close(): Promise<void> };
  let headless: HeadlessBrowser | undefined;
  let browser: BrowserContext;
  let page: Page;
  let tenantId: string;
  let publisherKey: string;
  let foreign: { tenantId: string; endpointId: string; deliveryId: string; eventId: string };

  beforeAll(async () => {
    [hookrelay, receiver, host] = await Promise.all([startTestHookrelay(), startReceiver(), startHostPage()]);
    receiver.respondWith(() => ({ status: 200, body: 'ok' }));
    for (const [name, group, description, schema] of [
      [
        'invoice.paid',
        'Invoice',
        'An invoice was paid in full',
        { type: 'object', properties: { invoiceId: { type: 'string', examples: ['inv_123'] }, amount: { type: 'integer', minimum: 1 } } },
      ],
      ['invoice.voided', 'Invoice', 'An invoice was voided', null],
      [
        'customer.created',
        'Customer',
        'A customer signed up',
        { type: 'object', properties: { email: { type: 'string', format: 'email' } } },
      ],
    ] as const) {
      await hookrelay.request('POST', '/v1/event-types', { body: { name, group, description, ...(schema && { schema }) } });
    }
    tenantId = (await hookrelay.request('POST', '/v1/tenants', { body: { name: 'Acme' } })).body.id;
    publisherKey = await createKey(hookrelay, tenantId, ['events:publish']);
    // Another tenant with an endpoint, an event and a delivery the portal must never show.
    const otherTenant = (await hookrelay.request('POST', '/v1/tenants', { body: { name: 'Globex' } })).body.id;
    const otherEndpoint = await hookrelay.request('POST', `/v1/tenants/${otherTenant}/endpoints`, {
      body: { name: 'Globex secret endpoint', url: receiver.url, eventTypes: ['*'], enabled: true },
    });
    const otherKey = await createKey(hookrelay, otherTenant, ['events:publish']);
    const otherEvent = await hookrelay.request('POST', `/v1/tenants/${otherTenant}/events`, {
      key: otherKey,
      body: { type: 'invoice.paid', data: { invoiceId: 'globex_1', amount: 5 }, resourceId: 'globex_1' },
    });
    // Finished before the tests count the receiver's requests.
    const otherDelivery = await waitFor(async () => {
      const first = (await hookrelay.request('GET', `/v1/tenants/${otherTenant}/deliveries`)).body.data[0];
      return first?.status === 'succeeded' ? (first.id as string) : undefined;
    });
    foreign = { tenantId: otherTenant, endpointId: otherEndpoint.body.id, deliveryId: otherDelivery, eventId: otherEvent.body.id };
    if (!browserFound) return;
    headless = await launch({ viewport: { width: 420, height: 860 } });
    ({ context: browser, page } = headless);
  }, 120_000);

  afterAll(async () => {
    await headless?.close();
    await hookrelay?.close();
    await receiver?.close();
    await host?.close();
  });

  const shot = (name: string, target: Page = page) => target.screenshot({ path: path.join(DOCS, `${name}.png`), fullPage: true });
  const messages = () => page.evaluate(() => (globalThis as unknown as { portalMessages: PortalMessage[] }).portalMessages);
  const waitForMessage = (type: string) =>
    waitFor(async () => (await messages()).find((m) => m.data?.type === type), { timeoutMs: 10_000 });
  const portalFrame = async (): Promise<Frame> => waitFor(async () => page.frames().find((frame) => frame.url().includes('/portal/ps_')));
  /** Presses Tab until the element matching `selector` has the focus. */
  const tabTo = async (frame: Frame, selector: string) => {
    for (let i = 0; i < 80; i++) {
      if (await frame.evaluate((s) => (globalThis as any).document.activeElement?.matches(s) ?? false, selector)) return;
      await page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached ${selector}`);
  };
  const publish = (body: Record<string, unknown>) =>
    hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, { key: publisherKey, body });

  itInBrowser(
    inBrowser('signs in through a one-time link in a 360 px frame and does every task of the portal'),
    async () => {
      requireBrowser();
      const base = receiver.requests.length;
      const link = await createPortalSession(hookrelay, tenantId, {
        allowedOrigins: [host.origin],
        branding: { displayName: 'Acme Webhooks', accentColor: '#0a7d5a', logoUrl: LOGO },
      });
      await page.goto(`${host.origin}/?link=${encodeURIComponent(link.url)}`);
      const ready = await waitForMessage('portal.ready');
      expect(ready.origin).toBe(new URL(hookrelay.apiUrl).origin);
      const frame = await portalFrame();
      await frame.getByText('No endpoints yet.').waitFor();
      await expect(frame.locator('#brand-name').textContent()).resolves.toBe('Acme Webhooks');
      // The link's token left the address bar at once; the frame is 360 px wide and does not scroll sideways.
      expect(frame.url()).not.toContain('hrpl_');
      expect(await frame.evaluate('[innerWidth, document.documentElement.scrollWidth <= innerWidth]')).toEqual([360, true]);

      // Create an endpoint with the keyboard only.
      await frame.locator('#main').focus();
      await tabTo(frame, '#new-endpoint');
      await page.keyboard.press('Enter');
      await frame.locator('#ep-name').waitFor();
      expect(await frame.evaluate('document.activeElement?.id')).toBe('ep-name');
      await page.keyboard.type('Billing');
      await page.keyboard.press('Tab');
      await page.keyboard.type(receiver.url);
      await page.keyboard.press('Tab');
      await page.keyboard.type('Invoices to billing');
      await tabTo(frame, 'input[data-event-type="invoice.paid"]');
      await page.keyboard.press('Space');
      await tabTo(frame, '#ep-enabled');
      await page.keyboard.press('Space'); // on creation: enabled by default, toggled off…
      await page.keyboard.press('Space'); // …and on again
      await tabTo(frame, '#save-endpoint');
      await shot('portal-01-new-endpoint');
      await page.keyboard.press('Enter');
      const created = await waitForMessage('endpoint.created');
      const endpointId = created.data.endpointId!;
      await frame.locator('#send-test').waitFor();
      const stored = await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}`);
      expect(stored.body).toMatchObject({ name: 'Billing', url: receiver.url, eventTypes: ['invoice.paid'], enabled: true });

      // Edit, disable and enable.
      await frame.click('#edit-endpoint');
      await frame.fill('#ep-description', 'Paid invoices to billing');
      await frame.click('#save-endpoint');
      await waitForMessage('endpoint.updated');
      await frame.getByText('Paid invoices to billing').waitFor();
      await frame.click('.switch');
      await waitForMessage('endpoint.disabled');
      await frame.getByText('Disabled', { exact: true }).waitFor();
      await frame.click('.switch');
      await waitForMessage('endpoint.enabled');
      await frame.getByText('Enabled', { exact: true }).waitFor();

      // Reveal the secret: the snippets fill it in; a test event verifies with the official library.
      await frame.click('#reveal-secret');
      const secret = (await frame.locator('#secret-value').textContent())!;
      expect(secret).toMatch(/^whsec_/);
      await expect(frame.locator('#snippet-code').textContent()).resolves.toContain(`new Webhook("${secret}")`);
      await frame.click('button[data-language="Python"]');
      await expect(frame.locator('#snippet-code').textContent()).resolves.toContain('from standardwebhooks.webhooks import Webhook');
      await frame.click('button[data-language="Go"]');
      const goSnippet = (await frame.locator('#snippet-code').textContent())!;
      expect(goSnippet).toContain('"github.com/standard-webhooks/standard-webhooks/libraries/go"');
      expect(goSnippet).toContain(`standardwebhooks.NewWebhook("${secret}")`);
      await frame.click('#send-test');
      const testRequest = (await receiver.waitForRequests(base + 1))[base];
      expect(() => new Webhook(secret).verify(testRequest!.body, testRequest!.headers as Record<string, string>)).not.toThrow();
      await shot('portal-02-endpoint');

      // Rotate: the old secret keeps signing for a while and is shown as such.
      await frame.click('#rotate-secret');
      await frame.getByText('Previous secret, still signing until').waitFor();
      expect(await frame.locator('#secret-value').textContent()).not.toBe(secret);

      // The log: published events arrive; filters and resource-id search narrow it.
      await publish({ type: 'invoice.paid', data: { invoiceId: 'inv_42', amount: 42 }, resourceId: 'inv_42' });
      await receiver.waitForRequests(base + 2);
      const rows = frame.locator('tr[data-delivery]');
      for (let i = 0; i < 40 && (await rows.count()) < 2; i++) {
        await frame.click('#refresh-log');
        await page.waitForTimeout(250);
      }
      await frame.fill('#filter-resource', 'inv_42');
      await frame.click('#apply-filters');
      await frame.locator('tr[data-delivery]').first().waitFor();
      await waitFor(async () => ((await rows.count()) === 1 ? true : undefined));
      await expect(rows.first().textContent()).resolves.toContain('invoice.paid');
      await frame.selectOption('#filter-status', 'failed');
      await frame.click('#apply-filters');
      await frame.getByText('No deliveries match.').waitFor();
      await frame.selectOption('#filter-status', '');
      await frame.click('#apply-filters');

      // A delivery: payload and attempts, no workflow internals; resend makes a new delivery.
      await rows.first().click();
      await frame.locator('#attempts details[data-attempt="1"]').waitFor();
      await expect(frame.locator('#payload').textContent()).resolves.toContain('inv_42');
      expect(await frame.locator('#temporal-link').count()).toBe(0);
      await shot('portal-03-delivery');
      await frame.click('#resend');
      const resent = await waitForMessage('delivery.resent');
      await receiver.waitForRequests(base + 3);
      await waitFor(async () => (frame.url().endsWith(resent.data.deliveryId!) ? true : undefined));

      // Recover: a delivery that failed is resent from the endpoint page.
      await hookrelay.request('PATCH', `/v1/tenants/${tenantId}/endpoints/${endpointId}`, {
        body: { retryPolicy: { strategy: 'schedule', delaysSeconds: [1], jitter: 0 } },
      });
      receiver.respondWith((request) => (request.body.includes('inv_fail') ? { status: 500, body: 'down' } : { status: 200, body: 'ok' }));
      await publish({ type: 'invoice.paid', data: { invoiceId: 'inv_fail', amount: 1 }, resourceId: 'inv_fail' });
      await waitFor(
        async () => (await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries?status=failed&resourceId=inv_fail`)).body.data[0],
        { timeoutMs: 20_000 },
      );
      receiver.respondWith(() => ({ status: 200, body: 'ok' }));
      const before = receiver.requests.length;
      await frame.goto(`${hookrelay.apiUrl}/portal/${link.id}#/endpoints/${endpointId}`);
      await frame.locator('#recover-since').waitFor();
      await frame.fill('#recover-since', localDateTime(new Date(Date.now() - 3600_000)));
      await frame.click('#recover');
      await frame.getByText('1 failed deliveries resent').waitFor();
      await receiver.waitForRequests(before + 1);

      // The catalog: grouped, with descriptions, schemas and an example payload.
      await frame.click('a[href="#/event-types"]');
      await frame.locator('section[data-group="Invoice"]').waitFor();
      expect(await frame.locator('section.catalog-group h2').allTextContents()).toEqual(expect.arrayContaining(['Customer', 'Invoice']));
      await frame.click('details[data-event-type="invoice.paid"] summary');
      const example = JSON.parse((await frame.locator('details[data-event-type="invoice.paid"] .example-payload').textContent())!);
      expect(example).toMatchObject({ type: 'invoice.paid', tenantId, data: { invoiceId: 'inv_123', amount: 1 } });
      await expect(frame.locator('details[data-event-type="invoice.paid"] .schema').textContent()).resolves.toContain('"invoiceId"');
      await shot('portal-04-catalog');

      // Delete: the endpoint is gone from the list and the host hears of it.
      await frame.click('a[href="#/endpoints"]');
      await frame.click(`tr[data-endpoint="${endpointId}"] a`);
      await frame.click('#delete-endpoint');
      expect((await waitForMessage('endpoint.deleted')).data.endpointId).toBe(endpointId);
      await frame.getByText('No endpoints yet.').waitFor();
      // Every message went to the host's origin, with the portal as its source.
      for (const message of await messages()) expect(message.data.source).toBe('hookrelay-portal');
    },
    180_000,
  );

  itInBrowser(inBrowser('refuses a link opened a second time, and an expired one, and grants nothing'), async () => {
    requireBrowser();
    const link = await createPortalSession(hookrelay, tenantId);
    const first = await browser.newPage();
    await first.goto(link.url);
    await first.getByRole('heading', { name: 'Endpoints' }).waitFor();
    await first.close();
    const second = await browser.newPage();
    await second.goto(link.url);
    await second.locator('#portal-notice[data-reason="used"]').waitFor();
    await expect(second.locator('h1').textContent()).resolves.toBe('This link was already used');
    expect(await second.evaluate('sessionStorage.length')).toBe(0);
    await shot('portal-05-link-used', second);
    const expiring = await createPortalSession(hookrelay, tenantId);
    await hookrelay.db
      .updateTable('portal_sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', expiring.id)
      .execute();
    await second.goto(expiring.url);
    await second.locator('#portal-notice[data-reason="expired"]').waitFor();
    expect(await second.evaluate('sessionStorage.length')).toBe(0);
    await second.close();
  });

  itInBrowser(inBrowser('hides writes in a read-only session, and the API refuses them'), async () => {
    requireBrowser();
    const endpoint = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'Read me', url: receiver.url, eventTypes: ['invoice.voided'], enabled: true },
    });
    await publish({ type: 'invoice.voided', data: {}, resourceId: 'inv_ro' });
    const delivery = await waitFor(
      async () =>
        (await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries?endpointId=${endpoint.body.id}`)).body.data[0]?.id as
          string | undefined,
    );
    const link = await createPortalSession(hookrelay, tenantId, { readOnly: true });
    const reader = await browser.newPage();
    await reader.goto(link.url);
    await reader.locator(`tr[data-endpoint="${endpoint.body.id}"]`).waitFor();
    await reader.locator('#read-only').waitFor();
    expect(await reader.locator('#new-endpoint, .switch').count()).toBe(0);
    await reader.click(`tr[data-endpoint="${endpoint.body.id}"] a`);
    await reader.locator('#secret-unavailable').waitFor();
    expect(await reader.locator('#edit-endpoint, #send-test, #delete-endpoint, #recover, #reveal-secret, #rotate-secret').count()).toBe(0);
    await shot('portal-06-read-only', reader);
    await reader.goto(`${link.url.split('#')[0]}#/deliveries/${delivery}`);
    await reader.locator('#attempts').waitFor();
    expect(await reader.locator('#resend, #cancel').count()).toBe(0);
    await reader.goto(`${link.url.split('#')[0]}#/endpoints/new`);
    await reader.locator('#read-only-notice').waitFor();
    // The credential itself is refused every write.
    const statuses = await reader.evaluate(
      async ({ tenant, endpointId, deliveryId }) => {
        const token = Object.entries((globalThis as any).sessionStorage as Record<string, string>).find(([key]) =>
          key.startsWith('hookrelay.portal.'),
        )![1];
        const post = (path: string, body?: unknown) =>
          fetch(path, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body ?? {}),
          }).then((r) => r.status);
        return [
          await post(`/v1/tenants/${tenant}/endpoints`, { name: 'x', url: 'https://example.com', eventTypes: ['*'] }),
          await post(`/v1/tenants/${tenant}/endpoints/${endpointId}/disable`),
          await post(`/v1/tenants/${tenant}/deliveries/${deliveryId}/resend`),
          await fetch(`/v1/tenants/${tenant}/endpoints/${endpointId}/secret`, { headers: { authorization: `Bearer ${token}` } }).then(
            (r) => r.status,
          ),
        ];
      },
      { tenant: tenantId, endpointId: endpoint.body.id, deliveryId: delivery },
    );
    expect(statuses).toEqual([403, 403, 403, 403]);
    await reader.close();
  });

  itInBrowser(inBrowser("never shows another tenant's endpoints, events or deliveries, even by typed ids"), async () => {
    requireBrowser();
    const link = await createPortalSession(hookrelay, tenantId);
    const visitor = await browser.newPage();
    await visitor.goto(link.url);
    await visitor.locator('#main h1').waitFor();
    const base = link.url.split('#')[0];
    for (const hash of [
      `#/endpoints/${foreign.endpointId}`,
      `#/endpoints/${foreign.endpointId}/edit`,
      `#/deliveries/${foreign.deliveryId}`,
    ]) {
      await visitor.goto(`${base}${hash}`);
      await visitor.locator('.error-box').waitFor();
      const text = (await visitor.locator('#main').textContent())!;
      expect(text).toMatch(/not found/);
      expect(text).not.toContain('Globex');
      expect(text).not.toContain('globex_1');
    }
    await shot('portal-07-other-tenant', visitor);
    await visitor.goto(`${base}#/endpoints`);
    await visitor.locator('#main h1').waitFor();
    expect(await visitor.locator('#main').textContent()).not.toContain('Globex');
    await visitor.close();
  });

  itInBrowser(inBrowser('cannot be framed by an origin the session does not allow'), async () => {
    requireBrowser();
    const link = await createPortalSession(hookrelay, tenantId, { allowedOrigins: ['https://app.example.com'] });
    const framing = await browser.newPage();
    await framing.goto(`${host.origin}/?link=${encodeURIComponent(link.url)}`);
    await framing.waitForTimeout(2000);
    expect(await framing.evaluate('portalMessages.length')).toBe(0);
    // Nothing was exchanged: the link still opens (once) at the top level.
    const session = await hookrelay.request('GET', `/v1/tenants/${tenantId}/portal-sessions?limit=100`);
    expect(session.body.data.find((s: { id: string }) => s.id === link.id).status).toBe('unused');
    await framing.close();
  });
});

/** A time as a datetime-local input takes it (local time, minutes). */
function localDateTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
