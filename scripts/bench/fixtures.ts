// The tenants the parts publish to (one endpoint, and a fan-out of ten) and the two ways of
// publishing: through the HTTP API and through the typed Temporal client.
import { request } from 'undici';
import { createEndpoint } from '../../src/services/endpoints.service';
import { createEventType } from '../../src/services/event-types.service';
import { createTenant } from '../../src/services/tenants.service';
import { publishEvent } from '../../src/temporal/client';
import type { Publish, Published } from './load';
import { TASK_QUEUE, type Stack } from './stack';

export async function createBenchTenants({ ctx, receiver }: Stack) {
  await createEventType(ctx, { name: 'bench.event', group: 'Bench' });
  const single = await createTenant(ctx, { name: 'bench-1' });
  await createEndpoint(ctx, single.id, { name: 'ok', url: receiver.url('/ok'), eventTypes: ['bench.event'], enabled: true });
  const fanout = await createTenant(ctx, { name: 'bench-10' });
  for (let i = 0; i < 10; i++)
    await createEndpoint(ctx, fanout.id, { name: `ok-${i}`, url: receiver.url(`/ok/${i}`), eventTypes: ['bench.event'], enabled: true });
  return { single, fanout };
}

export const publishViaApi =
  ({ apiUrl, adminKey }: Stack, tenantId: string): Publish =>
  async () => {
    const started = performance.now();
    const res = await request(`${apiUrl}/v1/tenants/${tenantId}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'bench.event', data: { invoiceId: 'inv_123', amount: 4200, lines: [{ sku: 'a', qty: 1 }] } }),
    });
    const body = (await res.body.json()) as { id: string };
    return { eventId: body.id, started, accepted: performance.now() };
  };

export const publishViaClient =
  ({ temporal }: Stack, tenantId: string): Publish =>
  async () => {
    const started = performance.now();
    const result = await publishEvent(
      temporal,
      { tenantId, type: 'bench.event', data: { invoiceId: 'inv_123', amount: 4200 } },
      { taskQueue: TASK_QUEUE },
    );
    return { eventId: result.eventId, started, accepted: performance.now() };
  };

/** One POST …/events/batch of `count` events; each event's `started` is the request's. */
export const publishBatchViaApi =
  ({ apiUrl, adminKey }: Stack, tenantId: string, count: number) =>
  async (): Promise<Published[]> => {
    const started = performance.now();
    const events = Array.from({ length: count }, () => ({
      type: 'bench.event',
      data: { invoiceId: 'inv_123', amount: 4200, lines: [{ sku: 'a', qty: 1 }] },
    }));
    const res = await request(`${apiUrl}/v1/tenants/${tenantId}/events/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events }),
    });
    if (res.statusCode !== 202) throw new Error(`batch publish answered ${res.statusCode}: ${await res.body.text()}`);
    const body = (await res.body.json()) as { results: Array<{ id: string }> };
    const accepted = performance.now();
    return body.results.map((result) => ({ eventId: result.id, started, accepted }));
  };
