import { Client } from 'pg';
import { TEST_POSTGRES_URL, sql, uniqueName } from '../../../../../tests/support/postgres';
import { LEDGER_PROJECTIONS } from '../../projection';
import { readModelsOf } from '../../testing/read-model-specification';
import { CLAIM, INCIDENT_ID, PARTY, claimMade, envelopesOf, grading, incidentReported, retraction, seedArticleScenario } from '../../testing/seed-article.fixture';
import { ACTIVITY_CLOCKS, ACTIVITY_GROUPS, INCIDENT_CLOCKS, InvalidStatsQueryError, STAT_BUCKETS, activityStats, incidentsContestedStats, incidentsContestedWhole } from '../../views/dashboard-stats.view';
import { partyDirectory } from '../../views/party-directory.view';
import { ReadModelQueries, SqliteReadModelQueries } from '../read-model-queries.port';
import { IncidentListFilter, InvalidQueryError, SqliteReadModelStore } from '../sqlite-read-model.store';
import { PostgresReadModelQueries, positional } from './postgres-read-model.queries';
import { PostgresReadModelStore } from './postgres-read-model.store';

const QUIET = '7e2f0b44-1d7a-4c55-8b0e-2019060500c3';
const JULY = '7e2f0b44-1d7a-4c55-8b0e-2019070100d4';

/** The seed incident, a quiet incident in July with a graded claim, a retraction; folded alike into both stores. */
const envelopes = () =>
  envelopesOf([
    ...seedArticleScenario(),
    retraction(CLAIM.azForeign, PARTY.azForeign, 'Withdrawn.', '2019-06-10'),
    incidentReported(QUIET, { occurred: { from: '2019-07-02', to: '2019-07-02', precision: 'day' }, title: 'Quiet night near TOVUZ' }),
    claimMade(QUIET, 'claim-quiet', PARTY.minskGroup, { statedAt: { at: '2019-07-03', precision: 'day' } }),
    grading('claim-quiet', 1, 'B2'),
    incidentReported(JULY, { occurred: { from: '2019-07-20', to: '2019-07-21', precision: 'day' }, title: 'Sniper fire, 100%_sure' }),
  ]);

