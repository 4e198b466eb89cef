// (h) Overload: OVERLOAD.publishers API publishers for OVERLOAD.seconds, each publishing its next
// event as soon as the last one was accepted (202), without waiting for its delivery, so
// deliveries queue up; throughput over the whole run, until the last delivery arrives. A closed
// loop (publish, wait for the delivery) runs first in the same part as the reference. For both,
// why a queued delivery may cost more: the Temporal server's task matching (polls answered by a
// task handed over at once vs read back from the backlog), its persistence requests per delivery,
// and the deliveries' histories (events, workflow tasks, waits).
import { deliveryHistoryShape } from './delivery-histories';
import { publishViaApi } from './fixtures';
import { CONCURRENCY, OVERLOAD, SHORT } from './flags';
import { closedLoop, drain, type Published } from './load';
import { measured } from './measured';
import type { Stack } from './stack';
import { matchingPerItem, readTemporalCounters } from './temporal-metrics';

export async function measureOverload(stack: Stack, tenantId: string) {
  const { receiver, db, temporal, temporalMetricsUrl } = stack;
  const publish = publishViaApi(stack, tenantId);
  const runs: Array<Record<string, string | number>> = [];
  const shapes: Array<Record<string, string | number>> = [];
  const run = async (name: string, load: (sent: Published[]) => Promise<{ errors: number }>, drainMs: number) => {
    const sent: Published[] = [];
    const before = await readTemporalCounters(temporalMetricsUrl);
    let acceptedPerSecond = 0;
    const result = await measured(name, [], async () => {
      const t0 = performance.now();
      const { errors } = await load(sent);
      acceptedPerSecond = sent.length / ((performance.now() - t0) / 1000);
      return drain(receiver, sent, 1, t0, errors, drainMs);
    });
    const after = await readTemporalCounters(temporalMetricsUrl);
    runs.push({
      run: name,
      events: result.events,
      lost: result.lost,
      publishErrors: result.publishErrors,
      acceptedPerSecond,
      deliveriesPerSecond: result.deliveriesPerSecond,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      acceptP99Ms: result.acceptP99Ms,
    });
    const shape = await deliveryHistoryShape(
      db,
      temporal,
      sent.map((p) => p.eventId),
    );
    shapes.push({ run: name, ...matchingPerItem(before, after, result.deliveries), ...shape });
  };
  await run(
    `closed loop, ${CONCURRENCY} publishers, ${SHORT}s`,
    (sent) =>
      closedLoop(SHORT, CONCURRENCY, async () => {
        const published = await publish();
        sent.push(published);
        await receiver.waitFor(published.eventId, 1);
      }),
    120_000,
  );
  await run(
    `overload, ${OVERLOAD.publishers} publishers, ${OVERLOAD.seconds}s`,
    (sent) => closedLoop(OVERLOAD.seconds, OVERLOAD.publishers, async () => void sent.push(await publish())),
    OVERLOAD.drainSeconds * 1000,
  );
  return { runs, shapes };
}
