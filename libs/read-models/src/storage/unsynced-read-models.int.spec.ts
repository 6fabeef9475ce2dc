import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { INCIDENT_ID, seedArticleEnvelopes } from '../testing/seed-article.fixture';
import { healReadModelFile } from './read-model-file';
import { SqliteReadModelStore } from './sqlite-read-model.store';
import { currentBootId, unsyncedMarkerOf } from './unsynced-marker';

/**
 * A read-model file written with `synchronous = OFF`: the marker beside it names the boot before anything is written,
 * a clean close of the last connection syncs the file and removes the marker, and a marker of another boot has the
 * file moved aside at the next open.
 */
describe('read models written without sync', () => {
  const bootId = currentBootId();
  let dir: string;
  let file: string;
  const open: SqliteReadModelStore[] = [];
  beforeAll(() => {
    // The kind CI and the ledger run on; elsewhere the setting falls back to NORMAL (covered below) and this is moot.
    if (process.platform === 'linux') expect(bootId).toBeDefined();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-unsynced-rm-'));
    file = join(dir, 'read-models.sqlite');
  });
  afterEach(() => {
    for (const store of open.splice(0)) store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const storeOf = (options: Partial<ConstructorParameters<typeof SqliteReadModelStore>[0]> = {}): SqliteReadModelStore => {
    const store = new SqliteReadModelStore({ filename: file, ...options });
    open.push(store);
    return store;
  };
  const closeStore = (store: SqliteReadModelStore): void => {
    open.splice(open.indexOf(store), 1);
    store.close();
  };
  const marker = (): { bootId: string } | undefined => (existsSync(unsyncedMarkerOf(file)) ? JSON.parse(readFileSync(unsyncedMarkerOf(file), 'utf8')) : undefined);

  it('marks the file with this boot before its first write, and writes with synchronous = OFF', () => {
    const store = storeOf({ synchronous: 'OFF' });
    expect(marker()).toEqual(expect.objectContaining({ bootId }));
    expect(store.storageSettings().synchronous).toBe(0);
    expect(storeOf().storageSettings().synchronous).toBe(1);
  });

  it('syncs the file whole at a clean close of the last connection, and only then drops the marker', () => {
    const writer = storeOf({ synchronous: 'OFF' });
    const owner = storeOf({ synchronous: 'OFF', syncOnClose: true });
    writer.apply(seedArticleEnvelopes());
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    // The projection thread's connection closes first and leaves the marker: the owner has not synced yet.
    closeStore(writer);
    expect(marker()).toBeDefined();
    closeStore(owner);
    expect(marker()).toBeUndefined();
    expect(existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0).toBe(0);
    const reopened = storeOf();
    expect(reopened.incident(INCIDENT_ID)).toBeDefined();
  });

  it('keeps the marker when a reader still holds the WAL at close', () => {
    const owner = storeOf({ synchronous: 'OFF', syncOnClose: true, busyTimeoutMs: 50 });
    owner.apply(seedArticleEnvelopes());
    const reader = new Database(file, { readonly: true });
    try {
      reader.prepare('BEGIN').run();
      reader.prepare('SELECT count(*) FROM incidents').get();
      closeStore(owner);
      expect(marker()).toEqual(expect.objectContaining({ bootId }));
    } finally {
      reader.close();
    }
  });

  it('moves the file aside at the next open when the marker names another boot, and keeps it when it names this one', () => {
    const first = storeOf({ synchronous: 'OFF' });
    first.apply(seedArticleEnvelopes());
    closeStore(first); // as a crash leaves it: the marker stays
    const log: string[] = [];
    expect(healReadModelFile(file, (m) => log.push(m), bootId)).toBeUndefined();
    expect(existsSync(file)).toBe(true);

    // The machine restarted: the marker names a boot that is over.
    const healing = healReadModelFile(file, (m) => log.push(m), 'a-later-boot');
    expect(healing).toEqual(expect.objectContaining({ problem: 'unsynced' }));
    expect(healing!.detail).toContain(bootId ?? 'unreadable');
    expect(log.join('\n')).toMatch(/unsynced .*moved aside/);
    expect(existsSync(file)).toBe(false);
    expect(marker()).toBeUndefined();
    const kept = readdirSync(dir).filter((name) => name.startsWith('read-models.sqlite.unsynced-') && !/-(wal|shm)$/.test(name));
    expect(kept).toHaveLength(1);
    // What was moved aside is the file as it was, for whoever wants to look.
    const aside = new Database(join(dir, kept[0]), { readonly: true });
    try {
      expect((aside.prepare('SELECT count(*) AS n FROM incidents').get() as { n: number }).n).toBeGreaterThan(0);
    } finally {
      aside.close();
    }
  });

  it('a torn marker counts as another boot, and a marker without its file is only removed', () => {
    storeOf().apply(seedArticleEnvelopes());
    writeFileSync(unsyncedMarkerOf(file), '{"boot');
    expect(healReadModelFile(file, undefined, bootId)?.problem).toBe('unsynced');
    writeFileSync(unsyncedMarkerOf(file), JSON.stringify({ bootId: 'old', since: '2026-01-01T00:00:00.000Z' }));
    expect(healReadModelFile(file, undefined, bootId)).toBeUndefined();
    expect(marker()).toBeUndefined();
  });
});
