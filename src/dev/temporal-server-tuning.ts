// Temporal server settings (dynamic config) that hookrelay's publish→receive latency depends on,
// measured with `npm run bench` (README, Performance). `npm start`, the tests and the benchmark
// pass them to the dev server; docker-compose.yml mounts the same values from
// deploy/temporal/dynamicconfig.yaml (test/unit/deploy-files.test.ts keeps the two equal).
export const temporalServerTuning = {
  // The history service's transfer queue (which hands a new workflow's first task to matching) reads
  // at most this many times a second; the server's default, 20, made a new delivery wait 25–31 ms
  // (median) for its first task at 19–39 starts/s, against 2 ms with 1000.
  'history.transferProcessorMaxPollRPS': 1000,
  // One partition per task queue: with the default 4, a task written to a partition without a
  // waiting poller is forwarded or backlogged, which put 134 ms on the p99 of that same wait.
  // One partition serves far more than one hookrelay deployment's rate (see the README).
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  // Task-queue fairness (issue 12): delivery workflows carry their tenant as fairness key
  // (workflows/delivery-start.ts), and matching hands out their tasks round robin across keys
  // instead of first in, first out, so one tenant's burst of 500 deliveries does not put every
  // other tenant's next delivery behind it (README, Tenant fair share).
  'matching.enableFairness': true,
} as const satisfies Record<string, number | boolean | string>;

/** The tuning as `KEY=JSON_VALUE` pairs, the form `temporal server start-dev --dynamic-config-value` takes. */
export function temporalServerTuningValues(): string[] {
  return Object.entries(temporalServerTuning).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
}
