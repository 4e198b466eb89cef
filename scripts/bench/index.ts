// `npm run bench`: throughput, latency, memory and cost of hookrelay against the Temporal
// ceiling, in one run on one machine. Prints tables and writes artifacts/bench.json.
//   (a) ceiling: a no-op workflow + activity on the same server and worker settings
//   (b) raw HTTP: a plain undici POST loop to the same receiver
//   (c) hookrelay end to end: publish via the API and via the Temporal client, 1 endpoint and a
//       fan-out of 10; deliveries/s and publish→receive latency at maximum load and at half of it
//   (d) parked retries: N deliveries waiting on retry timers: worker RSS, database sizes
//   (e) cost: history events and database round trips per first-try delivery
//   (f) fairness: tenant B's publish→receive p50/p99 with tenant A idle, and with A's backlog of
//       deliveries to an endpoint that answers after 10 s
//   (g) limiter: throughput and CPU per delivery with the endpoint rate/concurrency limits on and off
//   (h) overload: 32 API publishers for 30 s that never wait for deliveries, against a closed loop;
//       throughput until the last delivery, and why queued deliveries cost what they cost
//   (i) batch publish: events/s with batches of 100 (API and client) against single publishes
//   (k) levers, before and after in alternating rounds of this run: the first delivery workflow
//       type against deliveryWorkflowV2, one search-attribute upsert, the precompiled attempt load
// Flags: --seconds 60 (the sustained API run), --short 20 (the others), --parked 10000,
//        --concurrency 64, --database-url, --temporal-address, --only a,b,c,d,e,f,g,h,i,k,
//        --tracing on (the worker exports OpenTelemetry spans over OTLP to an in-process sink: what tracing costs),
//        --sqlite-pragmas off (the dev server without WAL / synchronous=OFF, to measure them),
//        --profile-worker DIR (a V8 CPU profile of the worker process, written when it stops),
//        --profile-api DIR (the same of the API process; needs --api-process),
//        --worker-node-options (NODE_OPTIONS of the worker processes; default '--max-old-space-size=256',
//        as `npm run worker` runs one; '' for none),
//        --temporal-db memory (the dev server without its SQLite file: what storage costs),
//        --api-process (the API as its own `node src/server.ts` process, as in production, instead of
//        inside the benchmark's process next to the load generator and the receiver),
//        --topology split|single: the worker in its own process (split, as in production), or in
//        the API's process sharing its NativeConnection with eager workflow start (as `npm start`),
//        --latency-loads 0.5 (the open-loop rates of the latency runs, as fractions of the API's
//        maximum; e.g. 0.25,0.5),
//        --temporal-dynamic-config KEY=VALUE (repeatable; passed to the dev server, e.g.
//        system.enableActivityEagerExecution=false),
//        --temporal-tuning off (the dev server without hookrelay's server tuning, to measure it),
//        --fairness-backlog 500, --fairness-delay 10 (seconds A's endpoint takes to answer),
//        --fairness-rate 10 (B's publishes per second); e.g. `npm run bench -- --only f`,
//        --overload-publishers 32, --overload-seconds 30, --overload-drain 600 (h), --batch-size 100 (i)
// One module per part: ceiling.ts (a), raw-http.ts (b), end-to-end.ts (c), parked.ts (d),
// cost.ts (e), fairness.ts (f), limiter.ts (g), overload.ts (h), batch-publish.ts (i), levers.ts (k); the stack they share in stack.ts, fixtures.ts and receiver.ts.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureCeiling } from './ceiling';
import { measureBillableActions, measureCost } from './cost';
import { measureEndToEnd } from './end-to-end';
import { measureFairness } from './fairness';
import { measureLevers } from './levers';
import { measureLimiter } from './limiter';
import { createBenchTenants } from './fixtures';
import { CONCURRENCY, flags, log, ONLY, SECONDS, SHORT } from './flags';
import { cpuRows, setProcessIds } from './measured';
import { measureOverload } from './overload';
import { measureBatchPublish } from './batch-publish';
import { measureParked } from './parked';
import { measureRawHttp } from './raw-http';
import { pickTuningEnv, startStack } from './stack';
import { printTable } from './stats';

const results: Record<string, unknown> = {
  label: flags.label,
  startedAt: new Date().toISOString(),
  machine: { cpus: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30) },
};

