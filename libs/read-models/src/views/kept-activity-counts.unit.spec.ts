import fc from 'fast-check';
import { LEDGER_PROJECTIONS } from '../projection';
import { DEFAULT_CHECKPOINT_NAME } from '../runner/projection.runner';
import { SqliteReadModelStore } from '../storage/sqlite-read-model.store';
import { SURVIVOR, cutLog, ledgerOpArb, ledgerOpEntries } from '../testing/ledger-operations.fixture';
import { INCIDENT_ID, PARTY, ScenarioEntry, amendment, claimMade, envelopesOf, incidentEntry, incidentReported, retraction } from '../testing/seed-article.fixture';
import { ActivityQuery, SqlRows, activityStats } from './dashboard-stats.view';
import { KeptActivityCounts } from './kept-activity-counts';

const QUIET = '7e2f0b44-1d7a-4c55-8b0e-2019060500c3';
const LATE = '5b1d7c1e-6a0f-4e7e-9d3b-2019060700f1';

/** The statistics the dashboards ask for, and a few filtered ones. */
const QUERIES: ActivityQuery[] = [
  { bucket: 'none', by: 'party', clock: 'recorded' },
  { bucket: 'day', by: 'none', clock: 'stated' },
  { bucket: 'week', by: 'party', clock: 'occurred' },
  { bucket: 'none', by: 'category', clock: 'occurred' },
  { bucket: 'month', by: 'category', clock: 'stated', from: '2019-06-01', to: '2019-06-30' },
  { bucket: 'day', by: 'party', clock: 'recorded', partyId: PARTY.azDefence },
  { bucket: 'none', by: 'none', clock: 'occurred', category: 'battles' },
  { bucket: 'day', by: 'none', clock: 'recorded', category: 'explosions-remote-violence', from: '2019-06-01' },
];

/** SqlRows that note each statement it runs. */
const noting = (sql: SqlRows, ran: string[]): SqlRows => ({
  dialect: sql.dialect,
  all: (statement, params) => {
    ran.push(statement);
    return sql.all(statement, params);
  },
});

const counted = (ran: string[]) => ({
  whole: ran.filter((s) => s.includes('FROM "timeline_entries" AS te WHERE')).length,
  since: ran.filter((s) => s.includes('te.rowid > @afterRow')).length,
});

/** Asks every query of the kept counts and of a whole count, on one snapshot each; returns the statements the kept counts ran. */
const expectSameAnswers = (store: SqliteReadModelStore, kept: KeptActivityCounts, generation = 0): string[] => {
  const ran: string[] = [];
  for (const q of QUERIES) {
    const [incremental, whole] = store.aggregate((sql) => [kept.answer(noting(sql, ran), q, generation), activityStats(sql, q)]);
    expect({ q, answer: incremental }).toEqual({ q, answer: whole });
  }
  return ran;
};

const another = (incidentId: string, claimId: string, partyId: string, statedOn: string): ScenarioEntry[] => [
  claimMade(incidentId, claimId, partyId, { statedAt: { at: statedOn, precision: 'day' } }),
];

/** The random operations on the seed incident, then another incident, an amendment of a category, a merge. */
const scenarioOf = (ops: Parameters<typeof ledgerOpEntries>[0], extras: { quiet: boolean; recategorised: boolean; merged: boolean }): ScenarioEntry[] => [
  ...ledgerOpEntries(ops),
  ...(extras.quiet ? [incidentReported(QUIET), ...another(QUIET, 'claim-quiet-1', PARTY.minskGroup, '2019-06-05'), ...another(QUIET, 'claim-quiet-2', PARTY.azDefence, '2019-06-06')] : []),
  ...(extras.recategorised ? [amendment('amend-category', { kind: 'incident' }, { category: { eventType: 'explosions-remote-violence', tags: [] } }, 'Shelling, not a battle')] : []),
  ...(extras.merged
    ? [
        incidentReported(SURVIVOR, { title: 'Officer killed near Tartar' }),
        claimMade(SURVIVOR, 'claim-survivor-az', PARTY.azDefence),
        incidentEntry({ type: 'IncidentMergedInto', data: { incidentId: INCIDENT_ID, survivorId: SURVIVOR, mergeId: 'merge-1', reason: 'The same night' } }),
        incidentEntry({ type: 'IncidentsMerged', data: { incidentId: SURVIVOR, absorbedId: INCIDENT_ID, mergeId: 'merge-1', absorbedRevision: '10', reason: 'The same night' } }),
        ...another(SURVIVOR, 'claim-survivor-later', PARTY.karabakhArmy, '2019-06-08'),
      ]
    : []),
];


