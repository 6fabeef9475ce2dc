import { fromStored } from '@ledger/domain';
import { readModelsOf } from '../testing/read-model-specification';
import { CLAIM, INCIDENT_ID, PARTY, claimMade, envelopesOf, incidentReported, retraction, seedArticleScenario } from '../testing/seed-article.fixture';
import { SqliteReadModelStore } from '../storage/sqlite-read-model.store';
import { ACTIVITY_CLOCKS, ACTIVITY_GROUPS, ActivityQuery, InvalidStatsQueryError, STAT_BUCKETS, activityStats, bucketOfDay, incidentsContestedStats } from './dashboard-stats.view';

const QUIET = '7e2f0b44-1d7a-4c55-8b0e-2019060500c3';

/** The seed incident, plus a quiet shelling incident in July with one claim, and a retraction in the seed incident. */
const ledger = (): SqliteReadModelStore =>
  readModelsOf(
    envelopesOf([
      ...seedArticleScenario(),
      retraction(CLAIM.azForeign, PARTY.azForeign, 'Withdrawn.', '2019-06-10'),
      incidentReported(QUIET, { occurred: { from: '2019-07-02', to: '2019-07-02', precision: 'day' } }),
      claimMade(QUIET, 'claim-quiet', PARTY.minskGroup, { statedAt: { at: '2019-07-03', precision: 'day' } }),
    ]),
  );

const activity = (rm: SqliteReadModelStore, q: Partial<ActivityQuery>) =>
  rm.aggregate((sql) => activityStats(sql, { bucket: 'none', clock: 'stated', by: 'none', ...q }));

