// What every browser test shares: whether it runs (a Chromium found, or required by CI=true or an
// explicit CHROME_PATH, in which case a missing browser is a failure), the title that says why it did
// not run, and one headless Chromium in a throwaway profile that logs page errors and accepts dialogs.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { HOW_TO_GET_CHROMIUM, NOT_RUN_MARKER, browserTestsRequired, chromiumLookupFromEnvironment, findChromium } from './chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserTests {
  /** A Chromium was found: the browser can be launched. */
  readonly found: boolean;
  /** `it` when the browser tests run (found, or required and bound to fail), else `it.skip`. */
  readonly itInBrowser: jest.It;
  /** The test's title, with the not-run marker and how to get a browser when it is skipped. */
  inBrowser(title: string): string;
  /** Throws, naming what was tried and how to get one, when the browser test is required but none was found. */
  requireBrowser(): void;
  /** Launches headless Chromium (only when `found`). */
  launch(options: { viewport: { width: number; height: number } }): Promise<HeadlessBrowser>;
}

export interface HeadlessBrowser {
  context: BrowserContext;
  /** The context's first page, with page errors logged and dialogs accepted. */
  page: Page;
  close(): Promise<void>;
}

export function browserTests(env: Record<string, string | undefined> = process.env): BrowserTests {
  const lookup = findChromium(chromiumLookupFromEnvironment(env));
  // CI=true, or a path given explicitly, makes the browser test required: it fails without a browser.
  const required = browserTestsRequired(env.CI) || (!lookup.found && lookup.explicit);
  const noBrowser = lookup.found ? '' : `no Chromium found (tried ${lookup.tried.join('; ')})`;
  const runs = lookup.found || required;
  return {
    found: lookup.found,
    itInBrowser: runs ? it : it.skip,
    inBrowser: (title) => (runs ? title : `${title} — ${NOT_RUN_MARKER} ${noBrowser}. To run it: ${HOW_TO_GET_CHROMIUM}`),
    requireBrowser: () => {
      if (!lookup.found) {
        throw new Error(`The browser test is required here (CI=true or CHROME_PATH set), but ${noBrowser}: ${HOW_TO_GET_CHROMIUM}`);
      }
    },
    launch: async ({ viewport }) => {
      if (!lookup.found) throw new Error(`no Chromium to launch: ${noBrowser}`);
      const profile = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-chromium-'));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: lookup.executablePath,
        headless: true,
        viewport,
        args: CHROMIUM_ARGS,
      });
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('dialog', (dialog) => void dialog.accept());
      page.on('pageerror', (error) => console.log('pageerror', error.message));
      return {
        context,
        page,
        close: async () => {
          await context.close();
          rmSync(profile, { recursive: true, force: true });
        },
      };
    },
  };
}
