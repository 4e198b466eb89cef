// Where the browser tests look for a Chromium, against real folders and files.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { browserTestsRequired, findChromium } from '../support/chromium';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-chromium-lookup-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function executable(file: string, mode = 0o755): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, mode);
  return file;
}

describe('finding a Chromium for the browser tests', () => {
  it('uses CHROME_PATH when it is set, before the system package', () => {
    const chrome = executable(path.join(root, 'chrome'));
    const system = executable(path.join(root, 'usr-bin', 'chromium'));
    expect(findChromium({ chromePath: chrome, systemPaths: [system] })).toEqual({ found: true, executablePath: chrome });
  });

  it('reports a CHROME_PATH that is not a browser as an explicit miss, without looking elsewhere', () => {
    const system = executable(path.join(root, 'usr-bin', 'chromium'));
    const lookup = findChromium({ chromePath: path.join(root, 'nope'), systemPaths: [system] });
    expect(lookup).toEqual({ found: false, explicit: true, tried: [`CHROME_PATH=${path.join(root, 'nope')}: not an executable file`] });
  });

  it('takes the first system path that exists: Debian’s, then Ubuntu’s', () => {
    const debian = path.join(root, 'usr-bin', 'chromium');
    const ubuntu = executable(path.join(root, 'usr-bin', 'chromium-browser'));
    expect(findChromium({ systemPaths: [debian, ubuntu] })).toEqual({ found: true, executablePath: ubuntu });
    executable(debian);
    expect(findChromium({ systemPaths: [debian, ubuntu] })).toEqual({ found: true, executablePath: debian });
  });

  it('skips a file that is not executable', () => {
    const notExecutable = executable(path.join(root, 'chromium'), 0o644);
    expect(findChromium({ systemPaths: [notExecutable], home: root })).toMatchObject({ found: false, explicit: false });
  });

  it('finds the newest Chromium in the Playwright cache under the home folder', () => {
    const cache = path.join(root, '.cache', 'ms-playwright');
    executable(path.join(cache, 'chromium-1100', 'chrome-linux', 'chrome'));
    const newest = executable(path.join(cache, 'chromium-1200', 'chrome-linux64', 'chrome'));
    executable(path.join(cache, 'firefox-1500', 'firefox', 'firefox'));
    expect(findChromium({ systemPaths: [], home: root })).toEqual({ found: true, executablePath: newest });
  });

  it('looks in PLAYWRIGHT_BROWSERS_PATH too', () => {
    const chrome = executable(path.join(root, 'browsers', 'chromium-1161', 'chrome-linux', 'chrome'));
    expect(findChromium({ systemPaths: [], home: path.join(root, 'home'), playwrightBrowsersPath: path.join(root, 'browsers') })).toEqual({
      found: true,
      executablePath: chrome,
    });
  });

  it('lists every place it looked when there is none', () => {
    const lookup = findChromium({ systemPaths: [path.join(root, 'chromium')], home: root });
    expect(lookup).toEqual({
      found: false,
      explicit: false,
      tried: [
        'CHROME_PATH: not set',
        `${path.join(root, 'chromium')}: not found`,
        `Playwright cache ${path.join(root, '.cache', 'ms-playwright', 'chromium-*', 'chrome-linux*', 'chrome')}: not found`,
      ],
    });
  });
});

describe('whether the browser tests are required', () => {
  it.each([
    ['true', true],
    ['1', true],
    ['TRUE', true],
    ['false', false],
    ['0', false],
    ['', false],
    [undefined, false],
  ])('CI=%p → %p', (ci, required) => {
    expect(browserTestsRequired(ci)).toBe(required);
  });
});
