// Each attempt's timeline on the console's delivery page, in headless Chromium: for a trusted HTTPS
// receiver reached by name (DNS, connect, TLS, waiting, download all measured), for a slow plain
// receiver on a kept-alive connection (no DNS, connect or TLS: "—", never "0 ms"), and for an
// expired certificate (TLS refused, nothing sent). Every figure written beside the bar is the
// API's; the bar's segments are in the order of the phases. Screenshot: docs/attempt-timeline.png.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createTenant, ensureEventType } from '../support/api';
import { browserTests, type HeadlessBrowser } from '../support/headless-browser';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestHookrelay, type TestHookrelay } from '../support/stack';
import { createTestAuthority, issueLeaf, startHttpsReceiver, type HttpsReceiver } from '../support/test-certificates';
import { waitFor } from '../support/wait';

const { found: browserFound, itInBrowser, inBrowser, requireBrowser, launch } = browserTests();
const DOCS = path.resolve(__dirname, '../../docs');
const DAY_MS = 86_400_000;
const SLOW_MS = 150;

type Attempt = Record<string, any>;

describe('the attempt timeline in the console', () => {
  const authority = createTestAuthority();
  let hookrelay: TestHookrelay;
  let slow: Receiver;
  let trusted: HttpsReceiver;
  let expired: HttpsReceiver;
  let headless: HeadlessBrowser | undefined;
  let page: Page;
  let tenantId: string;

  beforeAll(async () => {
    const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'hookrelay-ca-')), 'extra-ca.pem');
    writeFileSync(caFile, authority.certPem);
    const now = Date.now();
    [hookrelay, slow, trusted, expired] = await Promise.all([
      startTestHookrelay({ HOOKRELAY_EXTRA_CA_CERTS_FILE: caFile }),
      startReceiver(),
      startHttpsReceiver(issueLeaf(authority)),
      startHttpsReceiver(issueLeaf(authority, { notBefore: new Date(now - 60 * DAY_MS), notAfter: new Date(now - 2 * DAY_MS) })),
    ]);
    slow.respondWith(() => ({ status: 200, body: 'ok', delayMs: SLOW_MS }));
    await ensureEventType(hookrelay, 'invoice.paid');
    tenantId = await createTenant(hookrelay);
    if (!browserFound) return;
    headless = await launch({ viewport: { width: 1280, height: 900 } });
    ({ page } = headless);
  }, 120_000);

  afterAll(async () => {
    await headless?.close();
    await hookrelay?.close();
    await slow?.close();
    await Promise.all([trusted, expired].map((server) => server?.close()));
  });

  async function endpoint(name: string, url: string): Promise<string> {
    const created = await hookrelay.request('POST', `/v1/tenants/${tenantId}/endpoints`, {
      // One attempt now; the retry is an hour away, after the test.
      body: { name, url, eventTypes: ['invoice.paid'], enabled: true, retryPolicy: { strategy: 'schedule', delaysSeconds: [3600] } },
    });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  /** Publishes one event and returns, per endpoint, its delivery id and first recorded attempt. */
  async function publishAndReadAttempts(): Promise<Map<string, { deliveryId: string; attempt: Attempt }>> {
    const published = await hookrelay.request('POST', `/v1/tenants/${tenantId}/events`, {
      body: { type: 'invoice.paid', data: { invoice: 'inv_7', amount: 4200 } },
    });
    expect(published.status).toBe(202);
    const deliveries = await hookrelay.db
      .selectFrom('deliveries')
      .select(['id', 'endpoint_id'])
      .where('event_id', '=', published.body.id)
      .execute();
    const read = new Map<string, { deliveryId: string; attempt: Attempt }>();
    for (const delivery of deliveries) {
      const body = await waitFor(
        async () => {
          const res = await hookrelay.request('GET', `/v1/tenants/${tenantId}/deliveries/${delivery.id}`);
          return res.body.attempts?.length > 0 ? res.body : null;
        },
        { what: `the first attempt of ${delivery.id}` },
      );
      read.set(delivery.endpoint_id, { deliveryId: delivery.id, attempt: body.attempts[0] });
    }
    return read;
  }

  const shown = (ms: number | null) => (ms === null ? '—' : ms < 1 ? '< 1 ms' : `${ms} ms`);

  /** The legend's figure for each phase, as the page shows it. */
  async function legendOf(deliveryId: string): Promise<Record<string, string>> {
    await page.goto(`${hookrelay.apiUrl}/console/#/deliveries/${deliveryId}`);
    const figure = page.locator('figure[data-attempt-timeline="1"]');
    await figure.waitFor();
    const legend: Record<string, string> = {};
    for (const phase of ['dns', 'connect', 'tls', 'waiting', 'download']) {
      legend[phase] = (await figure.locator(`li[data-phase="${phase}"] strong`).textContent()) ?? '';
    }
    return legend;
  }

  /** The bar's segments, in order, by phase. */
  async function segmentsOf(): Promise<string[]> {
    const classes = await page
      .locator('figure[data-attempt-timeline="1"] .timeline-bar .timeline-segment')
      .evaluateAll((nodes) => nodes.map((node) => (node as unknown as { className: string }).className));
    return classes.map((name) => /phase-(\w+)/.exec(name)![1]!);
  }

  itInBrowser(
    inBrowser('writes out each phase of a TLS, a kept-alive and a refused attempt, as the API measured it'),
    async () => {
      requireBrowser();
      const ids = {
        trusted: await endpoint('Trusted HTTPS', `https://localhost:${trusted.port}/hook`),
        slow: await endpoint('Slow plain HTTP', slow.url),
        expired: await endpoint('Expired certificate', `https://localhost:${expired.port}/hook`),
      };
      await publishAndReadAttempts(); // opens the kept-alive connection to the slow receiver
      const attempts = await publishAndReadAttempts();

      await page.goto(`${hookrelay.apiUrl}/console/`);
      await page.fill('#api-key', hookrelay.adminKey);
      await page.click('#sign-in');
      await page.click(`tr[data-tenant="${tenantId}"]`);

      // A trusted HTTPS receiver, by name: every phase happened. (A second publish to the same
      // receiver may reuse the first one's connection; then only waiting and download are measured.)
      const tls = attempts.get(ids.trusted)!;
      const tlsLegend = await legendOf(tls.deliveryId);
      const timing = tls.attempt.timing;
      const download = timing.totalMs - timing.ttfbMs;
      if (timing.connectionReused) {
        expect(tlsLegend).toMatchObject({ dns: '—', connect: '—', tls: '—' });
      } else {
        expect(tlsLegend).toMatchObject({ dns: shown(timing.dnsMs), connect: shown(timing.connectMs), tls: shown(timing.tlsMs) });
        expect(tlsLegend.tls).not.toBe('—');
        expect(await segmentsOf()).toEqual(['dns', 'connect', 'tls', 'waiting', 'download']);
      }
      expect(tlsLegend.download).toBe(shown(download));
      const caption = await page.locator('figure[data-attempt-timeline="1"] figcaption').textContent();
      expect(caption).toBe(`Timing · total ${shown(timing.totalMs)}`);
      await page.screenshot({ path: path.join(DOCS, 'attempt-timeline.png'), fullPage: false });

      // The slow receiver on its kept-alive connection: no DNS, connect or TLS ("—"), and a wait of
      // at least the receiver's delay.
      const kept = attempts.get(ids.slow)!;
      expect(kept.attempt.timing).toMatchObject({ connectionReused: true, dnsMs: null, connectMs: null, tlsMs: null });
      const keptLegend = await legendOf(kept.deliveryId);
      expect(keptLegend).toMatchObject({ dns: '—', connect: '—', tls: '—', waiting: shown(kept.attempt.timing.ttfbMs) });
      expect(kept.attempt.timing.ttfbMs).toBeGreaterThanOrEqual(SLOW_MS);
      expect(await segmentsOf()).toEqual(['waiting', 'download']);
      await expect(page.locator('figure[data-attempt-timeline="1"] .timeline-connection').textContent()).resolves.toMatch(
        /^Kept-alive connection to 127\.0\.0\.1: no DNS, connect or TLS this time/,
      );

      // An expired certificate: refused during TLS, so nothing was sent and nothing was waited for.
      const refused = attempts.get(ids.expired)!;
      expect(refused.attempt.error).toMatchObject({ kind: 'tls', tlsFailureReason: 'certificate_expired' });
      const refusedLegend = await legendOf(refused.deliveryId);
      expect(refusedLegend).toMatchObject({ waiting: '—', download: '—' });
      await expect(page.locator('details[data-attempt="1"] .error-box').textContent()).resolves.toMatch(/^tls \(certificate expired\): /);
      expect(await segmentsOf()).not.toContain('waiting');
    },
    90_000,
  );
});
