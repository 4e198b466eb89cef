// A webhook receiver for trying hookrelay locally: prints each request and, given the
// endpoint's signing secret, verifies it with the official Standard Webhooks library.
// Usage: npm run receiver -- [port] [whsec_…]
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

const port = Number(process.argv[2] ?? 4000);
const secret = process.argv[3];

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let verdict = 'signature not checked (pass the secret as the second argument)';
    if (secret) {
      try {
        new Webhook(secret).verify(body, req.headers as Record<string, string>);
        verdict = 'signature valid';
      } catch (error) {
        verdict = `signature INVALID: ${(error as Error).message}`;
      }
    }
    console.log(`${new Date().toISOString()} ${req.method} ${req.url} webhook-id=${req.headers['webhook-id']} — ${verdict}\n  ${body}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
}).listen(port, '127.0.0.1', () => console.log(`receiver listening on http://127.0.0.1:${port}/webhook`));
