// The benchmark's webhook receiver: answers 200 (500 under /fail, and to the first n requests of
// each event under /flaky/<n>) and records when each
// delivery of each event arrived, keyed by the webhook-id header. `answerAfterMs` makes it a
// slow receiver: it holds every request that long before answering (the fairness part's tenant A).
import { createServer } from 'node:http';

export interface BenchReceiver {
  url(pathname: string): string;
  received: Map<string, number[]>;
  /** Resolves once `count` deliveries of the event arrived; rejects after 60 s. */
  waitFor(eventId: string, count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startBenchReceiver(options: { answerAfterMs?: number } = {}): Promise<BenchReceiver> {
  const received = new Map<string, number[]>();
  const waiters = new Map<string, { count: number; resolve: () => void }>();
  // Under /flaky/<n>: the first n requests of each event fail (a delivery that succeeds on attempt n + 1).
  const flakyCalls = new Map<string, number>();
  const failsThisTime = (url: string, id: string): boolean => {
    const failures = /^\/flaky\/(\d+)/.exec(url)?.[1];
    if (failures === undefined) return false;
    const calls = (flakyCalls.get(id) ?? 0) + 1;
    flakyCalls.set(id, calls);
    return calls <= Number(failures);
  };
  const server = createServer((req, res) => {
    const id = req.headers['webhook-id'];
    req.resume();
    req.on('end', () => {
      const failed = req.url!.startsWith('/fail') || (typeof id === 'string' && failsThisTime(req.url!, id));
      if (typeof id === 'string' && !failed) {
        const list = received.get(id) ?? [];
        list.push(performance.now());
        received.set(id, list);
        const waiter = waiters.get(id);
        if (waiter && list.length >= waiter.count) {
          waiters.delete(id);
          waiter.resolve();
        }
      }
      const answer = () => void res.writeHead(failed ? 500 : 200).end('ok');
      if (options.answerAfterMs) setTimeout(answer, options.answerAfterMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: (pathname) => `http://127.0.0.1:${port}${pathname}`,
    received,
    waitFor: (eventId, count) =>
      new Promise<void>((resolve, reject) => {
        if ((received.get(eventId)?.length ?? 0) >= count) return resolve();
        const timer = setTimeout(() => {
          waiters.delete(eventId);
          reject(new Error(`${eventId}: not delivered within 60 s`));
        }, 60_000);
        waiters.set(eventId, { count, resolve: () => (clearTimeout(timer), resolve()) });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