async function main(): Promise<void> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-bench-'));
  chmodSync(workDir, 0o755);
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const stack = await startStack(workDir, stops);
    const { workerPid, apiPid, apiUrl, temporalAddress } = stack;
    results.settings = {
      concurrency: CONCURRENCY,
      seconds: SECONDS,
      short: SHORT,
      sqlitePragmas: flags['sqlite-pragmas'],
      workerNodeOptions: flags['worker-node-options'] ?? null,
      topology: flags.topology,
      temporalDb: flags['temporal-db'],
      apiProcess: flags['api-process'],
      temporalTuning: flags['temporal-tuning'],
      temporalDynamicConfig: flags['temporal-dynamic-config'],
      tuning: pickTuningEnv(),
    };
    setProcessIds({
      bench: process.pid,
      worker: workerPid === process.pid ? [] : [workerPid],
      ...(apiPid !== undefined && { api: apiPid }),
      ownTreeOnly: !flags['database-url'] && !flags['temporal-address'],
    });
    log(`stack up: postgres, temporal ${temporalAddress}, worker pid ${workerPid}, API ${apiUrl}`);
    const tenants = await createBenchTenants(stack);

    if (ONLY.has('a')) {
      const a = await measureCeiling(stack);
      results.ceiling = a;
      log(
        `(a) ceiling: ${a.perSecond.toFixed(0)} workflows/s, ${a.billableActionsPerWorkflow} billable actions and ${a.historyEvents} history events each`,
      );
    }

    if (ONLY.has('b')) {
      const b = await measureRawHttp(stack);
      results.rawHttp = b;
      log(`(b) raw HTTP: ${b.perSecond.toFixed(0)} requests/s`);
    }

    if (ONLY.has('c')) {
      const { runs, breakdowns } = await measureEndToEnd(stack, tenants);
      results.endToEnd = runs;
      results.latencyBreakdown = breakdowns;
      console.log('\n(c) end to end');
      printTable(runs);
      console.log('\nWhere the latency of the open-loop runs goes (ms; Temporal server clock for the workflow events)');
      printTable(breakdowns);
    }

    if (ONLY.has('g')) {
      const g = await measureLimiter(stack, tenants.single.id);
      results.limiter = g;
      console.log('\n(g) endpoint limits on and off (CPU per delivery: cpuMsPerItem in the CPU table below)');
      printTable(g.runs);
      console.log('\n(g) one admission and release by the gate of a limited endpoint, back to back');
      printTable([g.admission]);
    }

    if (ONLY.has('h')) {
      const h = await measureOverload(stack, tenants.single.id);
      results.overload = h;
      console.log('\n(h) overload: API publishers that do not wait for deliveries, against a closed loop');
      printTable(h.runs);
      console.log('\n(h) why: task matching (sync = handed to a waiting poll; the rest came from the backlog) and delivery histories');
      printTable(h.shapes);
    }

    if (ONLY.has('i')) {
      const i = await measureBatchPublish(stack, tenants.single.id);
      results.batchPublish = i;
      console.log('\n(i) batch publish against single publishes, 1 endpoint (events/s = deliveriesPerSecond)');
      printTable(i);
    }

    if (ONLY.has('k')) {
      const k = await measureLevers(stack, tenants.single.id);
      results.levers = k;
      console.log('\n(k) levers, before and after in alternating rounds (CPU per delivery of each: the CPU table below)');
      printTable(k.rows);
      console.log('\n(k) the attempt load statement, CPU µs of the calling process per load');
      printTable([k.load]);
    }

    if (cpuRows.length > 0) {
      results.cpu = cpuRows;
      console.log(
        '\nCPU during each run, % of one core (machine: all cores; bench: load generator, receiver and, unless --api-process, the API)',
      );
      printTable(cpuRows);
    }

    if (ONLY.has('e')) {
      results.cost = await measureCost(stack, tenants.single.id);
      console.log('\n(e) cost per first-try delivery');
      printTable([results.cost as Record<string, number>]);
      results.billableActions = await measureBillableActions(stack, tenants.single.id);
      console.log('\n(e) Temporal Cloud billable actions, counted from real histories (docs.temporal.io/cloud/actions)');
      printTable(results.billableActions as Array<Record<string, string | number>>);
    }

    if (ONLY.has('d')) {
      const d = await measureParked(stack);
      results.parked = d;
      console.log('\n(d) parked retries');
      printTable([d]);
    }

    // Last: A's slow backlog is cancelled when it ends, but the worker may still be busy with it.
    if (ONLY.has('f')) {
      const f = await measureFairness(stack);
      results.fairness = f;
      console.log(`\n(f) fairness: tenant B's publish→receive latency, tenant A idle vs A's backlog (${os.cpus().length} cores)`);
      printTable([f]);
      const fairnessCpu = cpuRows.filter((row) => String(row.run).startsWith('fairness'));
      results.fairnessCpu = fairnessCpu;
      console.log('\nCPU during the fairness runs, % of one core');
      printTable(fairnessCpu);
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    mkdirSync(path.dirname(flags.out!), { recursive: true });
    writeFileSync(flags.out!, JSON.stringify(results, null, 2));
    log(`wrote ${flags.out}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
