// The endpoint page's payload filter editor in headless Chromium, in the operator console and a
// read-only portal: the API's field errors shown at their place, Test on a pasted event (a match)
// and on the endpoint's newest event (no match) with the reasons, Save, and then a published event
// the filter refuses gets no delivery while one it matches reaches the receiver. Keyboard only
// where it counts (Tab to Test, Ctrl+Enter), and at 360 px. Screenshots go to docs/filter-editor*.png.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { browserTests, type HeadlessBrowser } from '../support/headless-browser';
import { createPortalSession } from '../support/portal';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { waitFor } from '../support/wait';

const { found: browserFound, itInBrowser, inBrowser, requireBrowser, launch } = browserTests();
const DOCS = path.resolve(__dirname, '../../docs');
const FILTER = '{ "data.amount": { "$gt": 100 }, "operation": { "$in": ["INSERT", "UPDATE"] } }';

describe('payload filter editor', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let headless: HeadlessBrowser | undefined;
  let page: Page;
  let tenantId: string;
  let endpointId: string;
  let newestEventId: string;

  const publish = async (data: Record<string, unknown>, operation = 'INSERT') => {
    const res = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, { body: { type: 'invoice.paid', data, operation } });
    expect(res.status).toBe(202);
    return res.body as { id: string; deliveryCount: number };
  };

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([startTestHookrelay(), startReceiver()]);
    tenantId = (await hookrelay.request('POST', '/v1/tenants', { body: { name: 'Acme Billing' } })).body.id;
    await hookrelay.request('POST', '/v1/event-types', { body: { name: 'invoice.paid', group: 'Invoice' } });
    const endpoint = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: { name: 'Billing webhook', url: receiver.url, eventTypes: ['invoice.paid'], enabled: true },
    });
    expect(endpoint.status).toBe(201);
    endpointId = endpoint.body.id;
    // Before any filter: delivered. It is the newest event the endpoint subscribes to.
    newestEventId = (await publish({ amount: 20, currency: 'EUR' })).id;
    await receiver.waitForRequests(1);
    if (!browserFound) return;
    headless = await launch({ viewport: { width: 1280, height: 900 } });
    ({ page } = headless);
  }, 120_000);

  afterAll(async () => {
    await headless?.close();
    await hookrelay?.close();
    await receiver?.close();
  });

  const panel = () => page.locator('#endpoint-filter-panel');

  itInBrowser(inBrowser('edits, tests (a match and a non-match, with reasons), saves, and the filter then decides fan-out'), async () => {
    requireBrowser();
    await page.goto(`${hookrelay.apiUrl}/console/`);
    await page.fill('#api-key', hookrelay.adminKey);
    await page.click('#sign-in');
    await page.click(`tr[data-tenant="${tenantId}"]`);
    await page.goto(`${hookrelay.apiUrl}/console/#/endpoints/${endpointId}`);
    await panel().waitFor();
    await expect(page.locator('#payload-filter-status').textContent()).resolves.toContain('No filter');

    // Not JSON: said before anything is sent. A filter the API refuses: its field errors, in place.
    await page.fill('#payload-filter-editor', '{ "data.amount": ');
    await page.click('#test-payload-filter');
    await expect(page.locator('#payload-filter-problems').textContent()).resolves.toContain('The filter is not JSON');
    await page.fill('#payload-filter-editor', '{ "data.amount": { "$gt": true }, "data.name": { "$regex": "^a" } }');
    await page.click('#test-payload-filter');
    await page.locator('#payload-filter-problems li').nth(1).waitFor();
    const problems = await page.locator('#payload-filter-problems li').allTextContents();
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^data\.amount\.\$gt: \$gt compares with a number or a string/),
        expect.stringMatching(/^data\.name\.\$regex: unknown operator \$regex/),
      ]),
    );
    await expect(page.locator('#payload-filter-editor').getAttribute('aria-invalid')).resolves.toBe('true');
    // The same refusal on Save: nothing is stored.
    await page.click('#save-payload-filter');
    await page.locator('#payload-filter-problems li').nth(1).waitFor();
    expect((await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}`)).body.filter).toBeNull();

    // An example from the reference fills the editor; then the real filter, tested from the keyboard
    // on a pasted event: Tab from the event box to Test, Enter.
    await page.locator('#payload-filter-reference > summary').click();
    await page.getByRole('button', { name: 'Put the example "Large amounts" in the editor' }).click();
    await expect(page.locator('#payload-filter-editor').inputValue()).resolves.toContain('"$gt": 100');
    await page.fill('#payload-filter-editor', FILTER);
    await page.fill('#payload-filter-sample', '{ "type": "invoice.paid", "operation": "UPDATE", "data": { "amount": 250 } }');
    await page.focus('#payload-filter-sample');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => (globalThis as any).document.activeElement?.id as string | undefined)).resolves.toBe(
      'test-payload-filter',
    );
    await page.keyboard.press('Enter');
    await page.locator('#payload-filter-verdict').waitFor();
    await expect(page.locator('#payload-filter-verdict').textContent()).resolves.toBe('Matched — all 2 conditions hold');
    await expect(page.locator('#payload-filter-outcome').textContent()).resolves.toBe(
      'Tested on the event you pasted: it would get a delivery.',
    );
    await expect(page.locator('#payload-filter-explanation').textContent()).resolves.toContain('data.amount is 250: $gt 100 holds');
    expect(await page.locator('#payload-filter-problems li').count()).toBe(0);

    // The endpoint's newest event (empty event box), with Ctrl+Enter: no match, and why.
    await page.fill('#payload-filter-sample', '');
    await page.focus('#payload-filter-editor');
    await page.keyboard.press('Control+Enter');
    await page.locator('#payload-filter-verdict.not-matched').waitFor();
    await expect(page.locator('#payload-filter-verdict').textContent()).resolves.toBe(
      'Not matched — data.amount is 20: $gt 100 does not hold',
    );
    await expect(page.locator('#payload-filter-outcome').textContent()).resolves.toBe(
      `Tested on the newest event it subscribes to ${newestEventId} (invoice.paid): no delivery would be created.`,
    );
    const verdicts = await page.locator('#payload-filter-explanation li > .verdict').allTextContents();
    expect(verdicts).toEqual(['✗ fails', '✗ fails', '✓ holds']);

    // Save: stored as typed, and the page says the filter now applies.
    await page.click('#save-payload-filter');
    await page.getByText('Filter saved').waitFor();
    await expect(page.locator('#payload-filter-status').textContent()).resolves.toContain('Only events this filter matches');
    const stored = (await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}`)).body;
    expect(stored.filter).toEqual(JSON.parse(FILTER));
    await panel().screenshot({ path: path.join(DOCS, 'filter-editor.png') });

    // The saved filter decides fan-out: the refused event gets no delivery, the matching one is sent.
    const refused = await publish({ amount: 50 });
    const matching = await publish({ amount: 500 }, 'UPDATE');
    expect([refused.deliveryCount, matching.deliveryCount]).toEqual([0, 1]);
    await receiver.waitForRequests(2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.requests.map((request) => request.headers['webhook-id'])).toEqual([newestEventId, matching.id]);
    const log = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries?endpointId=${endpointId}`);
    expect((log.body.data as Array<{ eventId: string }>).map((delivery) => delivery.eventId)).not.toContain(refused.id);
    expect(await hookrelay.db.selectFrom('deliveries').select('id').where('event_id', '=', refused.id).execute()).toEqual([]);

    // 360 px wide: one column, nothing in the panel wider than the screen.
    await page.setViewportSize({ width: 360, height: 800 });
    await page.click('#test-payload-filter');
    await page.locator('#payload-filter-verdict').waitFor();
    const overflow = await panel().evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  itInBrowser(inBrowser('a read-only portal session tries filters but has no Save, at 360 px'), async () => {
    requireBrowser();
    const link = await createPortalSession(hookrelay, tenantId, { readOnly: true });
    const reader = await headless!.context.newPage();
    await reader.setViewportSize({ width: 360, height: 800 });
    await reader.goto(link.url);
    await reader.locator(`tr[data-endpoint="${endpointId}"]`).waitFor();
    await reader.goto(`${link.url.split('#')[0]}#/endpoints/${endpointId}`);
    await reader.locator('#endpoint-filter-panel').waitFor();
    // The stored filter is shown; Save and Remove are not there, and the page says why.
    expect(JSON.parse(await reader.locator('#payload-filter-editor').inputValue())).toEqual(JSON.parse(FILTER));
    await reader.locator('#payload-filter-read-only').waitFor();
    expect(await reader.locator('#save-payload-filter, #remove-payload-filter').count()).toBe(0);
    await reader.fill('#payload-filter-sample', '{ "type": "invoice.paid", "operation": "DELETE", "data": { "amount": 900 } }');
    await reader.click('#test-payload-filter');
    await reader.locator('#payload-filter-verdict').waitFor();
    await expect(reader.locator('#payload-filter-verdict').textContent()).resolves.toBe(
      'Not matched — operation is "DELETE": $in ["INSERT","UPDATE"] does not hold',
    );
    const overflow = await reader.locator('#endpoint-filter-panel').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
    await reader.locator('#endpoint-filter-panel').screenshot({ path: path.join(DOCS, 'filter-editor-portal.png') });
    // The credential cannot save either.
    const token = await reader.evaluate(
      () =>
        Object.entries((globalThis as any).sessionStorage as Record<string, string>).find(([key]) =>
          key.startsWith('hookrelay.portal.'),
        )![1],
    );
    const patched = await hookrelay.request('PATCH', `/v1/tenants/${tenantId}/endpoints/${endpointId}`, {
      key: token,
      body: { filter: null },
    });
    expect(patched.status).toBe(403);
    await waitFor(async () => (await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}`)).body.filter !== null);
    await reader.close();
  });
});
