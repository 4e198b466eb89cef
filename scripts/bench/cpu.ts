// Where the CPU goes during a benchmark run: CPU time per process group (this process, the
// worker, the Temporal dev server, PostgreSQL) and how busy the whole machine was, from /proc.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { round1 } from './stats';

/** Clock ticks per second of /proc's utime/stime (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

export type ProcessGroup = 'bench' | 'api' | 'worker' | 'temporal' | 'postgres';

export interface CpuSnapshot {
  at: number;
  ticksByPid: Map<number, { group: ProcessGroup; ticks: number }>;
  machine: { busy: number; steal: number; total: number };
}

export interface CpuUsage {
  /** Busy time of all cores together, as a percentage of one core (200 = both cores of two). */
  machineBusyPct: number;
  machineStealPct: number;
  /** Per group, a percentage of one core. */
  byGroup: Partial<Record<ProcessGroup, number>>;
}

export interface CpuProcessIds {
  bench: number;
  worker: number[];
  api?: number;
  /**
   * PostgreSQL and Temporal are found by name among this process's descendants only (it started
   * them), so other users' servers on a shared machine are not counted; false when they run
   * elsewhere (--database-url, --temporal-address): then every process of that name counts.
   */
  ownTreeOnly?: boolean;
}

/** `pids` names the processes the benchmark started itself; the rest is found by name. */
export function snapshotCpu(pids: CpuProcessIds): CpuSnapshot {
  const ticksByPid: CpuSnapshot['ticksByPid'] = new Map();
  const stats: Array<{ pid: number; ppid: number; comm: string; fields: string[] }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = readProc(`/proc/${pid}/stat`);
    if (!stat) continue;
    // "pid (comm) state ppid …": comm may hold spaces or parentheses, so split after the last ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    stats.push({ pid, ppid: Number(fields[1]), comm, fields });
  }
  const parentOf = new Map(stats.map(({ pid, ppid }) => [pid, ppid]));
  const inOwnTree = (pid: number): boolean => {
    for (let current: number | undefined = pid, hops = 0; current !== undefined && current > 1 && hops < 64; hops++) {
      if (current === pids.bench) return true;
      current = parentOf.get(current);
    }
    return false;
  };
  for (const { pid, comm, fields } of stats) {
    const group = classify(pid, comm, pids);
    if (!group) continue;
    if ((group === 'postgres' || group === 'temporal') && pids.ownTreeOnly !== false && !inOwnTree(pid)) continue;
    // utime + stime; PostgreSQL's backends come and go (pool connections close when idle), and an
    // ended backend's time moves to the postmaster's cutime + cstime, so count those there.
    let ticks = Number(fields[11]) + Number(fields[12]);
    if (group === 'postgres') ticks += Number(fields[13]) + Number(fields[14]);
    ticksByPid.set(pid, { group, ticks });
  }
  return { at: performance.now(), ticksByPid, machine: readMachineTicks() };
}

export function cpuUsageBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUsage {
  const seconds = (after.at - before.at) / 1000;
  // Group sums after minus before: a PostgreSQL backend that ended meanwhile counted in `before`
  // on its own and in `after` inside the postmaster's cutime, so only its time in the run remains.
  const ticksByGroup: Partial<Record<ProcessGroup, number>> = {};
  for (const [sign, snapshot] of [
    [1, after],
    [-1, before],
  ] as const) {
    for (const { group, ticks } of snapshot.ticksByPid.values()) ticksByGroup[group] = (ticksByGroup[group] ?? 0) + sign * ticks;
  }
  const byGroup: Partial<Record<ProcessGroup, number>> = {};
  for (const [group, ticks] of Object.entries(ticksByGroup) as Array<[ProcessGroup, number]>) {
    byGroup[group] = round1((ticks / TICKS_PER_SECOND / seconds) * 100);
  }
  const total = after.machine.total - before.machine.total;
  const cores = os.cpus().length;
  return {
    machineBusyPct: round1(((after.machine.busy - before.machine.busy) / total) * 100 * cores),
    machineStealPct: round1(((after.machine.steal - before.machine.steal) / total) * 100 * cores),
    byGroup,
  };
}

function classify(pid: number, comm: string, pids: CpuProcessIds): ProcessGroup | undefined {
  if (pid === pids.bench) return 'bench';
  if (pid === pids.api) return 'api';
  if (pids.worker.includes(pid)) return 'worker';
  if (comm === 'postgres') return 'postgres';
  if (comm.startsWith('temporal')) return 'temporal';
  return undefined;
}

function readMachineTicks(): CpuSnapshot['machine'] {
  // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
  const line = readProc('/proc/stat')?.split('\n')[0] ?? '';
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq!;
  return { busy, steal: steal!, total: busy + idle! + iowait! + steal! };
}

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined; // the process ended between listing and reading
  }
}