describe('ReadModelQueries: the API’s answers from PostgreSQL are the SQLite file’s, byte for byte', () => {
  const schema = uniqueName('rm_queries');
  let sqliteStore: SqliteReadModelStore;
  let pgStore: PostgresReadModelStore;
  let onSqlite: ReadModelQueries;
  let onPostgres: ReadModelQueries;

  beforeAll(async () => {
    sqliteStore = readModelsOf(envelopes());
    pgStore = await PostgresReadModelStore.open({ connectionString: TEST_POSTGRES_URL, schema, readerRole: null });
    const folded = envelopes();
    await pgStore.applyBatch('ledger-read-models', LEDGER_PROJECTIONS, folded, folded.at(-1)!.position);
    onSqlite = new SqliteReadModelQueries(sqliteStore);
    onPostgres = new PostgresReadModelQueries(() => pgStore);
  });

  afterAll(async () => {
    sqliteStore?.close();
    await pgStore?.close();
    await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  /** Both answers as JSON text, equal; returns the parsed answer so a test can also check it is not empty. */
  const same = async <T>(ask: (q: ReadModelQueries) => Promise<T>): Promise<T> => {
    const [a, b] = await Promise.all([ask(onSqlite), ask(onPostgres)]);
    expect(JSON.stringify(b, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).toBe(JSON.stringify(a, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
    return a;
  };

  it('answers the views (incident, versions, timeline, claim history, party record, casualties, party names) alike', async () => {
    expect(await same((q) => q.incident(INCIDENT_ID))).toBeDefined();
    expect(await same((q) => q.partyVersions(INCIDENT_ID, { limit: 50 }))).toBeDefined();
    await same((q) => q.partyVersions(INCIDENT_ID, { limit: 2 }));
    await same((q) => q.partyVersions(INCIDENT_ID, { limit: 50, minGrade: { minReliability: 'C' } }));
    expect(await same((q) => q.incidentTimeline(INCIDENT_ID, { limit: 50 }))).toBeDefined();
    expect(await same((q) => q.claimHistory(INCIDENT_ID, CLAIM.azForeign))).toBeDefined();
    expect(await same((q) => q.partyRecord(PARTY.minskGroup))).toBeDefined();
    expect(await same((q) => q.incidentCasualties(INCIDENT_ID))).toBeDefined();
    expect(await same((q) => q.incident('00000000-0000-4000-8000-000000000000'))).toBeUndefined();
    await same((q) => q.nameParties({ parties: [{ partyId: PARTY.minskGroup, partyName: null }] }));
    // Folded without a checkpoint into SQLite (a test fold), with one into PostgreSQL.
    expect((await onPostgres.readCheckpoint())?.position).toBe(envelopes().at(-1)!.position);
  });

  it('lists incidents alike under every filter, in the same order, with the same totals and pages', async () => {
    const filters: IncidentListFilter[] = [
      {},
      { limit: 1 },
      { limit: 1, offset: 1 },
      { limit: 2, offset: 5 },
      { contested: true },
      { contested: false },
      { partyId: PARTY.minskGroup },
      { category: 'explosions-remote-violence' },
      { occurredFrom: '2019-07-01' },
      { occurredTo: '2019-07-02' },
      { occurredFrom: '2019-06-01', occurredTo: '2019-07-02T12:00:00Z' },
      { search: 'tovuz' },
      { search: 'TOVUZ quiet' },
      { search: '100%_' },
      { search: '100%x' },
      { search: 'minsk' },
      { minGrade: { minReliability: 'B' } },
      { minGrade: { minCredibility: 1 } },
      { minGrade: { minReliability: 'F', minCredibility: 6 } },
    ];
    let listed = 0;
    for (const filter of filters) listed += (await same((q) => q.listIncidents(filter))).items.length;
    expect(listed).toBeGreaterThan(filters.length);
  });

  it('answers a page of the list in one snapshot of six queries: BEGIN with the search path, the page, the total, the speakers, their names, the end', async () => {
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      const page = await onPostgres.listIncidents({ limit: 2 });
      expect(page.items).toHaveLength(2);
      const texts = spy.mock.calls.map(([query]) => (typeof query === 'string' ? query : (query as { text: string }).text));
      expect(texts[0]).toMatch(/^BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL search_path TO /);
      expect(texts.at(-1)).toBe('ROLLBACK');
      expect(texts).toHaveLength(6);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers a page of the timeline in three rounds: the entries with the incident, what each entry names, the names its words mention', async () => {
    const spy = jest.spyOn(Client.prototype, 'query');
    try {
      const page = await onPostgres.incidentTimeline(INCIDENT_ID, { limit: 50 });
      expect(page?.entries.length).toBeGreaterThan(5);
      // BEGIN, three rounds, ROLLBACK; before, the incident came in a round of its own.
      expect(spy.mock.calls).toHaveLength(5);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses the same bad filters with the same field on both', async () => {
    for (const filter of [{ limit: 0 }, { offset: -1 }, { occurredFrom: 'yesterday' }, { occurredFrom: '2019-07-02', occurredTo: '2019-07-01' }] as IncidentListFilter[]) {
      const refusal = await onSqlite.listIncidents(filter).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(InvalidQueryError);
      await expect(onPostgres.listIncidents(filter)).rejects.toEqual(refusal);
    }
  });

  it('lists party records alike, page by page', async () => {
    expect((await same((q) => q.listPartyRecords({}))).total).toBeGreaterThan(3);
    await same((q) => q.listPartyRecords({ limit: 2, offset: 1 }));
  });

  it('pages a party record alike: the pages together are the whole record, and every page carries its counts', async () => {
    let paged = 0;
    for (const partyId of Object.values(PARTY)) {
      const whole = (await same((q) => q.partyRecord(partyId)))!;
      expect(whole.page).toBeUndefined();
      for (const limit of [1, 2]) {
        const incidents: unknown[] = [];
        let after: string | undefined;
        for (let pages = 0; ; pages++) {
          const page = (await same((q) => q.partyRecord(partyId, { limit, ...(after !== undefined ? { after } : {}) })))!;
          expect(page.counts).toEqual(whole.counts);
          expect(page.incidents.length).toBeLessThanOrEqual(limit);
          incidents.push(...page.incidents);
          expect(pages).toBeLessThan(10);
          if (page.page!.next === null) break;
          after = page.page!.next;
          paged++;
        }
        expect(incidents).toEqual(whole.incidents);
      }
    }
    // Some party spoke in more than one incident, so some record took more than one page.
    expect(paged).toBeGreaterThan(0);
    expect(await same((q) => q.partyRecord('nobody-at-all', { limit: 5 }))).toBeUndefined();
  });

  it('counts every statistic alike: each bucket, clock and grouping, bounds and filters', async () => {
    for (const bucket of STAT_BUCKETS) {
      for (const clock of ACTIVITY_CLOCKS) {
        for (const by of ACTIVITY_GROUPS) {
          await same((q) => q.aggregate((s) => activityStats(s, { bucket, clock, by })));
          await same((q) => q.aggregate((s) => activityStats(s, { bucket, clock, by, from: '2019-06-04', to: '2019-07-31', partyId: PARTY.minskGroup })));
          await same((q) => q.aggregate((s) => activityStats(s, { bucket, clock, by, category: 'explosions-remote-violence' })));
        }
      }
      for (const clock of INCIDENT_CLOCKS) {
        await same((q) => q.aggregate((s) => incidentsContestedStats(s, { bucket, clock })));
        await same((q) => q.aggregate((s) => incidentsContestedStats(s, { bucket, clock, from: '2019-06-01', to: '2019-06-30', category: 'explosions-remote-violence' })));
        // Bounds within a day: whole days come from incidents_by_day, the bounds' own days from the incidents.
        for (const bounds of [{ from: '2019-06-03T09:30:00Z' }, { to: '2019-06-04T00:00:00.000Z' }, { from: '2019-06-02T23:00:00Z', to: '2019-06-04T12:00:00Z' }]) {
          const q = { bucket, clock, ...bounds };
          const byDays = await same((r) => r.aggregate((s) => incidentsContestedStats(s, q)));
          expect({ q, answer: byDays }).toEqual({ q, answer: await onPostgres.aggregate((s) => incidentsContestedWhole(s, q)) });
        }
      }
    }
    expect((await same((q) => q.aggregate((s) => activityStats(s, { bucket: 'week', clock: 'stated', by: 'party' })))).rows.length).toBeGreaterThan(2);
    expect((await same((q) => q.aggregate((s) => incidentsContestedStats(s, { bucket: 'month', clock: 'occurred' })))).totals.incidents).toBe(3);
    await expect(onPostgres.aggregate((s) => activityStats(s, { bucket: 'none', clock: 'stated', by: 'none', from: 'soon' }))).rejects.toBeInstanceOf(InvalidStatsQueryError);
  });

  it('pages and searches the party directory alike (names, ids and aliases, ASCII case folded)', async () => {
    for (const search of [undefined, 'MINSK', 'azer', 'ministry of', 'zz-nobody', 'é']) {
      for (const [limit, offset] of [[50, 0], [2, 1]]) await same((q) => q.aggregate((s) => partyDirectory(s, { search, limit, offset })));
    }
    expect((await same((q) => q.aggregate((s) => partyDirectory(s, { limit: 50, offset: 0 })))).items.some((p) => p.counts.claims > 0)).toBe(true);
  });

  it('writes `@name` parameters as positions, each name once', () => {
    expect(positional('a = @x AND b = @y OR c = @x', { x: 1, y: 'two' })).toEqual({ text: 'a = $1 AND b = $2 OR c = $1', values: [1, 'two'] });
    expect(() => positional('a = @missing', {})).toThrow(/@missing/);
  });
});
