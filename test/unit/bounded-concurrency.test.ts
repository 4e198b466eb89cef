import { forEachWithConcurrency } from '../../src/services/bounded-concurrency';

/** A task whose completion the test controls, recording how many run at once. */
function gatedTasks() {
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const gates = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  const task = (item: number) =>
    new Promise<void>((resolve, reject) => {
      running += 1;
      peak = Math.max(peak, running);
      started.push(item);
      const done = () => (running -= 1);
      gates.set(item, {
        resolve: () => (done(), resolve()),
        reject: (error) => (done(), reject(error)),
      });
    });
  return { task, started, gates, peak: () => peak, running: () => running };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('forEachWithConcurrency', () => {
  it('never runs more than the limit at once, and runs every item exactly once', async () => {
    const seen: number[] = [];
    let running = 0;
    let peak = 0;
    const items = Array.from({ length: 1000 }, (_, index) => index);
    await forEachWithConcurrency(items, 7, async (item) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, item % 3));
      seen.push(item);
      running -= 1;
    });
    expect(peak).toBe(7);
    expect(seen.sort((a, b) => a - b)).toEqual(items);
  });

  it('starts the next item as soon as one finishes, in item order', async () => {
    const gated = gatedTasks();
    const run = forEachWithConcurrency([0, 1, 2, 3, 4], 2, gated.task);
    await settle();
    expect(gated.started).toEqual([0, 1]);
    gated.gates.get(1)!.resolve();
    await settle();
    expect(gated.started).toEqual([0, 1, 2]);
    gated.gates.get(0)!.resolve();
    gated.gates.get(2)!.resolve();
    await settle();
    expect(gated.started).toEqual([0, 1, 2, 3, 4]);
    gated.gates.get(3)!.resolve();
    gated.gates.get(4)!.resolve();
    await expect(run).resolves.toBeUndefined();
    expect(gated.peak()).toBe(2);
  });

  it('after a failure starts nothing new, waits for the running tasks, then throws the first failure', async () => {
    const gated = gatedTasks();
    const run = forEachWithConcurrency([0, 1, 2, 3, 4, 5], 3, gated.task);
    let settled = false;
    void run.catch(() => undefined).finally(() => (settled = true));
    await settle();
    gated.gates.get(1)!.reject(new Error('first'));
    await settle();
    gated.gates.get(2)!.reject(new Error('second'));
    await settle();
    expect(gated.started).toEqual([0, 1, 2]);
    expect(settled).toBe(false); // item 0 is still running
    gated.gates.get(0)!.resolve();
    await expect(run).rejects.toThrow('first');
    expect(gated.running()).toBe(0);
  });

  it('handles no items and a limit above the item count', async () => {
    const calls: number[] = [];
    await forEachWithConcurrency([], 4, async (item: number) => void calls.push(item));
    await forEachWithConcurrency([1, 2], 50, async (item) => void calls.push(item));
    expect(calls).toEqual([1, 2]);
  });

  it('refuses a limit that is not a positive integer', async () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      await expect(forEachWithConcurrency([1], limit, async () => undefined)).rejects.toThrow(RangeError);
    }
  });
});
