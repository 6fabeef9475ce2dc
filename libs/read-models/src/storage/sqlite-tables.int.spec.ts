import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TableSpec } from '../tables/table-spec';
import { SqliteTables } from './sqlite-tables';

interface MarkRow {
  group: string;
  key: string;
  rank: number;
  at: bigint;
  label: string | null;
}

const marks: TableSpec<MarkRow> = {
  name: 'marks',
  question: 'test rows',
  columns: {
    group: { type: 'text', description: 'first key column' },
    key: { type: 'text', description: 'second key column' },
    rank: { type: 'integer', description: 'an order' },
    at: { type: 'position', description: 'another order' },
    label: { type: 'text', nullable: true, description: 'a value' },
  },
  primaryKey: ['group', 'key'],
  indexes: [{ name: 'marks_by_rank', columns: ['group', 'rank'] }],
};

/** Deterministic PRNG so a failure names a reproducible seed. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

describe('SqliteTables', () => {
  let dir: string;
  let db: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-tables-'));
    db = new Database(join(dir, 'rows.sqlite'));
    db.pragma('journal_mode = WAL');
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([false, true])('finds inside a batch what a flushed table would give, held puts and deletes included (emptied first: %s)', (emptied) => {
    const model = new Map<string, MarkRow>();
    if (!emptied) {
      // A table holding rows when registered is queried for every group; an emptied one only for groups it has written.
      new SqliteTables(db).register(marks);
      const seed: MarkRow = { group: 'seed', key: 's', rank: 0, at: 0n, label: null };
      db.prepare(`INSERT INTO marks ("group", "key", "rank", "at", "label") VALUES ('seed', 's', 0, 0, NULL)`).run();
      model.set('seed/s', seed);
    }
    const tables = new SqliteTables(db);
    tables.register(marks);
    // Groups move on by round in an emptied table, so that both kinds of group occur.
    if (emptied) tables.clear(marks);
    // Odd labels are non-ASCII, astral and private-use characters: the order of text must be SQLite's (UTF-8 bytes).
    const labels = ['a', 'B', 'é', '\u{1F600}', '\uE000', 'zz', null];
    const next = random(7);
    const expected = (group: string, by: 'rank' | 'label', desc: boolean, limit: number | undefined) => {
      const rows = [...model.values()]
        .filter((r) => r.group === group)
        .sort((a, b) => {
          const [x, y] = by === 'rank' ? [a.rank, b.rank] : [a.label, b.label];
          if (x === y) return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
          if (x === null) return desc ? 1 : -1;
          if (y === null) return desc ? -1 : 1;
          const c = typeof x === 'string' ? Buffer.compare(Buffer.from(x), Buffer.from(y as string)) : (x as number) - (y as number);
          return desc ? -c : c;
        });
      return limit === undefined ? rows : rows.slice(0, limit);
    };
    for (let round = 0; round < 30; round++) {
      db.transaction(() =>
        tables.batch(() => {
          for (let step = 0; step < 20; step++) {
            const group = `g${Math.floor(next() * 3) + (emptied ? round : 0)}`;
            const key = `k${Math.floor(next() * 12)}`;
            if (next() < 0.25) {
              tables.delete(marks, { group, key });
              model.delete(`${group}/${key}`);
            } else {
              // Distinct ranks keep the expected order free of ties the SQL leaves unordered.
              const row: MarkRow = { group, key, rank: Math.floor(next() * 1000) * 100 + Number(key.slice(1)), at: BigInt(round * 100 + step), label: labels[Math.floor(next() * labels.length)] };
              tables.put(marks, row);
              model.set(`${group}/${key}`, row);
            }
            const desc = next() < 0.5;
            const limit = next() < 0.5 ? 1 + Math.floor(next() * 4) : undefined;
            expect(tables.find(marks, { group }, { orderBy: [{ column: 'rank', desc }], ...(limit ? { limit } : {}) })).toEqual(expected(group, 'rank', desc, limit));
            const byLabel = tables.find(marks, { group }, { orderBy: [{ column: 'label', desc }, { column: 'key' }] });
            expect(byLabel).toEqual(expected(group, 'label', desc, undefined));
            // Only `label` asked for: the rows, their order and that column are the flushed table's, held rows included.
            const onlyLabels = tables.find(marks, { group }, { orderBy: [{ column: 'rank', desc }], ...(limit ? { limit } : {}), columns: ['label'] });
            expect(onlyLabels.map((r) => [r.group, r.label])).toEqual(expected(group, 'rank', desc, limit).map((r) => [r.group, r.label]));
            expect(tables.get(marks, { group, key })).toEqual(model.get(`${group}/${key}`));
          }
        }),
      )();
    }
    const fresh = new SqliteTables(db);
    fresh.register(marks);
    const byKey = (a: MarkRow, b: MarkRow) => (a.group !== b.group ? (a.group < b.group ? -1 : 1) : a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    expect(fresh.all(marks)).toEqual([...model.values()].sort(byKey));
  });

  it('a find after a cursor leaves out held rows at or before it', () => {
    const tables = new SqliteTables(db);
    tables.register(marks);
    db.transaction(() =>
      tables.batch(() => {
        for (let i = 1; i <= 5; i++) tables.put(marks, { group: 'g', key: `k${i}`, rank: i, at: BigInt(i * 10), label: null });
        expect(tables.find(marks, { group: 'g' }, { orderBy: [{ column: 'at' }], after: { column: 'at', value: 30n }, limit: 5 }).map((r) => r.key)).toEqual(['k4', 'k5']);
      }),
    )();
  });

  it('a find with columns reads only those outside a batch; inside one, stored rows also carry their key and order columns, held rows come whole', () => {
    const tables = new SqliteTables(db);
    tables.register(marks);
    db.transaction(() => tables.batch(() => ['a', 'b', 'c'].forEach((key, i) => tables.put(marks, { group: 'g', key, rank: i, at: BigInt(i), label: `stored ${key}` }))))();
    const byRank = { orderBy: [{ column: 'rank' as const, desc: true }], limit: 2, columns: ['label'] as const };
    expect(tables.find(marks, { group: 'g' }, byRank)).toStrictEqual([
      { group: 'g', label: 'stored c' },
      { group: 'g', label: 'stored b' },
    ]);
    db.transaction(() =>
      tables.batch(() => {
        tables.put(marks, { group: 'g', key: 'a', rank: 9, at: 0n, label: 'held a' });
        tables.delete(marks, { group: 'g', key: 'c' });
        expect(tables.find(marks, { group: 'g' }, byRank)).toStrictEqual([
          { group: 'g', key: 'a', rank: 9, at: 0n, label: 'held a' },
          { group: 'g', key: 'b', rank: 1, label: 'stored b' },
        ]);
      }),
    )();
    expect(tables.find(marks, { group: 'g' }, byRank).map((r) => r.label)).toEqual(['held a', 'stored b']);
  });

  it('inside a batch, a find with columns leaves out the stored rows held writes replace, whatever the order of the columns', () => {
    // Key columns after others, so that a selected row's key sits at other positions than in the table.
    interface NoteRow {
      note: string;
      group: string;
      label: string;
      key: number;
      rank: number;
    }
    const notes: TableSpec<NoteRow> = {
      name: 'notes',
      question: 'test rows',
      columns: {
        note: { type: 'text', description: 'not asked for' },
        group: { type: 'text', description: 'first key column' },
        label: { type: 'text', description: 'not asked for' },
        key: { type: 'integer', description: 'second key column' },
        rank: { type: 'integer', description: 'an order' },
      },
      primaryKey: ['group', 'key'],
    };
    const tables = new SqliteTables(db);
    tables.register(notes);
    db.transaction(() => tables.batch(() => [1, 2, 3].forEach((key) => tables.put(notes, { note: `n${key}`, group: 'g', label: `stored ${key}`, key, rank: key }))))();
    db.transaction(() =>
      tables.batch(() => {
        tables.put(notes, { note: 'n2', group: 'g', label: 'held 2', key: 2, rank: 9 });
        tables.delete(notes, { group: 'g', key: 3 });
        const found = tables.find(notes, { group: 'g' }, { orderBy: [{ column: 'rank', desc: true }], columns: ['rank'] });
        expect(found.map((r) => [r.key, r.rank])).toEqual([
          [2, 9],
          [1, 1],
        ]);
        expect(found[1]).toStrictEqual({ group: 'g', key: 1, rank: 1 });
      }),
    )();
  });

  it('reads the file again after another connection commits, so the writer never acts on a row the file no longer has', () => {
    const tables = new SqliteTables(db);
    tables.register(marks);
    db.transaction(() => tables.batch(() => tables.put(marks, { group: 'g', key: 'k', rank: 1, at: 1n, label: 'mine' })))();
    expect(db.transaction(() => tables.batch(() => tables.get(marks, { group: 'g', key: 'k' })?.label))()).toBe('mine');

    const other = new Database(join(dir, 'rows.sqlite'));
    try {
      other.prepare(`UPDATE marks SET label = 'theirs' WHERE "group" = 'g'`).run();
    } finally {
      other.close();
    }
    expect(db.transaction(() => tables.batch(() => tables.get(marks, { group: 'g', key: 'k' })?.label))()).toBe('theirs');
  });

  it('after emptying a table, still reads the rows another connection then writes to it', () => {
    const tables = new SqliteTables(db);
    tables.register(marks);
    db.transaction(() => tables.clear(marks))();
    expect(db.transaction(() => tables.batch(() => tables.get(marks, { group: 'g', key: 'k' })))()).toBeUndefined();

    const other = new Database(join(dir, 'rows.sqlite'));
    try {
      other.prepare(`INSERT INTO marks ("group", "key", "rank", "at", "label") VALUES ('g', 'k', 1, 1, 'theirs'), ('g', 'j', 2, 2, 'also theirs')`).run();
    } finally {
      other.close();
    }
    expect(db.transaction(() => tables.batch(() => tables.get(marks, { group: 'g', key: 'k' })?.label))()).toBe('theirs');
    expect(db.transaction(() => tables.batch(() => tables.find(marks, { group: 'g' }).map((r) => r.label)))()).toEqual(['also theirs', 'theirs']);
  });

  it('a table empty when registered still shows the rows another connection writes to it later', () => {
    const tables = new SqliteTables(db);
    tables.register(marks);
    const other = new Database(join(dir, 'rows.sqlite'));
    const insert = other.prepare(`INSERT INTO marks ("group", "key", "rank", "at", "label") VALUES ('g', ?, 1, 1, 'theirs')`);
    try {
      // Before the writer's first batch (read outside a batch, as a query does, then inside), then between two batches.
      insert.run('k');
      expect(tables.get(marks, { group: 'g', key: 'k' })?.label).toBe('theirs');
      expect(db.transaction(() => tables.batch(() => tables.get(marks, { group: 'g', key: 'k' })?.label))()).toBe('theirs');
      insert.run('j');
      expect(db.transaction(() => tables.batch(() => tables.find(marks, { group: 'g' }).map((r) => r.key)))()).toEqual(['j', 'k']);
    } finally {
      other.close();
    }
  });

  it('forgets held rows when the batch fails, so a retried batch starts from the file', () => {
    const tables = new SqliteTables(db);
    tables.register(marks);
    db.transaction(() => tables.batch(() => tables.put(marks, { group: 'g', key: 'k', rank: 1, at: 1n, label: 'stored' })))();
    expect(() =>
      db.transaction(() =>
        tables.batch(() => {
          tables.put(marks, { group: 'g', key: 'k', rank: 2, at: 2n, label: 'rolled back' });
          // A find flushes nothing of this group, a select flushes the table: both are undone by the rollback.
          tables.select(marks, 'WHERE 1 = 1', {});
          throw new Error('projection failed');
        }),
      )(),
    ).toThrow('projection failed');
    expect(db.transaction(() => tables.batch(() => tables.get(marks, { group: 'g', key: 'k' })?.label))()).toBe('stored');
  });
});
