// Where the CPU went during each run of (a) and (c): one row per run, printed after (c).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpuUsageBetween, snapshotCpu, type CpuProcessIds, type ProcessGroup } from './cpu';

export type ProcessIds = CpuProcessIds;

/** Workflows/s of the ceiling, deliveries/s of an end-to-end run. */
function itemsPerSecond(result: unknown): number {
  const { perSecond, deliveriesPerSecond } = result as { perSecond?: number; deliveriesPerSecond?: number };
  return deliveriesPerSecond ?? perSecond ?? NaN;
}

export const cpuRows: Array<Record<string, string | number>> = [];
let processIds: ProcessIds = { bench: process.pid, worker: [] };

/** The processes each group's CPU is read from; set once the stack is up. */
export function setProcessIds(ids: ProcessIds): void {
  processIds = ids;
}

/**
 * Runs one measurement and records where the CPU went meanwhile, and how late this process's
 * event loop ran its callbacks (the load generator's, the receiver's and, unless --api-process,
 * the API's own delay).
 */
export async function measured<T>(name: string, extraWorkerPids: number[], measure: () => Promise<T>): Promise<T> {
  const pids = { ...processIds, worker: [...processIds.worker, ...extraWorkerPids] };
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const before = snapshotCpu(pids);
  const result = await measure();
  const usage = cpuUsageBetween(before, snapshotCpu(pids));
  loopDelay.disable();
  const perItem = itemsPerSecond(result);
  // A group's % of one core × 10 = its CPU ms per second; per item at this run's rate.
  const msPerItem = (group: ProcessGroup) => ((usage.byGroup[group] ?? 0) * 10) / perItem;
  cpuRows.push({
    run: name,
    machine: usage.machineBusyPct,
    steal: usage.machineStealPct,
    bench: usage.byGroup.bench ?? 0,
    ...(processIds.api !== undefined && { api: usage.byGroup.api ?? 0 }),
    worker: usage.byGroup.worker ?? 0,
    temporal: usage.byGroup.temporal ?? 0,
    postgres: usage.byGroup.postgres ?? 0,
    benchLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    // Every core busy (machine ≈ cores × 100) means throughput = cores / CPU time per item.
    // The benchmark's own processes only (on a shared machine the whole machine's busy time is not
    // ours); on an idle machine the two agree within a few per cent.
    cpuMsPerItem: (Object.values(usage.byGroup).reduce((sum, pct) => sum + pct, 0) * 10) / perItem,
    // CPU ms per item of each process (the bench's load generator and receiver are the test's own cost).
    ...(processIds.api !== undefined && { apiMs: msPerItem('api') }),
    workerMs: msPerItem('worker'),
    temporalMs: msPerItem('temporal'),
    postgresMs: msPerItem('postgres'),
    benchMs: msPerItem('bench'),
  });
  return result;
}
