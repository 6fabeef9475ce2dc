/**
 * How read-model rebuild time scales with the length of the log.
 *
 *   npx jest --config bench/jest.bench.config.js
 *
 * (not part of `npm test`: the root jest config only runs *.spec.ts files).
 * Options, from the environment: BENCH_SIZES=1000,4000,16000 (the default);
 * BENCH_REPEATS=n rounds over all sizes, each of three readAll passes and one
 * rebuild per size, the best of each kept (default 3); BENCH_SEED=n (default
 * 1); BENCH_DIR=path for the temp SQLite files (default the OS temp dir;
 * /dev/shm takes fsync waits out of the wall-clock figures when the disk is
 * busy).
 *
 * For each size N it writes a log of exactly N events (see generate-log.ts:
 * parties, incidents, claims, denials, corrections, retractions, amendments,
 * a few parties in most incidents) to a temp SQLite event store (a real
 * SqliteEventStore), then measures
 *
 *   - readAll: paging through the whole log with readAll in pages of the
 *     runner's rebuild page size, the machine's limit for a rebuild;
 *   - rebuild: ProjectionRunner.rebuild() of every ledger read model into a
 *     fresh temp read-model file;
 *
 * each as wall-clock time and as this process's CPU time (which other
 * processes competing for the CPUs affect much less). It prints events/s and
 * µs/event for both, rebuild time as a multiple of readAll time, and
 * µs/event(largest N) / µs/event(smallest N): a rebuild linear in the log
 * keeps that ratio near 1, one quadratic in a party's history grows it with N
 * (towards 16 for 1k -> 16k). The ratio compares the machine with itself in
 * one run, so it means the same on any hardware.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@ledger/event-store';
import { ProjectionRunner, SqliteReadModelStore } from '@ledger/read-models';
import { best, readAllOnce, Timing, timed, writeLog } from './bench-support';
import { generateLog } from './generate-log';

const SIZES = (process.env.BENCH_SIZES ?? '1000,4000,16000').split(',').map((s) => Number(s.trim()));
const SEED = Number(process.env.BENCH_SEED ?? 1);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
/** The runner's default; readAll is measured with the same page size. */
const PAGE_SIZE = 500;

// ---------------------------------------------------------------- timing

interface Result {
  size: number;
  readAll: Timing;
  rebuild: Timing;
  largestDoc: { projection: string; key: string; bytes: number };
  documents: number;
}

const rebuildOnce = async (dir: string, eventStore: SqliteEventStore, head: bigint, n: number): Promise<{ timing: Timing; file: string }> => {
  const file = join(dir, `read-models-${n}.sqlite`);
  const store = new SqliteReadModelStore({ filename: file });
  const runner = new ProjectionRunner({ eventStore, store, rebuildPageSize: PAGE_SIZE });
  try {
    const timing = await timed(() => runner.rebuild());
    const status = runner.status();
    if (status.checkpoint !== head || status.lastError) throw new Error(`rebuild stopped at ${status.checkpoint} of ${head}: ${status.lastError?.message}`);
    return { timing, file };
  } finally {
    store.close();
  }
};

/** One size's log in its own temp event store, and what was measured on it so far. */
interface Subject {
  size: number;
  dir: string;
  eventStore: SqliteEventStore;
  head: bigint;
  reads: Timing[];
  rebuilds: Timing[];
  file?: string;
}

const prepare = async (size: number): Promise<Subject> => {
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ledger-bench-'));
  const eventStore = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
  const head = await writeLog(eventStore, generateLog(size, SEED));
  return { size, dir, eventStore, head, reads: [], rebuilds: [] };
};

/** Three readAll passes (cheap) and one rebuild of the subject's log. */
const measureOnce = async (subject: Subject): Promise<void> => {
  for (let pass = 0; pass < 3; pass++) {
    let count = 0;
    subject.reads.push(await timed(async () => void (count = await readAllOnce(subject.eventStore, PAGE_SIZE))));
    if (count !== subject.size) throw new Error(`readAll returned ${count} events of ${subject.size}`);
  }
  if (subject.file) rmSync(subject.file, { force: true });
  const { timing, file } = await rebuildOnce(subject.dir, subject.eventStore, subject.head, subject.rebuilds.length);
  subject.rebuilds.push(timing);
  subject.file = file;
};

