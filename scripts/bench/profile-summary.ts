// `npx tsx scripts/bench/profile-summary.ts FILE.cpuprofile [top]`: where a V8 CPU profile (from
// --profile-worker or --profile-api) spent its busy time (idle excluded), by self time: per
// package or source file, the top functions, and native or Node-internal time (socket writes,
// GC excepted) charged to the package or file that called into it.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts FILE.cpuprofile [top]');
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
const selfUs = new Map<number, number>();
profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
const idleUs = [...selfUs].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((sum, [, us]) => sum + us, 0);
const sampledUs = [...selfUs.values()].reduce((sum, us) => sum + us, 0);
const busyUs = sampledUs - idleUs;

/** A package (`@temporalio/worker`), a source file of the project, or V8's own entries. */
function owner({ url, functionName }: ProfileNode['callFrame']): string {
  if (!url) return `(${functionName || 'native'})`;
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules) return inModules[1]!;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '');
}

/** The nearest caller outside native code and Node's internals: who asked for this work. */
function caller(id: number): string {
  for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
    const who = owner(byId.get(current)!.callFrame);
    if (!who.startsWith('(') && !who.startsWith('node:')) return who;
  }
  return owner(byId.get(id)!.callFrame);
}

const byOwner = new Map<string, number>();
const byFunction = new Map<string, number>();
const byCaller = new Map<string, number>();
const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
for (const [id, us] of selfUs) {
  const frame = byId.get(id)!.callFrame;
  if (frame.functionName === '(idle)') continue;
  const who = owner(frame);
  add(byOwner, who, us);
  add(byFunction, `${frame.functionName || '(anonymous)'} ${who}:${frame.lineNumber + 1}`, us);
  add(byCaller, frame.functionName === '(garbage collector)' || frame.functionName === '(program)' ? who : caller(id), us);
}
console.log(
  `${file}: busy ${(busyUs / 1e6).toFixed(1)} s of ${(sampledUs / 1e6).toFixed(1)} s sampled (${((busyUs / sampledUs) * 100).toFixed(0)}%)`,
);
const print = (title: string, entries: Map<string, number>) => {
  console.log(`\n${title} (% of busy time)`);
  for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((us / busyUs) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
};
print('by package or file, self time', byOwner);
print('by package or file, with the native and Node-internal work each called', byCaller);
print('by function, self time', byFunction);
