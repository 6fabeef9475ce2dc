import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore, THREAD_NAMES } from '@ledger/event-store';
import { generateNotaryKey } from '@ledger/integrity';
import { seedArticleScenario } from '../testing/seed-article.fixture';
import { append } from '../testing/scenario-log';
import { InlineLedgerVerifier, VerifyThread } from './verify-thread';
import { threadNames } from '../testing/thread-names';

const WORKER = join(__dirname, '../../../../tests/support/verify-thread.worker.js');

// The thread compiles the sources it loads on start: seconds on a busy machine.
jest.setTimeout(60_000);

describe('VerifyThread: the walk of the whole log in a thread that reads the log itself', () => {
  let dir: string;
  let filename: string;
  let store: SqliteEventStore;
  let thread: VerifyThread;
  const keys = (() => {
    const key = generateNotaryKey();
    return new Map([[key.keyId, key.publicKey]]);
  })();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'verify-thread-'));
    filename = join(dir, 'events.sqlite');
    store = new SqliteEventStore({ filename });
    await append(store, seedArticleScenario());
    thread = new VerifyThread({ script: WORKER, eventLog: { kind: 'sqlite', filename }, scratchDirectory: dir });
  });
  afterEach(async () => {
    await thread.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports what the walk on the calling thread reports, in a thread named ledger-verify', async () => {
    const [there, here] = [await thread.verify(keys), await new InlineLedgerVerifier(store, dir).verify(keys)];
    expect(there).toEqual(here);
    expect(there).toMatchObject({ ok: true, events: seedArticleScenario().length });
    if (process.platform === 'linux') expect(threadNames()).toContain(THREAD_NAMES.verify);
  });

  it('names the event an edit around the store broke, as the calling thread does', async () => {
    const db = new Database(filename);
    try {
      db.exec('DROP TRIGGER events_append_only_no_update');
      db.prepare("UPDATE events SET data = json_set(data, '$.statement.text', 'Nothing happened.') WHERE position = 8").run();
    } finally {
      db.close();
    }
    const [there, here] = [await thread.verify(keys), await new InlineLedgerVerifier(store, dir).verify(keys)];
    expect(there.ok).toBe(false);
    expect(there.firstFailure).toMatchObject({ position: '8' });
    expect(there).toEqual(here);
  });

  it('fails with the system call\'s code and name when it cannot open its file, as the API maps a disk\'s failure (a 503)', async () => {
    const nowhere = new VerifyThread({ script: WORKER, eventLog: { kind: 'sqlite', filename }, scratchDirectory: join(dir, 'no-such-directory') });
    try {
      const failed = await nowhere.verify(keys).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(Error);
      expect(failed).toMatchObject({ code: 'ENOENT', syscall: expect.any(String) });
    } finally {
      await nowhere.close();
    }
  });
});
