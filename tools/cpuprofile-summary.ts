/**
 * Sums a V8 CPU profile (`BENCH_SERVER_CPU_PROF=<dir>`, one file per thread) by function: self time, and inclusive
 * time (a sample counts once for every distinct function on its stack), optionally within a time window and per
 * request. `--timeline` prints busy and idle milliseconds per second of the profile first, to find the measured window.
 *
 *   node --require ./scripts/swc-register.js tools/cpuprofile-summary.ts FILE.cpuprofile [--from S] [--to S] [--per N] [--top N] [--timeline]
 *   node --require ./scripts/swc-register.js tools/cpuprofile-summary.ts FILE.cpuprofile --callers 'commitGroup' [--depth N]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const numberOption = (name: string, fallback: number): number => Number(option(name) ?? fallback);

const file = args[0];
if (!file || file.startsWith('--')) {
  console.error('usage: cpuprofile-summary.ts FILE.cpuprofile [--from S] [--to S] [--per N] [--top N] [--timeline] [--callers REGEX [--depth N]]');
  process.exit(1);
}
const from = numberOption('--from', -Infinity);
const to = numberOption('--to', Infinity);
const per = numberOption('--per', 0);
const top = numberOption('--top', 40);
const callers = option('--callers');
const depth = numberOption('--depth', 4);

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

const label = ({ callFrame: { functionName, url, lineNumber } }: ProfileNode): string =>
  `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, 'nm/').replace(/^.*\/dist\//, 'dist/')}:${lineNumber + 1}`;
const stackOf = (id: number): string[] => {
  const stack: string[] = [];
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) stack.push(label(nodes.get(at)!));
  return stack;
};
const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
const chains = new Map<string, number>();
const children = new Map<string, number>();
const timeline = new Map<number, { busy: number; idle: number }>();
let busy = 0;
let idle = 0;
let time = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  time += profile.timeDeltas[i] ?? 0;
  const at = (time - profile.startTime) / 1e6;
  // A sample stands for the time until the next one.
  const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  const node = nodes.get(profile.samples[i])!;
  const isIdle = node.callFrame.functionName === '(idle)';
  const second = timeline.get(Math.floor(at)) ?? { busy: 0, idle: 0 };
  timeline.set(Math.floor(at), second);
  if (isIdle) second.idle += ms;
  else second.busy += ms;
  if (at < from || at > to) continue;
  if (isIdle) {
    idle += ms;
    continue;
  }
  busy += ms;
  const stack = stackOf(node.id);
  add(self, stack[0], ms);
  for (const name of new Set(stack)) add(inclusive, name, ms);
  if (callers) {
    const k = stack.findIndex((name) => new RegExp(callers).test(name));
    if (k >= 0) {
      add(chains, stack.slice(k, k + depth).join(' <- '), ms);
      add(children, k > 0 ? stack[k - 1] : '(self)', ms);
    }
  }
}

const row = (ms: number, name: string) =>
  `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / busy).toFixed(1).padStart(5)}%${per ? ` ${((1000 * ms) / per).toFixed(1).padStart(8)} µs each` : ''}  ${name}`;
if (args.includes('--timeline')) {
  for (const [second, { busy: b, idle: i }] of [...timeline].sort((a, b) => a[0] - b[0])) console.log(`${second}s busy ${b.toFixed(0)} ms, idle ${i.toFixed(0)} ms`);
}
console.log(`window: busy ${busy.toFixed(0)} ms, idle ${idle.toFixed(0)} ms${per ? `; ${per} requests: ${(busy / per).toFixed(3)} ms busy each` : ''}`);
if (callers) {
  console.log(`--- stacks through /${callers}/ (${depth} frames up) ---`);
  for (const [name, ms] of sorted(chains).slice(0, top)) console.log(row(ms, name));
  console.log('--- what it calls ---');
  for (const [name, ms] of sorted(children).slice(0, top)) console.log(row(ms, name));
} else {
  console.log('--- self ---');
  for (const [name, ms] of sorted(self).slice(0, top)) console.log(row(ms, name));
  console.log('--- inclusive ---');
  for (const [name, ms] of sorted(inclusive).slice(0, top)) console.log(row(ms, name));
}