const resultOf = (subject: Subject): Result => {
  const db = new Database(subject.file!, { readonly: true });
  try {
    const largest = db
      .prepare('SELECT projection, key, length(doc) AS bytes FROM read_model_documents ORDER BY length(doc) DESC LIMIT 1')
      .get() as { projection: string; key: string; bytes: number };
    const { documents } = db.prepare('SELECT COUNT(*) AS documents FROM read_model_documents').get() as { documents: number };
    return { size: subject.size, readAll: best(subject.reads), rebuild: best(subject.rebuilds), largestDoc: largest, documents };
  } finally {
    db.close();
  }
};

const dispose = async (subject: Subject): Promise<void> => {
  await subject.eventStore.close();
  rmSync(subject.dir, { recursive: true, force: true });
};

// ---------------------------------------------------------------- report

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const us = (ms: number, n: number): number => (ms * 1000) / n;

describe('read-model rebuild', () => {
  it('scales linearly with the log', async () => {
    const subjects: Subject[] = [];
    try {
      for (const size of SIZES) subjects.push(await prepare(size));
      // Warm-up (JIT, SQLite page cache, module loading) so the smallest size is not charged for it.
      await measureOnce(subjects[0]);
      subjects[0].reads = [];
      subjects[0].rebuilds = [];
      // Rounds over all sizes, so that a change in the machine's load during the run weighs on every size alike.
      for (let round = 0; round < REPEATS; round++) for (const subject of subjects) await measureOnce(subject);
    } catch (error) {
      await Promise.all(subjects.map(dispose));
      throw error;
    }
    const results = subjects.map(resultOf);
    await Promise.all(subjects.map(dispose));

    out();
    out(
      `read-model rebuild, Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}, seed ${SEED}, ` +
        `page size ${PAGE_SIZE}, files in ${process.env.BENCH_DIR ?? tmpdir()}`,
    );
    out(`best of ${REPEATS} rounds; wall = elapsed time, cpu = CPU time of this process (less affected by other processes competing for the CPUs)`);
    out(
      [
        'events',
        '| readAll ev/s',
        'µs/ev wall',
        'µs/ev cpu',
        '| rebuild ms',
        'cpu ms',
        'ev/s',
        'µs/ev wall',
        'µs/ev cpu',
        '| x readAll wall',
        'cpu',
        '| largest document',
      ].join('  '),
    );
    for (const r of results) {
      out(
        [
          String(r.size).padStart(6),
          `| ${fmt((r.size / r.readAll.wallMs) * 1000, 0).padStart(12)}`,
          fmt(us(r.readAll.wallMs, r.size), 2).padStart(10),
          fmt(us(r.readAll.cpuMs, r.size), 2).padStart(9),
          `| ${fmt(r.rebuild.wallMs, 0).padStart(10)}`,
          fmt(r.rebuild.cpuMs, 0).padStart(6),
          fmt((r.size / r.rebuild.wallMs) * 1000, 0).padStart(4),
          fmt(us(r.rebuild.wallMs, r.size)).padStart(10),
          fmt(us(r.rebuild.cpuMs, r.size)).padStart(9),
          `| ${fmt(r.rebuild.wallMs / r.readAll.wallMs).padStart(14)}`,
          fmt(r.rebuild.cpuMs / r.readAll.cpuMs).padStart(3),
          `| ${r.largestDoc.projection} ${r.largestDoc.key} ${fmt(r.largestDoc.bytes / 1024, 0)} KiB, ${r.documents} documents`,
        ].join('  '),
      );
    }
    const [small, large] = [results[0], results[results.length - 1]];
    const ratio = (pick: (r: Result) => number) => us(pick(large), large.size) / us(pick(small), small.size);
    out(
      `scaling µs/event(${large.size}) / µs/event(${small.size}): rebuild ${fmt(ratio((r) => r.rebuild.wallMs), 2)} wall, ` +
        `${fmt(ratio((r) => r.rebuild.cpuMs), 2)} cpu; readAll ${fmt(ratio((r) => r.readAll.wallMs), 2)} wall, ` +
        `${fmt(ratio((r) => r.readAll.cpuMs), 2)} cpu (1 is linear; ${fmt(large.size / small.size, 0)} would be quadratic)`,
    );
    out();
    expect(results.every((r) => r.documents > 0)).toBe(true);
  });
});
