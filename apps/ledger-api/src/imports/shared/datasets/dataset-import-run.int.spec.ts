import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SqliteEventStore } from '@ledger/event-store';
import { SystemClock } from '../../../application/clock';
import { DecidedStateCache } from '../../../application/decided-state-cache';
import { PartyDirectory } from '../../../application/party-directory';
import { StreamCommandExecutor } from '../../../application/stream-command.executor';
import { probeTurns } from '../../../../../../tests/support/event-loop-turns';
import { DatasetImportRun } from './dataset-import-run';

const FIXTURE = join(__dirname, '../../../../../../tests/fixtures/datasets/ucdp-ged-release-1.csv');

/** A release of `rows` rows: the fixture's rows again and again, each under an id and relid of its own. */
const release = (rows: number): string => {
  const [header, ...records] = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
  const lines = Array.from({ length: rows }, (_, i) => records[i % records.length].replace(/^\d+,[^,]+,/, `${500_000 + i},AZE-2019-1-${5_000 + i},`));
  return `${[header, ...lines].join('\n')}\n`;
};

describe('DatasetImportRun over the real executor (SQLite)', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dataset-run-'));
    store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets the event loop turn while it reads and decides a batch of rows, which still lands in one commit', async () => {
    const rows = 150;
    const csv = release(rows);
    // Each look at the clock is a millisecond of work: the slice is spent after eight rows read or commands decided.
    const longestWithoutATurn = async (sliceMs: number) => {
      const executor = new StreamCommandExecutor(store, new SystemClock(), new DecidedStateCache({ maxEvents: 10_000, maxStreams: 1_000 }));
      const probe = probeTurns();
      const run = new DatasetImportRun({
        release: { dataset: 'ucdp-ged', name: '24.1', publishedAt: '2024-06-10' },
        principal: 'monitor-desk',
        correlationId: 'c',
        executor,
        parties: new PartyDirectory(store),
        batchRows: 1_000,
        sliceMs,
        now: probe.now,
      });
      const before = store.writeStats().commits;
      const summary = await run.run(Readable.from([csv])).finally(probe.stop);
      return { summary, longest: probe.longestWithoutATurn, looks: probe.looks, commits: store.writeStats().commits - before };
    };
    const sliced = await longestWithoutATurn(8);
    expect(sliced.summary).toMatchObject({ rows, created: rows, failed: 0 });
    // The rows' batch in one commit (the monitor's registration, first, in its own).
    expect(sliced.commits).toBe(2);
    expect(sliced.looks).toBeGreaterThanOrEqual(2 * rows);
    expect(sliced.longest).toBeLessThanOrEqual(10);
    // The same release again: every row is read and decided, and found unchanged.
    const whole = await longestWithoutATurn(Infinity);
    expect(whole.summary).toMatchObject({ rows, unchanged: rows, failed: 0 });
    expect(whole.longest).toBeGreaterThan(rows);
  });
});
