import fc from 'fast-check';
import { LedgerEnvelope } from '../envelope';
import { SqliteReadModelStore } from '../storage/sqlite-read-model.store';
import { SURVIVOR, cutLog, ledgerOpArb, ledgerOpEntries } from '../testing/ledger-operations.fixture';
import { INCIDENT_ID, PARTY, ScenarioEntry, amendment, claimMade, envelopesOf, incidentEntry, incidentReported, retraction } from '../testing/seed-article.fixture';
import { IncidentsContestedQuery, SqlRows, incidentsContestedStats, incidentsContestedWhole } from '../views/dashboard-stats.view';

const EVENING = '3c9a7e10-5b2d-4f0e-8a41-2019060400e1';
const UNCODED = '0f4b8d22-9e6c-4a13-b7d5-2019060400a2';
const EARLY = '6a2e4c90-3f1b-4d7a-9c58-2019060500b3';
const CUT_OFF = '8e5d1b37-2c4a-4f69-a0e7-2019060600c4';

const exactly = (at: string) => ({ from: at, to: at, precision: 'exact' as const });

/** Two parties blaming each other: the incident is contested while both claims stand. */
const blames = (incidentId: string, n: number): ScenarioEntry[] => [
  claimMade(incidentId, `claim-${n}-az`, PARTY.azDefence, { assertions: { responsibleParties: [PARTY.karabakhArmy] } }),
  claimMade(incidentId, `claim-${n}-ka`, PARTY.karabakhArmy, { assertions: { responsibleParties: [PARTY.azDefence] } }),
];

/** Random operations on the seed incident, then incidents at other times of other days, whose rows move. */
const scenarioOf = (ops: Parameters<typeof ledgerOpEntries>[0], extras: { evening: boolean; uncoded: boolean; moved: boolean; cutOff: boolean; merged: boolean }): ScenarioEntry[] => [
  ...ledgerOpEntries(ops),
  ...(extras.evening ? [incidentReported(EVENING, { occurred: exactly('2019-06-04T18:30:00.000Z') }), ...blames(EVENING, 1)] : []),
  ...(extras.uncoded ? [incidentReported(UNCODED, { occurred: exactly('2019-06-04T23:59:59.999Z'), category: { tags: ['ceasefire-violation'] } })] : []),
  ...(extras.moved
    ? [
        incidentReported(EARLY, { occurred: exactly('2019-06-05T00:00:00.000Z') }),
        ...blames(EARLY, 2),
        amendment('amend-early-day', { kind: 'incident' }, { occurred: exactly('2019-06-03T06:00:00.000Z') }, 'Wrong day', EARLY),
        amendment('amend-early-category', { kind: 'incident' }, { category: { eventType: 'battles', tags: [] } }, 'A clash', EARLY),
        retraction(`claim-2-ka`, PARTY.karabakhArmy, 'Withdrawn.', '2019-06-05', EARLY),
      ]
    : []),
  // Claims before their incident's report: counted from the report on.
  ...(extras.cutOff ? [...blames(CUT_OFF, 3), incidentReported(CUT_OFF, { occurred: { from: '2019-06', to: '2019-06', precision: 'month' } })] : []),
  ...(extras.merged
    ? [
        incidentReported(SURVIVOR, { title: 'Officer killed near Tartar', occurred: exactly('2019-06-06T02:00:00.000Z') }),
        claimMade(SURVIVOR, 'claim-survivor-az', PARTY.azDefence, { assertions: { responsibleParties: [PARTY.karabakhArmy] } }),
        incidentEntry({ type: 'IncidentMergedInto', data: { incidentId: INCIDENT_ID, survivorId: SURVIVOR, mergeId: 'merge-1', reason: 'The same night' } }),
        incidentEntry({ type: 'IncidentsMerged', data: { incidentId: SURVIVOR, absorbedId: INCIDENT_ID, mergeId: 'merge-1', absorbedRevision: '10', reason: 'The same night' } }),
      ]
    : []),
];