describe('KeptActivityCounts', () => {
  it('answers as a whole count at every point of any log, cut anywhere, amendments, merges and reports included', () => {
    fc.assert(
      fc.property(
        fc.array(ledgerOpArb, { minLength: 1, maxLength: 14 }),
        fc.record({ quiet: fc.boolean(), recategorised: fc.boolean(), merged: fc.boolean() }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (ops, extras, points) => {
          const store = new SqliteReadModelStore({ filename: ':memory:' });
          try {
            const kept = new KeptActivityCounts();
            for (const piece of cutLog(envelopesOf(scenarioOf(ops, extras)), points)) {
              store.apply(piece);
              expectSameAnswers(store, kept);
            }
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('counts only the timeline rows written since, by a range of rowids, while the ledger only gained entries', () => {
    const store = new SqliteReadModelStore({ filename: ':memory:' });
    try {
      const kept = new KeptActivityCounts();
      store.apply(envelopesOf(ledgerOpEntries([{ kind: 'make', party: 0, supersedes: [] }, { kind: 'deny', party: 1, claim: 0 }])));
      expect(counted(expectSameAnswers(store, kept))).toEqual({ whole: QUERIES.length, since: 0 });
      const more = envelopesOf(
        [
          ...another(INCIDENT_ID, 'claim-more', PARTY.karabakhArmy, '2019-06-04'),
          retraction('claim-0', PARTY.azDefence, 'Withdrawn.', '2019-06-05'),
          incidentReported(QUIET),
          ...another(QUIET, 'claim-quiet', PARTY.minskGroup, '2019-06-05'),
        ],
        4n,
      );
      store.apply(more);
      const ran = expectSameAnswers(store, kept);
      expect(counted(ran)).toEqual({ whole: 0, since: QUERIES.length });
      // The rows since are found by a seek on the table's own b-tree, not by reading the index of every entry.
      for (const statement of ran.filter((s) => s.includes('te.rowid > @afterRow'))) {
        const plan = store.aggregate((sql) => sql.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${statement}`, { afterRow: 1, from: '2019-01-01T00:00:00.000Z', to: '2020-01-01T00:00:00.000Z', partyId: 'p', category: 'c' }));
        const onEntries = plan.map((p) => p.detail).filter((d) => /\bte\b/.test(d));
        expect(onEntries).toEqual(onEntries.map(() => expect.stringContaining('INTEGER PRIMARY KEY (rowid>?)')));
        // Their incidents are sought by id, not listed whole.
        const onIncidents = plan.map((p) => p.detail).filter((d) => /\bi\b/.test(d));
        expect(onIncidents).toEqual(onIncidents.map(() => expect.stringContaining('(incident_id=?)')));
      }
      // Nothing written: nothing counted.
      expect(counted(expectSameAnswers(store, kept))).toEqual({ whole: 0, since: 0 });
    } finally {
      store.close();
    }
  });

  it('counts every entry again after an amendment, a report of an incident already counted, a rebuild or another file', () => {
    const store = new SqliteReadModelStore({ filename: ':memory:' });
    try {
      const kept = new KeptActivityCounts();
      const base = envelopesOf(ledgerOpEntries([{ kind: 'make', party: 0, supersedes: [] }, { kind: 'make', party: 2, supersedes: [] }]));
      store.apply(base);
      expectSameAnswers(store, kept);
      let next = BigInt(base.length + 1);
      const log = [...base];
      const applyNext = (entries: ScenarioEntry[]) => {
        const envelopes = envelopesOf(entries, next);
        next += BigInt(envelopes.length);
        log.push(...envelopes);
        store.apply(envelopes);
      };

      applyNext([amendment('amend-category', { kind: 'incident' }, { category: { eventType: 'explosions-remote-violence', tags: [] } }, 'Shelling')]);
      expect(counted(expectSameAnswers(store, kept))).toEqual({ whole: QUERIES.length, since: 0 });

      // A claim of an incident not reported yet (a cut of the log), then its report: its entries change occurrence.
      applyNext(another(LATE, 'claim-late', PARTY.amForeign, '2019-06-07'));
      expect(counted(expectSameAnswers(store, kept))).toEqual({ whole: 0, since: QUERIES.length });
      applyNext([incidentReported(LATE, { occurred: { from: '2019-06-07', to: '2019-06-07', precision: 'day' } })]);
      expect(counted(expectSameAnswers(store, kept))).toEqual({ whole: QUERIES.length, since: 0 });

      // A rebuild of the same log refills the table as far, its rows in the order its batch wrote them.
      store.beginRebuild(DEFAULT_CHECKPOINT_NAME, LEDGER_PROJECTIONS);
      store.apply(log);
      store.endRebuild();
      expect(counted(expectSameAnswers(store, kept))).toEqual({ whole: QUERIES.length, since: 0 });

      // A reset without a rebuild's index drop, refilled in one batch: the two incidents' rows come grouped, not in log
      // order, so other rows sit at the rowids counted before.
      applyNext([incidentReported(QUIET), ...another(QUIET, 'claim-quiet-1', PARTY.minskGroup, '2019-06-05')]);
      applyNext(another(INCIDENT_ID, 'claim-seed-later', PARTY.karabakhArmy, '2019-06-06'));
      applyNext(another(QUIET, 'claim-quiet-2', PARTY.azDefence, '2019-06-06'));
      expectSameAnswers(store, kept);
      store.reset(DEFAULT_CHECKPOINT_NAME, LEDGER_PROJECTIONS);
      const refilled = [...log, ...envelopesOf(another(QUIET, 'claim-quiet-3', PARTY.amForeign, '2019-06-09'), next)];
      store.apply(refilled);
      expect(counted(expectSameAnswers(store, kept))).toEqual({ whole: QUERIES.length, since: 0 });

      // Another file (a generation the kept counts were not made on).
      expect(counted(expectSameAnswers(store, kept, 1))).toEqual({ whole: QUERIES.length, since: 0 });
    } finally {
      store.close();
    }
  });

  it('keeps at most its capacity of statistics, the least recently asked dropped first', () => {
    const store = new SqliteReadModelStore({ filename: ':memory:' });
    try {
      const kept = new KeptActivityCounts(2);
      store.apply(envelopesOf(ledgerOpEntries([{ kind: 'make', party: 0, supersedes: [] }])));
      const [a, b, c] = QUERIES;
      store.aggregate((sql) => [kept.answer(sql, a, 0), kept.answer(sql, b, 0), kept.answer(sql, a, 0), kept.answer(sql, c, 0)]);
      expect(kept.size).toBe(2);
      const ran: string[] = [];
      store.aggregate((sql) => [kept.answer(noting(sql, ran), a, 0), kept.answer(noting(sql, ran), b, 0)]);
      // a was kept (asked last but one), b was dropped and counted whole.
      expect(counted(ran)).toEqual({ whole: 1, since: 0 });
    } finally {
      store.close();
    }
  });

  it('keeps no statistic of more cells than it may hold: such a one is counted whole each time', () => {
    const store = new SqliteReadModelStore({ filename: ':memory:' });
    try {
      const kept = new KeptActivityCounts(32, 2);
      store.apply(envelopesOf(ledgerOpEntries([{ kind: 'make', party: 0, supersedes: [] }, { kind: 'make', party: 1, supersedes: [] }, { kind: 'make', party: 2, supersedes: [] }])));
      const byParty: ActivityQuery = { bucket: 'none', by: 'party', clock: 'recorded' };
      const overall: ActivityQuery = { bucket: 'none', by: 'none', clock: 'recorded' };
      const ran: string[] = [];
      const answers = store.aggregate((sql) => [kept.answer(noting(sql, ran), byParty, 0), kept.answer(noting(sql, ran), overall, 0), kept.answer(noting(sql, ran), byParty, 0), kept.answer(noting(sql, ran), overall, 0)]);
      expect(answers[0].rows).toHaveLength(3);
      expect(answers[2]).toEqual(answers[0]);
      expect(kept.size).toBe(1);
      // Three parties are three cells, past the two it may hold: counted whole both times; the overall one once.
      expect(counted(ran)).toEqual({ whole: 3, since: 0 });
    } finally {
      store.close();
    }
  });
});
