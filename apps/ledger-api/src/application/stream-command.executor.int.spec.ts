import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decider, DomainError, fold, fromStored, IncidentEvent, incidentDecider, incidentStream, toStored } from '@ledger/domain';
import {
  azDefenceClaim,
  denyClaim,
  INCIDENT_ID,
  karabakhArmyClaim,
  makeClaim,
  minskGroupClaim,
  reportIncident,
} from '@ledger/domain/testing/seed-article.fixtures';
import { EventLoopSlice, SqliteEventStore, StoreUnavailableError, WrongExpectedRevisionError } from '@ledger/event-store';
import { probeTurns } from '../../../../tests/support/event-loop-turns';
import { SystemClock } from './clock';
import { CommandContext } from './command-context';
import { DecidedStateCache, heapBytesOf } from './decided-state-cache';
import { idempotencyStream } from './idempotency';
import { BatchCommand, CATCH_UP_PAGE, StreamCommandExecutor } from './stream-command.executor';

const STREAM = incidentStream(INCIDENT_ID);
const ctx = (extra: Partial<CommandContext> = {}): CommandContext => ({
  principal: 'test-recorder',
  correlationId: randomUUID(),
  causationId: randomUUID(),
  ...extra,
});
const claim = (partyClaim = azDefenceClaim) => makeClaim({ ...partyClaim, claimId: randomUUID() });

