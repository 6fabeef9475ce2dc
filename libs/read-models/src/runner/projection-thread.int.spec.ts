import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, START } from '@ledger/event-store';
import { toEnvelope } from '../envelope';
import { SqliteReadModelStore } from '../storage/sqlite-read-model.store';
import { readModelsOf } from '../testing/read-model-specification';
import { CLAIM, INCIDENT_ID, PARTY, retraction, seedArticleScenario, storedEventsOf } from '../testing/seed-article.fixture';
import { ProjectionThreadError, ThreadedProjectionRunner } from './projection-thread';
import { RunnerStoppedError } from './projection.runner';

const WORKER = join(__dirname, '../../../../tests/support/projection-thread.worker.js');

// Each thread compiles the sources it loads on start: seconds on a busy machine.
jest.setTimeout(60_000);

describe('ThreadedProjectionRunner: the read models in a thread of their own', () => {
  let dir: string;
  let eventStore: SqliteEventStore;
  let readModels: SqliteReadModelStore;
  let runner: ThreadedProjectionRunner | undefined;
  const logs: string[] = [];

  const thread = (readModelsFile = join(dir, 'read-models.sqlite'), pollIntervalMs?: number, checkpointThread = false) =>
    (runner = new ThreadedProjectionRunner({
      script: WORKER,
      data: { eventLog: { kind: 'sqlite', filename: join(dir, 'events.sqlite'), ...(pollIntervalMs ? { pollIntervalMs } : {}) }, readModelsFile },
      logger: { log: (m) => logs.push(m), error: (m) => logs.push(`ERROR ${m}`) },
      checkpointThread,
    }));

  const appendAll = async (entries = seedArticleScenario(), prefix?: string): Promise<bigint> => {
    let last = START;
    for (const { streamName, event } of storedEventsOf(entries, prefix)) last = (await eventStore.append(streamName, [event])).position;
    return last;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'projection-thread-'));
    eventStore = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    readModels = new SqliteReadModelStore({ filename: join(dir, 'read-models.sqlite') });
  });

  afterEach(async () => {
    await runner?.stop().catch(() => undefined);
    runner = undefined;
    readModels.close();
    await eventStore.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the tables from the log in its thread; the API thread reads them, equal to the fold of the log', async () => {
    const head = await appendAll();
    const r = thread();
    await r.start();
    await r.waitForPosition(head, 30_000);
    expect(r.status()).toMatchObject({ state: 'live', checkpoint: head });
    const log = (await eventStore.readAll()).map(toEnvelope);
    expect(readModels.dump()).toEqual(readModelsOf(log).dump());
    expect(readModels.partyVersions(INCIDENT_ID)?.parties).toHaveLength(5);
    expect(logs.some((m) => m.includes('building from the log'))).toBe(true);
  });

  /** Started on a log the thread polls only once a minute: only a wake-up on commit brings it along in time. */
  const followsNewCommits = async (r: ThreadedProjectionRunner) => {
    await r.start();
    const head = await appendAll();
    await r.waitForPosition(head, 30_000);
    const next = await appendAll([retraction(CLAIM.azDefence, PARTY.azDefence, 'Withdrawn.', '2019-06-04')], '00000000-0000-4000-9000');
    await r.waitForPosition(next, 5_000);
    expect(readModels.claimHistory(INCIDENT_ID, CLAIM.azDefence)?.retracted).toBe(true);
  };

  it('follows new commits when poked, so a writer reads its own write', async () => {
    // The thread would look for other connections' commits only once a minute: only the pokes can bring it along.
    const r = thread(undefined, 60_000);
    eventStore.onCommit(() => r.poke());
    await followsNewCommits(r);
  });

  it.each([
    ['commits in this thread', false],
    ['commits in the store\'s writer thread', true],
  ])('follows new commits through the store\'s own commit bell, without a poke (%s)', async (_name, writerThread) => {
    await eventStore.close();
    eventStore = new SqliteEventStore({
      filename: join(dir, 'events.sqlite'),
      ...(writerThread ? { writerThread: { script: join(__dirname, '../../../../tests/support/sqlite-writer.worker.js') } } : {}),
    });
    const r = (runner = new ThreadedProjectionRunner({
      script: WORKER,
      data: { eventLog: { kind: 'sqlite', filename: join(dir, 'events.sqlite'), pollIntervalMs: 60_000 }, readModelsFile: join(dir, 'read-models.sqlite'), commits: eventStore.commitBell },
    }));
    expect(r.hears(eventStore.commitBell)).toBe(true);
    await followsNewCommits(r);
  });

  it.each([
    ['', false],
    [', its WAL checkpointed by a thread of its own', true],
  ])('rebuilds in its thread into the same tables%s', async (_name, checkpointThread) => {
    const head = await appendAll();
    const r = thread(undefined, undefined, checkpointThread);
    await r.start();
    await r.waitForPosition(head, 30_000);
    const incremental = readModels.dump();
    await r.rebuild();
    expect(r.status()).toMatchObject({ state: 'live', checkpoint: head, lastError: null });
    expect(readModels.dump()).toEqual(incremental);
  });

  it('reports a projection failure with the runner’s error, named and located, and rejects the waits', async () => {
    await appendAll();
    const unknown = await eventStore.append(`incident-${INCIDENT_ID}`, [
      {
        eventId: '00000000-0000-4000-a000-000000000002',
        type: 'ClaimWhispered.v1',
        data: { incidentId: INCIDENT_ID },
        metadata: { recordedAt: '2019-06-03T10:01:00.000Z', recordedBy: 'analyst:ani', correlationId: 'w1', causationId: 'w1' },
      },
    ]);
    const r = thread();
    const waiting = r.waitForPosition(unknown.position, 30_000).then(
      () => undefined,
      (error: unknown) => error,
    );
    await r.start();
    expect(await waiting).toMatchObject({ name: 'UnknownStoredEventError', position: unknown.position.toString() });
    expect(r.status()).toMatchObject({ state: 'failed', lastError: { name: 'UnknownStoredEventError', eventId: '00000000-0000-4000-a000-000000000002' } });
    await expect(r.waitForPosition(unknown.position, 100)).rejects.toBeInstanceOf(ProjectionThreadError);
  });

  it('rejects the waits a stop cuts short, and stops its thread', async () => {
    const r = thread();
    await r.start();
    const cutShort = r.waitForPosition(1_000n, 30_000);
    await r.stop();
    await expect(cutShort).rejects.toBeInstanceOf(RunnerStoppedError);
    expect(r.status().state).toBe('stopped');
  });

  it('reports a thread that cannot open its files as failed rather than hanging', async () => {
    const r = thread(join(dir, 'missing-directory', 'read-models.sqlite'));
    await expect(r.start()).rejects.toBeInstanceOf(ProjectionThreadError);
    expect(r.status()).toMatchObject({ state: 'failed', lastError: { message: expect.stringMatching(/.+/) } });
    await expect(r.waitForPosition(1n, 100)).rejects.toBeInstanceOf(ProjectionThreadError);
  });
});
