// The web console driven end to end in headless Chromium (found by test/support/chromium.ts,
// driven through playwright-core): sign in, pick a tenant, create an endpoint, send a test
// event, open the delivery and its attempt, resend, rotate the secret, toggle enabled. One screenshot per main
// screen goes to artifacts/console/. Without a Chromium the browser test is not run and the run's
// summary says so (test/support/not-run-reporter.js); with CI=true a missing one is a failure.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { browserTests, type HeadlessBrowser } from '../support/headless-browser';
import { seedFailedDeliveries } from '../support/failed-deliveries';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

const { found: browserFound, itInBrowser, inBrowser, requireBrowser, launch } = browserTests();
const SCREENSHOTS = path.resolve(__dirname, '../../artifacts/console');
const TEMPORAL_UI = 'http://127.0.0.1:8233';

describe('web console', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let headless: HeadlessBrowser | undefined;
  let page: Page;
  let tenantId: string;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    [hookrelay, receiver] = await Promise.all([startTestHookrelay({ TEMPORAL_UI_URL: TEMPORAL_UI }), startReceiver()]);
    receiver.respondWith(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"received":true}' }));
    tenantId = (await hookrelay.request('POST', '/v1/tenants', { body: { name: 'Acme Billing' } })).body.id;
    await hookrelay.request('POST', '/v1/tenants', { body: { name: 'Globex' } });
    for (const [name, group, description] of [
      ['invoice.activated', 'Invoice', 'An invoice became active'],
      ['invoice.paid', 'Invoice', 'An invoice was paid'],
      ['customer.created', 'Customer', 'A customer was created'],
    ]) {
      await hookrelay.request('POST', '/v1/event-types', { body: { name, group, description } });
    }
    if (!browserFound) return; // the browser test is not run; the console's HTTP test still is
    headless = await launch({ viewport: { width: 1280, height: 860 } });
    ({ page } = headless);
  }, 120_000);

  afterAll(async () => {
    await headless?.close();
    await hookrelay?.close();
    await receiver?.close();
  });

  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  itInBrowser(inBrowser('signs in, creates an endpoint, sends a test event, inspects, resends, rotates and toggles'), async () => {
    requireBrowser();
    // Sign in with the admin key: the tenant picker comes first.
    await page.goto(`${hookrelay.apiUrl}/console/`);
    await page.locator('#api-key').waitFor();
    await shot('01-sign-in');
    await page.fill('#api-key', 'not-a-key-at-all');
    await page.click('#sign-in');
    await page.getByText('This API key is not valid.').waitFor();
    await page.fill('#api-key', hookrelay.adminKey);
    await page.click('#sign-in');
    await page.getByRole('heading', { name: 'Choose a tenant' }).waitFor();
    await page.getByText('Globex').waitFor();
    await shot('02-tenants');
    await page.click(`tr[data-tenant="${tenantId}"]`);

    // No endpoints yet: the empty state, then the form with the catalog grouped.
    await page.getByText('No endpoints yet.').waitFor();
    await page.click('#new-endpoint');
    await page.locator('#ep-name').waitFor();
    await page.fill('#ep-name', 'Billing webhook');
    await page.fill('#ep-url', receiver.url);
    await page.fill('#ep-description', 'Invoices to the billing system');
    await page.check('input[data-event-type="invoice.activated"]');
    await page.check('input[data-event-type="invoice.paid"]');
    await page.selectOption('#ep-auth', 'bearer');
    await page.fill('#ep-auth-b', 'receiver-token-123');
    await page.fill('#ep-headers', '{ "x-team": "billing" }');
    await page.fill('#ep-retry', '{ "strategy": "schedule", "delaysSeconds": [60, 600] }');
    await page.fill('#ep-repeat-count', '2');
    await page.fill('#ep-repeat-after', '3600');
    expect(await page.locator('.group strong').allTextContents()).toEqual(expect.arrayContaining(['Customer', 'Invoice']));
    await shot('03-endpoint-form');
    // Headless Chromium did not submit on this click while the focus stayed in the pause field
    // (a number input) once the limit fields were added below it; cause not found (see issue 12 note).
    await page.locator('#ep-name').focus();
    await page.click('#save-endpoint');

    // The endpoint page: facts, actions and the (empty) log.
    await page.locator('#send-test').waitFor();
    const endpointId = /#\/endpoints\/(ep_\w+)$/.exec(page.url())![1]!;
    const created = await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}`);
    expect(created.body).toMatchObject({
      name: 'Billing webhook',
      url: receiver.url,
      enabled: true,
      eventTypes: ['invoice.activated', 'invoice.paid'],
      auth: { type: 'bearer' },
      headers: { 'x-team': 'billing' },
      retryPolicy: { strategy: 'schedule', delaysSeconds: [60, 600], repeatCount: 2, repeatAfterSeconds: 3600 },
    });
    await expect(page.locator('#retry-repeats').textContent()).resolves.toBe(
      'the sequence runs 3 times, 3600 s apart; the delivery gives up after the last run',
    );
    // The edit form shows the sequence as JSON and its repeats in their own fields.
    await page.click('#edit-endpoint');
    await page.locator('#ep-repeat-count').waitFor();
    await expect(page.inputValue('#ep-repeat-count')).resolves.toBe('2');
    await expect(page.inputValue('#ep-repeat-after')).resolves.toBe('3600');
    expect(JSON.parse(await page.inputValue('#ep-retry'))).toEqual({ strategy: 'schedule', delaysSeconds: [60, 600] });
    await page.goBack();
    await page.locator('#send-test').waitFor();
    await page.getByText('No deliveries match.').waitFor();

    // Send a test event: the receiver gets it and the log shows it.
    await page.click('#send-test');
    const [received] = await receiver.waitForRequests(1);
    expect(received!.headers.authorization).toBe('Bearer receiver-token-123');
    const row = page.locator('tr[data-delivery]').first();
    for (let i = 0; i < 40 && !(await row.getByText('succeeded').isVisible()); i++) {
      await page.click('#refresh-log');
      await page.waitForTimeout(250);
    }
    await row.getByText('succeeded').waitFor();
    await expect(row.textContent()).resolves.toContain('webhook.test');
    await expect(row.textContent()).resolves.toContain('200');
    await shot('04-endpoint-detail');

    // Filters: a status with no match empties the log; back to any status shows it again.
    await page.selectOption('#filter-status', 'failed');
    await page.click('#apply-filters');
    await page.getByText('No deliveries match.').waitFor();
    await page.selectOption('#filter-status', '');
    await page.click('#apply-filters');
    await row.waitFor();

    // The delivery: payload, the attempt's response, and the Temporal UI link.
    const deliveryId = (await row.getAttribute('data-delivery'))!;
    await row.click();
    await page.locator('#attempts details[data-attempt="1"]').waitFor();
    await expect(page.locator('#payload').textContent()).resolves.toContain('webhook.test');
    await expect(page.locator('details[data-attempt="1"] .response-body').textContent()).resolves.toContain('"received":true');
    await expect(page.locator('details[data-attempt="1"] .response-body-info').textContent()).resolves.toBe('Body: 17 bytes');
    await expect(page.locator('#temporal-link').getAttribute('href')).resolves.toBe(
      `${TEMPORAL_UI}/namespaces/default/workflows/delivery-${deliveryId}`,
    );
    await expect(page.locator('#cancel').isDisabled()).resolves.toBe(true);
    await shot('05-delivery');

    // Resend a finished delivery: a new delivery, which the console opens.
    await page.click('#resend');
    await page.waitForURL((url) => url.hash.startsWith('#/deliveries/') && !url.hash.endsWith(deliveryId));
    await receiver.waitForRequests(2);
    const resentId = /#\/deliveries\/(dlv_\w+)$/.exec(page.url())![1]!;
    const resent = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${resentId}`);
    expect(resent.body.retryOfId).toBe(deliveryId);
    await page.getByText('Resent from').waitFor();

    // Reveal, then rotate the secret: the old one is listed as still signing.
    await page.goto(`${hookrelay.apiUrl}/console/#/endpoints/${endpointId}`);
    await page.click('#reveal-secret');
    const before = (await page.locator('#secret-value').textContent())!;
    expect(before).toMatch(/^whsec_/);
    await page.click('#rotate-secret');
    await page.getByText('Previous secret, still signing until').waitFor();
    const after = (await page.locator('#secret-value').textContent())!;
    expect(after).toMatch(/^whsec_/);
    expect(after).not.toBe(before);
    const secrets = await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}/secret`);
    expect(secrets.body).toMatchObject({ secret: after, previousSecrets: [{ secret: before }] });

    // Toggle enabled off from the list.
    await page.click('a[href="#/endpoints"]');
    const toggle = page.locator(`tr[data-endpoint="${endpointId}"] .switch`);
    await toggle.waitFor();
    await shot('06-endpoints');
    await toggle.click();
    await page.locator(`tr[data-endpoint="${endpointId}"]`).getByText('disabled', { exact: true }).waitFor();
    const disabled = await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}`);
    expect(disabled.body).toMatchObject({ enabled: false, disabledReason: 'disabled from the console' });

    // Signing out forgets the key.
    await page.click('nav button');
    await page.locator('#api-key').waitFor();
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });

  itInBrowser(
    inBrowser('shows replays and their progress: one started from the endpoint page and cancelled, one from the form'),
    async () => {
      requireBrowser();
      const created = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
        body: { name: 'Replayed', url: receiver.url, eventTypes: ['invoice.activated'], enabled: true, rateLimitPerSecond: 1 },
      });
      const endpointId = created.body.id as string;
      await seedFailedDeliveries(hookrelay.db, { tenantId, endpointId, count: 6, lastResponseStatus: 503 });
      await page.goto(`${hookrelay.apiUrl}/console/`);
      await page.locator('#api-key').waitFor();
      await page.fill('#api-key', hookrelay.adminKey);
      await page.click('#sign-in');
      await page.click(`tr[data-tenant="${tenantId}"]`);

      // From the endpoint page: resend its failed deliveries, watch the progress, cancel.
      await page.goto(`${hookrelay.apiUrl}/console/#/endpoints/${endpointId}`);
      await page.click('#replay-failed');
      await page.waitForURL((url) => /#\/replays\/rpl_\w+$/.test(url.hash));
      const replayId = /#\/replays\/(rpl_\w+)$/.exec(page.url())![1]!;
      await page.locator('.replay-progress .counts').getByText('6 matched').waitFor();
      await page.locator('#replay-status').getByText('running').waitFor();
      await shot('07-replay');
      await page.click('#cancel-replay');
      await page.locator('#replay-status').getByText('cancelled').waitFor({ timeout: 20_000 });
      const cancelled = await hookrelay.request('GET', `/v1/tenants/${tenantId}/replays/${replayId}`);
      expect(cancelled.body.status).toBe('cancelled');
      expect(cancelled.body.counts.started).toBeLessThan(6);

      // From the form: send what endpoints missed (nothing here), listed with the first.
      await page.click('a[href="#/replays"]');
      await page.locator(`#replays tr[data-replay="${replayId}"]`).getByText('cancelled').waitFor();
      await page.selectOption('#replay-mode', 'missing');
      await page.fill('#replay-endpointIds', endpointId);
      await page.click('#start-replay');
      await page.waitForURL((url) => /#\/replays\/rpl_\w+$/.test(url.hash) && !url.hash.endsWith(replayId));
      await page.locator('#replay-status').getByText('completed').waitFor({ timeout: 20_000 });
      await page.click('a[href="#/replays"]');
      await page.locator('#replays tbody tr').nth(1).waitFor();
      await shot('08-replays');
    },
  );

  it('serves the console with a strict content security policy and its config', async () => {
    const res = await fetch(`${hookrelay.apiUrl}/console/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const config = await hookrelay.request('GET', '/console/config.json', { key: null });
    expect(config.body).toEqual({ temporalUiUrl: TEMPORAL_UI, namespace: 'default', version: expect.any(String) });
  });
});
