import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import canonicalize from 'canonicalize';
import { verifyEventStore } from '@ledger/integrity';
import { describeEventStoreContract } from '../../../../tests/contract/event-store.contract';
import {
  NewEvent,
  RecordedEvent,
  START,
  StoreUnavailableError,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { SQLITE_SCHEMA_VERSION, SqliteEventStore } from './sqlite-event-store';

const SYNCHRONOUS_FULL = 2;

let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'ledger-sqlite-store-'));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function freshFile(): string {
  return join(directory, `${randomUUID()}.sqlite`);
}

function newEvent(data: unknown = { note: 'sqlite' }): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'SqliteTested.v1',
    data,
    metadata: {
      recordedAt: new Date().toISOString(),
      recordedBy: 'sqlite-test',
      correlationId: randomUUID(),
      causationId: randomUUID(),
    },
  };
}

const WRITER_THREAD = { script: join(__dirname, '../../../../tests/support/sqlite-writer.worker.js') };

const storeOnTemporaryFile = (options: { writerThread?: { script: string } }) => async () => {
  const filename = freshFile();
  const store = new SqliteEventStore({ filename, pollIntervalMs: 50, ...options });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(filename, { force: true });
      rmSync(`${filename}-wal`, { force: true });
      rmSync(`${filename}-shm`, { force: true });
    },
  };
};

describeEventStoreContract('SqliteEventStore on a temporary file', storeOnTemporaryFile({}), { appendMany: 'atomic' });
describeEventStoreContract('SqliteEventStore with a writer thread', storeOnTemporaryFile({ writerThread: WRITER_THREAD }), { appendMany: 'atomic' });

describe.each([
  ['committing on the calling thread', {}],
  ['with a writer thread', { writerThread: WRITER_THREAD }],
])('SqliteEventStore data column, %s', (_label, options) => {
  jest.setTimeout(60_000);
  const opened: SqliteEventStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  const open = (filename: string) => {
    const store = new SqliteEventStore({ filename, ...options });
    opened.push(store);
    return store;
  };
  const columnsOf = (filename: string, stream: string): Array<{ data: string; metadata: string }> => {
    const db = new Database(filename, { readonly: true });
    try {
      return db.prepare('SELECT data, metadata FROM events WHERE stream_name = ? ORDER BY revision').all(stream) as Array<{ data: string; metadata: string }>;
    } finally {
      db.close();
    }
  };

  it('keeps the data as given and hashes its canonical text (RFC 8785), encoded once in the caller\'s turn', async () => {
    const filename = freshFile();
    const store = open(filename);
    const stream = `incident-${randomUUID()}`;
    // Keys out of order, nested, with characters JSON must escape and numbers RFC 8785 formats its own way.
    const data = { z: 1, a: { y: [3, { b: '\u2028 "quoted" \u{1F600}', a: 1e21 }], x: -0 }, m: 'Ağdam', '\u00e9': null };
    const event = newEvent(data);
    await store.append(stream, [event, newEvent({ second: true })], { expectedRevision: 'no_stream' });

    const [first, second] = columnsOf(filename, stream);
    // Key order is the caller's: read models present fields in it, as they do from EventStoreDB.
    expect(first.data).toBe(JSON.stringify(data));
    expect(second.data).toBe('{"second":true}');
    const metadata = JSON.parse(first.metadata) as Record<string, unknown>;
    const { hash, ...unhashed } = metadata;
    const text = canonicalize({ eventId: event.eventId, streamName: stream, revision: '0', type: event.type, data, metadata: unhashed })!;
    expect(hash).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    expect((await store.readStream(stream))[0].data).toEqual(JSON.parse(JSON.stringify(data)));
    expect((await verifyEventStore(store, { publicKeys: new Map() })).findings).toEqual([]);
  });

  it.each([
    ['NaN', { amount: Number.NaN }],
    ['Infinity', { amount: Number.POSITIVE_INFINITY }],
    ['a bigint', { amount: 1n }],
  ])('refuses data holding %s as the caller\'s error, alone in its group, and writes nothing of it', async (_what, data) => {
    const filename = freshFile();
    const store = open(filename);
    const [bad, good] = [`incident-${randomUUID()}`, `incident-${randomUUID()}`];
    const outcomes = await Promise.allSettled([store.append(bad, [newEvent(data)]), store.append(good, [newEvent()])]);

    const reason = (outcomes[0] as PromiseRejectedResult).reason as Error;
    expect(reason).toBeInstanceOf(TypeError);
    expect(reason.message).toContain('has data with no JSON encoding');
    expect(outcomes[1].status).toBe('fulfilled');
    expect(columnsOf(filename, bad)).toEqual([]);
    expect(columnsOf(filename, good)).toHaveLength(1);
  });
});

