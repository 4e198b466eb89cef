// (b) Raw HTTP: a plain undici POST loop to the bench receiver; what the receiver and the
// loopback sustain without hookrelay.
import { Agent, request } from 'undici';
import { CONCURRENCY, SHORT } from './flags';
import { closedLoop } from './load';
import type { Stack } from './stack';

export async function measureRawHttp({ receiver }: Stack) {
  const agent = new Agent({ connections: CONCURRENCY });
  const body = JSON.stringify({ id: 'evt_x', type: 'bench.event', data: { invoiceId: 'inv_123' } });
  const result = await closedLoop(SHORT, CONCURRENCY, async () => {
    const res = await request(receiver.url('/raw'), {
      method: 'POST',
      body,
      dispatcher: agent,
      headers: { 'content-type': 'application/json' },
    });
    await res.body.dump();
  });
  await agent.close();
  return result;
}
