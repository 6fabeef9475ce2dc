/**
 * Reads the NDJSON a ledger wrote with LEDGER_LATENCY_TRACE=<dir> (libs/event-store/src/latency-trace.ts) and prints,
 * for the claims answered in it, where each one's time went: every hand-off as milliseconds after the request arrived
 * (median, p90, p99), the gaps between them, and how big the writer's groups and the projection's batches were.
 *
 *   node --require ./scripts/swc-register.js tools/latency-trace-report.ts <dir> [--from-ms N] [--last-ms N] [--slowest P]
 *
 * `--from-ms` skips the claims that arrived in the first N ms of the trace (demo data, a warm-up run); `--last-ms N`
 * keeps only those that arrived in its last N ms. `--slowest P` also prints, step by step, the mean time the slowest
 * P % of the claims (by response time) spent between two hand-offs beside that of all claims: where a tail comes from.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { percentile } from '../bench/support/measure';

type Row = Record<string, number> & { k: string };

interface Range {
  minPos: number;
  maxPos: number;
}

const [dir, ...rest] = process.argv.slice(2);
if (!dir) throw new Error('usage: latency-trace-report.ts <dir> [--from-ms N]');
const fromMsAt = rest.indexOf('--from-ms');
const skipMs = fromMsAt >= 0 ? Number(rest[fromMsAt + 1]) : 0;
const lastMsAt = rest.indexOf('--last-ms');
const lastMs = lastMsAt >= 0 ? Number(rest[lastMsAt + 1]) : Infinity;
const slowestAt = rest.indexOf('--slowest');
const slowestPercent = slowestAt >= 0 ? Number(rest[slowestAt + 1]) : undefined;
if (slowestPercent !== undefined && !(slowestPercent > 0 && slowestPercent <= 100)) throw new Error('--slowest takes a percentage in (0, 100]');

const rows: Row[] = readdirSync(dir)
  .filter((name) => name.endsWith('.ndjson'))
  .flatMap((name) =>
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Row),
  );
const byKind = (kind: string): Row[] => rows.filter((row) => row.k === kind);

const byPos = (kind: string): Map<number, Row> => new Map(byKind(kind).map((row) => [row.pos, row]));
const covering = <T extends Range>(ranges: T[], pos: number): T | undefined => {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid].maxPos < pos) lo = mid + 1;
    else if (ranges[mid].minPos > pos) hi = mid - 1;
    else return ranges[mid];
  }
  return undefined;
};
/** The first row (by `at`) whose `reach` is at least pos: rows sorted by `at` with `reach` non-decreasing. */
const firstReaching = (sorted: Row[], reach: string, pos: number): Row | undefined => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid][reach] >= pos) hi = mid;
    else lo = mid + 1;
  }
  return sorted[lo];
};
const firstAfter = (times: number[], t: number): number | undefined => {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] >= t) hi = mid;
    else lo = mid + 1;
  }
  return times[lo];
};

const responses = byKind('response').sort((a, b) => a.tReceived - b.tReceived);
const start = responses.length > 0 ? responses[0].tReceived : 0;
const end = responses.length > 0 ? responses[responses.length - 1].tReceived : 0;
const measured = responses.filter((r) => r.tReceived - start >= skipMs && end - r.tReceived <= lastMs);
const executes = byPos('execute');
const appends = byPos('clientAppend');
const waits = byPos('readYourWrites');
const commits = (byKind('commit') as Array<Row & Range>).sort((a, b) => a.minPos - b.minPos);
const messages = (byKind('writerMessage') as Array<Row & Range>).sort((a, b) => a.minPos - b.minPos);
const batches = byKind('project').sort((a, b) => a.upTo - b.upTo);
const seen = byKind('checkpointSeen').sort((a, b) => a.t - b.t);
const wakes = byKind('wake')
  .map((row) => row.t)
  .sort((a, b) => a - b);

const milestones = new Map<string, number[]>();
/** Each claim's milestones by name, for --slowest. */
const perClaim: Array<Map<string, number>> = [];
let marks = new Map<string, number>();
const note = (name: string, value: number | undefined): void => {
  if (value === undefined || !Number.isFinite(value)) return;
  const list = milestones.get(name) ?? [];
  list.push(value);
  milestones.set(name, list);
  marks.set(name, value);
};

