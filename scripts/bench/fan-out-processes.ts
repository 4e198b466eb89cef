// The processes of `npm run bench:fanout` (fan-out.ts) besides the stack: a receiver that counts
// POSTs per event and endpoint, and the worker in its own process with its sweeper's log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Counts POSTs per (event, endpoint path); answers 200 at once. */
export async function startCountingReceiver() {
  const perEvent = new Map<string, Map<string, number>>();
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const id = req.headers['webhook-id'];
    req.resume();
    req.on('end', () => {
      if (typeof id === 'string') {
        const counts = perEvent.get(id) ?? new Map<string, number>();
        counts.set(req.url!, (counts.get(req.url!) ?? 0) + 1);
        perEvent.set(id, counts);
        waiters.splice(0).forEach((wake) => wake());
      }
      res.writeHead(200).end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const endpointsReached = (eventId: string) => perEvent.get(eventId)?.size ?? 0;
  return {
    url: (pathname: string) => `http://127.0.0.1:${port}${pathname}`,
    endpointsReached,
    duplicates: (eventId: string) => [...(perEvent.get(eventId)?.values() ?? [])].reduce((sum, count) => sum + count - 1, 0),
    /** Resolves with the time the last of `count` endpoints got its first POST. */
    async waitForEndpoints(eventId: string, count: number, timeoutMs: number): Promise<number> {
      const deadline = performance.now() + timeoutMs;
      while (endpointsReached(eventId) < count) {
        if (performance.now() > deadline) throw new Error(`only ${endpointsReached(eventId)} of ${count} endpoints reached`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 1000);
        });
      }
      return performance.now();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The worker as production runs it (`src/worker.ts`, its own process); keeps its sweeper's log lines. */
export async function spawnWorker(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; stop(): Promise<void>; sweeperLines(): string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/worker.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ROOT, NODE_OPTIONS: '--max-old-space-size=256', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sweeper: string[] = [];
  let pending = '';
  let ready = false;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (/publish did not start them/.test(line)) sweeper.push(line.slice(0, 300));
        if (!ready && /worker running/.test(line)) {
          ready = true;
          resolve();
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${pending.slice(-2000)}`)));
  });
  return {
    child,
    sweeperLines: () => sweeper,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 30_000).unref();
      }),
  };
}
