import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, SqliteEventStore, START } from '@ledger/event-store';
import { toEnvelope } from '../envelope';
import { AnyProjection, LEDGER_PROJECTIONS } from '../projection';
import { LEDGER_TABLES } from '../tables/ledger.tables';
import { countingProjection } from '../testing/counting-projection';
import { ProjectionError, ReadModelDump, SqliteReadModelStore } from '../storage/sqlite-read-model.store';
import { CLAIM, DENIAL, INCIDENT_ID, PARTY, ScenarioEntry, retraction, seedArticleScenario, storedEventsOf } from '../testing/seed-article.fixture';
import { append, until } from '../testing/scenario-log';
import { ProjectionRunner, ReadModelTimeoutError, RunnerStoppedError, UnknownStoredEventError } from './projection.runner';

const azDefenceRetraction = (): ScenarioEntry =>
  retraction(CLAIM.azDefence, PARTY.azDefence, 'Withdrawn pending an inquiry.', '2019-06-04');

/** Counts deliveries: applying an event twice (or skipping one) shows in `positions`. */
const deliveries = (version = 1, weight = 1) => countingProjection('deliveries', { version, weight });

const failsOnCorrection = (fail: boolean) => countingProjection('fragile', { failOn: (e) => fail && e.event.type === 'ClaimCorrected' });

const ledgerTablesOf = (dump: ReadModelDump): ReadModelDump => Object.fromEntries(LEDGER_TABLES.map((t) => [t.name, dump[t.name]]));

