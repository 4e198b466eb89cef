// (i) Batch publish: events/s delivered when publishers send batches (the API's POST …/events/batch
// and the client's publishEvents, BATCH_SIZE events each) against single publishes, each a
// closed loop (the next publish once every delivery of the last one arrived), 1 endpoint.
import { newId } from '../../src/domain/ids';
import { publishEvent, publishEvents } from '../../src/temporal/client';
import { publishBatchViaApi, publishViaApi } from './fixtures';
import { BATCH_SIZE, CONCURRENCY, SHORT } from './flags';
import { closedLoop, drain, type Published } from './load';
import { measured } from './measured';
import { TASK_QUEUE, type Stack } from './stack';

/** Batches in flight at once: about as many events in flight as the single publishers keep. */
const batchPublishers = () => Math.max(1, Math.round(CONCURRENCY / Math.sqrt(BATCH_SIZE)));

export async function measureBatchPublish(stack: Stack, tenantId: string) {
  const { receiver, temporal } = stack;
  const rows: Array<Record<string, string | number>> = [];
  const run = async (name: string, concurrency: number, publish: () => Promise<Published[]>) => {
    const sent: Published[] = [];
    const result = await measured(name, [], async () => {
      const t0 = performance.now();
      const loop = await closedLoop(SHORT, concurrency, async () => {
        const published = await publish();
        sent.push(...published);
        await Promise.all(published.map((p) => receiver.waitFor(p.eventId, 1)));
      });
      return drain(receiver, sent, 1, t0, loop.errors);
    });
    rows.push({ run: name, publishers: concurrency, ...result });
  };
  const data = { invoiceId: 'inv_123', amount: 4200 };
  const viaClient = async (count: number): Promise<Published[]> => {
    const started = performance.now();
    const events = Array.from({ length: count }, () => ({ tenantId, type: 'bench.event', data, eventId: newId('evt') }));
    const results =
      count === 1
        ? [await publishEvent(temporal, events[0]!, { taskQueue: TASK_QUEUE })]
        : await publishEvents(temporal, events, { taskQueue: TASK_QUEUE });
    const accepted = performance.now();
    return results.map((result) => ({ eventId: result.eventId, started, accepted }));
  };
  const single = publishViaApi(stack, tenantId);
  await run(`API, single publishes, ${SHORT}s`, CONCURRENCY, async () => [await single()]);
  await run(`API, batches of ${BATCH_SIZE}, ${SHORT}s`, batchPublishers(), publishBatchViaApi(stack, tenantId, BATCH_SIZE));
  await run(`client, publishEvent, ${SHORT}s`, CONCURRENCY, () => viaClient(1));
  await run(`client, publishEvents ×${BATCH_SIZE}, ${SHORT}s`, batchPublishers(), () => viaClient(BATCH_SIZE));
  return rows;
}
