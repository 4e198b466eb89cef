// Finds a Chromium for the browser tests: CHROME_PATH (or the older CHROMIUM_PATH), the Debian
// and Ubuntu packages' paths, then a Playwright browser cache. Without one the browser tests are
// not run (and say so), unless they are required: with CI=true, or when a path was given.
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SYSTEM_CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'];

/** How to get one, shown when the browser tests are not run or fail for want of a browser. */
export const HOW_TO_GET_CHROMIUM =
  'install one with `sudo apt-get update && sudo apt-get install -y chromium` (Debian/Ubuntu), or set CHROME_PATH=/path/to/chrome, then run `npm test` again';

export interface ChromiumLookup {
  /** CHROME_PATH as given: when set, it is the only candidate and it must work. */
  chromePath?: string;
  /** The home folder, for ~/.cache/ms-playwright. */
  home?: string;
  /** PLAYWRIGHT_BROWSERS_PATH, when Playwright's cache was put elsewhere. */
  playwrightBrowsersPath?: string;
  systemPaths?: string[];
}

export type ChromiumDiscovery = { found: true; executablePath: string } | { found: false; explicit: boolean; tried: string[] };

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Playwright's browsers, newest revision first: chromium-<revision>/chrome-linux{,64}/chrome. */
function playwrightChromes(cacheDir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(cacheDir);
  } catch {
    return [];
  }
  return entries
    .map((name) => ({ name, revision: /^chromium-(\d+)$/.exec(name)?.[1] }))
    .filter((entry): entry is { name: string; revision: string } => entry.revision !== undefined)
    .sort((a, b) => Number(b.revision) - Number(a.revision))
    .flatMap(({ name }) => ['chrome-linux64', 'chrome-linux'].map((dir) => path.join(cacheDir, name, dir, 'chrome')));
}

export function findChromium(lookup: ChromiumLookup): ChromiumDiscovery {
  if (lookup.chromePath) {
    if (isExecutableFile(lookup.chromePath)) return { found: true, executablePath: lookup.chromePath };
    return { found: false, explicit: true, tried: [`CHROME_PATH=${lookup.chromePath}: not an executable file`] };
  }
  const tried = ['CHROME_PATH: not set'];
  for (const file of lookup.systemPaths ?? SYSTEM_CHROMIUM_PATHS) {
    if (isExecutableFile(file)) return { found: true, executablePath: file };
    tried.push(`${file}: not found`);
  }
  const caches = [lookup.playwrightBrowsersPath, lookup.home && path.join(lookup.home, '.cache', 'ms-playwright')].filter(
    (dir): dir is string => Boolean(dir),
  );
  for (const cache of caches) {
    const chromes = playwrightChromes(cache);
    const found = chromes.find(isExecutableFile);
    if (found) return { found: true, executablePath: found };
    tried.push(`Playwright cache ${path.join(cache, 'chromium-*', 'chrome-linux*', 'chrome')}: not found`);
  }
  return { found: false, explicit: false, tried };
}

/** The lookup from the environment (the test harness's own variables; the app never reads these). */
export function chromiumLookupFromEnvironment(env: Record<string, string | undefined>): ChromiumLookup {
  return {
    chromePath: env.CHROME_PATH || env.CHROMIUM_PATH || undefined,
    home: env.HOME || os.homedir(),
    playwrightBrowsersPath: env.PLAYWRIGHT_BROWSERS_PATH || undefined,
  };
}

/** CI=true (or 1, yes): browser tests are required, as everything else is. */
export function browserTestsRequired(ci: string | undefined): boolean {
  return ci !== undefined && ['true', '1', 'yes'].includes(ci.trim().toLowerCase());
}

/** The prefix the not-run reporter (test/support/not-run-reporter.js) looks for in a describe's name. */
export const NOT_RUN_MARKER = 'NOT RUN:';
