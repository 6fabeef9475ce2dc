import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WalCheckpointer } from './wal-checkpointer';

jest.setTimeout(30_000);

const until = async (condition: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('WalCheckpointer', () => {
  let dir: string;
  const running: WalCheckpointer[] = [];
  const start = (options: ConstructorParameters<typeof WalCheckpointer>[0]) => {
    const checkpointer = new WalCheckpointer(options);
    running.push(checkpointer);
    return checkpointer;
  };

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'wal-checkpointer-'))));
  afterEach(async () => {
    await Promise.all(running.splice(0).map((checkpointer) => checkpointer.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies back the WAL of a connection that no longer checkpoints by itself, which then reuses its WAL', async () => {
    const filename = join(dir, 'log.sqlite');
    const writer = new Database(filename);
    const walOf = () => (writer.pragma('wal_checkpoint(NOOP)') as Array<{ log: number; checkpointed: number }>)[0];
    try {
      writer.pragma('journal_mode = WAL');
      writer.pragma('synchronous = FULL');
      writer.pragma('wal_autocheckpoint = 0');
      writer.exec('CREATE TABLE rows (n INTEGER PRIMARY KEY, text TEXT NOT NULL)');
      const insert = writer.prepare('INSERT INTO rows (n, text) VALUES (?, ?)');
      for (let n = 0; n < 200; n++) insert.run(n, 'x'.repeat(2000));
      const written = walOf().log;
      expect(walOf().checkpointed).toBe(0);

      const checkpointer = start({ filename, synchronous: 'FULL', minPages: 20, intervalMs: 10 });
      await until(() => checkpointer.report().checkpoints > 0);
      expect(walOf()).toEqual({ busy: 0, log: written, checkpointed: written });
      expect(checkpointer.report().lastError).toBeUndefined();

      // Stopped first: a look of the thread at the very moment of the write would keep the WAL from restarting.
      await checkpointer.stop();
      insert.run(200, 'after');
      expect(walOf().log).toBeLessThan(written);
      expect(writer.prepare('SELECT COUNT(*) AS n FROM rows').get()).toEqual({ n: 201 });
    } finally {
      writer.close();
    }
  });

  it('tells a file it cannot open once, and goes on trying', async () => {
    const errors: string[] = [];
    const checkpointer = start({ filename: join(dir, 'missing.sqlite'), synchronous: 'NORMAL', intervalMs: 10, onError: (message) => errors.push(message) });
    await until(() => errors.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errors).toEqual([expect.stringContaining('missing.sqlite')]);
    expect(checkpointer.report()).toMatchObject({ checkpoints: 0, lastError: expect.any(String) });
  });

  it('lets a process with nothing else to do finish what follows stop()', () => {
    // Jest's own handles keep its loop alive, so only a process of its own shows a stop() that never returns.
    const script = `
      const { WalCheckpointer } = require(${JSON.stringify(join(__dirname, 'wal-checkpointer.ts'))});
      const checkpointer = new WalCheckpointer({ filename: ${JSON.stringify(join(dir, 'any.sqlite'))}, synchronous: 'FULL' });
      checkpointer.stop().then(() => console.log('after stop'));
    `;
    const register = join(__dirname, '../../../../scripts/swc-register.js');
    expect(execFileSync(process.execPath, ['--require', register, '-e', script], { encoding: 'utf8', timeout: 20_000 }).trim()).toBe('after stop');
  });
});
