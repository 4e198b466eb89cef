// The endpoint page's health charts in headless Chromium: real deliveries to a loopback receiver
// (some answered 500, then retried) on top of a day of seeded attempt history; the panel shows
// the figures the stats API answers, draws the charts, tells series apart without colour, and
// fits a 360 px wide screen. Screenshots go to docs/endpoint-health*.png. Without a Chromium the
// browser test is not run and the run's summary says so (CI=true makes a missing one a failure).
import path from 'node:path';
import type { Page } from 'playwright-core';
import { browserTests, type HeadlessBrowser } from '../support/headless-browser';
import { seedAttempts, seedDelivery } from '../support/api';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';

const { found: browserFound, itInBrowser, inBrowser, requireBrowser, launch } = browserTests();
const DOCS = path.resolve(__dirname, '../../docs');
const REAL_EVENTS = 6;

describe('endpoint health charts', () => {
  let hookrelay: TestHookrelay;
  let receiver: Receiver;
  let headless: HeadlessBrowser | undefined;
  let page: Page;
  let tenantId: string;
  let endpointId: string;

  beforeAll(async () => {
    [hookrelay, receiver] = await Promise.all([startTestHookrelay(), startReceiver()]);
    // Events 1 and 4 are answered 500 at their first POST; the retry (1 s later) succeeds.
    const failedOnce = new Set<string>();
    receiver.respondWith((request) => {
      const { id, data } = JSON.parse(request.body) as { id: string; data: { n: number } };
      if (data.n % 3 === 1 && !failedOnce.has(id)) {
        failedOnce.add(id);
        return { status: 500, body: 'busy' };
      }
      return { status: 200, body: 'ok', delayMs: 20 };
    });
    tenantId = (await hookrelay.request('POST', '/v1/tenants', { body: { name: 'Acme Billing' } })).body.id;
    await hookrelay.request('POST', '/v1/event-types', { body: { name: 'invoice.paid', group: 'Invoice' } });
    const endpoint = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      body: {
        name: 'Billing webhook',
        url: receiver.url,
        eventTypes: ['invoice.paid'],
        enabled: true,
        retryPolicy: { strategy: 'schedule', delaysSeconds: [1, 1], jitter: 0 },
      },
    });
    expect(endpoint.status).toBe(201);
    endpointId = endpoint.body.id;
    await seedHistory();
    for (let i = 0; i < REAL_EVENTS; i++) {
      const published = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
        body: { type: 'invoice.paid', data: { n: i } },
      });
      expect(published.status).toBe(202);
    }
    if (!browserFound) return;
    headless = await launch({ viewport: { width: 1280, height: 900 } });
    ({ page } = headless);
  }, 120_000);

  afterAll(async () => {
    await headless?.close();
    await hookrelay?.close();
    await receiver?.close();
  });

  /** A day of history, every 15 minutes: mostly quick 2xx, a bad afternoon of timeouts then 503s, a few 404s. */
  async function seedHistory(): Promise<void> {
    const now = Date.now();
    for (let slot = 95; slot >= 1; slot--) {
      const bad = slot >= 28 && slot <= 40;
      for (let n = 0; n < 1 + (slot % 3); n++) {
        const startedAt = new Date(now - slot * 15 * 60_000 + n * 60_000);
        const { deliveryId } = await seedDelivery(hookrelay, tenantId, { endpointId, eventType: 'invoice.paid', createdAt: startedAt });
        const attempts =
          bad && n === 0
            ? [
                { startedAt, durationMs: 15_000, errorKind: 'timeout' },
                { startedAt: new Date(startedAt.getTime() + 30_000), durationMs: 600 + slot * 30, status: 503 },
              ]
            : [{ startedAt, durationMs: 25 + ((slot * 37 + n * 11) % 90), status: (slot + n) % 17 === 0 ? 404 : 200 }];
        await seedAttempts(hookrelay, { deliveryId, endpointId }, attempts);
      }
    }
  }

  async function realAttemptsRecorded(): Promise<number> {
    const since = new Date(Date.now() - 10 * 60_000).toISOString();
    const stats = await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}/stats?since=${since}&bucket=1m`);
    expect(stats.status).toBe(200);
    return stats.body.totals.attempts.total;
  }

  it('counts the attempts the worker records for real deliveries', async () => {
    // Six deliveries, two of them answered 500 first: eight POSTs, each one recorded attempt.
    await receiver.waitForRequests(REAL_EVENTS + 2, 60_000);
    for (let i = 0; i < 80 && (await realAttemptsRecorded()) < REAL_EVENTS + 2; i++) await new Promise((r) => setTimeout(r, 250));
    const since = new Date(Date.now() - 10 * 60_000).toISOString();
    const stats = (await hookrelay.request('GET', `/v1/tenants/${tenantId}/endpoints/${endpointId}/stats?since=${since}&bucket=1m`)).body;
    expect(stats.totals).toMatchObject({
      attempts: { total: REAL_EVENTS + 2, succeeded: REAL_EVENTS, failed: 2 },
      deliveries: { total: REAL_EVENTS, succeeded: REAL_EVENTS },
      statusClasses: { '2xx': REAL_EVENTS, '5xx': 2 },
    });
  });

  itInBrowser(inBrowser('shows the health charts on the endpoint page, wide and at 360 px'), async () => {
    requireBrowser();
    await page.goto(`${hookrelay.apiUrl}/console/`);
    await page.fill('#api-key', hookrelay.adminKey);
    await page.click('#sign-in');
    await page.click(`tr[data-tenant="${tenantId}"]`);
    await page.goto(`${hookrelay.apiUrl}/console/#/endpoints/${endpointId}`);

    // The figures are the API's totals for the same window.
    const panel = page.locator('#endpoint-health-panel');
    await panel.locator('#health-deliveries-chart svg.chart .bar rect').first().waitFor();
    const api = (
      await hookrelay.request(
        'GET',
        `/v1/tenants/${tenantId}/endpoints/${endpointId}/stats?since=${new Date(Date.now() - 86_400_000).toISOString()}`,
      )
    ).body;
    await expect(panel.locator('#health-attempts .figure-value').textContent()).resolves.toBe(String(api.totals.attempts.total));
    await expect(panel.locator('#health-success-rate .figure-value').textContent()).resolves.toBe(
      `${(api.totals.successRate * 100).toFixed(1)}%`,
    );
    await expect(panel.locator('#health-p95 .figure-value').textContent()).resolves.toMatch(/^[\d,]+ ms$/);
    await expect(panel.locator('#health-error-kinds').textContent()).resolves.toContain('timeout');
    await expect(panel.locator('#health-status-classes').textContent()).resolves.toMatch(/5xx\s*[1-9]/);
    // One bar group per bucket with attempts, each with a text tooltip; charts are labelled images.
    const barTitles = await panel.locator('#health-deliveries-chart .bar title').allTextContents();
    expect(barTitles.length).toBeGreaterThanOrEqual(96); // 24 hours in 15-minute buckets
    expect(barTitles.some((title) => / [1-9]\d* unsuccessful$/.test(title))).toBe(true);
    await expect(panel.locator('#health-latency-chart svg.chart').getAttribute('aria-label')).resolves.toBe(
      'Latency per bucket: p50 and p95',
    );
    // Without colour: unsuccessful bars are hatched, p95 is dashed with square markers, p50 solid with circles.
    await expect(panel.locator('#health-deliveries-chart rect[fill^="url(#hatch-unsuccessful"]').count()).resolves.toBeGreaterThan(0);
    const dash = (series: string) =>
      page.evaluate(`getComputedStyle(document.querySelector('#health-latency-chart [data-series="${series}"] polyline')).strokeDasharray`);
    await expect(dash('p50')).resolves.toBe('none');
    await expect(dash('p95')).resolves.not.toBe('none');
    await expect(panel.locator('#health-latency-chart [data-series="p95"] rect.marker').count()).resolves.toBeGreaterThan(0);
    await expect(panel.locator('#health-latency-chart [data-series="p50"] circle.marker').count()).resolves.toBeGreaterThan(0);
    await panel.screenshot({ path: path.join(DOCS, 'endpoint-health.png') });

    // The window buttons: 7 days in hourly buckets.
    await panel.locator('button[data-window="7d"]').click();
    await expect(panel.locator('button[data-window="7d"]').getAttribute('aria-pressed')).resolves.toBe('true');
    await panel.locator('#health-deliveries-chart .bar').nth(167).waitFor({ state: 'attached' });
    await panel.locator('button[data-window="24h"]').click();
    await panel.locator('#health-deliveries-chart .bar rect').first().waitFor();

    // 360 px wide: the charts redraw for the width and nothing in the panel overflows it.
    await page.setViewportSize({ width: 360, height: 800 });
    // The deliveries chart is redrawn for the narrower panel.
    // (Polled from here: waitForFunction's string form is an eval, which the console's CSP refuses.)
    const chartWidth = () =>
      page.evaluate<number>(`Number(document.querySelector('#health-deliveries-chart svg.chart').getAttribute('width'))`);
    for (let i = 0; i < 50 && (await chartWidth()) > 340; i++) await page.waitForTimeout(100);
    expect(await chartWidth()).toBeLessThanOrEqual(340);
    const overflow = await panel.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(overflow.scroll).toBeLessThanOrEqual(overflow.client);
    await panel.screenshot({ path: path.join(DOCS, 'endpoint-health-360.png') });
  });
});
