import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { incidentStream } from '@ledger/domain';
import { SqliteEventStore } from '@ledger/event-store';
import { SystemClock } from '../../application/clock';
import { DecidedStateCache } from '../../application/decided-state-cache';
import { PartyDirectory } from '../../application/party-directory';
import { StreamCommandBatcher } from '../../application/stream-command.batcher';
import { StreamCommandExecutor } from '../../application/stream-command.executor';
import { dispatchToHandlers } from './import-dispatch';
import { importedIncidentId } from './import-line.plan';
import { probeTurns } from '../../../../../tests/support/event-loop-turns';
import { ImportOptions, ImportRun, ImportSummary } from './import-run';

const PRINCIPAL = 'batch-recorder';
const party = (key: string, partyId: string) => ({ key, action: 'registerParty', body: { partyId, name: partyId, kind: 'state' } });
const incident = (key: string, title = 'T') => ({
  key,
  action: 'reportIncident',
  body: { title, summary: '', occurred: { from: '2019-05-30', to: '2019-05-31', precision: 'day' }, location: { name: 'L', precision: 'region' }, category: { eventType: 'explosions-remote-violence', subEventType: 'shelling-artillery-missile-attack', tags: [] } },
});
const claim = (key: string, incidentKey: string, partyId = 'az') => ({
  key,
  action: 'makeClaim',
  incident: incidentKey,
  body: { partyId, statement: { text: `Said ${key}.`, verbatim: false }, statedAt: { at: '2019-05-31', precision: 'day' }, source: { title: 'Release', publisher: 'Ministry' } },
});
const ndjson = (lines: object[]) => lines.map((l) => JSON.stringify(l)).join('\n');