for (const response of measured) {
  marks = new Map();
  perClaim.push(marks);
  const pos = response.pos;
  const t0 = response.tReceived;
  const at = (t: number | undefined) => (t === undefined ? undefined : t - t0);
  const execute = executes.get(pos);
  const append = appends.get(pos);
  const message = covering(messages, pos);
  const commit = covering(commits, pos);
  const batch = firstReaching(batches, 'upTo', pos);
  const checkpoint = firstReaching(seen, 'cp', pos);
  const wait = waits.get(pos);
  note('01 handler calls execute', at(execute?.tExecute));
  note('02 append submitted (decided)', at(append?.tSubmitted));
  note('03 posted to writer', at(append?.tPosted));
  note('04 writer received', at(message?.tReceived));
  note('05 writer BEGIN', at(commit?.tBegin));
  note('06 writer COMMIT called', at(commit?.tCommit));
  note('07 writer COMMIT returned', at(commit?.tCommitted));
  note('08 bell rung', at(commit?.tRung));
  note('09 writer answered', at(message?.tAnswered));
  note('10 HTTP thread has the outcome', at(append?.tSettled));
  note('11 execute resolved', at(execute?.tDone));
  note('12 read-your-writes starts waiting', at(wait?.tWait));
  note('13 projection woke (after the ring)', commit ? at(firstAfter(wakes, commit.tRung)) : undefined);
  note('14 projection has the event', at(batch?.tIngested));
  note('15 projection transaction begins', at(batch?.tApply));
  note('16 projection committed', at(batch?.tApplied));
  note('17 projection reported', at(batch?.tReported));
  note('18 HTTP thread sees the checkpoint', at(checkpoint?.t));
  note('19 read-your-writes done', at(wait?.tCaughtUp));
  note('20 response sent', at(response.tSent));
}

const fmt = (n: number): string => n.toFixed(2).padStart(8);
console.log(`claims traced: ${measured.length} (of ${responses.length}); ms after the request arrived: median, p90, p99`);
let previous: number | undefined;
for (const [name, values] of [...milestones].sort(([a], [b]) => a.localeCompare(b))) {
  const sorted = [...values].sort((a, b) => a - b);
  const median = percentile(sorted, 50);
  const gap = previous === undefined ? '' : `  (+${(median - previous).toFixed(2)})`;
  console.log(`${name.padEnd(40)} ${fmt(median)} ${fmt(percentile(sorted, 90))} ${fmt(percentile(sorted, 99))}${gap}   n=${values.length}`);
  previous = median;
}

if (slowestPercent !== undefined) {
  const RESPONSE = '20 response sent';
  const answered = perClaim.filter((claim) => claim.has(RESPONSE)).sort((a, b) => a.get(RESPONSE)! - b.get(RESPONSE)!);
  const slowest = answered.slice(Math.floor(answered.length * (1 - slowestPercent / 100)));
  const names = [...milestones.keys()].sort();
  /** Mean time from the milestone before to this one, over the claims that have both. */
  const meanGap = (claims: Array<Map<string, number>>, i: number): string => {
    const gaps = claims.filter((c) => c.has(names[i]) && c.has(names[i - 1])).map((c) => c.get(names[i])! - c.get(names[i - 1])!);
    return gaps.length === 0 ? '       -' : fmt(gaps.reduce((sum, g) => sum + g, 0) / gaps.length);
  };
  console.log(`\nthe slowest ${slowestPercent} % (${slowest.length} claims, responses from ${fmt(slowest[0]?.get(RESPONSE) ?? NaN).trim()} ms): mean ms since the step before, all claims / the slowest`);
  for (let i = 1; i < names.length; i++) console.log(`${names[i].padEnd(40)} ${meanGap(answered, i)} ${meanGap(slowest, i)}`);
  console.log('');
}

const window = measured.length > 0 ? { from: measured[0].tReceived, to: measured[measured.length - 1].tSent } : undefined;
const inWindow = (t: number) => window !== undefined && t >= window.from && t <= window.to;
const stats = (label: string, values: number[]): void => {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
  console.log(`${label.padEnd(52)} mean ${mean.toFixed(2)}, median ${percentile(sorted, 50).toFixed(2)}, p90 ${percentile(sorted, 90).toFixed(2)}, max ${sorted[sorted.length - 1]?.toFixed(2)} (n=${values.length})`);
};
const windowCommits = commits.filter((c) => inWindow(c.tBegin));
const windowBatches = batches.filter((b) => inWindow(b.tApply));
stats('writer group size (appends per commit)', windowCommits.map((c) => c.n));
stats('writer BEGIN..COMMIT called (ms)', windowCommits.map((c) => c.tCommit - c.tBegin));
stats('writer COMMIT (ms)', windowCommits.map((c) => c.tCommitted - c.tCommit));
stats('writer busy share of the window', [windowCommits.reduce((s, c) => s + c.tRung - c.tBegin, 0) / (window ? window.to - window.from : 1)]);
stats('projection batch size (events per transaction)', windowBatches.map((b) => b.n));
stats('projection transaction (ms)', windowBatches.map((b) => b.tApplied - b.tApply));
stats('projection busy share of the window', [windowBatches.reduce((s, b) => s + b.tApplied - b.tApply, 0) / (window ? window.to - window.from : 1)]);
stats('projection wakes per commit', [wakes.filter(inWindow).length / Math.max(1, windowCommits.length)]);