describe('dashboard stats', () => {
  let rm: SqliteReadModelStore;
  beforeAll(() => (rm = ledger()));
  afterAll(() => rm.close());

  it('counts every claim, denial, correction and retraction once, whatever the grouping', () => {
    const totals = { claims: 6, denials: 2, corrections: 1, retractions: 1 };
    expect(activity(rm, {}).totals).toEqual(totals);
    expect(activity(rm, {}).rows).toEqual([{ bucket: null, ...totals }]);
    for (const by of ['party', 'category'] as const) {
      for (const bucket of ['day', 'week', 'month'] as const) {
        for (const clock of ['occurred', 'stated', 'recorded'] as const) expect(activity(rm, { by, bucket, clock }).totals).toEqual(totals);
      }
    }
  });

  it('groups by party with its registered name, as tiles show it', () => {
    const rows = activity(rm, { by: 'party' }).rows;
    expect(rows.find((r) => r.partyId === PARTY.karabakhArmy)).toEqual({
      bucket: null,
      partyId: PARTY.karabakhArmy,
      partyName: 'Defense Army of Nagorno-Karabakh',
      claims: 1,
      denials: 1,
      corrections: 0,
      retractions: 0,
    });
    expect(rows.find((r) => r.partyId === PARTY.minskGroup)).toMatchObject({ partyName: 'OSCE Minsk Group Co-Chairs', claims: 2 });
    expect(rows.find((r) => r.partyId === PARTY.azForeign)).toMatchObject({ claims: 1, retractions: 1 });
  });

  it('groups by category of the incident', () => {
    expect(activity(rm, { by: 'category' }).rows).toEqual([
      { bucket: null, category: 'battles', claims: 5, denials: 2, corrections: 1, retractions: 1 },
      { bucket: null, category: 'explosions-remote-violence', claims: 1, denials: 0, corrections: 0, retractions: 0 },
    ]);
  });

  it('buckets by month and by week (Monday) on the clock asked for', () => {
    expect(activity(rm, { bucket: 'month', clock: 'occurred' }).rows.map((r) => [r.bucket, r.claims])).toEqual([
      ['2019-05-01', 5],
      ['2019-07-01', 1],
    ]);
    // 2019-05-30 is a Thursday: its week starts on Monday 27 May; 3 July 2019 lies in the week of Monday 1 July.
    const weeks = activity(rm, { bucket: 'week', clock: 'stated' }).rows.map((r) => r.bucket);
    expect(weeks[0]).toBe('2019-05-27');
    expect(weeks).toContain('2019-07-01');
    expect(activity(rm, { bucket: 'week', clock: 'stated' }).rows.find((r) => r.bucket === '2019-06-10')).toMatchObject({ retractions: 1 });
    // Every event of these fixtures was recorded on the article's day.
    expect(activity(rm, { bucket: 'day', clock: 'recorded' }).rows.map((r) => r.bucket)).toEqual(['2019-06-03']);
  });

  it('starts weeks on Monday and months on the first, across year ends', () => {
    expect(['2019-05-27', '2019-06-02', '2020-01-01', '2021-01-03'].map((d) => bucketOfDay(d, 'week'))).toEqual(['2019-05-27', '2019-05-27', '2019-12-30', '2020-12-28']);
    expect(bucketOfDay('2019-06-30', 'month')).toBe('2019-06-01');
  });

  it('gives, for every bucket, clock, grouping and filter, the cells of each entry counted on its own', () => {
    type Entry = { kind: string; partyId: string; incidentId: string; stated: string | null; recorded: string | null };
    const entries = rm.aggregate((sql) =>
      sql.all<Entry>(
        `SELECT "kind" AS kind, "party_id" AS partyId, "incident_id" AS incidentId, "stated_start" AS stated, "recorded_at" AS recorded FROM "timeline_entries" WHERE "kind" IN ('claim', 'denial', 'correction', 'retraction')`,
        {},
      ),
    );
    const incidents = new Map(
      rm.aggregate((sql) => sql.all<{ id: string; occurred: string | null; category: string | null }>(`SELECT "incident_id" AS id, "occurred_start" AS occurred, "category" AS category FROM "incidents"`, {})).map((i) => [i.id, i]),
    );
    const filters: Array<Partial<ActivityQuery>> = [{}, { from: '2019-06-01', to: '2019-06-30' }, { partyId: PARTY.minskGroup }, { category: 'battles' }, { category: 'explosions-remote-violence', from: '2019-05-01' }];
    let compared = 0;
    for (const bucket of STAT_BUCKETS) {
      for (const clock of ACTIVITY_CLOCKS) {
        for (const by of ACTIVITY_GROUPS) {
          for (const filter of filters) {
            const stats = activity(rm, { bucket, clock, by, ...filter });
            const cells = new Map<string, { bucket: string | null; key: string | null; claims: number; denials: number; corrections: number; retractions: number }>();
            for (const e of entries) {
              const incident = incidents.get(e.incidentId)!;
              const at = clock === 'occurred' ? incident.occurred : clock === 'stated' ? e.stated : e.recorded;
              if (at === null || (stats.from !== null && at < stats.from) || (stats.to !== null && at > stats.to)) continue;
              if ((filter.partyId !== undefined && e.partyId !== filter.partyId) || (filter.category !== undefined && incident.category !== filter.category)) continue;
              const cellBucket = bucket === 'none' ? null : bucketOfDay(at.slice(0, 10), bucket);
              const key = by === 'party' ? e.partyId : by === 'category' ? (incident.category ?? '') : null;
              const id = `${cellBucket}|${key}`;
              const cell = cells.get(id) ?? { bucket: cellBucket, key, claims: 0, denials: 0, corrections: 0, retractions: 0 };
              cells.set(id, cell);
              cell[`${e.kind}s` as 'claims' | 'denials' | 'corrections' | 'retractions'] += 1;
            }
            const got = stats.rows.map(({ bucket: b, partyId, category, claims, denials, corrections, retractions }) => ({
              bucket: b,
              key: by === 'party' ? partyId! : by === 'category' ? category! : null,
              claims,
              denials,
              corrections,
              retractions,
            }));
            const order = (a: { bucket: string | null; key: string | null }, b: { bucket: string | null; key: string | null }) => `${a.bucket}|${a.key}`.localeCompare(`${b.bucket}|${b.key}`);
            expect({ bucket, clock, by, filter, rows: got.sort(order) }).toEqual({ bucket, clock, by, filter, rows: [...cells.values()].sort(order) });
            compared += got.length;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('filters on the clock, the party and the category; a date-only bound covers its day', () => {
    const firstOfJune = activity(rm, { clock: 'stated', bucket: 'day' }).rows.find((r) => r.bucket === '2019-06-01')!;
    expect(firstOfJune.denials).toBe(1);
    expect(activity(rm, { clock: 'stated', from: '2019-06-01', to: '2019-06-01' }).rows).toEqual([{ ...firstOfJune, bucket: null }]);
    expect(activity(rm, { partyId: PARTY.karabakhArmy }).totals).toEqual({ claims: 1, denials: 1, corrections: 0, retractions: 0 });
    expect(activity(rm, { category: 'explosions-remote-violence' }).totals.claims).toBe(1);
    expect(() => activity(rm, { from: '2019-07-01', to: '2019-06-01' })).toThrow(InvalidStatsQueryError);
  });

  it('counts contested and uncontested incidents over time', () => {
    const stats = rm.aggregate((sql) => incidentsContestedStats(sql, { bucket: 'month', clock: 'occurred' }));
    expect(stats.rows).toEqual([
      { bucket: '2019-05-01', incidents: 1, contested: 1, uncontested: 0 },
      { bucket: '2019-07-01', incidents: 1, contested: 0, uncontested: 1 },
    ]);
    expect(stats.totals).toEqual({ incidents: 2, contested: 1, uncontested: 1 });
    expect(rm.aggregate((sql) => incidentsContestedStats(sql, { bucket: 'none', clock: 'recorded', category: 'explosions-remote-violence' })).rows).toEqual([
      { bucket: null, incidents: 1, contested: 0, uncontested: 1 },
    ]);
  });

  it("gives each party's casualty figures, and tells a party that said nothing about them", () => {
    const doc = rm.incidentCasualties(INCIDENT_ID)!;
    expect(doc.sides).toEqual(expect.arrayContaining([PARTY.azDefence, PARTY.karabakhArmy]));
    const kda = doc.parties.find((p) => p.partyId === PARTY.karabakhArmy)!;
    expect(kda).toMatchObject({
      partyName: 'Defense Army of Nagorno-Karabakh',
      claimId: CLAIM.karabakhArmy,
      figures: [{ side: PARTY.karabakhArmy, sideName: 'Defense Army of Nagorno-Karabakh', killed: { best: 1 }, wounded: null, namedVictims: 1 }],
    });
    expect(doc.parties.find((p) => p.partyId === PARTY.minskGroup)).toMatchObject({ figures: null, claimId: null, statedAt: null });
    expect(doc.parties.map((p) => p.partyId)).toHaveLength(5);
    expect(rm.incidentCasualties('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('gives casualties of no side by group, and reads a v1 "civilians" side from an existing log as the civilians category', () => {
    const v1 = fromStored('ClaimMade.v1', {
      incidentId: QUIET,
      claimId: 'claim-v1-civilians',
      partyId: PARTY.azForeign,
      statement: { text: 'Two villagers were killed.', verbatim: false },
      statedAt: { at: '2019-07-03', precision: 'day' },
      source: { title: 'Statement', publisher: 'MFA' },
      answers: [],
      assertions: { casualties: [{ side: 'civilians', killed: { best: 2 } }] },
    });
    const v2 = claimMade(QUIET, 'claim-passengers', PARTY.amForeign, {
      assertions: { casualties: [{ category: 'civilians', nationality: 'NL', killed: { best: 3, low: 2, high: 4 } }, { killed: { best: 5 } }] },
    });
    const withGroups = readModelsOf(envelopesOf([...seedArticleScenario(), incidentReported(QUIET), { ...v2, event: v1 }, v2]));
    const doc = withGroups.incidentCasualties(QUIET)!;
    expect(doc.groups).toEqual(['category=civilians', 'category=civilians,nationality=NL', 'unattributed']);
    expect(doc.sides).toEqual([]);
    expect(doc.parties.find((p) => p.partyId === PARTY.azForeign)?.figures).toEqual([
      { group: 'category=civilians', side: null, sideName: null, category: 'civilians', nationality: null, killed: { best: 2 }, wounded: null, namedVictims: 0 },
    ]);
    withGroups.close();
  });
});