describe('ImportRun in batches over the real executor (SQLite)', () => {
  let dir: string;
  let store: SqliteEventStore;
  let executor: StreamCommandExecutor;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'import-batch-'));
    store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    executor = new StreamCommandExecutor(store, new SystemClock(), new DecidedStateCache({ maxEvents: 10_000, maxStreams: 100 }));
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const importLines = (lines: object[], batchLines = 1000, into = executor, slicing: Pick<ImportOptions, 'sliceMs' | 'now'> = {}): Promise<ImportSummary> => {
    const batcher = new StreamCommandBatcher(into);
    return new ImportRun({
      principal: PRINCIPAL,
      correlationId: 'c',
      dispatch: dispatchToHandlers(batcher, new PartyDirectory(store)),
      batcher,
      limits: { maxLineBytes: 100_000, maxTotalBytes: 0 },
      batchLines,
      ...slicing,
    }).run([ndjson(lines)]);
  };
  const streamOf = (key: string) => incidentStream(importedIncidentId(PRINCIPAL, key));
  const logTypes = async () => (await store.readAll()).map((e) => `${e.streamName === streamOf('inc') ? 'inc' : e.streamName}:${e.type}`);

  it('decides a claim against the incident reported earlier in the same batch, and stores the batch in one commit', async () => {
    await importLines([party('p', 'az')]);
    const before = store.writeStats().commits;
    const summary = await importLines([incident('inc'), claim('c1', 'inc'), claim('c2', 'inc'), incident('inc2'), claim('c3', 'inc2')]);
    expect(summary.errors).toEqual([]);
    expect(summary).toMatchObject({ lines: 5, imported: 5, failed: 0, eventsAppended: 5 });
    expect(store.writeStats().commits - before).toBe(1);
    expect((await store.readStream(streamOf('inc'))).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
  });

  it('a line refused by a rule mid-batch is reported with its number; the lines around it land, in order', async () => {
    await importLines([party('p', 'az')]);
    const summary = await importLines([incident('inc'), claim('c1', 'inc'), claim('c2', 'inc', 'nobody'), claim('c3', 'inc'), claim('c4', 'nowhere')]);
    expect(summary).toMatchObject({ lines: 5, imported: 3, failed: 2 });
    expect(summary.errors.map((e) => [e.line, e.key, e.status])).toEqual([
      [3, 'c2', 422],
      [5, 'c4', 404],
    ]);
    const stored = await store.readStream(streamOf('inc'));
    expect(stored.map((e) => (e.data as { statement?: { text: string } }).statement?.text)).toEqual([undefined, 'Said c1.', 'Said c3.']);
  });

  it('a line whose reference failed earlier in the same batch fails as reference-failed, not as what the store would say', async () => {
    await importLines([party('p', 'az')]);
    const summary = await importLines([{ ...incident('inc'), body: { ...incident('inc').body, occurred: { from: '2019-06-02', to: '2019-05-31', precision: 'day' } } }, claim('c1', 'inc')]);
    expect(summary.errors.map((e) => [e.line, e.code])).toEqual([
      [1, expect.any(String)],
      [2, 'reference-failed'],
    ]);
    expect(await store.headPosition()).toBe(1n);
  });

  it('importing the same lines again writes nothing and reports every line as already imported; a changed line under an old key fails, and the lines naming it', async () => {
    const lines = [party('p', 'az'), incident('inc'), claim('c1', 'inc'), claim('c2', 'inc'), incident('inc2')];
    await importLines(lines, 2);
    const head = await store.headPosition();
    const again = await importLines(lines, 2);
    expect(again).toMatchObject({ lines: 5, imported: 0, replayed: 5, failed: 0, lastPosition: head.toString() });
    const changed = await importLines([incident('inc', 'Another title'), claim('c3', 'inc')]);
    expect(changed.errors.map((e) => [e.line, e.code, e.field])).toEqual([
      [1, 'idempotency-key-reused', 'key'],
      [2, 'reference-failed', 'incident'],
    ]);
    expect(changed).toMatchObject({ imported: 0, failed: 2 });
    expect(await store.headPosition()).toBe(head);
  });

  it('another writer moving a stream between decision and append: the batch is redone line by line and nothing is lost', async () => {
    await importLines([party('p', 'az'), incident('inc')]);
    const appendMany = store.appendMany.bind(store);
    const other = new StreamCommandExecutor(store, new SystemClock(), new DecidedStateCache({ maxEvents: 0, maxStreams: 0 }));
    const spy = jest.spyOn(store, 'appendMany').mockImplementationOnce(async (writes) => {
      const foreign = await importLines([claim('foreign', 'inc')], 1000, other);
      expect(foreign.imported).toBe(1);
      return appendMany(writes);
    });
    const summary = await importLines([claim('c1', 'inc'), claim('c2', 'inc')]);
    expect(spy).toHaveBeenCalled();
    expect(summary).toMatchObject({ imported: 2, failed: 0 });
    const texts = (await store.readStream(streamOf('inc'))).map((e) => (e.data as { statement?: { text: string } }).statement?.text);
    expect(texts).toEqual([undefined, 'Said foreign.', 'Said c1.', 'Said c2.']);
  });

  it('lets the event loop turn while it reads and decides a batch, which still lands in one commit', async () => {
    await importLines([party('p', 'az')]);
    const lines = [incident('inc'), ...Array.from({ length: 300 }, (_, i) => claim(`c${i}`, 'inc'))];
    // Each look at the clock is a millisecond of work: the slice is spent after eight lines read or commands decided.
    const longestWithoutATurn = async (sliceMs: number) => {
      const probe = probeTurns();
      const before = store.writeStats().commits;
      const summary = await importLines(lines, 1000, executor, { sliceMs, now: probe.now }).finally(probe.stop);
      expect(summary).toMatchObject({ imported: lines.length, failed: 0 });
      expect(store.writeStats().commits - before).toBe(1);
      return { longest: probe.longestWithoutATurn, looks: probe.looks };
    };
    const sliced = await longestWithoutATurn(8);
    // Every line is looked at once as it is read and once as its command is decided.
    expect(sliced.looks).toBeGreaterThanOrEqual(2 * lines.length);
    expect(sliced.longest).toBeLessThanOrEqual(10);
    lines.forEach((line) => (line.key = `again-${line.key}`));
    for (const line of lines) if ('incident' in line) line.incident = 'again-inc';
    expect((await longestWithoutATurn(Infinity)).longest).toBeGreaterThan(lines.length);
  });

  it('a batch the store refuses stores none of its lines and stops the import; the batches before it stay whole', async () => {
    await importLines([party('p', 'az')]);
    const appendMany = store.appendMany.bind(store);
    let calls = 0;
    jest.spyOn(store, 'appendMany').mockImplementation(async (writes) => {
      calls += 1;
      if (calls === 2) {
        // The batch's last write is one the store refuses: the writes before it in the batch are not stored either.
        const broken = writes.map((w, i) => (i === writes.length - 1 ? { ...w, events: [{ ...w.events[0], eventId: '' }] } : w));
        return appendMany(broken);
      }
      return appendMany(writes);
    });
    const lines = [incident('inc'), claim('c1', 'inc'), claim('c2', 'inc'), claim('c3', 'inc'), claim('c4', 'inc'), claim('c5', 'inc')];
    const error = await importLines(lines, 3).then(() => undefined, (e: { summary: ImportSummary }) => e);
    expect(await logTypes()).toEqual(['party-az:PartyRegistered.v2', 'inc:IncidentReported.v2', 'inc:ClaimMade.v3', 'inc:ClaimMade.v3']);
    expect(error?.summary).toMatchObject({ imported: 3, lines: 6 });
  });
});
