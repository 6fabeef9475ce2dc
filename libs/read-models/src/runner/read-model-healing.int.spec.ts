import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { damageUnderOpenConnections, scribble, scribbleIndexRoot } from '../testing/damage-file';
import { EventStore, SqliteEventStore, START } from '@ledger/event-store';
import { READ_MODEL_APPLICATION_ID, inspectReadModelFile, isCorruptionError } from '../storage/read-model-file';
import { ProjectionError, READ_MODEL_PAGE_SIZE, ReadModelsUnavailableError, SqliteReadModelStore } from '../storage/sqlite-read-model.store';
import { INCIDENT_ID, seedArticleEnvelopes, seedArticleScenario, storedEventsOf } from '../testing/seed-article.fixture';
import { ProjectionRunner, RunnerStatus, runnerErrorOf } from './projection.runner';
import { ReadModelSupervisor } from './read-model-supervisor';

const until = async (condition: () => boolean, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

const appendSeed = async (eventStore: EventStore): Promise<bigint> => {
  let last = START;
  for (const { streamName, event } of storedEventsOf(seedArticleScenario())) last = (await eventStore.append(streamName, [event])).position;
  return last;
};

const movedAside = (dir: string, problem: string): string[] => readdirSync(dir).filter((name) => name.startsWith(`read-models.sqlite.${problem}-`) && !/-(wal|shm)$/.test(name));

describe('read models that heal', () => {
  let dir: string;
  let file: string;
  let eventStore: SqliteEventStore;
  let head: bigint;
  const closers: Array<() => Promise<void> | void> = [];

  /** A read-model file built from the seed article, closed (its WAL folded in). */
  const buildGoodFile = async (): Promise<void> => {
    const store = new SqliteReadModelStore({ filename: file });
    const runner = new ProjectionRunner({ eventStore, store });
    await runner.rebuild();
    store.close();
  };

  /** A good file opened as the API opens it, its runner live at the head under a supervisor. */
  const superviseGoodFile = async () => {
    await buildGoodFile();
    const store = openHealed();
    const runner = new ProjectionRunner({ eventStore, store });
    const supervisor = new ReadModelSupervisor({ runner, store, eventStore, watchIntervalMs: 20 });
    closers.push(() => supervisor.stop());
    await supervisor.start();
    await until(() => runner.status().state === 'live' && runner.status().checkpoint === head);
    return { store, runner, supervisor };
  };

  const openHealed = (log: string[] = []): SqliteReadModelStore => {
    const store = new SqliteReadModelStore({ filename: file, heal: { log: (m) => log.push(m) } });
    closers.push(() => store.close());
    return store;
  };

  /** Starts a runner on a store opened as the API opens it, and waits until it is live at the log's head. */
  const startHealed = async (log: string[] = []) => {
    const store = openHealed(log);
    const runner = new ProjectionRunner({ eventStore, store });
    closers.push(() => runner.stop());
    await runner.start();
    await until(() => runner.status().state === 'live' && runner.status().checkpoint === head);
    return { store, runner };
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-healing-'));
    file = join(dir, 'read-models.sqlite');
    eventStore = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    head = await appendSeed(eventStore);
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await eventStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['random bytes', 'not-sqlite', () => writeFileSync(file, randomBytes(100_000))],
    ['a truncated file', 'damaged', () => truncateSync(file, Math.floor(statSync(file).size * 0.4))],
    ['16 KiB of noise in the middle', 'damaged', () => scribble(file, Math.floor(statSync(file).size / 2), 16 * 1024)],
  ])('%s: moved aside (kept, named with the problem and the time) and rebuilt from the log', async (_case, problem, damage) => {
    await buildGoodFile();
    damage();
    const damagedBytes = readFileSync(file);
    expect(inspectReadModelFile(file).problem).toBe(problem);

    const log: string[] = [];
    const { store } = await startHealed(log);

    expect(store.healed).toMatchObject({ problem });
    const [kept] = movedAside(dir, problem);
    expect(readFileSync(join(dir, kept)).equals(damagedBytes)).toBe(true);
    expect(log.join('\n')).toContain(`moved aside to ${join(dir, kept)}`);
    expect(store.incident(INCIDENT_ID)?.counts.claims).toBeGreaterThan(0);
    expect(inspectReadModelFile(file)).toEqual({});
  });

  it.each([
    ['another application id', (db: Database.Database) => db.pragma('application_id = 1234')],
    ['no application id and tables of its own', () => undefined],
  ])('a SQLite file of another program (%s) is moved aside untouched, never emptied', async (_case, stamp) => {
    const foreign = new Database(file);
    foreign.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total TEXT); INSERT INTO invoices (total) VALUES ('12.50')");
    stamp(foreign);
    foreign.close();
    expect(inspectReadModelFile(file).problem).toBe('foreign');

    await startHealed();

    const [kept] = movedAside(dir, 'foreign');
    const keptDb = new Database(join(dir, kept), { readonly: true });
    expect(keptDb.prepare('SELECT total FROM invoices').pluck().get()).toBe('12.50');
    keptDb.close();
  });

  it('keeps a file of ours written before the application id, and stamps it', async () => {
    await buildGoodFile();
    const legacy = new Database(file);
    legacy.pragma('application_id = 0');
    legacy.close();
    expect(inspectReadModelFile(file)).toEqual({});

    const { store } = await startHealed();

    expect(store.healed).toBeUndefined();
    expect(readdirSync(dir).filter((name) => name.includes('.sqlite.'))).toEqual([]);
    const stamped = new Database(file, { readonly: true });
    expect(stamped.pragma('application_id', { simple: true })).toBe(READ_MODEL_APPLICATION_ID);
    stamped.close();
  });

  it('a query that meets damage answers ReadModelsUnavailableError (a 503, not a 500) and tells the listener', async () => {
    await buildGoodFile();
    const store = openHealed();
    const seen: unknown[] = [];
    store.onCorruption((error) => seen.push(error));
    // Every page after the first: whatever a view reads next is noise.
    scribble(file, 4096, statSync(file).size - 4096);

    expect(() => store.listIncidents()).toThrow(ReadModelsUnavailableError);
    expect(seen).toHaveLength(1);
    expect(store.integrityProblem()).toBeDefined();
  });

  it('a checkpoint past the log head (the store was reset, the data directory kept) is rebuilt from the new log', async () => {
    await buildGoodFile();
    // The reset: a new, shorter log under the old read models.
    await eventStore.close();
    for (const name of readdirSync(dir).filter((n) => n.startsWith('events.sqlite'))) rmSync(join(dir, name));
    eventStore = new SqliteEventStore({ filename: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
    const [first] = storedEventsOf(seedArticleScenario());
    head = (await eventStore.append(first.streamName, [first.event])).position;

    const log: string[] = [];
    const store = openHealed();
    const runner = new ProjectionRunner({ eventStore, store, logger: { log: (m) => log.push(m), error: (m) => log.push(m) } });
    closers.push(() => runner.stop());
    await runner.start();
    await until(() => runner.status().state === 'live' && runner.status().caughtUp);

    expect(runner.status().checkpoint).toBe(head);
    expect(log.join('\n')).toMatch(/checkpoint \d+ is past the event log's head 1/);
    expect(store.incident(INCIDENT_ID)?.counts.claims ?? 0).toBe(0);
    // New events are applied, not skipped up to the old checkpoint.
    const [, second] = storedEventsOf(seedArticleScenario());
    head = (await eventStore.append(second.streamName, [second.event])).position;
    await runner.waitForPosition(head);
  });

  it('a rebuild that fails once is visible (failed, with its next attempt) and retried until it succeeds', async () => {
    let failuresLeft = 1;
    const flaky = new Proxy(eventStore, {
      get(target, property, receiver) {
        if (property === 'readAll') {
          return async (...args: Parameters<EventStore['readAll']>) => {
            if (failuresLeft-- > 0) throw new Error('the log is briefly unreadable');
            return target.readAll(...args);
          };
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const store = openHealed();
    const runner = new ProjectionRunner({ eventStore: flaky, store });
    const supervisor = new ReadModelSupervisor({ runner, store, eventStore, firstRetryMs: 200, watchIntervalMs: 20 });
    closers.push(() => supervisor.stop());

    const status = await supervisor.rebuild();

    expect(status.state).toBe('failed');
    expect(supervisor.status()).toMatchObject({ failures: 1, lastFailure: { message: 'the log is briefly unreadable' } });
    expect(supervisor.status().nextRetryAt).not.toBeNull();
    await supervisor.start();
    await until(() => runner.status().state === 'live' && runner.status().checkpoint === head);
    await until(() => supervisor.status().failures === 0);
    expect(store.incident(INCIDENT_ID)?.counts.claims).toBeGreaterThan(0);
  });

  it('a rebuild on a file too damaged to empty moves it aside and rebuilds, never staying "rebuilding"', async () => {
    const { store, runner, supervisor } = await superviseGoodFile();
    damageUnderOpenConnections(file);

    const status = await supervisor.rebuild();

    expect({ state: status.state, lastError: status.lastError }).toEqual({ state: 'live', lastError: null });
    await until(() => runner.status().checkpoint === head);
    expect(supervisor.status().lastHealing).toMatchObject({ problem: 'damaged' });
    expect(movedAside(dir, 'damaged')).toHaveLength(1);
    expect(existsSync(file)).toBe(true);
    expect(store.incident(INCIDENT_ID)?.counts.claims).toBeGreaterThan(0);
  });

  it('a query meeting damage while running gets a 503 error, and the supervisor moves the file aside and rebuilds it', async () => {
    const { store, runner, supervisor } = await superviseGoodFile();
    const before = store.dump();
    damageUnderOpenConnections(file);

    expect(() => store.incident(INCIDENT_ID)).toThrow(ReadModelsUnavailableError);
    await until(() => supervisor.status().lastHealing !== null && runner.status().state === 'live' && runner.status().checkpoint === head);

    expect(store.dump()).toEqual(before);
    expect(movedAside(dir, 'damaged')).toHaveLength(1);
  });

  describe('a file no clean stop vouches for, read whole beside the ledger (heal.wholeCheck: in-background)', () => {
    /** As the API opens it: the file's pages are read whole by the supervisor's check, not before the open. */
    const openInBackground = (log: string[] = []): SqliteReadModelStore => {
      const store = new SqliteReadModelStore({ filename: file, heal: { log: (m) => log.push(m), wholeCheck: 'in-background' }, syncOnClose: true });
      closers.push(() => store.close());
      return store;
    };
    const supervise = async (store: SqliteReadModelStore, log: string[] = []) => {
      const runner = new ProjectionRunner({ eventStore, store });
      const logger = { log: (m: string) => log.push(m), error: (m: string) => log.push(m) };
      const supervisor = new ReadModelSupervisor({ runner, store, eventStore, watchIntervalMs: 20, logger });
      closers.push(() => supervisor.stop());
      await supervisor.start();
      return { runner, supervisor };
    };
    it('damage the open does not meet: the ledger starts on the file, the check finds it, and the file is moved aside and rebuilt', async () => {
      await buildGoodFile();
      const damage = scribbleIndexRoot(file, 'claims_by_party', READ_MODEL_PAGE_SIZE);
      const log: string[] = [];
      const store = openInBackground(log);
      expect(store.openCheck).toBe('quick_check in the background');
      expect(store.healed).toBeUndefined();

      const { runner, supervisor } = await supervise(store, log);
      expect(log.join('\n')).toContain('reading them whole (quick_check) beside the ledger');
      // Answering before the check has ended: the tables themselves are whole.
      expect(store.incident(INCIDENT_ID)?.counts.claims).toBeGreaterThan(0);
      await until(() => supervisor.status().fileCheck?.state === 'damaged');

      const { fileCheck, lastHealing } = supervisor.status();
      expect(fileCheck).toMatchObject({ detail: expect.stringMatching(/^quick_check: /), ms: expect.any(Number), finishedAt: expect.any(String) });
      expect(lastHealing).toMatchObject({ problem: 'damaged', detail: fileCheck?.detail });
      const [kept] = movedAside(dir, 'damaged');
      // Kept as the ledger last had it open, the noise where it was.
      expect(readFileSync(join(dir, kept)).subarray(damage.at, damage.at + READ_MODEL_PAGE_SIZE).equals(damage.noise)).toBe(true);
      expect(log.join('\n')).toContain(`moved aside to ${join(dir, kept)}`);
      expect(runner.status()).toMatchObject({ state: 'live', checkpoint: head });
      expect(store.incident(INCIDENT_ID)?.counts.claims).toBeGreaterThan(0);
      expect(inspectReadModelFile(file)).toEqual({});
    });

    it('a whole file is found whole and kept; the open did not read it whole', async () => {
      await buildGoodFile();
      const store = openInBackground();
      const { supervisor } = await supervise(store);
      await until(() => supervisor.status().fileCheck?.state !== 'checking');

      expect(supervisor.status()).toMatchObject({ fileCheck: { state: 'whole', detail: null, ms: expect.any(Number) }, lastHealing: null });
      expect(readdirSync(dir).filter((name) => name.includes('.sqlite.'))).toEqual([]);
    });

    it('a file a clean stop left as it is, or a new one, needs no check', async () => {
      const fresh = openInBackground();
      expect(fresh.openCheck).toBe('quick_check');
      const { supervisor } = await supervise(fresh);
      await until(() => supervisor.status().failures === 0);
      await supervisor.stop();
      fresh.close();
      const again = openInBackground();
      expect(again.openCheck).toBe('unchanged since a clean close');
      const next = await supervise(again);
      expect(next.supervisor.status().fileCheck).toBeNull();
    });

    it('stopping the ledger mid-check kills the check, and the clean stop still vouches for the file', async () => {
      await buildGoodFile();
      const store = openInBackground();
      const { supervisor } = await supervise(store);
      expect(supervisor.status().fileCheck?.state).toBe('checking');

      await supervisor.stop();
      store.close();

      expect(supervisor.status().fileCheck).toMatchObject({ state: 'stopped', detail: 'the ledger stopped before the check ended' });
      expect(openInBackground().openCheck).toBe('unchanged since a clean close');
    });
  });

  describe('after a SQLite error that names no cause, the file is read whole beside the ledger', () => {
    /** A projector that failed once with an error SQLite gave no cause for, then runs; counts its starts. */
    const failedOnce = () => {
      let failed = true;
      const runner = {
        starts: 0,
        // The first start finds the projection failed (as a start after the error would); the retry's start runs it.
        start: async () => {
          runner.starts++;
          failed = runner.starts < 2;
        },
        stop: async () => undefined,
        rebuild: async () => undefined,
        waitForPosition: async () => undefined,
        status: (): RunnerStatus => ({
          name: 'read-models',
          state: failed ? 'failed' : 'live',
          checkpoint: head,
          caughtUp: !failed,
          lastError: failed ? { name: 'SqliteError', code: 'SQLITE_ERROR', message: 'an error SQLite gave no cause for', at: new Date().toISOString() } : null,
          projectionVersions: {},
        }),
      };
      return runner;
    };
    const superviseFailed = (log: string[]) => {
      const store = openHealed();
      const runner = failedOnce();
      const logger = { log: (m: string) => log.push(m), error: (m: string) => log.push(m) };
      const supervisor = new ReadModelSupervisor({ runner, store, eventStore, firstRetryMs: 20, watchIntervalMs: 20, logger });
      closers.push(() => supervisor.stop());
      return { store, runner, supervisor };
    };

    it('finds damage the error did not name, in a process of its own, and moves the file aside', async () => {
      await buildGoodFile();
      // Damage that comes after the open's check, in pages no query of the test reads.
      const { supervisor } = superviseFailed([]);
      scribbleIndexRoot(file, 'claims_by_party', READ_MODEL_PAGE_SIZE);
      await supervisor.start();
      await until(() => supervisor.status().lastHealing !== null);
      // The check process's finding, not the in-thread one (which has no such prefix).
      expect(supervisor.status().lastHealing).toMatchObject({ problem: 'damaged', detail: expect.stringMatching(/^quick_check: /) });
      expect(movedAside(dir, 'damaged')).toHaveLength(1);
    });

    it('finds a whole file whole, keeps it, and retries the projection', async () => {
      await buildGoodFile();
      const log: string[] = [];
      const { runner, supervisor } = superviseFailed(log);
      await supervisor.start();
      await until(() => runner.starts === 2);
      expect(supervisor.status().lastHealing).toBeNull();
      expect(readdirSync(dir).filter((name) => name.includes('.sqlite.'))).toEqual([]);
      expect(log.join('\n')).toContain('attempt 2 after: an error SQLite gave no cause for');
    });

    it('a stop while the check waits on a locked file kills it rather than waiting for it', async () => {
      await buildGoodFile();
      const { store, supervisor } = superviseFailed([]);
      // The stub projector needs no connection: closed, so that a holder in EXCLUSIVE locking mode can keep the check
      // waiting (its busy_timeout is 5 s).
      store.close();
      const holder = new Database(file);
      holder.pragma('locking_mode = EXCLUSIVE');
      holder.exec('CREATE TABLE held (x)');
      await supervisor.start();
      try {
        await until(() => (supervisor as unknown as { afterErrorCheck?: unknown }).afterErrorCheck !== undefined);
        const started = Date.now();
        await supervisor.stop();
        expect(Date.now() - started).toBeLessThan(2_000);
        expect(supervisor.status().lastHealing).toBeNull();
      } finally {
        holder.close();
      }
    });
  });

  it('a projection error caused by damage keeps SQLite\'s code, so the supervisor heals rather than retries the same file', () => {
    const damage = Object.assign(new Error('database disk image is malformed'), { name: 'SqliteError', code: 'SQLITE_CORRUPT' });
    const error = runnerErrorOf(new ProjectionError('incidents', seedArticleEnvelopes()[0], damage));
    expect(error).toMatchObject({ name: 'ProjectionError', code: 'SQLITE_CORRUPT' });
    expect(isCorruptionError(error)).toBe(true);
  });
});