describe('StreamCommandExecutor with remembered states (SQLite)', () => {
  let dir: string;
  let store: SqliteEventStore;
  let cache: DecidedStateCache;
  let executor: StreamCommandExecutor;
  const others: SqliteEventStore[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'executor-'));
    store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    cache = new DecidedStateCache({ maxEvents: 1000, maxStreams: 100 });
    executor = new StreamCommandExecutor(store, new SystemClock(), cache);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all([store, ...others.splice(0)].map((s) => s.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Another process on the same file: its own connection, its own executor and cache. */
  const otherProcess = () => {
    const otherStore = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    others.push(otherStore);
    return {
      store: otherStore,
      executor: new StreamCommandExecutor(otherStore, new SystemClock(), new DecidedStateCache({ maxEvents: 1000, maxStreams: 100 })),
    };
  };

  const freshFold = async (stream = STREAM) =>
    fold(incidentDecider, (await store.readStream(stream)).map((r) => fromStored(r.type, r.data) as IncidentEvent));
  /** What the remembered state of the stream should weigh: the estimate over every stored event, however it was folded. */
  const storedBytes = async (stream = STREAM) => (await store.readStream(stream)).reduce((sum, r) => sum + heapBytesOf(r.data), 0);
  const remembered = () => cache.get<ReturnType<typeof incidentDecider.initialState>>(STREAM, incidentDecider);
  const readsOf = () => jest.spyOn(store, 'readStream');

  it('decides on the remembered state without reading the stream, and remembers what a fresh fold would give', async () => {
    await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
    const reads = readsOf();
    for (let i = 0; i < 5; i++) await executor.execute(STREAM, incidentDecider, claim(), ctx());
    expect(reads).not.toHaveBeenCalled();
    expect(cache.stats()).toMatchObject({ hits: 5, misses: 1 });
    expect(remembered()).toEqual({ revision: 5n, state: await freshFold(), bytes: await storedBytes() });
  });

  /** Has the other process write to the stream just before this process's next append reaches the store. */
  const writeFirst = (method: 'append' | 'appendMany', write: () => Promise<unknown>) => {
    const original = store[method].bind(store) as (...args: unknown[]) => Promise<unknown>;
    return jest.spyOn(store, method).mockImplementationOnce((async (...args: unknown[]) => {
      await write();
      return original(...args);
    }) as never);
  };

  it('a refused command leaves the remembered state where the store is', async () => {
    await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
    const before = remembered();
    await expect(executor.execute(STREAM, incidentDecider, reportIncident(), ctx())).rejects.toThrow(DomainError);
    expect(remembered()).toBe(before);
    const result = await executor.execute(STREAM, incidentDecider, claim(), ctx());
    expect(result.revision).toBe(1n);
  });

  it('a failed append does not advance the remembered state; the next command sees only what was stored', async () => {
    await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
    jest.spyOn(store, 'append').mockRejectedValueOnce(new StoreUnavailableError('disk went away'));
    const lost = claim();
    await expect(executor.execute(STREAM, incidentDecider, lost, ctx())).rejects.toThrow(StoreUnavailableError);
    expect(remembered()?.revision).toBe(0n);
    expect(remembered()?.state.claims.has(lost.data.claimId)).toBe(false);
    // Had the lost claim been remembered, this would be refused as a duplicate.
    expect((await executor.execute(STREAM, incidentDecider, lost, ctx())).revision).toBe(1n);
  });

  it('another process appending between decision and append: the conflict is caught and the command decided on the newer state', async () => {
    const other = otherProcess();
    await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
    const foreignClaim = claim(karabakhArmyClaim);
    writeFirst('append', () => other.executor.execute(STREAM, incidentDecider, foreignClaim, ctx()));
    const appends = jest.spyOn(store, 'append');
    const denial = denyClaim({ claimId: foreignClaim.data.claimId, denialId: randomUUID(), partyId: minskGroupClaim.partyId });

    const result = await executor.execute(STREAM, incidentDecider, claim(), ctx());
    expect(result.revision).toBe(2n);
    await expect(appends.mock.results[0].value).rejects.toThrow(WrongExpectedRevisionError);
    // The foreign claim is in this process's state now: it can be denied here.
    expect((await executor.execute(STREAM, incidentDecider, denial, ctx())).revision).toBe(3n);
    expect(remembered()).toEqual({ revision: 3n, state: await freshFold(), bytes: await storedBytes() });
  });

  it('another process having written since: the append on the remembered revision is refused, the command decided again on the events read', async () => {
    const other = otherProcess();
    await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
    await other.executor.execute(STREAM, incidentDecider, claim(), ctx());
    await other.executor.execute(STREAM, incidentDecider, claim(), ctx());
    const appends = jest.spyOn(store, 'append');
    const reads = readsOf();
    expect((await executor.execute(STREAM, incidentDecider, claim(), ctx())).revision).toBe(3n);
    expect(appends).toHaveBeenCalledTimes(2);
    await expect(appends.mock.results[0].value).rejects.toThrow(WrongExpectedRevisionError);
    expect(reads.mock.calls).toEqual([[STREAM, { fromRevision: 1n, maxCount: CATCH_UP_PAGE }]]);
    expect(remembered()).toEqual({ revision: 3n, state: await freshFold(), bytes: await storedBytes() });
  });

  it('a domain rule refusing the command on the remembered state is checked against the stream: a claim another process stored can be denied here', async () => {
    const other = otherProcess();
    await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
    const foreignClaim = claim(karabakhArmyClaim);
    await other.executor.execute(STREAM, incidentDecider, foreignClaim, ctx());
    const denial = denyClaim({ claimId: foreignClaim.data.claimId, denialId: randomUUID(), partyId: minskGroupClaim.partyId });
    expect((await executor.execute(STREAM, incidentDecider, denial, ctx())).revision).toBe(2n);
    // A refusal that stands once the stream is read: read once, nothing appended.
    const reads = readsOf();
    const appends = jest.spyOn(store, 'append');
    await expect(executor.execute(STREAM, incidentDecider, reportIncident(), ctx())).rejects.toThrow(DomainError);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(appends).not.toHaveBeenCalled();
  });

  it('If-Match is checked against the caught-up revision, not the remembered one', async () => {
    const other = otherProcess();
    await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
    await other.executor.execute(STREAM, incidentDecider, claim(), ctx());
    await expect(executor.execute(STREAM, incidentDecider, claim(), ctx({ expectedRevision: 0n }))).rejects.toMatchObject({
      name: 'WrongExpectedRevisionError',
      actual: 1n,
    });
    expect((await executor.execute(STREAM, incidentDecider, claim(), ctx({ expectedRevision: 1n }))).revision).toBe(2n);
  });

  it('a stream evicted from the cache is folded again from its first event, with the same outcome', async () => {
    cache = new DecidedStateCache({ maxEvents: 1000, maxStreams: 1 });
    executor = new StreamCommandExecutor(store, new SystemClock(), cache);
    const second = incidentStream('0d0e6f1c-3c2a-4d7e-9f41-2019060300b2');
    await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
    await executor.execute(STREAM, incidentDecider, claim(), ctx());
    await executor.execute(second, incidentDecider, reportIncident({ incidentId: '0d0e6f1c-3c2a-4d7e-9f41-2019060300b2' }), ctx());
    expect(remembered()).toBeUndefined();

    const reads = readsOf();
    expect((await executor.execute(STREAM, incidentDecider, claim(), ctx())).revision).toBe(2n);
    expect(reads).toHaveBeenCalledWith(STREAM, { fromRevision: 0n, maxCount: CATCH_UP_PAGE });
    expect(remembered()).toEqual({ revision: 2n, state: await freshFold(), bytes: await storedBytes() });
    expect(cache.stats().evictions).toBe(2);
  });

  it('folds a stream the cache does not hold page by page, letting the event loop turn: the same state as one read', async () => {
    const decider = incidentDecider as unknown as BatchCommand['decider'];
    const asBatch = (command: unknown): BatchCommand => ({ streamName: STREAM, decider, command, ctx: ctx() });
    await executor.executeBatch([reportIncident(), ...Array.from({ length: 2 * CATCH_UP_PAGE + 10 }, () => claim())].map(asBatch));
    const events = 2 * CATCH_UP_PAGE + 11;

    // A cold executor (a restart): each look at the clock is a millisecond of work, a turn due after eight events.
    cache = new DecidedStateCache({ maxEvents: 10_000, maxStreams: 100 });
    executor = new StreamCommandExecutor(store, new SystemClock(), cache);
    const reads = readsOf();
    const probe = probeTurns();
    const [outcome] = await executor.executeBatch([asBatch(claim(karabakhArmyClaim))], new EventLoopSlice(8, probe.now)).finally(probe.stop);
    expect(outcome).toMatchObject({ result: { revision: BigInt(events) } });
    expect(reads.mock.calls.filter(([stream]) => stream === STREAM).map(([, options]) => options)).toEqual(
      [0, 1, 2].map((page) => ({ fromRevision: BigInt(page * CATCH_UP_PAGE), maxCount: CATCH_UP_PAGE })),
    );
    expect(probe.looks).toBeGreaterThanOrEqual(events);
    expect(probe.longestWithoutATurn).toBeLessThanOrEqual(10);
    expect(remembered()).toEqual({ revision: BigInt(events), state: await freshFold(), bytes: await storedBytes() });

    // Through execute() (its own slice, the real clock): the same state, folded from the first event again.
    cache = new DecidedStateCache({ maxEvents: 10_000, maxStreams: 100 });
    executor = new StreamCommandExecutor(store, new SystemClock(), cache);
    expect((await executor.execute(STREAM, incidentDecider, claim(minskGroupClaim), ctx())).revision).toBe(BigInt(events + 1));
    expect(remembered()).toEqual({ revision: BigInt(events + 1), state: await freshFold(), bytes: await storedBytes() });
  });

  it('remembers a batch’s streams as a fresh fold would give them, weighed as their stored events', async () => {
    await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
    await executor.execute(STREAM, incidentDecider, claim(), ctx());
    const decider = incidentDecider as unknown as BatchCommand['decider'];
    const commands = [claim(karabakhArmyClaim), claim(minskGroupClaim)].map((command): BatchCommand => ({ streamName: STREAM, decider, command, ctx: ctx() }));
    const outcomes = await executor.executeBatch(commands);
    expect(outcomes.every((o) => 'result' in o)).toBe(true);
    expect(remembered()).toEqual({ revision: 3n, state: await freshFold(), bytes: await storedBytes() });
  });

  it('holds no more estimated heap than its byte bound: long statements evict streams sooner, and an evicted stream decides the same', async () => {
    cache = new DecidedStateCache({ maxEvents: 1000, maxStreams: 100, maxBytes: 400_000 });
    executor = new StreamCommandExecutor(store, new SystemClock(), cache);
    const incidents = ['0d0e6f1c-3c2a-4d7e-9f41-2019060300c1', '0d0e6f1c-3c2a-4d7e-9f41-2019060300c2', '0d0e6f1c-3c2a-4d7e-9f41-2019060300c3'];
    // 20,000 characters of Armenian: two bytes a character in V8's heap, about 41 KB an event.
    const long = (i: number) =>
      makeClaim({ ...azDefenceClaim, incidentId: incidents[i % 3], claimId: randomUUID(), statement: { text: `${i} `.padEnd(20_000, 'Հ'), verbatim: false } });
    for (const incidentId of incidents) await executor.execute(incidentStream(incidentId), incidentDecider, reportIncident({ incidentId }), ctx());
    for (let i = 0; i < 12; i++) {
      const stream = incidentStream(incidents[i % 3]);
      await executor.execute(stream, incidentDecider, long(i), ctx());
      expect(cache.stats().bytes).toBeLessThanOrEqual(400_000);
    }
    // Each incident holds about 165 KB: two fit, the third evicts the least recently used.
    expect(cache.stats()).toMatchObject({ streams: 2 });
    expect(cache.stats().evictions).toBeGreaterThan(0);
    expect(cache.get(incidentStream(incidents[0]), incidentDecider)).toBeUndefined();
    const revision = (await executor.execute(incidentStream(incidents[0]), incidentDecider, long(12), ctx())).revision;
    expect(revision).toBe(5n);
    const first = incidentStream(incidents[0]);
    expect(cache.get(first, incidentDecider)).toEqual({ revision: 5n, state: await freshFold(first), bytes: await storedBytes(first) });
    expect(cache.stats().bytes).toBeLessThanOrEqual(400_000);
  });

  it('a stored event the command did not write is never folded in from memory: a foreign event at our revision makes it re-read', async () => {
    await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
    const foreign = claim(karabakhArmyClaim);
    // The store reports success at a revision other than the one the command decided for (as a replayed batch would).
    jest.spyOn(store, 'append').mockImplementationOnce(async (stream) => {
      const stored = await store.append(stream, [{ eventId: randomUUID(), ...toStored({ type: 'ClaimMade', data: foreign.data }), metadata: { recordedAt: new Date().toISOString(), recordedBy: 'x', correlationId: 'c', causationId: 'c' } }]);
      return { ...stored, nextExpectedRevision: stored.nextExpectedRevision + 5n };
    });
    await executor.execute(STREAM, incidentDecider, claim(), ctx());
    expect(remembered()).toBeUndefined();
    expect((await executor.execute(STREAM, incidentDecider, claim(), ctx())).revision).toBe(2n);
    expect(remembered()).toEqual({ revision: 2n, state: await freshFold(), bytes: await storedBytes() });
  });

  describe('Idempotency-Key', () => {
    const keyed = (requestHash = 'request-1') => ctx({ idempotencyKey: 'key-1', requestHash });

    it('a retry of a stored request answers the first result, reading only where the reservation says it landed', async () => {
      await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
      for (let i = 0; i < 3; i++) await executor.execute(STREAM, incidentDecider, claim(), ctx());
      const command = claim();
      const first = await executor.execute(STREAM, incidentDecider, command, keyed());
      await executor.execute(STREAM, incidentDecider, claim(), ctx());

      const reads = readsOf();
      const appends = jest.spyOn(store, 'append');
      const again = await executor.execute(STREAM, incidentDecider, command, keyed());
      expect(again).toEqual({ ...first, replayed: true });
      expect(appends).not.toHaveBeenCalled();
      expect(reads.mock.calls.filter(([stream]) => stream === STREAM)).toEqual([[STREAM, { fromRevision: 4n, maxCount: 64 }]]);
    });

    it('the same key with another request is refused on any stream, and writes nothing', async () => {
      const second = incidentStream('0d0e6f1c-3c2a-4d7e-9f41-2019060300b2');
      await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
      await executor.execute(STREAM, incidentDecider, claim(), keyed());
      const head = await store.headPosition();
      const refused = executor.execute(second, incidentDecider, reportIncident({ incidentId: '0d0e6f1c-3c2a-4d7e-9f41-2019060300b2' }), keyed('request-2'));
      await expect(refused).rejects.toMatchObject({ code: 'idempotency-key-reused' });
      expect(await store.headPosition()).toBe(head);
    });

    it('on SQLite the reservation and the events are one transaction: both are stored, or neither', async () => {
      await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
      const commits = store.writeStats().commits;
      await executor.execute(STREAM, incidentDecider, claim(), keyed());
      expect(store.writeStats().commits).toBe(commits + 1);

      // Another process writes after this command was decided: its If-Match held then, the append conflicts.
      const other = otherProcess();
      const read = store.readStream.bind(store);
      writeFirst('appendMany', () => other.executor.execute(STREAM, incidentDecider, claim(), ctx()));
      const second = ctx({ idempotencyKey: 'key-2', requestHash: 'r', expectedRevision: 1n });
      await expect(executor.execute(STREAM, incidentDecider, claim(), second)).rejects.toThrow(WrongExpectedRevisionError);
      expect(await read(idempotencyStream(second))).toEqual([]);
    });

    it('a reservation whose events were never stored (a crash between the two on EventStoreDB): the retry writes them once, the next retry replays', async () => {
      await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
      jest.spyOn(store, 'appendMany').mockImplementationOnce(async ([reservation]) => {
        await store.append(reservation.streamName, reservation.events, { expectedRevision: reservation.expectedRevision });
        throw new StoreUnavailableError('crashed after the reservation');
      });
      const command = claim();
      await expect(executor.execute(STREAM, incidentDecider, command, keyed())).rejects.toThrow(StoreUnavailableError);
      jest.restoreAllMocks();

      const completed = await executor.execute(STREAM, incidentDecider, command, keyed());
      expect([completed.replayed, completed.revision]).toEqual([false, 1n]);
      expect(await executor.execute(STREAM, incidentDecider, command, keyed())).toEqual({ ...completed, replayed: true });
      expect((await store.readStream(STREAM)).map((e) => e.type)).toEqual(['IncidentReported.v2', 'ClaimMade.v3']);
    });
  });

  describe('a key scoped to its stream (an import line sent again)', () => {
    /** A command that stores six claims at once, refused once they are there: its retry is answered from the store. */
    const sixClaims: Decider<Set<string>, { ids: string[] }, IncidentEvent> = {
      initialState: () => new Set(),
      decide: ({ ids }, known) => {
        if (known.has(ids[0])) throw new DomainError('claim-exists', 'already made', 'rule');
        return ids.map((claimId) => ({ type: 'ClaimMade', data: { ...azDefenceClaim, claimId } }) as IncidentEvent);
      },
      evolve: (known, event) => (event.type === 'ClaimMade' ? new Set([...known, event.data.claimId]) : known),
    };
    const lineCtx = (key: string, requestHash: string) => ctx({ idempotencyKey: key, idempotencyScope: 'stream', requestHash });

    it('answers a retried run longer than the first read, and refuses the key sent with another request', async () => {
      await executor.execute(STREAM, incidentDecider, reportIncident(), ctx());
      const ids = Array.from({ length: 6 }, () => randomUUID());
      const first = await executor.execute(STREAM, sixClaims, { ids }, lineCtx('line-7', 'hash-a'));
      // Another line after it, so that the run is not the stream's end.
      await executor.execute(STREAM, incidentDecider, claim(karabakhArmyClaim), ctx());

      const again = await executor.execute(STREAM, sixClaims, { ids }, lineCtx('line-7', 'hash-a'));
      expect(again).toMatchObject({ replayed: true, revision: first.revision, position: first.position });
      expect(again.events).toEqual(first.events);
      expect(again.events).toHaveLength(6);
      const [batched] = await executor.executeBatch([{ streamName: STREAM, decider: sixClaims, command: { ids }, ctx: lineCtx('line-7', 'hash-a') } as BatchCommand]);
      expect(batched).toMatchObject({ result: { replayed: true, revision: first.revision } });

      await expect(executor.execute(STREAM, sixClaims, { ids }, lineCtx('line-7', 'hash-b'))).rejects.toMatchObject({ code: 'idempotency-key-reused' });
      const [reused] = await executor.executeBatch([{ streamName: STREAM, decider: sixClaims, command: { ids }, ctx: lineCtx('line-7', 'hash-b') } as BatchCommand]);
      expect(reused).toMatchObject({ error: { code: 'idempotency-key-reused' } });
      // A refusal by the rules with a key never stored stands.
      await expect(executor.execute(STREAM, sixClaims, { ids }, lineCtx('line-8', 'hash-a'))).rejects.toMatchObject({ code: 'claim-exists' });
    });
  });
});
