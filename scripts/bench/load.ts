// Load generators shared by the measured parts: a closed loop (`concurrency` workers, each sending
// its next operation when the previous one finished) and an open loop (a fixed rate), and the
// end-to-end runs built on them that wait for the receiver to see every delivery.
import type { BenchReceiver } from './receiver';
import { summarize } from './stats';

/** Thrown by an operation to end its closed-loop worker early. */
export class StopLoop extends Error {}

export async function closedLoop(seconds: number, concurrency: number, operation: () => Promise<unknown>) {
  const deadline = performance.now() + seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await operation();
          latencies.push(performance.now() - t0);
        } catch (error) {
          if (error instanceof StopLoop) return;
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const s = summarize(latencies);
  return { completed: latencies.length, errors, perSecond: latencies.length / elapsed, p50Ms: s.p50, p95Ms: s.p95, p99Ms: s.p99 };
}

/** `started` when the publish was sent, `accepted` when its answer came back. */
export type Published = { eventId: string; started: number; accepted: number };
export type Publish = () => Promise<Published>;

/**
 * Maximum load, measured like the ceiling: `concurrency` publishers, each publishing its next
 * event once every delivery of the previous one has been received (so no queue builds up
 * anywhere and the figure is a sustainable rate, not how fast a backlog can be accepted).
 */
export async function endToEnd(receiver: BenchReceiver, publish: Publish, fanOut: number, seconds: number, concurrency: number) {
  const sent: Published[] = [];
  const t0 = performance.now();
  const loop = await closedLoop(seconds, concurrency, async () => {
    const published = await publish();
    sent.push(published);
    await receiver.waitFor(published.eventId, fanOut);
  });
  return drain(receiver, sent, fanOut, t0, loop.errors);
}

/** Publishes at a fixed rate (open loop) for `seconds`, then waits for every delivery. */
export async function endToEndAtRate(
  receiver: BenchReceiver,
  publish: Publish,
  perSecond: number,
  seconds: number,
  onSent?: (sent: Published[]) => void,
) {
  const sent: Published[] = [];
  const t0 = performance.now();
  const total = Math.floor(perSecond * seconds);
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      publish().then(
        (p) => void sent.push(p),
        () => void errors++,
      ),
    );
  }
  await Promise.all(inFlight);
  onSent?.(sent);
  return drain(receiver, sent, 1, t0, errors);
}

/** Waits (at most `timeoutMs`) until every delivery of `sent` arrived; the rate runs from `t0` to the last arrival. */
export async function drain(receiver: BenchReceiver, sent: Published[], fanOut: number, t0: number, errors: number, timeoutMs = 120_000) {
  const expected = sent.length * fanOut;
  const deadline = performance.now() + timeoutMs;
  while (sent.some((s) => (receiver.received.get(s.eventId)?.length ?? 0) < fanOut) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const latencies: number[] = [];
  let last = t0;
  let delivered = 0;
  for (const s of sent) {
    for (const at of receiver.received.get(s.eventId) ?? []) {
      latencies.push(at - s.started);
      last = Math.max(last, at);
      delivered++;
    }
  }
  const s = summarize(latencies);
  const accept = summarize(sent.map((p) => p.accepted - p.started));
  return {
    events: sent.length,
    deliveries: delivered,
    lost: expected - Math.min(delivered, expected),
    publishErrors: errors,
    deliveriesPerSecond: delivered / ((last - t0) / 1000),
    p50Ms: s.p50,
    p95Ms: s.p95,
    p99Ms: s.p99,
    /** Publish answered (202): the part of the latency spent before the delivery workflow runs. */
    acceptP50Ms: accept.p50,
    acceptP99Ms: accept.p99,
  };
}