describe('ProjectionRunner on the SQLite event store', () => {
  let dir: string;
  let eventStore: SqliteEventStore;
  let store: SqliteReadModelStore;
  const runners: ProjectionRunner[] = [];

  const openEventStore = () => new SqliteEventStore({ filename: join(dir, 'events.sqlite'), pollIntervalMs: 20 });
  const openReadModels = () => new SqliteReadModelStore({ filename: join(dir, 'read-models.sqlite') });
  const runner = (options: Partial<ConstructorParameters<typeof ProjectionRunner>[0]> = {}): ProjectionRunner => {
    const r = new ProjectionRunner({ eventStore, store, ...options });
    runners.push(r);
    return r;
  };

  /** The fold of the ledger events in the log up to `upTo` into a throwaway store: what the stored read models must equal. */
  const foldLog = async (projections: readonly AnyProjection[], upTo?: bigint): Promise<ReadModelDump> => {
    const envelopes = (await eventStore.readAll({ maxCount: 100_000 }))
      .filter((e) => /^(incident|party)-/.test(e.streamName) && (upTo === undefined || e.position <= upTo))
      .map(toEnvelope);
    const memory = new SqliteReadModelStore({ filename: ':memory:', projections });
    try {
      memory.apply(envelopes, projections);
      return memory.dump();
    } finally {
      memory.close();
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-model-runner-'));
    eventStore = openEventStore();
    store = openReadModels();
  });

  afterEach(async () => {
    for (const r of runners.splice(0)) await r.stop().catch(() => undefined);
    await eventStore.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds the read models live, lets a writer read its own write, and a rebuild equals the incremental state', async () => {
    const live = runner({ batchSize: 3 });
    await live.start();
    const stored = storedEventsOf(seedArticleScenario());
    for (const { streamName, event } of stored.slice(0, 8)) {
      const { position } = await eventStore.append(streamName, [event]);
      await live.waitForPosition(position, 2000);
      if (streamName.startsWith('incident-')) expect(store.incidentTimeline(INCIDENT_ID)?.lastPosition).toBe(position.toString());
      else expect(store.partyRecord((event.data as { partyId: string }).partyId)?.registered).toBe(true);
    }
    // The rest arrives in a burst, applied in batches.
    for (const { streamName, event } of stored.slice(8)) await eventStore.append(streamName, [event]);
    const head = await eventStore.headPosition();
    await live.waitForPosition(head, 2000);
    await until(() => live.status().caughtUp);

    const incremental = store.dump();
    expect(incremental).toEqual(await foldLog(LEDGER_PROJECTIONS));
    expect(live.status()).toMatchObject({ state: 'live', checkpoint: head, caughtUp: true, lastError: null });

    await live.rebuild();
    expect(store.dump()).toEqual(incremental);
    expect(store.readCheckpoint('ledger-read-models')?.position).toBe(head);

    // After the rebuild the runner is live again.
    const next = await append(eventStore, [azDefenceRetraction()], '00000000-0000-4000-9000');
    await live.waitForPosition(next, 2000);
    expect(store.incident(INCIDENT_ID)?.counts).toMatchObject({ activeClaims: 4, retractions: 1 });
    expect(store.claimHistory(INCIDENT_ID, CLAIM.azDefence)?.retracted).toBe(true);
  });

  it('reads a log written before denials named a version (ClaimDenied.v1): upcast, bound where they stand, rebuilt identically', async () => {
    // The seed article as an older ledger stored it: the Karabakh denial of version 1 precedes the correction to version 2.
    // Every other type as v1 too: the seed's parties, claims, corrections and amendment are valid v1 data as they stand.
    const v1Log = storedEventsOf(seedArticleScenario()).map(({ streamName, event }) => {
      const v1Type = event.type.replace(/\.v[23]$/, '.v1');
      if (event.type === 'ClaimMade.v3') {
        const { supersedes: _none, ...v1Data } = event.data as Record<string, unknown>;
        return { streamName, event: { ...event, type: v1Type, data: v1Data } };
      }
      if (event.type !== 'ClaimDenied.v2') return { streamName, event: { ...event, type: v1Type } };
      const { claimVersion: _unnamed, ...v1Data } = event.data as Record<string, unknown>;
      return { streamName, event: { ...event, type: v1Type, data: v1Data } };
    });
    expect(new Set(v1Log.map((e) => e.event.type.replace(/^.*\./, '')))).toEqual(new Set(['v1']));
    expect(v1Log.filter((e) => e.event.type === 'ClaimDenied.v1')).toHaveLength(2);
    const live = runner({ batchSize: 4 });
    await live.start();
    for (const { streamName, event } of v1Log) await eventStore.append(streamName, [event]);
    await live.waitForPosition(await eventStore.headPosition(), 2000);
    const incremental = store.dump();
    await live.rebuild();
    expect(store.dump()).toEqual(incremental);

    const history = store.claimHistory(INCIDENT_ID, CLAIM.azDefence)!;
    expect(history.versions.map((v) => [v.version, v.deniedBy])).toEqual([[1, [DENIAL.karabakhArmy]], [2, []]]);
    expect(history.currentVersionDenied).toBe(false);

    // The same log written today (ClaimDenied.v2 naming version 1) gives the same tables, row for row.
    const today = new SqliteEventStore({ filename: join(dir, 'events-v2.sqlite'), pollIntervalMs: 20 });
    try {
      await append(today, seedArticleScenario());
      const envelopes = (await today.readAll({ maxCount: 100_000 })).filter((e) => /^(incident|party)-/.test(e.streamName)).map(toEnvelope);
      const memory = new SqliteReadModelStore({ filename: ':memory:' });
      memory.apply(envelopes);
      expect(ledgerTablesOf(incremental)).toEqual(ledgerTablesOf(memory.dump()));
      memory.close();
    } finally {
      await today.close();
    }
  });

  it('restarted from its stored checkpoint, applies nothing twice, even when the store redelivers from the start', async () => {
    const projections = [...LEDGER_PROJECTIONS, deliveries()];
    const first = runner({ projections });
    await first.start();
    const head = await append(eventStore, seedArticleScenario());
    await first.waitForPosition(head, 2000);
    await first.stop();
    const before = store.dump();
    expect(before.test_deliveries).toMatchObject([{ count: 15 }]);

    // A new process: new connections to both files.
    await eventStore.close();
    store.close();
    eventStore = openEventStore();
    store = openReadModels();
    const second = runner({ projections });
    await second.start();
    await until(() => second.status().caughtUp);
    expect(second.status().checkpoint).toBe(head);
    expect(store.dump()).toEqual(before);
    await second.stop();

    // A store that ignores the checkpoint it is given and redelivers the whole log.
    const replaysEverything: EventStore = Object.assign(Object.create(eventStore) as EventStore, {
      subscribeToAll: (_options: unknown, handlers: Parameters<EventStore['subscribeToAll']>[1]) =>
        eventStore.subscribeToAll({ fromPosition: START }, handlers),
    });
    const third = runner({ eventStore: replaysEverything, projections });
    await third.start();
    await until(() => third.status().caughtUp);
    expect(store.dump()).toEqual(before);

    const next = await append(eventStore, [azDefenceRetraction()], '00000000-0000-4000-9000');
    await third.waitForPosition(next, 2000);
    const counted = store.dump().test_deliveries[0] as { count: number; positions: string[] };
    expect(counted.count).toBe(16);
    expect(new Set(counted.positions).size).toBe(16);
  });

  it('stops on a projection error with documents and checkpoint at the last consistent state, and resumes once fixed', async () => {
    const head = await append(eventStore, seedArticleScenario());
    const fragile = runner({ projections: [...LEDGER_PROJECTIONS, failsOnCorrection(true)], batchSize: 4 });
    const waiting = fragile.waitForPosition(head, 5000);
    await fragile.start();
    await expect(waiting).rejects.toBeInstanceOf(ProjectionError);

    const status = fragile.status();
    expect(status.state).toBe('failed');
    expect(status.lastError).toMatchObject({ name: 'ProjectionError', position: '11', streamName: `incident-${INCIDENT_ID}` });
    expect(status.lastError?.message).toContain('Projection fragile failed on event');
    expect(status.checkpoint).toBeLessThan(11n);
    expect(store.readCheckpoint('ledger-read-models')?.position).toBe(status.checkpoint);
    expect(store.dump()).toEqual(await foldLog([...LEDGER_PROJECTIONS, failsOnCorrection(false)], status.checkpoint));
    await expect(fragile.waitForPosition(head, 100)).rejects.toBeInstanceOf(ProjectionError);
    await fragile.stop();

    const fixed = runner({ projections: [...LEDGER_PROJECTIONS, failsOnCorrection(false)] });
    await fixed.start();
    await fixed.waitForPosition(head, 2000);
    expect(store.dump()).toEqual(await foldLog([...LEDGER_PROJECTIONS, failsOnCorrection(false)]));
    expect(store.dump().test_fragile).toMatchObject([{ count: 15 }]);
  });

  const indexesInFile = (): string[] => {
    const db = new Database(join(dir, 'read-models.sqlite'), { readonly: true });
    try {
      return db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    } finally {
      db.close();
    }
  };
  const declared = LEDGER_TABLES.flatMap((t) => (t.indexes ?? []).map((i: { name: string }) => i.name)).sort();

  it('replays a rebuild without secondary indexes and leaves every declared index in the file, also after a rebuild that fails', async () => {
    expect(declared.length).toBeGreaterThan(10);
    await append(eventStore, seedArticleScenario());
    const seen: string[][] = [];
    const watching = countingProjection('watching', { failOn: () => (seen.push(indexesInFile()), false) });
    const r = runner({ projections: [...LEDGER_PROJECTIONS, watching] });
    await r.rebuild();
    expect(seen[0]).toEqual([]);
    expect(indexesInFile()).toEqual(declared);

    const fragile = runner({ projections: [...LEDGER_PROJECTIONS, failsOnCorrection(true)] });
    await expect(fragile.rebuild()).rejects.toThrow(ProjectionError);
    expect(indexesInFile()).toEqual(declared);
  });

  it('fails, not "rebuilding" for good, when the index build ending a rebuild fails; the next start finishes it', async () => {
    const head = await append(eventStore, seedArticleScenario());
    const endRebuild = jest.spyOn(store, 'endRebuild').mockImplementationOnce(() => {
      throw new Error('disk I/O error while building the indexes');
    });
    const r = runner();
    await r.start();
    expect(r.status()).toMatchObject({ state: 'failed', checkpoint: head, lastError: { message: 'disk I/O error while building the indexes' } });
    expect(indexesInFile()).toEqual([]);

    await r.start();
    await r.waitForPosition(head, 2000);
    expect(r.status()).toMatchObject({ state: 'live', checkpoint: head, lastError: null });
    expect(endRebuild).toHaveBeenCalledTimes(2);
    expect(indexesInFile()).toEqual(declared);
    expect(store.dump()).toEqual(await foldLog(LEDGER_PROJECTIONS));
  });

  it('goes live again when an operator rebuilds after a failure', async () => {
    let broken = true;
    const flaky = countingProjection('flaky', { failOn: (e) => broken && e.event.type === 'EntryAmended' });
    const r = runner({ projections: [...LEDGER_PROJECTIONS, flaky] });
    await r.start();
    const head = await append(eventStore, seedArticleScenario());
    await until(() => r.status().state === 'failed');
    broken = false;
    await r.rebuild();
    await r.waitForPosition(head, 2000);
    expect(r.status()).toMatchObject({ state: 'live', checkpoint: head, lastError: null });
    expect(flaky.read(store.tables)?.count).toBe(15);
    const next = await append(eventStore, [azDefenceRetraction()], '00000000-0000-4000-9000');
    await r.waitForPosition(next, 2000);
    expect(flaky.read(store.tables)?.count).toBe(16);
  });

  it('stops with a clear error at a ledger event of unknown type, after skipping events of other streams', async () => {
    await append(eventStore, seedArticleScenario());
    const digest = await eventStore.append('ledger-integrity', [
      {
        eventId: '00000000-0000-4000-a000-000000000001',
        type: 'DigestSigned.v1',
        data: { root: 'abc' },
        metadata: { recordedAt: '2019-06-03T10:00:00.000Z', recordedBy: 'notary', correlationId: 'n1', causationId: 'n1' },
      },
    ]);
    const unknown = await eventStore.append(`incident-${INCIDENT_ID}`, [
      {
        eventId: '00000000-0000-4000-a000-000000000002',
        type: 'ClaimWhispered.v1',
        data: { incidentId: INCIDENT_ID },
        metadata: { recordedAt: '2019-06-03T10:01:00.000Z', recordedBy: 'analyst:ani', correlationId: 'w1', causationId: 'w1' },
      },
    ]);
    const r = runner();
    await r.start();
    await until(() => r.status().state === 'failed');
    const status = r.status();
    expect(status.lastError).toMatchObject({
      name: 'UnknownStoredEventError',
      position: unknown.position.toString(),
      eventId: '00000000-0000-4000-a000-000000000002',
      streamName: `incident-${INCIDENT_ID}`,
    });
    expect(status.lastError?.message).toContain('stored type "ClaimWhispered.v1" is unknown to the event registry');
    expect(status.checkpoint).toBe(digest.position);
    expect(store.dump()).toEqual(await foldLog(LEDGER_PROJECTIONS, digest.position));
    await expect(r.waitForPosition(unknown.position, 100)).rejects.toBeInstanceOf(UnknownStoredEventError);

    // A restart meets the same event again rather than skipping it.
    await r.stop();
    const again = runner();
    await again.start();
    await until(() => again.status().state === 'failed');
    expect(again.status().checkpoint).toBe(digest.position);
  });

  it('rebuilds by itself at start when the stored projection versions differ from the code', async () => {
    const first = runner({ projections: [...LEDGER_PROJECTIONS, deliveries(1, 1)] });
    await first.start();
    const head = await append(eventStore, seedArticleScenario());
    await first.waitForPosition(head, 2000);
    await first.stop();
    expect(store.dump().test_deliveries).toMatchObject([{ count: 15 }]);

    const messages: string[] = [];
    const bumped = runner({ projections: [...LEDGER_PROJECTIONS, deliveries(2, 10)], logger: { log: (m) => messages.push(m), error: (m) => messages.push(m) } });
    await bumped.start();
    await bumped.waitForPosition(head, 2000);
    expect(store.dump().test_deliveries).toMatchObject([{ count: 150 }]);
    expect(store.readCheckpoint('ledger-read-models')?.projectionVersions.deliveries).toBe(2);
    expect(messages.some((m) => m.includes('projection versions changed'))).toBe(true);
    expect(ledgerTablesOf(store.dump())).toEqual(await foldLog(LEDGER_PROJECTIONS));
  });

  it('rejects a wait that times out or that a stop cuts short', async () => {
    const r = runner();
    await r.start();
    await expect(r.waitForPosition(1_000n, 50)).rejects.toBeInstanceOf(ReadModelTimeoutError);
    const cutShort = r.waitForPosition(1_000n, 5000);
    await r.stop();
    await expect(cutShort).rejects.toBeInstanceOf(RunnerStoppedError);
    expect(r.status()).toMatchObject({ state: 'stopped', caughtUp: false });
  });
});
