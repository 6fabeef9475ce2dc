import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { damageUnderOpenConnections } from '../testing/damage-file';
import { CLAIM, INCIDENT_ID, PARTY, ScenarioEntry, amendment, claimMade, envelopesOf, retraction, seedArticleEnvelopes } from '../testing/seed-article.fixture';
import { SqliteReadModelQueries } from '../storage/read-model-queries.port';
import { ReadModelsUnavailableError, SqliteReadModelStore } from '../storage/sqlite-read-model.store';
import { InvalidStatsQueryError, activityStats } from '../views/dashboard-stats.view';
import { AggregateQuery, AggregateThread, AggregateViewName, AggregatesBusyError, AggregatesUnavailableError, runAggregate } from './aggregate-thread';
import { DEFAULT_CHECKPOINT_NAME } from './projection.runner';
import { LEDGER_PROJECTIONS } from '../projection';
import { threadNames } from '../testing/thread-names';

const WORKER = join(__dirname, '../../../../tests/support/aggregate-thread.worker.js');

// The thread compiles the sources it loads on start: seconds on a busy machine.
jest.setTimeout(60_000);

describe('AggregateThread: the dashboards\' aggregates on a connection and a thread of their own', () => {
  let dir: string;
  let file: string;
  let store: SqliteReadModelStore;
  let thread: AggregateThread;
  let queries: SqliteReadModelQueries;
  const damage: unknown[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aggregate-thread-'));
    file = join(dir, 'read-models.sqlite');
    store = new SqliteReadModelStore({ filename: file });
    store.apply(seedArticleEnvelopes());
    store.onCorruption((error) => damage.push(error));
    thread = new AggregateThread({ script: WORKER, readModelsFile: file });
    queries = new SqliteReadModelQueries(store, thread);
    damage.length = 0;
  });
  afterEach(async () => {
    await thread.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases: Array<[AggregateViewName, AggregateQuery<AggregateViewName>]> = [
    ['activity', { bucket: 'none', clock: 'recorded', by: 'party' }],
    ['activity', { bucket: 'month', clock: 'stated', by: 'none' }],
    ['activity', { bucket: 'week', clock: 'occurred', by: 'category', from: '2019-06-01', to: '2019-06-30', partyId: PARTY.minskGroup }],
    ['incidentsContested', { bucket: 'month', clock: 'occurred' }],
    ['partyDirectory', { limit: 50, offset: 0 }],
    ['partyDirectory', { search: 'minist', limit: 2, offset: 1 }],
  ];

  it('answers each aggregate as the API\'s own connection does, in a thread named ledger-stats', async () => {
    for (const [name, query] of cases) {
      const inline = store.aggregate((sql) => runAggregate(sql, name, query as never));
      expect(await queries.aggregateView(name, query as never)).toEqual(inline);
    }
    if (process.platform === 'linux') expect(threadNames()).toContain('ledger-stats');
  });

  it('answers as a whole count as the ledger moves: entries added, an amendment, more entries, in the thread and without it', async () => {
    const inline = new SqliteReadModelQueries(store);
    const activity = cases.filter(([name]) => name === 'activity').map(([, query]) => query as AggregateQuery<'activity'>);
    const seed = seedArticleEnvelopes();
    let next = BigInt(seed.length + 1);
    const write = (entries: ScenarioEntry[]) => {
      const envelopes = envelopesOf(entries, next);
      next += BigInt(envelopes.length);
      store.applyBatch(DEFAULT_CHECKPOINT_NAME, LEDGER_PROJECTIONS, envelopes, next - 1n);
    };
    const expectWhole = async () => {
      for (const query of activity) {
        const whole = store.aggregate((sql) => activityStats(sql, query));
        expect(await queries.aggregateView('activity', query)).toEqual(whole);
        expect(await inline.aggregateView('activity', query)).toEqual(whole);
      }
    };
    await expectWhole();
    write([claimMade(INCIDENT_ID, 'claim-later', PARTY.minskGroup, { statedAt: { at: '2019-06-05', precision: 'day' } }), retraction(CLAIM.azForeign, PARTY.azForeign, 'Withdrawn.', '2019-06-10')]);
    await expectWhole();
    write([amendment('amend-category', { kind: 'incident' }, { category: { eventType: 'explosions-remote-violence', tags: [] } }, 'Shelling')]);
    await expectWhole();
    write([claimMade(INCIDENT_ID, 'claim-last', PARTY.azDefence, { statedAt: { at: '2019-06-07', precision: 'day' } })]);
    await expectWhole();
  });

  it('refuses a query the view refuses, as InvalidStatsQueryError naming the field (a 400)', async () => {
    await expect(queries.aggregateView('activity', { bucket: 'none', clock: 'stated', by: 'none', from: 'soon' })).rejects.toMatchObject({
      constructor: InvalidStatsQueryError,
      field: 'from',
    });
  });

  it('reads the new file once the old one is moved aside and replaced', async () => {
    const before = await queries.aggregateView('activity', { bucket: 'none', clock: 'recorded', by: 'none' });
    expect(before.totals.claims).toBeGreaterThan(0);

    store.replaceFile('damaged', 'a test replaces it');

    const after = await queries.aggregateView('activity', { bucket: 'none', clock: 'recorded', by: 'none' });
    expect(after.totals).toEqual({ claims: 0, denials: 0, corrections: 0, retractions: 0 });
  });

  it('damage met in the thread is a 503 for the caller and a heal request for the store\'s listener', async () => {
    // Closed and opened again: the rows are in the file itself, no longer in its WAL, where noise over the file meets them.
    store.close();
    store = new SqliteReadModelStore({ filename: file });
    store.onCorruption((error) => damage.push(error));
    queries = new SqliteReadModelQueries(store, thread);
    await queries.aggregateView('activity', { bucket: 'none', clock: 'recorded', by: 'party' });
    // The thread's connection, left open since, meets the noise (asked another question: the answer to the first is kept
    // for the read models' state, which the noise did not move).
    damageUnderOpenConnections(file);
    await expect(queries.aggregateView('activity', { bucket: 'none', clock: 'recorded', by: 'category' })).rejects.toBeInstanceOf(ReadModelsUnavailableError);
    expect(damage).toHaveLength(1);
  });

  it('refuses more waiting aggregates than it queues, as a 503 (busy), and takes them again once they are done', async () => {
    const small = new AggregateThread({ script: WORKER, readModelsFile: file, maxWaiting: 1 });
    try {
      const first = small.run('activity', { bucket: 'none', clock: 'recorded', by: 'party' }, store.fileGeneration);
      await expect(small.run('activity', { bucket: 'none', clock: 'recorded', by: 'none' }, store.fileGeneration)).rejects.toBeInstanceOf(AggregatesBusyError);
      await first;
      await expect(small.run('activity', { bucket: 'none', clock: 'recorded', by: 'none' }, store.fileGeneration)).resolves.toMatchObject({ by: 'none' });
    } finally {
      await small.close();
    }
  });

  it('a thread that dies fails what it held and is started again by the next request; a closed one refuses', async () => {
    await thread.run('partyDirectory', { limit: 50, offset: 0 }, store.fileGeneration);
    const held = thread.run('partyDirectory', { limit: 50, offset: 0 }, store.fileGeneration);
    await (thread as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread.worker.terminate();
    await expect(held).rejects.toBeInstanceOf(AggregatesUnavailableError);
    expect((await thread.run('partyDirectory', { limit: 50, offset: 0 }, store.fileGeneration)).items.length).toBeGreaterThan(0);

    await thread.close();
    await expect(thread.run('partyDirectory', { limit: 50, offset: 0 }, store.fileGeneration)).rejects.toBeInstanceOf(AggregatesUnavailableError);
  });

  describe('answers kept for the read models\' state', () => {
    /** The thread's runs, counted; each held until released when `held` is set. */
    const counting = () => {
      const runs: string[] = [];
      let release: (() => void) | undefined;
      const held = { on: false };
      const run = thread.run.bind(thread);
      thread.run = (async (name, query, generation) => {
        runs.push(`${name} ${JSON.stringify(query)}`);
        if (held.on) await new Promise<void>((resolve) => (release = resolve));
        return run(name, query, generation);
      }) as AggregateThread['run'];
      return { runs, held, release: () => release?.() };
    };

    it('counts a question once while the read models have not moved, also asked while its count is under way', async () => {
      const { runs, held, release } = counting();
      const query = { bucket: 'none', clock: 'recorded', by: 'party' } as const;
      held.on = true;
      const asked = [queries.aggregateView('activity', query), queries.aggregateView('activity', { by: 'party', clock: 'recorded', bucket: 'none' })];
      await new Promise((resolve) => setImmediate(resolve));
      release();
      const [a, b] = await Promise.all(asked);
      expect(b).toEqual(a);
      held.on = false;
      expect(await queries.aggregateView('activity', query)).toEqual(a);
      expect(runs).toHaveLength(1);
      // Another question is counted on its own.
      await queries.aggregateView('activity', { ...query, by: 'none' });
      expect(runs).toHaveLength(2);
    });

    it('counts again once the read models move, and shows what moved them', async () => {
      const { runs } = counting();
      const query = { bucket: 'none', clock: 'recorded', by: 'none' } as const;
      const before = await queries.aggregateView('activity', query);
      const log = seedArticleEnvelopes();
      const last = log[log.length - 1];
      const more = { ...last, eventId: '00000000-0000-4000-8000-0000000000ff', position: last.position + 1n, event: log.find((e) => e.event.type === 'ClaimMade')!.event };
      // As the runner writes them: the rows with the checkpoint, in one transaction.
      store.applyBatch(DEFAULT_CHECKPOINT_NAME, LEDGER_PROJECTIONS, [{ ...more, event: { ...more.event, data: { ...more.event.data, claimId: 'claim-one-more' } } as typeof more.event }], more.position);
      const after = await queries.aggregateView('activity', query);
      expect(after.totals.claims).toBe(before.totals.claims + 1);
      expect(runs).toHaveLength(2);
    });

    it('keeps no failure: the same question asked again is counted again', async () => {
      const { runs } = counting();
      const query = { bucket: 'none', clock: 'stated', by: 'none', from: 'soon' } as const;
      await expect(queries.aggregateView('activity', query)).rejects.toBeInstanceOf(InvalidStatsQueryError);
      await expect(queries.aggregateView('activity', query)).rejects.toBeInstanceOf(InvalidStatsQueryError);
      expect(runs).toHaveLength(2);
    });
  });
});