/** Recorded five hours apart, so that the recorded clock spans days too. */
const spread = (envelopes: LedgerEnvelope[]): LedgerEnvelope[] =>
  envelopes.map((e, i) => ({ ...e, recordedAt: new Date(Date.parse('2019-06-03T09:00:00.000Z') + i * 5 * 3_600_000).toISOString() }));


/** Bounds on, between and around the instants above: whole days, midnights, the instants themselves, a millisecond off. */
const BOUNDS = [
  '2019',
  '2019-06',
  '2019-06-03',
  '2019-06-04',
  '2019-06-05',
  '2019-06-03T06:00:00.000Z',
  '2019-06-03T21:00:00Z',
  '2019-06-04T00:00:00Z',
  '2019-06-04T18:30:00.000Z',
  '2019-06-04T18:30:00.001Z',
  '2019-06-04T23:59:59.999Z',
  '2019-06-05T00:00:00.000Z',
  '2019-06-06T02:00:00Z',
  '2019-06-07T11:00:00Z',
];

const queryArb: fc.Arbitrary<IncidentsContestedQuery> = fc
  .record(
    {
      bucket: fc.constantFrom('none' as const, 'day' as const, 'week' as const, 'month' as const),
      clock: fc.constantFrom('occurred' as const, 'recorded' as const),
      from: fc.constantFrom(...BOUNDS),
      to: fc.constantFrom(...BOUNDS),
      category: fc.constantFrom('battles', 'explosions-remote-violence'),
    },
    { requiredKeys: ['bucket', 'clock'] },
  )
  .filter((q) => q.from === undefined || q.to === undefined || q.from <= q.to || q.to.length < q.from.length);

const answerOf = (run: () => unknown): unknown => {
  try {
    return run();
  } catch (error) {
    return { threw: (error as Error).message };
  }
};

/** SqlRows that note each statement it runs. */
const noting = (sql: SqlRows, ran: Array<{ statement: string; params: Record<string, unknown> }>): SqlRows => ({
  dialect: sql.dialect,
  all: (statement, params) => {
    ran.push({ statement, params });
    return sql.all(statement, params);
  },
});

