import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { scribble, scribbleIndexRoot } from '../testing/damage-file';
import { seedArticleEnvelopes } from '../testing/seed-article.fixture';
import { ReadModelFileCheck, ReadModelFileCheckStopped } from './read-model-file-check';
import { READ_MODEL_PAGE_SIZE, SqliteReadModelStore } from './sqlite-read-model.store';

describe('reading a read-model file whole in a process of its own', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-file-check-'));
    file = join(dir, 'read-models.sqlite');
    const store = new SqliteReadModelStore({ filename: file });
    store.apply(seedArticleEnvelopes());
    store.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds a whole file whole', async () => {
    const { problem, ms } = await new ReadModelFileCheck(file).result;
    expect(problem).toBeUndefined();
    expect(ms).toBeGreaterThanOrEqual(0);
  });

  it('finds noise over a page that opening the file never reads, and says what SQLite found', async () => {
    scribbleIndexRoot(file, 'claims_by_party', READ_MODEL_PAGE_SIZE);
    // The file still opens and answers from its tables: only reading it whole tells.
    const opened = new SqliteReadModelStore({ filename: file });
    expect(opened.listIncidents().total).toBeGreaterThan(0);
    opened.close();

    const { problem } = await new ReadModelFileCheck(file).result;

    expect(problem).toMatch(/^quick_check: .+/);
  });

  it('reports SQLite\'s refusal of bytes that are no database as damage, not as a failure', async () => {
    scribble(file, 0, 4096);
    const { problem } = await new ReadModelFileCheck(file).result;
    expect(problem).toMatch(/not a database|malformed/);
  });

  it('fails, without a verdict on damage, when there is no file to read', async () => {
    await expect(new ReadModelFileCheck(join(dir, 'absent.sqlite')).result).rejects.toThrow(/The check of .*absent\.sqlite failed/);
  });

  it('does not outlive a ledger killed with SIGKILL, which can stop nothing', async () => {
    // Held in EXCLUSIVE locking mode, the file keeps the check waiting (busy_timeout, 5 s) inside its one synchronous call.
    const holder = new Database(file);
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('CREATE TABLE held (x)');
    const ledger = spawn(
      process.execPath,
      ['-r', './scripts/swc-register.js', '-e', `const c = new (require('./libs/read-models/src/storage/read-model-file-check').ReadModelFileCheck)(${JSON.stringify(file)}); console.log(c.pid); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const pid = Number(await new Promise<string>((resolve) => ledger.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString()))));
      const alive = (): boolean => existsSync(`/proc/${pid}/stat`) && readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(alive()).toBe(true);

      ledger.kill('SIGKILL');

      const deadline = Date.now() + 2000;
      while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(alive()).toBe(false);
    } finally {
      ledger.kill('SIGKILL');
      holder.close();
    }
  });

  it('stop() kills it: its result is ReadModelFileCheckStopped, and it holds no lock on the file afterwards', async () => {
    const check = new ReadModelFileCheck(file);
    await check.stop();
    await expect(check.result).rejects.toBeInstanceOf(ReadModelFileCheckStopped);
    const writer = new Database(file);
    try {
      writer.exec('CREATE TABLE scribble (x)');
      expect(writer.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
    } finally {
      writer.close();
    }
  });
});
