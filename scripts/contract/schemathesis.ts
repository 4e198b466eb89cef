// `npm run test:contract`: the API contract checked by schemathesis, a tool no one here wrote.
// It installs a pinned schemathesis from PyPI into .tools/ (first run only), brings up a live API
// (api-under-test.ts), and runs schemathesis against its /openapi.json: every operation, every
// check, the stateful phase over the document's links, bounded by CONTRACT_MAX_TIME_SECONDS.
// Rules JSON Schema cannot state are listed, with their reasons, in schemathesis.toml beside this
// file. Exit code: schemathesis's (0 when no answer contradicts the document).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { startApiUnderTest } from './api-under-test';

/** Pinned: a new release may add checks, and the contract should not change under a developer's feet. */
const SCHEMATHESIS_VERSION = '4.32.5';
const ROOT = path.resolve(__dirname, '../..');
const TOOLS_DIR = path.resolve(ROOT, process.env.HOOKRELAY_TOOLS_DIR ?? '.tools');
const INSTALL_DIR = path.join(TOOLS_DIR, `schemathesis-${SCHEMATHESIS_VERSION}`);
const CONFIG_FILE = path.join(__dirname, 'schemathesis.toml');
const MAX_TIME_SECONDS = Number(process.env.CONTRACT_MAX_TIME_SECONDS ?? 150);
const REPORT_DIR = path.resolve(ROOT, process.env.CONTRACT_REPORT_DIR ?? 'artifacts/schemathesis');

function say(line: string): void {
  process.stdout.write(`[contract] ${line}\n`);
}

/** pip into a staging folder, then one rename: an install killed half-way leaves nothing that looks done. */
function ensureSchemathesis(): string {
  const executable = path.join(INSTALL_DIR, 'bin', 'schemathesis');
  if (existsSync(executable)) return executable;
  const staging = `${INSTALL_DIR}.staging-${process.pid}`;
  say(`installing schemathesis ${SCHEMATHESIS_VERSION} into ${INSTALL_DIR} with python3 -m pip (first run only) …`);
  const pip = spawnSync(
    'python3',
    [
      ...['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-warn-script-location'],
      ...['--target', staging, `schemathesis==${SCHEMATHESIS_VERSION}`],
    ],
    { stdio: 'inherit' },
  );
  if (pip.status !== 0 || !existsSync(path.join(staging, 'bin', 'schemathesis'))) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`python3 -m pip install --target ${staging} schemathesis==${SCHEMATHESIS_VERSION} failed (exit ${pip.status})`);
  }
  renameSync(staging, INSTALL_DIR);
  return executable;
}

async function main(): Promise<number> {
  const executable = ensureSchemathesis();
  say('starting PostgreSQL, a Temporal dev server and the API on loopback …');
  const api = await startApiUnderTest({ toolsDir: TOOLS_DIR, log: say });
  say(`API at ${api.url}; schemathesis ${SCHEMATHESIS_VERSION}, --checks all, at most ${MAX_TIME_SECONDS} s`);
  try {
    // Not spawnSync: the API runs in this process and must go on answering.
    const child = spawn(
      executable,
      [
        ...['--config-file', CONFIG_FILE, '--no-color', 'run', `${api.url}/openapi.json`],
        ...['--checks', 'all', '--max-time', String(MAX_TIME_SECONDS), '--continue-on-failure'],
        ...['--header', `Authorization: Bearer ${api.adminKey}`, '--generation-database', 'none'],
        ...['--report', 'junit', '--report-dir', REPORT_DIR],
        ...(process.env.CONTRACT_SEED ? ['--seed', process.env.CONTRACT_SEED] : []),
        ...process.argv.slice(2),
      ],
      { stdio: 'inherit', cwd: ROOT, env: { ...process.env, PYTHONPATH: INSTALL_DIR, PYTHONDONTWRITEBYTECODE: '1' } },
    );
    const status = await new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
    say(`schemathesis exited with ${status}; JUnit report in ${path.relative(ROOT, REPORT_DIR)}/`);
    return status;
  } finally {
    await api.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`could not run: ${(error as Error).message}`);
    process.exit(1);
  },
);