const dayCountsOf = (store: SqliteReadModelStore) =>
  store.aggregate((sql) => [
    sql.all(`SELECT "clock", "day", "category", "incidents", "contested" FROM "incidents_by_day" ORDER BY 1, 2, 3`, {}),
    sql.all(
      `SELECT 'occurred' AS "clock", substr("occurred_start", 1, 10) AS "day", coalesce("category", '') AS "category", COUNT(*) AS "incidents", SUM("contested") AS "contested" ` +
        `FROM "incidents" WHERE "reported" = 1 AND "occurred_start" IS NOT NULL GROUP BY 1, 2, 3 ` +
        `UNION ALL SELECT 'recorded', substr("reported_at", 1, 10), coalesce("category", ''), COUNT(*), SUM("contested") ` +
        `FROM "incidents" WHERE "reported" = 1 AND "reported_at" IS NOT NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      {},
    ),
  ]);

describe('incidents_by_day and the contested statistic', () => {
  it('holds what a GROUP BY over the incidents would, and the statistic answers as a whole count, at every point of any log', () => {
    fc.assert(
      fc.property(
        fc.array(ledgerOpArb, { minLength: 1, maxLength: 12 }),
        fc.record({ evening: fc.boolean(), uncoded: fc.boolean(), moved: fc.boolean(), cutOff: fc.boolean(), merged: fc.boolean() }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.array(queryArb, { minLength: 4, maxLength: 8 }),
        (ops, extras, points, queries) => {
          const store = new SqliteReadModelStore({ filename: ':memory:' });
          try {
            for (const piece of cutLog(spread(envelopesOf(scenarioOf(ops, extras))), points)) {
              store.apply(piece);
              const [kept, grouped] = dayCountsOf(store);
              expect(kept).toEqual(grouped);
              for (const q of queries) {
                const [days, whole] = store.aggregate((sql) => [answerOf(() => incidentsContestedStats(sql, q)), answerOf(() => incidentsContestedWhole(sql, q))]);
                expect({ q, answer: days }).toEqual({ q, answer: whole });
              }
            }
          } finally {
            store.close();
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('reads whole days from incidents_by_day and only the bounds’ own days from the incidents, by an index', () => {
    const store = new SqliteReadModelStore({ filename: ':memory:' });
    try {
      store.apply(spread(envelopesOf(scenarioOf([{ kind: 'make', party: 0, supersedes: [] }], { evening: true, uncoded: true, moved: true, cutOff: true, merged: false }))));
      const queries: IncidentsContestedQuery[] = [
        { bucket: 'day', clock: 'occurred', from: '2019-06-03T12:00:00Z', to: '2019-06-05T01:00:00Z' },
        { bucket: 'week', clock: 'occurred', from: '2019-06-03', category: 'battles' },
        { bucket: 'none', clock: 'recorded', to: '2019-06-04T10:00:00Z' },
        { bucket: 'month', clock: 'recorded', from: '2019-06-03', to: '2019-06-05', category: 'explosions-remote-violence' },
      ];
      for (const q of queries) {
        const ran: Array<{ statement: string; params: Record<string, unknown> }> = [];
        const answer = store.aggregate((sql) => incidentsContestedStats(noting(sql, ran), q));
        expect(answer.totals.incidents).toBeGreaterThan(0);
        expect(ran.filter((r) => r.statement.includes('FROM "incidents_by_day"'))).toHaveLength(1);
        const onIncidents = ran.filter((r) => r.statement.includes('FROM "incidents" WHERE'));
        expect(onIncidents).toHaveLength(q.from !== undefined && q.to !== undefined ? 2 : 1);
        for (const { statement, params } of ran) {
          const plan = store.aggregate((sql) => sql.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${statement}`, params as Record<string, string>));
          const reads = plan.map((p) => p.detail).filter((d) => /\b(SCAN|SEARCH)\b/.test(d));
          // Each a range of an index: no statement reads every incident, or every day.
          expect({ statement, reads }).toEqual({ statement, reads: reads.map(() => expect.stringMatching(/^SEARCH .*(>\?|<\?)/)) });
        }
      }
    } finally {
      store.close();
    }
  });

  it('counts the last day of year 9999 by day, and bounds beyond it as the whole count does', () => {
    const store = new SqliteReadModelStore({ filename: ':memory:' });
    try {
      const far = '2b7c9d41-8e0a-4f35-b612-9999123100d5';
      store.apply(envelopesOf([incidentReported(far, { occurred: exactly('9999-12-31T23:00:00.000Z') }), ...blames(far, 9)]));
      for (const q of [
        { bucket: 'day', clock: 'occurred', from: '9999-12-31T12:00:00Z' },
        { bucket: 'month', clock: 'occurred', from: '9999-12-30T12:00:00Z', to: '9999-12-31T23:30:00Z' },
        { bucket: 'none', clock: 'occurred', from: '+010000-01-01T00:00:00Z' },
        { bucket: 'none', clock: 'occurred', to: '+010000-01-01T00:00:00Z' },
      ] as IncidentsContestedQuery[]) {
        const [days, whole] = store.aggregate((sql) => [incidentsContestedStats(sql, q), incidentsContestedWhole(sql, q)]);
        expect({ q, days }).toEqual({ q, days: whole });
      }
      const [last] = store.aggregate((sql) => [incidentsContestedStats(sql, { bucket: 'day', clock: 'occurred', from: '9999-12-31T12:00:00Z' })]);
      expect(last.rows).toEqual([{ bucket: '9999-12-31', incidents: 1, contested: 1, uncontested: 0 }]);
    } finally {
      store.close();
    }
  });
});