describe('SqliteEventStore with a writer thread', () => {
  // The thread compiles the sources it loads on start: seconds on a busy machine.
  jest.setTimeout(60_000);
  const opened: SqliteEventStore[] = [];
  const open = (filename = freshFile()) => {
    const store = new SqliteEventStore({ filename, writerThread: WRITER_THREAD });
    opened.push(store);
    return store;
  };

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it('commits the appends of one turn in one transaction of the thread, each with its own outcome and error class', async () => {
    const store = open();
    const streams = Array.from({ length: 16 }, () => `incident-${randomUUID()}`);
    await store.append(streams[0], [newEvent()]);
    const before = store.writeStats().commits;

    const outcomes = await Promise.allSettled(streams.map((stream) => store.append(stream, [newEvent()], { expectedRevision: 'no_stream' })));

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', ...Array(15).fill('fulfilled')]);
    const conflict = (outcomes[0] as PromiseRejectedResult).reason as WrongExpectedRevisionError;
    expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
    expect(conflict).toMatchObject({ streamName: streams[0], expected: 'no_stream', actual: 0n });
    expect(store.writeStats()).toMatchObject({ commits: before + 1, largestGroup: 16 });
    for (const [i, stream] of streams.entries()) {
      expect(await store.readStream(stream)).toHaveLength(1);
      if (i > 0) expect((await store.readStream(stream))[0].position).toBe((outcomes[i] as PromiseFulfilledResult<{ position: bigint }>).value.position);
    }
  });

  it('stores what the event said when append was called, hashed where it is committed, and wakes subscriptions of the calling thread', async () => {
    const filename = freshFile();
    const store = open(filename);
    const stream = `incident-${randomUUID()}`;
    const event = newEvent({ note: 'as appended' });
    const received: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({ fromPosition: await store.headPosition() }, { onEvent: (e) => void received.push(e) });
    try {
      const appended = store.append(stream, [event]);
      (event.data as { note: string }).note = 'changed afterwards';
      await appended;
      const deadline = Date.now() + 5000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(received.map((e) => e.data)).toEqual([{ note: 'as appended' }]);
    } finally {
      await subscription.stop();
    }
    await store.close();
    const reader = new SqliteEventStore({ filename });
    try {
      expect((await verifyEventStore(reader, { publicKeys: new Map() })).findings).toEqual([]);
    } finally {
      await reader.close();
    }
  });

  it('refuses an event without a JSON encoding in the calling thread, and commits what was accepted before close', async () => {
    const store = open();
    const stream = `incident-${randomUUID()}`;
    await expect(store.append(stream, [newEvent(() => 'no JSON')])).rejects.toBeInstanceOf(TypeError);
    const pending = Array.from({ length: 5 }, () => store.append(stream, [newEvent()]));
    await store.close();
    expect((await Promise.all(pending)).map((result) => result.nextExpectedRevision)).toEqual([0n, 1n, 2n, 3n, 4n]);
    await expect(store.append(stream, [newEvent()])).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('will not run a writer thread on a private in-memory store', () => {
    expect(() => new SqliteEventStore({ filename: ':memory:', writerThread: WRITER_THREAD })).toThrow(RangeError);
  });
});

describe('SqliteEventStore with a checkpoint thread', () => {
  jest.setTimeout(60_000);
  const opened: SqliteEventStore[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  /** Frames in the file's WAL and how many of them are copied back, seen from a connection of the test's own. */
  const walOf = (filename: string): { log: number; checkpointed: number } => {
    const db = new Database(filename, { fileMustExist: true });
    try {
      return (db.pragma('wal_checkpoint(NOOP)') as Array<{ log: number; checkpointed: number }>)[0];
    } finally {
      db.close();
    }
  };

  it.each([
    ['committing on the calling thread', {}],
    ['with a writer thread', { writerThread: WRITER_THREAD }],
  ])('copies the WAL back from its own thread while appends go on, %s, and loses nothing acknowledged', async (_label, options) => {
    const filename = freshFile();
    const store = new SqliteEventStore({ filename, checkpointThread: true, ...options });
    opened.push(store);
    const stream = `incident-${randomUUID()}`;
    const acknowledged: bigint[] = [];
    const big = 'x'.repeat(6000);
    // Two pages of data an event and a commit each: past SQLite's 1,000-page threshold well before the end.
    for (let n = 0; n < 600; n++) {
      acknowledged.push((await store.append(stream, [newEvent({ n, big })], { expectedRevision: n === 0 ? 'no_stream' : BigInt(n - 1) })).position);
    }
    await waitFor(() => (store.checkpointReport()?.checkpoints ?? 0) > 0, 10_000);
    // Copies taken while the thread copies pages back would be torn: wait until the WAL holds nothing it would copy.
    await waitFor(() => {
      const { log, checkpointed } = walOf(filename);
      return log < 1000 || checkpointed === log;
    }, 10_000);
    expect(store.checkpointReport()?.lastError).toBeUndefined();
    // Copied back: the database file without its WAL already holds events.
    const withoutWal = freshFile();
    copyFileSync(filename, withoutWal);
    const checkpointed = new SqliteEventStore({ filename: withoutWal });
    opened.push(checkpointed);
    expect((await checkpointed.readStream(stream)).length).toBeGreaterThan(0);

    // A process killed now leaves the file and its WAL as they are: every acknowledged append is in them.
    const crashed = freshFile();
    copyFileSync(filename, crashed);
    copyFileSync(`${filename}-wal`, `${crashed}-wal`);
    const recovered = new SqliteEventStore({ filename: crashed });
    opened.push(recovered);
    expect((await recovered.readStream(stream)).map((event) => event.position)).toEqual(acknowledged);
    expect((await verifyEventStore(recovered, { publicKeys: new Map() })).findings).toEqual([]);
    expect(recovered.storageSettings()).toMatchObject({ journalMode: 'wal', synchronous: SYNCHRONOUS_FULL });
  });

  it('will not run a checkpoint thread on a private in-memory store', () => {
    expect(() => new SqliteEventStore({ filename: ':memory:', checkpointThread: true })).toThrow(RangeError);
  });
});

describe('SqliteEventStore', () => {
  const opened: SqliteEventStore[] = [];
  const rawConnections: Database.Database[] = [];

  function open(filename: string, options: { pollIntervalMs?: number; busyTimeoutMs?: number } = {}) {
    const store = new SqliteEventStore({ filename, ...options });
    opened.push(store);
    return store;
  }

  function openRaw(filename: string): Database.Database {
    const db = new Database(filename);
    rawConnections.push(db);
    return db;
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    for (const db of rawConnections.splice(0)) db.close();
  });

  it('starts with an empty log whose head is START', async () => {
    const store = open(':memory:');

    expect(await store.headPosition()).toBe(START);
    expect(await store.readAll()).toEqual([]);
    expect(await store.readAll({ direction: 'backwards' })).toEqual([]);
  });

  it('runs in WAL mode with synchronous=FULL and a busy timeout', () => {
    const filename = freshFile();
    const store = open(filename);

    expect(store.storageSettings()).toEqual({
      journalMode: 'wal',
      synchronous: SYNCHRONOUS_FULL,
      busyTimeoutMs: 5000,
      schemaVersion: SQLITE_SCHEMA_VERSION,
    });
    expect(openRaw(filename).pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('keeps everything acknowledged across close and reopen, and keeps positions increasing', async () => {
    const filename = freshFile();
    const stream = `incident-${randomUUID()}`;
    const first = open(filename);
    await first.append(stream, [newEvent({ n: 1 }), newEvent({ n: 2 })], { expectedRevision: 'no_stream' });
    await first.append(`party-${randomUUID()}`, [newEvent({ n: 3 })]);
    const before = await first.readAll();
    const headBefore = await first.headPosition();
    await first.close();

    const reopened = open(filename);

    expect(await reopened.readAll()).toEqual(before);
    expect(await reopened.headPosition()).toBe(headBefore);
    expect(await reopened.streamRevision(stream)).toBe(1n);
    const next = await reopened.append(stream, [newEvent({ n: 4 })], { expectedRevision: 1n });
    expect(next.position > headBefore).toBe(true);
  });

  it('keeps acknowledged appends when the process dies without closing the store', async () => {
    const filename = freshFile();
    const store = open(filename);
    const stream = `incident-${randomUUID()}`;
    await store.append(stream, [newEvent({ n: 1 })], { expectedRevision: 'no_stream' });
    const acknowledged = await store.append(stream, [newEvent({ n: 2 }), newEvent({ n: 3 })], { expectedRevision: 0n });
    // What a killed process leaves behind: the database and its WAL as they are, with no checkpoint on close.
    const crashed = freshFile();
    copyFileSync(filename, crashed);
    copyFileSync(`${filename}-wal`, `${crashed}-wal`);

    const recovered = open(crashed);

    expect((await recovered.readStream(stream)).map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await recovered.headPosition()).toBe(acknowledged.position);
  });

  it('does not reuse positions, even of the last event, after reopening', async () => {
    const filename = freshFile();
    const first = open(filename);
    const { position } = await first.append('incident-a', [newEvent()]);
    await first.close();

    const reopened = open(filename);
    const after = await reopened.append('incident-b', [newEvent()]);

    expect(after.position).toBe(position + 1n);
  });

  it('creates the schema once and records its version, so reopening is harmless', async () => {
    const filename = freshFile();
    open(filename);
    open(filename);

    const raw = openRaw(filename);
    expect(raw.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    const triggers = raw
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events' ORDER BY name")
      .pluck()
      .all();
    expect(triggers).toEqual(['events_append_only_no_delete', 'events_append_only_no_update']);
  });

  it('refuses to open a file written by a newer schema version', () => {
    const filename = freshFile();
    openRaw(filename).pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);

    expect(() => open(filename)).toThrow(StoreUnavailableError);
  });

  it('rejects UPDATE and DELETE on the events table', async () => {
    const filename = freshFile();
    const store = open(filename);
    await store.append('incident-tamper', [newEvent({ says: 'original' })]);
    const raw = openRaw(filename);

    expect(() => raw.prepare("UPDATE events SET data = '{\"says\":\"forged\"}'").run()).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    expect((await store.readStream('incident-tamper'))[0].data).toEqual({ says: 'original' });
  });

  it('lets a second instance on the same file read what the first appended', async () => {
    const filename = freshFile();
    const writer = open(filename);
    const reader = open(filename);
    const stream = `incident-${randomUUID()}`;

    const result = await writer.append(stream, [newEvent(), newEvent()]);

    expect(await reader.streamRevision(stream)).toBe(1n);
    expect(await reader.headPosition()).toBe(result.position);
    expect(await reader.readStream(stream)).toEqual(await writer.readStream(stream));
  });

  it('enforces the expected revision across instances on the same file', async () => {
    const filename = freshFile();
    const stores = [open(filename), open(filename), open(filename)];
    const stream = `incident-${randomUUID()}`;
    await stores[0].append(stream, [newEvent()]);

    const outcomes = await Promise.allSettled(
      stores.flatMap((store) => [newEvent(), newEvent()].map((event) => store.append(stream, [event], { expectedRevision: 0n }))),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(await stores[1].readStream(stream)).toHaveLength(2);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(WrongExpectedRevisionError);
    }
  });

  it('does not trust its remembered head once another instance appended: stale revisions conflict, hashes chain on', async () => {
    const filename = freshFile();
    const [first, second] = [open(filename), open(filename)];
    const stream = `incident-${randomUUID()}`;
    await first.append(stream, [newEvent()], { expectedRevision: 'no_stream' });
    await second.append(stream, [newEvent()], { expectedRevision: 0n });

    await expect(first.append(stream, [newEvent()], { expectedRevision: 0n })).rejects.toMatchObject({ actual: 1n });
    await first.append(stream, [newEvent()], { expectedRevision: 1n });
    await second.append(stream, [newEvent()], { expectedRevision: 'any' });

    const stored = await first.readStream(stream);
    expect(stored.map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n]);
    expect((await verifyEventStore(first, { publicKeys: new Map() })).findings).toEqual([]);
  });

  it('delivers to a subscription events appended through another instance, by polling', async () => {
    const filename = freshFile();
    const writer = open(filename);
    const reader = open(filename, { pollIntervalMs: 20 });
    const received: RecordedEvent[] = [];
    let caughtUp = false;
    const subscription = reader.subscribeToAll(
      { fromPosition: START },
      { onEvent: (event) => void received.push(event), onCaughtUp: () => (caughtUp = true) },
    );
    await waitFor(() => caughtUp);

    await writer.append('incident-elsewhere', [newEvent(), newEvent()]);
    await writer.append('party-elsewhere', [newEvent()]);
    await waitFor(() => received.length === 3);

    expect(received).toEqual(await writer.readAll());
    await subscription.stop();
  });

  it('subscriptions at the same checkpoint share reads yet each gets every event: its own appends, and by polling another instance\'s', async () => {
    const filename = freshFile();
    const store = open(filename, { pollIntervalMs: 20 });
    const other = open(filename);
    const followers = [0, 1, 2].map(() => {
      const received: RecordedEvent[] = [];
      const state = { caughtUp: false };
      const subscription = store.subscribeToAll({ fromPosition: START }, { onEvent: (event) => void received.push(event), onCaughtUp: () => (state.caughtUp = true) });
      return { received, state, subscription };
    });
    await waitFor(() => followers.every((f) => f.state.caughtUp));

    for (let i = 0; i < 5; i++) await store.append(`incident-shared-${i % 2}`, [newEvent(), newEvent()]);
    await other.append('incident-elsewhere', [newEvent()]);
    await store.append('incident-shared-0', [newEvent()]);
    await waitFor(() => followers.every((f) => f.received.length === 12));

    const log = await store.readAll();
    for (const { received } of followers) expect(received.map((e) => e.eventId)).toEqual(log.map((e) => e.eventId));
    await Promise.all(followers.map((f) => f.subscription.stop()));
  });

  it('wakes a subscription on an append through the same instance without waiting for the poll', async () => {
    const store = open(freshFile(), { pollIntervalMs: 60_000 });
    const received: RecordedEvent[] = [];
    let caughtUp = false;
    const subscription = store.subscribeToAll(
      {},
      { onEvent: (event) => void received.push(event), onCaughtUp: () => (caughtUp = true) },
    );
    await waitFor(() => caughtUp);

    await store.append('incident-nearby', [newEvent()]);
    await waitFor(() => received.length === 1, 1000);

    expect(received[0].streamName).toBe('incident-nearby');
    await subscription.stop();
  });

  it('serialises writers in separate threads on one file: no lost update, no revision reused, no busy failure', async () => {
    const filename = freshFile();
    open(filename);
    const stream = `incident-${randomUUID()}`;
    const writers = 4;
    const appendsEach = 20;
    const barrier = new Int32Array(new SharedArrayBuffer(4));

    const reports = await Promise.all(
      Array.from({ length: writers }, (_, writer) =>
        runWorker<{ conflicts: number; failures: string[] }>(OPTIMISTIC_WRITER, {
          storeModule: join(__dirname, 'sqlite-event-store.ts'),
          portModule: join(__dirname, '..', 'event-store.port.ts'),
          filename,
          stream,
          writer,
          writers,
          appendsEach,
          barrier,
        }),
      ),
    );

    expect(reports.flatMap((report) => report.failures)).toEqual([]);
    const stored = await open(filename).readStream(stream);
    expect(stored.map((event) => event.revision)).toEqual(
      Array.from({ length: writers * appendsEach }, (_, revision) => BigInt(revision)),
    );
    for (let writer = 0; writer < writers; writer += 1) {
      const sequence = stored
        .map((event) => event.data as { writer: number; n: number })
        .filter((data) => data.writer === writer)
        .map((data) => data.n);
      expect(sequence).toEqual(Array.from({ length: appendsEach }, (_, n) => n));
    }
  });

  it('catches up over more than one page of events in order, letting timers run between pages', async () => {
    const store = open(':memory:');
    const total = 1234;
    for (let start = 0; start < total; start += 200) {
      const size = Math.min(200, total - start);
      await store.append(`incident-${start % 3}`, Array.from({ length: size }, (_, i) => newEvent({ n: start + i })));
    }
    const received: number[] = [];
    let caughtUpAt: number | undefined;
    let timerFiredAt: number | undefined;
    const subscription = store.subscribeToAll(
      {},
      {
        onEvent: (event) => void received.push((event.data as { n: number }).n),
        onCaughtUp: () => (caughtUpAt ??= received.length),
      },
    );
    setTimeout(() => (timerFiredAt = received.length), 0);

    await waitFor(() => caughtUpAt !== undefined);

    expect(caughtUpAt).toBe(total);
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(timerFiredAt).toBeLessThan(total);
    await subscription.stop();
  });

  it('reports being caught up again after delivering live events, once per catch-up', async () => {
    const store = open(':memory:', { pollIntervalMs: 10 });
    const caughtUp: bigint[] = [];
    const subscription = store.subscribeToAll({}, { onEvent: () => undefined, onCaughtUp: (p) => caughtUp.push(p) });
    await waitFor(() => caughtUp.length === 1);

    const { position } = await store.append('incident-live', [newEvent(), newEvent()]);
    await waitFor(() => caughtUp.length === 2);
    await sleep(60);

    expect(caughtUp).toEqual([START, position]);
    await subscription.stop();
  });

  it('close() stops its subscriptions and later calls report the store unavailable', async () => {
    const store = new SqliteEventStore({ filename: freshFile() });
    const errors: unknown[] = [];
    let caughtUp = false;
    store.subscribeToAll({}, { onEvent: () => undefined, onCaughtUp: () => (caughtUp = true), onError: (e) => errors.push(e) });
    await waitFor(() => caughtUp);

    await store.close();
    await store.close();

    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.append('incident-closed', [newEvent()])).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readAll()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(() => store.subscribeToAll({}, { onEvent: () => undefined })).toThrow(StoreUnavailableError);
    expect(errors).toEqual([]);
  });

  it('ping() answers while the store is open', async () => {
    await expect(open(':memory:').ping()).resolves.toBeUndefined();
  });

  it('reports a write lock held too long by another process as StoreUnavailableError and writes nothing', async () => {
    const filename = freshFile();
    const store = open(filename, { busyTimeoutMs: 50 });
    expect(store.storageSettings().busyTimeoutMs).toBe(50);
    const otherProcess = openRaw(filename);
    otherProcess.exec('BEGIN IMMEDIATE');

    const error = await store.append('incident-locked', [newEvent()]).catch((e: unknown) => e);

    otherProcess.exec('ROLLBACK');
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).cause).toMatchObject({ code: 'SQLITE_BUSY' });
    expect(await store.streamRevision('incident-locked')).toBeUndefined();
  });

  it('reports an unreadable stored event as StoreUnavailableError, to readers and to subscriptions', async () => {
    const filename = freshFile();
    const store = open(filename, { pollIntervalMs: 10 });
    await store.append('incident-fine', [newEvent()]);
    openRaw(filename)
      .prepare('INSERT INTO events (event_id, stream_name, revision, type, data, metadata) VALUES (?, ?, 0, ?, ?, ?)')
      .run(randomUUID(), 'incident-garbled', 'SqliteTested.v1', 'not json', '{}');
    const errors: unknown[] = [];
    const received: RecordedEvent[] = [];

    store.subscribeToAll({}, { onEvent: (event) => void received.push(event), onError: (e) => errors.push(e) });
    await waitFor(() => errors.length > 0);

    expect(received.map((event) => event.streamName)).toEqual([]);
    expect(errors[0]).toBeInstanceOf(StoreUnavailableError);
    await expect(store.readStream('incident-garbled')).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('SqliteEventStore group commit', () => {
  const opened: SqliteEventStore[] = [];
  const open = (
    filename = freshFile(),
    options: { groupCommit?: { maxEvents?: number; maxBytes?: number }; pollIntervalMs?: number; headCacheStreams?: number } = {},
  ) => {
    const store = new SqliteEventStore({ filename, ...options });
    opened.push(store);
    return store;
  };

  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  const statement = (store: SqliteEventStore, name: 'commit' | 'insert'): Database.Statement =>
    (store as unknown as { statements: Record<string, Database.Statement> }).statements[name];

  it('commits 16 concurrent single-event appends in one transaction, each with its own result', async () => {
    const store = open();
    const streams = Array.from({ length: 16 }, () => `incident-${randomUUID()}`);

    const results = await Promise.all(streams.map((stream) => store.append(stream, [newEvent()], { expectedRevision: 'no_stream' })));

    expect(store.writeStats()).toEqual({ commits: 1, appends: 16, events: 16, largestGroup: 16 });
    expect(new Set(results.map((result) => result.position)).size).toBe(16);
    for (const [i, stream] of streams.entries()) {
      expect((await store.readStream(stream)).map((event) => event.position)).toEqual([results[i].position]);
    }
  });

  it('fails only the append that conflicts or carries a bad event; the rest of the group is committed', async () => {
    const store = open();
    const [a, b, c] = [`incident-${randomUUID()}`, `incident-${randomUUID()}`, `incident-${randomUUID()}`];
    const repeated = newEvent();
    // SQLite refuses this one row when it is inserted (as it would a row over its size limit), after its sibling was.
    const tooBig = newEvent();
    const insert = statement(store, 'insert');
    const run = insert.run.bind(insert);
    jest.spyOn(insert, 'run').mockImplementation((...args: unknown[]) => {
      if (args[0] === tooBig.eventId) throw new Database.SqliteError('string or blob too big', 'SQLITE_TOOBIG');
      return run(...(args as Parameters<typeof run>));
    });

    const outcomes = await Promise.allSettled([
      store.append(a, [newEvent()], { expectedRevision: 'no_stream' }),
      store.append(b, [newEvent()], { expectedRevision: 5n }),
      store.append(c, [repeated, newEvent(), repeated], { expectedRevision: 'any' }),
      store.append(c, [newEvent(), tooBig], { expectedRevision: 'any' }),
      store.append(a, [newEvent()], { expectedRevision: 0n }),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
    expect((outcomes[3] as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    expect(store.writeStats()).toMatchObject({ commits: 1, appends: 5, events: 2 });
    expect((await store.readStream(a)).map((event) => event.revision)).toEqual([0n, 1n]);
    expect(await store.readStream(b)).toEqual([]);
    expect(await store.readStream(c)).toEqual([]);
  });

  it('an append refused after some of its rows were written leaves no trace, alone or in a group: the stream goes on from its real end', async () => {
    const store = open();
    const [alone, grouped, other] = [`incident-${randomUUID()}`, `incident-${randomUUID()}`, `incident-${randomUUID()}`];
    await store.appendMany([alone, grouped].map((streamName) => ({ streamName, events: [newEvent()] })));
    const tooBig = [newEvent(), newEvent()];
    const insert = statement(store, 'insert');
    const run = insert.run.bind(insert);
    jest.spyOn(insert, 'run').mockImplementation((...args: unknown[]) => {
      if (tooBig.some((event) => event.eventId === args[0])) throw new Database.SqliteError('string or blob too big', 'SQLITE_TOOBIG');
      return run(...(args as Parameters<typeof run>));
    });

    await expect(store.append(alone, [newEvent(), tooBig[0]], { expectedRevision: 0n })).rejects.toBeInstanceOf(StoreUnavailableError);
    const outcomes = await Promise.allSettled([
      store.append(grouped, [newEvent(), tooBig[1]], { expectedRevision: 0n }),
      store.append(other, [newEvent()], { expectedRevision: 'no_stream' }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled']);

    for (const stream of [alone, grouped]) {
      await expect(store.append(stream, [newEvent()], { expectedRevision: 0n })).resolves.toMatchObject({ nextExpectedRevision: 1n });
    }
    expect((await verifyEventStore(store, { publicKeys: new Map() })).findings).toEqual([]);
  });

  it('a one-event append the unique index refuses fails alone, and its stream goes on from where it was', async () => {
    const store = open();
    const [stream, other] = [`incident-${randomUUID()}`, `incident-${randomUUID()}`];
    const first = newEvent();
    await store.append(stream, [first]);

    // The expected revision is current, so the store skips looking the id up and the unique index refuses the row.
    const outcomes = await Promise.allSettled([
      store.append(other, [newEvent()]),
      store.append(stream, [{ ...newEvent(), eventId: first.eventId }], { expectedRevision: 0n }),
      store.append(other, [newEvent()], { expectedRevision: 0n }),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ actual: 0n });
    expect(store.writeStats()).toMatchObject({ commits: 2, events: 3 });
    await expect(store.append(stream, [newEvent()], { expectedRevision: 0n })).resolves.toMatchObject({ nextExpectedRevision: 1n });
    expect((await verifyEventStore(store, { publicKeys: new Map() })).findings).toEqual([]);
  });

  it('remembers at most headCacheStreams heads and reads the others again', async () => {
    const store = open(freshFile(), { headCacheStreams: 2 });
    const streams = Array.from({ length: 5 }, () => `incident-${randomUUID()}`);
    for (let round = 0; round < 3; round++) {
      for (const stream of streams) await store.append(stream, [newEvent()], { expectedRevision: round === 0 ? 'no_stream' : BigInt(round - 1) });
    }
    expect((store as unknown as { heads: Map<string, unknown> }).heads.size).toBe(2);
    expect((await verifyEventStore(store, { publicKeys: new Map() })).findings).toEqual([]);
  });

  it('refuses an event with no JSON encoding as the caller\'s error, alone in its group', async () => {
    const store = open();
    const [bad, good] = [`incident-${randomUUID()}`, `incident-${randomUUID()}`];
    const outcomes = await Promise.allSettled([
      store.append(bad, [newEvent({ amount: 1n })]),
      store.append(good, [newEvent()]),
    ]);
    expect((outcomes[0] as PromiseRejectedResult).reason).toBeInstanceOf(TypeError);
    expect(outcomes[1].status).toBe('fulfilled');
    expect(await store.readStream(bad)).toEqual([]);
  });

  it('stores the data it hashed even when the caller changes the event after append() returned', async () => {
    const store = open();
    const stream = `incident-${randomUUID()}`;
    const data = { note: 'before' };
    const pending = store.append(stream, [newEvent(data)]);
    data.note = 'after';
    await pending;
    const [stored] = await store.readStream(stream);
    expect(stored.data).toEqual({ note: 'after' });
    expect((await verifyEventStore(store, { publicKeys: new Map() })).findings).toEqual([]);
  });

  it('orders appends to one stream within a group as they were called, on one hash chain', async () => {
    const store = open();
    const stream = `incident-${randomUUID()}`;
    const events = Array.from({ length: 10 }, (_, n) => newEvent({ n }));

    const results = await Promise.all(events.map((event) => store.append(stream, [event], { expectedRevision: 'any' })));

    expect(store.writeStats().commits).toBe(1);
    expect(results.map((result) => result.nextExpectedRevision)).toEqual(events.map((_, i) => BigInt(i)));
    const stored = await store.readStream(stream);
    expect(stored.map((event) => event.eventId)).toEqual(events.map((event) => event.eventId));
    for (let i = 1; i < stored.length; i++) expect(stored[i].metadata.prevHash).toBe(stored[i - 1].metadata.hash);
  });

  it('answers only once the group is committed: another connection already reads every acknowledged event', async () => {
    const filename = freshFile();
    const store = open(filename);
    const other = open(filename);
    const streams = Array.from({ length: 8 }, () => `incident-${randomUUID()}`);
    const seenByOther = await Promise.all(
      streams.map(async (stream) => {
        await store.append(stream, [newEvent()]);
        return (await other.readStream(stream)).length;
      }),
    );
    expect(seenByOther).toEqual(streams.map(() => 1));
  });

  it('when COMMIT fails, every append of the group fails as unavailable and nothing is stored', async () => {
    const store = open();
    const streams = [`incident-${randomUUID()}`, `incident-${randomUUID()}`];
    jest.spyOn(statement(store, 'commit'), 'run').mockImplementationOnce(() => {
      throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
    });

    const outcomes = await Promise.allSettled(streams.map((stream) => store.append(stream, [newEvent()])));

    expect(outcomes.map((outcome) => (outcome as PromiseRejectedResult).reason)).toEqual([
      expect.any(StoreUnavailableError),
      expect.any(StoreUnavailableError),
    ]);
    expect(await store.headPosition()).toBe(START);
    expect(store.writeStats().commits).toBe(0);
    await store.append(streams[0], [newEvent()], { expectedRevision: 'no_stream' });
    expect(await store.streamRevision(streams[0])).toBe(0n);
  });

  it('bounds a group by events: a big append does not carry others into its transaction, and still commits alone', async () => {
    const store = open(freshFile(), { groupCommit: { maxEvents: 4 } });
    const big = Array.from({ length: 10 }, () => newEvent());

    await Promise.all([
      store.append(`incident-${randomUUID()}`, [newEvent(), newEvent(), newEvent()]),
      store.append(`incident-${randomUUID()}`, big),
      store.append(`incident-${randomUUID()}`, [newEvent()]),
      store.append(`incident-${randomUUID()}`, [newEvent()]),
    ]);

    expect(store.writeStats()).toEqual({ commits: 3, appends: 4, events: 15, largestGroup: 2 });
  });

  it('bounds a group by bytes of JSON', async () => {
    const store = open(freshFile(), { groupCommit: { maxBytes: 2000 } });
    const text = 'x'.repeat(900);
    await Promise.all(Array.from({ length: 4 }, () => store.append(`incident-${randomUUID()}`, [newEvent({ text })])));
    expect(store.writeStats()).toMatchObject({ commits: 4, appends: 4 });
  });

  it('appendMany is one savepoint: a conflict in it undoes its other writes, not the rest of the group', async () => {
    const store = open();
    const [a, b, c] = [`incident-${randomUUID()}`, `incident-${randomUUID()}`, `incident-${randomUUID()}`];
    const outcomes = await Promise.allSettled([
      store.appendMany([
        { streamName: a, events: [newEvent()] },
        { streamName: b, events: [newEvent()], expectedRevision: 7n },
      ]),
      store.append(c, [newEvent()]),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled']);
    expect(store.writeStats()).toMatchObject({ commits: 1, appends: 2, events: 1 });
    expect(await store.readStream(a)).toEqual([]);
    // Alone in its transaction, the same refused appendMany is rolled back: neither leaves a head for stream a behind.
    await expect(store.appendMany([{ streamName: a, events: [newEvent()] }, { streamName: b, events: [newEvent()], expectedRevision: 7n }])).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    await expect(store.append(a, [newEvent()], { expectedRevision: 'no_stream' })).resolves.toMatchObject({ nextExpectedRevision: 0n });
  });

  it('wakes subscriptions only after the commit, with the whole group', async () => {
    const filename = freshFile();
    const store = open(filename, { pollIntervalMs: 60_000 });
    const other = open(filename);
    const received: Array<{ id: string; committed: boolean }> = [];
    const subscription = store.subscribeToAll(
      {},
      { onEvent: async (event) => void received.push({ id: event.eventId, committed: (await other.readStream(event.streamName)).length > 0 }) },
    );
    const events = Array.from({ length: 5 }, () => newEvent());
    await Promise.all(events.map((event) => store.append(`incident-${randomUUID()}`, [event])));
    const deadline = Date.now() + 4000;
    while (received.length < events.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await subscription.stop();
    expect(received).toEqual(events.map((event) => ({ id: event.eventId, committed: true })));
  });

  it('close() commits the appends already accepted instead of dropping them', async () => {
    const filename = freshFile();
    const store = new SqliteEventStore({ filename });
    const stream = `incident-${randomUUID()}`;
    const pending = store.append(stream, [newEvent()]);
    await store.close();
    await expect(pending).resolves.toMatchObject({ nextExpectedRevision: 0n });
    expect(await open(filename).streamRevision(stream)).toBe(0n);
  });
});

/**
 * Runs in a worker thread, i.e. on its own SQLite connection like another process would: waits for every writer to
 * be ready, then appends with the revision it last read, re-reading on each conflict.
 */
const OPTIMISTIC_WRITER = `
  const { workerData, parentPort } = require('node:worker_threads');
  const { randomUUID } = require('node:crypto');
  const { readFileSync } = require('node:fs');
  const swc = require('@swc/core');
  require.extensions['.ts'] = (module, filename) => {
    const { code } = swc.transformSync(readFileSync(filename, 'utf8'), {
      filename,
      swcrc: false,
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    module._compile(code, filename);
  };
  // The worker has no jest moduleNameMapper: map the @ledger/* aliases onto libs/ as tsconfig does.
  const Module = require('node:module');
  const resolveFilename = Module._resolveFilename;
  const libs = workerData.storeModule.slice(0, workerData.storeModule.indexOf('/libs/') + '/libs/'.length);
  Module._resolveFilename = function (request, ...rest) {
    if (!request.startsWith('@ledger/')) return resolveFilename.call(this, request, ...rest);
    const [lib, ...inner] = request.slice('@ledger/'.length).split('/');
    return resolveFilename.call(this, [libs + lib, 'src', ...inner].join('/'), ...rest);
  };
  const { SqliteEventStore } = require(workerData.storeModule);
  const { WrongExpectedRevisionError } = require(workerData.portModule);
  (async () => {
    const { filename, stream, writer, writers, appendsEach, barrier } = workerData;
    const store = new SqliteEventStore({ filename });
    Atomics.add(barrier, 0, 1);
    Atomics.notify(barrier, 0);
    for (let seen = Atomics.load(barrier, 0); seen < writers; seen = Atomics.load(barrier, 0)) {
      Atomics.wait(barrier, 0, seen, 1000);
    }
    let conflicts = 0;
    const failures = [];
    for (let n = 0; n < appendsEach; ) {
      const revision = await store.streamRevision(stream);
      const event = {
        eventId: randomUUID(),
        type: 'SqliteTested.v1',
        data: { writer, n },
        metadata: { recordedAt: new Date().toISOString(), recordedBy: 'w' + writer, correlationId: 'c', causationId: 'c' },
      };
      try {
        await store.append(stream, [event], { expectedRevision: revision === undefined ? 'no_stream' : revision });
        n += 1;
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) conflicts += 1;
        else { failures.push(String(error)); break; }
      }
    }
    await store.close();
    parentPort.postMessage({ conflicts, failures });
  })().catch((error) => parentPort.postMessage({ conflicts: 0, failures: [String(error)] }));
`;

function runWorker<T>(source: string, workerData: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData });
    worker.once('message', (message: T) => resolve(message));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited with code ${code} before reporting`)));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
