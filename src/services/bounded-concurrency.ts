// Runs many asynchronous tasks with at most `limit` in flight (a fan-out of 20,000 workflow
// starts must not open 20,000 requests at once). Pure: no I/O of its own. p-limit and p-map
// are ESM-only in their maintained versions, which this CommonJS build and jest cannot load.

/**
 * Runs `task` once per item, at most `limit` at a time, in item order. After the first failure
 * no further task is started; those already running are awaited, then the first failure is
 * thrown (the caller's retry or the sweeper starts what is left).
 */
export async function forEachWithConcurrency<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        await task(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.error;
}
