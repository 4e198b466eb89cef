// `npm run bench:http`: what connection reuse buys a delivery attempt. Drives hookrelay's own
// WebhookHttpClient (SSRF-guarded connector, 64 KiB body limit) against a loopback receiver that
// answers 200 at once, with keep-alive pools per origin and with a new connection per attempt.
// Flags: --seconds 10, --concurrency 32
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { WebhookHttpClient } from '../../src/activities/webhook-http';
import { printTable, summarize } from './stats';

const { values: flags } = parseArgs({
  options: { seconds: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '32' } },
});

async function main(): Promise<void> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  const body = JSON.stringify({ id: 'evt_x', type: 'bench.event', data: { invoiceId: 'inv_123', amount: 4200 } });
  const rows = [];
  for (const keepAlive of [false, true]) {
    const client = new WebhookHttpClient({ allowPrivateNetworks: true, keepAlive });
    const latencies: number[] = [];
    let failed = 0;
    const deadline = performance.now() + Number(flags.seconds) * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Number(flags.concurrency) }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          const result = await client.post({ url, headers: { 'content-type': 'application/json' }, body, timeoutMs: 5_000 });
          if (result.kind === 'response' && result.status === 200) latencies.push(performance.now() - t0);
          else failed++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    await client.close();
    const s = summarize(latencies);
    rows.push({
      connections: keepAlive ? 'keep-alive pool per origin' : 'new connection per attempt',
      attemptsPerSecond: Math.round(latencies.length / elapsed),
      failed,
      p50Ms: s.p50,
      p99Ms: s.p99,
    });
  }
  printTable(rows);
  server.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
