import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { INCIDENT_ID, seedArticleEnvelopes } from '../testing/seed-article.fixture';
import { closedCleanMarkerOf } from './read-model-file';
import { SqliteReadModelStore } from './sqlite-read-model.store';

/**
 * The check at open reads the whole file (`quick_check`) unless the file is exactly as a clean close of the last
 * connection left it: after a crash, or anything that touched the file while the ledger was stopped, it reads it all.
 */
describe('read models closed clean', () => {
  let dir: string;
  let file: string;
  const open: SqliteReadModelStore[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-closed-clean-'));
    file = join(dir, 'read-models.sqlite');
  });
  afterEach(() => {
    for (const store of open.splice(0)) store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const owner = (): SqliteReadModelStore => {
    const store = new SqliteReadModelStore({ filename: file, heal: {}, syncOnClose: true });
    open.push(store);
    return store;
  };
  const close = (store: SqliteReadModelStore): void => {
    open.splice(open.indexOf(store), 1);
    store.close();
  };

  it('skips quick_check on a file exactly as a clean close left it, once: the open consumes the mark', () => {
    const first = owner();
    expect(first.openCheck).toBe('quick_check');
    first.apply(seedArticleEnvelopes());
    close(first);
    expect(existsSync(closedCleanMarkerOf(file))).toBe(true);
    const second = owner();
    expect(second.openCheck).toBe('unchanged since a clean close');
    expect(existsSync(closedCleanMarkerOf(file))).toBe(false);
    expect(second.incident(INCIDENT_ID)).toBeDefined();
    // A crash now (no close): the next open finds no mark, and checks.
    open.splice(open.indexOf(second), 1);
    const third = owner();
    expect(third.openCheck).toBe('quick_check');
    second.close();
  });

  it('checks the whole file, and moves it aside, when it was damaged while the ledger was stopped', () => {
    const first = owner();
    first.apply(seedArticleEnvelopes());
    close(first);
    // The header of a page in the middle overwritten (its size unchanged): the file's modification time moves.
    const { size } = statSync(file);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, Math.max(1, Math.floor(size / 16_384 / 2)) * 16_384);
    closeSync(fd);
    expect(statSync(file).size).toBe(size);
    const second = owner();
    expect(second.openCheck).toBe('quick_check');
    expect(second.healed?.problem).toBe('damaged');
  });

  it('checks the whole file when a WAL with frames lies beside it after the clean close', () => {
    const first = owner();
    first.apply(seedArticleEnvelopes());
    close(first);
    // Another program opened it and wrote into its WAL (the file itself untouched), and still has it open.
    const other = new Database(file);
    try {
      other.pragma('wal_autocheckpoint = 0');
      other.exec('CREATE TABLE IF NOT EXISTS scribble (x)');
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
      expect(owner().openCheck).toBe('quick_check');
    } finally {
      other.close();
    }
  });
});
