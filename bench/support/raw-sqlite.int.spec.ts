import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { incidentStream } from '@ledger/domain';
import { rawContender, storedClaimRow } from './raw-sqlite';

/*
 * The raw contenders are store-append's baselines: they must commit what the store commits, the same row bytes in
 * streams named as the ledger names them. A shorter made-up stream name made the raw rows 11-12 % cheaper to commit.
 */
describe('rawContender', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-raw-sqlite-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const rowsOf = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT stream_name, revision, type, data, metadata FROM events ORDER BY position').all() as Array<{
        stream_name: string;
        revision: number;
        type: string;
        data: string;
        metadata: string;
      }>;
    } finally {
      db.close();
    }
  };

  it.each([
    ['one stream', 1, 100],
    ['16 streams', 16, 16],
  ])('commits the store\'s own row, in %s named as the ledger names them, each at its next revision', async (_label, streams, rowsPerCommit) => {
    const { row } = await storedClaimRow(join(dir, 'sample.sqlite'));
    const raw = rawContender(join(dir, 'raw.sqlite'), row, rowsPerCommit, streams);
    const run = raw.run(20);
    raw.close();
    expect(run.events).toBeGreaterThanOrEqual(rowsPerCommit);

    const rows = rowsOf(join(dir, 'raw.sqlite'));
    expect(rows).toHaveLength(run.events);
    const names = [...new Set(rows.map((r) => r.stream_name))];
    expect(names).toHaveLength(Math.min(streams, rows.length));

    // Named as the ledger names an incident's stream, so the unique indexes' keys are as long as the store's.
    const ledgerName = incidentStream(randomUUID());
    for (const name of names) {
      expect(name).toMatch(/^incident-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(name).toHaveLength(ledgerName.length);
      const revisions = rows.filter((r) => r.stream_name === name).map((r) => r.revision);
      expect(revisions).toEqual(revisions.map((_, i) => i));
    }
    for (const stored of rows) expect({ type: stored.type, data: stored.data, metadata: stored.metadata }).toEqual(row);
  });
});
