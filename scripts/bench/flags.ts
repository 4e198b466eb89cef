// The command line of `npm run bench` (see index.ts for what each flag measures), parsed once.
import { parseArgs } from 'node:util';

export const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    short: { type: 'string', default: '20' },
    parked: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '64' },
    'database-url': { type: 'string' },
    'temporal-address': { type: 'string' },
    only: { type: 'string', default: 'a,b,c,d,e,f,g,h,i,k' },
    out: { type: 'string', default: 'artifacts/bench.json' },
    label: { type: 'string', default: 'run' },
    'sqlite-pragmas': { type: 'string', default: 'on' },
    tracing: { type: 'string', default: 'off' },
    'profile-worker': { type: 'string' },
    'profile-api': { type: 'string' },
    // As `npm run worker` and the compose file run a worker.
    'worker-node-options': { type: 'string', default: '--max-old-space-size=256' },
    topology: { type: 'string', default: 'split' },
    'temporal-db': { type: 'string', default: 'file' },
    'api-process': { type: 'boolean', default: false },
    'latency-loads': { type: 'string', default: '0.5' },
    'temporal-dynamic-config': { type: 'string', multiple: true, default: [] },
    'temporal-tuning': { type: 'string', default: 'on' },
    // (f) fairness: tenant A's backlog, how long A's endpoint takes to answer, B's publish rate.
    'fairness-backlog': { type: 'string', default: '500' },
    'fairness-delay': { type: 'string', default: '10' },
    'fairness-rate': { type: 'string', default: '10' },
    // (h) overload: API publishers that never wait for deliveries, for this long; then at most this long to drain.
    'overload-publishers': { type: 'string', default: '32' },
    'overload-seconds': { type: 'string', default: '30' },
    'overload-drain': { type: 'string', default: '600' },
    // (i) batch publish: events per batch.
    'batch-size': { type: 'string', default: '100' },
  },
});

/** The sustained API run's duration, in seconds. */
export const SECONDS = Number(flags.seconds);
/** The other runs' duration, in seconds. */
export const SHORT = Number(flags.short);
export const PARKED = Number(flags.parked);
export const CONCURRENCY = Number(flags.concurrency);
export const ONLY = new Set(flags.only!.split(','));
export const FAIRNESS = {
  backlog: Number(flags['fairness-backlog']),
  delaySeconds: Number(flags['fairness-delay']),
  rate: Number(flags['fairness-rate']),
};
export const OVERLOAD = {
  publishers: Number(flags['overload-publishers']),
  seconds: Number(flags['overload-seconds']),
  drainSeconds: Number(flags['overload-drain']),
};
export const BATCH_SIZE = Number(flags['batch-size']);
export const LATENCY_LOADS = flags['latency-loads']!.split(',').map(Number);

export const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
