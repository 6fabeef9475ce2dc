import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { categoryOfV1 } from '@ledger/domain';
import { LedgerEnvelope } from '../envelope';
import { LEDGER_PROJECTIONS } from '../projection';
import { LEDGER_TABLES } from '../tables/ledger.tables';
import { plainIncident as report } from '../../../../tests/contract/read-model-store.contract';
import { readModelsOf } from '../testing/read-model-specification';
import { CLAIM, INCIDENT_ID, PARTY, ScenarioEntry, claimMade, envelopesOf, grading, retraction, seedArticleScenario } from '../testing/seed-article.fixture';
import { SQLITE_DIALECT } from '../views/dashboard-stats.view';
import { InvalidQueryError, READ_MODEL_PAGE_SIZE, READ_MODEL_SCHEMA_VERSION, SqliteReadModelStore, incidentListQuery } from './sqlite-read-model.store';

const CHECKPOINT = 'test-read-models';

const claimBy = (incidentId: string, claimId: string, partyId: string): ScenarioEntry =>
  claimMade(incidentId, claimId, partyId, { statement: { text: 'Something happened.', verbatim: false }, statedAt: { at: '2019-06-05', precision: 'day' } });

const SHELLING = '11111111-1111-4111-8111-111111111111';
const AIRSTRIKE = '22222222-2222-4222-8222-222222222222';
const EXPLOSION = '33333333-3333-4333-8333-333333333333';

/** Fold, checkpoint, batches, redelivery, rollback and reset: see the read-model store contract, run on this store too. */
describe('SqliteReadModelStore', () => {
  let dir: string;
  let store: SqliteReadModelStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'read-models-'));
    store = new SqliteReadModelStore({ filename: join(dir, 'read-models.sqlite') });
  });

  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs on WAL (each batch whole after a crash; synchronous=NORMAL, the log is what must be durable) with the documented tables and indexes', () => {
    expect(store.storageSettings()).toEqual({ journalMode: 'wal', synchronous: 1, schemaVersion: READ_MODEL_SCHEMA_VERSION });
    const db = new Database(join(dir, 'read-models.sqlite'), { readonly: true });
    try {
      const columns = (table: string) => (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
      expect(columns('read_model_checkpoints')).toEqual(['name', 'position', 'projection_versions']);
      expect(columns('claims')).toEqual(expect.arrayContaining(['incident_id', 'claim_id', 'party_id', 'version', 'assertions', 'retracted', 'position']));
      expect(columns('claim_versions')).toEqual(expect.arrayContaining(['incident_id', 'claim_id', 'version', 'statement', 'source']));
      for (const table of LEDGER_TABLES) {
        expect(columns(table.name)).toHaveLength(Object.keys(table.columns).length);
        const indexes = (db.pragma(`index_list(${table.name})`) as Array<{ name: string }>).map((i) => i.name);
        for (const index of table.indexes ?? []) expect(indexes).toContain(index.name);
      }
    } finally {
      db.close();
    }
  });

  it('gives a new file 16 KiB pages and leaves an existing file its own', () => {
    const db = new Database(join(dir, 'read-models.sqlite'), { readonly: true });
    expect(db.pragma('page_size', { simple: true })).toBe(READ_MODEL_PAGE_SIZE);
    db.close();
    store.close();
    const file = join(dir, 'older.sqlite');
    const older = new Database(file);
    older.pragma('journal_mode = WAL');
    older.exec('CREATE TABLE t (x)');
    older.close();
    store = new SqliteReadModelStore({ filename: file });
    const reopened = new Database(file, { readonly: true });
    expect(reopened.pragma('page_size', { simple: true })).toBe(4096);
    reopened.close();
  });

  it('drops the read models of an older file layout, which a rebuild then replaces', () => {
    store.close();
    const file = join(dir, 'old.sqlite');
    const old = new Database(file);
    old.exec('CREATE TABLE read_model_documents (projection TEXT, key TEXT, doc TEXT, position INTEGER); PRAGMA user_version = 1;');
    old.close();
    store = new SqliteReadModelStore({ filename: file });
    const db = new Database(file, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    db.close();
    expect(tables).not.toContain('read_model_documents');
    expect(tables).toContain('claims');
    expect(store.readCheckpoint(CHECKPOINT)).toBeUndefined();
  });

  it('empties a file of layout 2, whose incidents index was ordered by occurrence ascending, so that no stale index lingers', () => {
    store.close();
    const file = join(dir, 'layout-2.sqlite');
    const old = new Database(file);
    old.exec(
      'CREATE TABLE "incidents" ("incident_id" TEXT PRIMARY KEY, "occurred_start" TEXT); CREATE INDEX "incidents_by_occurrence" ON "incidents" ("occurred_start", "incident_id");' +
        "CREATE TABLE read_model_checkpoints (name TEXT PRIMARY KEY, position INTEGER, projection_versions TEXT); INSERT INTO read_model_checkpoints VALUES ('test-read-models', 42, '{}'); PRAGMA user_version = 2;",
    );
    old.close();
    store = new SqliteReadModelStore({ filename: file });
    store.host(LEDGER_PROJECTIONS);
    expect(store.readCheckpoint(CHECKPOINT)).toBeUndefined();
    const db = new Database(file, { readonly: true });
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents'").pluck().all();
    db.close();
    expect(indexes).not.toContain('incidents_by_occurrence');
    expect(indexes).toContain('incidents_latest_first');
  });

  it('stores the fold of a batch and its checkpoint together', () => {
    const envelopes = envelopesOf(seedArticleScenario());
    expect(store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes, 15n)).toBe(15);
    expect(store.readCheckpoint(CHECKPOINT)).toEqual({ name: CHECKPOINT, position: 15n, projectionVersions: { 'ledger-tables': LEDGER_PROJECTIONS[0].version } });
    expect(store.dump()).toEqual(readModelsOf(envelopes).dump());
    expect(store.claimHistory(INCIDENT_ID, CLAIM.azDefence)?.lastPosition).toBe('11');
    expect(store.partyVersions(INCIDENT_ID)?.disagreements).toHaveLength(5);
    expect(store.partyRecord(PARTY.karabakhArmy)?.counts.denialsMade).toBe(1);
    expect(store.claimHistory(INCIDENT_ID, CLAIM.karabakhArmy)?.amendments).toHaveLength(1);
    expect(store.incidentTimeline(INCIDENT_ID)?.entries).toHaveLength(10);
    expect(store.listPartyRecords().total).toBe(5);
    expect(store.tableCounts()).toMatchObject({ incidents: 1, claims: 5, claim_versions: 6, denials: 2, disagreements: 5, timeline_entries: 10, parties: 5 });
  });

  describe('incident list queries', () => {
    const load = (): LedgerEnvelope[] => {
      const envelopes = envelopesOf([
        ...seedArticleScenario(),
        report(SHELLING, { title: 'Shelling of Tovuz villages', category: categoryOfV1('shelling'), occurred: { from: '2019-06-05', to: '2019-06-06', precision: 'day' } }),
        claimBy(SHELLING, 'claim-shelling', PARTY.azDefence),
        report(AIRSTRIKE, {
          title: 'Drone strike',
          category: categoryOfV1('airstrike'),
          occurred: { from: '2019-05-20T22:00:00Z', to: '2019-05-20T23:00:00Z', precision: 'exact' },
        }),
        report(EXPLOSION, { title: 'Depot explosion', category: { eventType: 'strategic-developments', subEventType: 'other', tags: ['explosion'] }, occurred: { from: '2019-06-05', to: '2019-06-05', precision: 'day' } }),
        claimBy(EXPLOSION, 'claim-explosion', PARTY.minskGroup),
      ]);
      store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes, envelopes[envelopes.length - 1].position);
      return envelopes;
    };
    const ids = (page: { items: Array<{ incidentId: string }> }) => page.items.map((i) => i.incidentId);

    it('orders by occurrence start, newest first, then incidentId', () => {
      load();
      const page = store.listIncidents();
      expect(ids(page)).toEqual([SHELLING, EXPLOSION, INCIDENT_ID, AIRSTRIKE]);
      expect(page).toMatchObject({ total: 4, limit: 50, offset: 0 });
      expect(store.tableCounts().incidents).toBe(4);
    });

    it.each([{}, { category: 'battles' }, { contested: true }])('reads a page off an index in the list’s order, sorting none of the incidents it passes (%o)', (filter) => {
      load();
      const { clause, order } = incidentListQuery(filter, SQLITE_DIALECT);
      const db = new Database(join(dir, 'read-models.sqlite'), { readonly: true });
      try {
        const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM "incidents" ${clause} ORDER BY ${order} LIMIT 20 OFFSET 0`).all({ category: 'battles', contested: 1 }) as Array<{ detail: string }>;
        const steps = plan.map((step) => step.detail);
        // Before, the index held occurrence ascending: every incident of one day was sorted by id again for each page.
        expect(steps.some((detail) => /USING (COVERING )?INDEX incidents_(latest_first|by_category)/.test(detail))).toBe(true);
        expect(steps.filter((detail) => detail.includes('TEMP B-TREE'))).toEqual([]);
      } finally {
        db.close();
      }
    });

    it('filters by party, category and contested', () => {
      load();
      expect(ids(store.listIncidents({ partyId: PARTY.azDefence }))).toEqual([SHELLING, INCIDENT_ID]);
      expect(ids(store.listIncidents({ partyId: PARTY.karabakhArmy }))).toEqual([INCIDENT_ID]);
      expect(ids(store.listIncidents({ category: 'strategic-developments' }))).toEqual([EXPLOSION]);
      expect(ids(store.listIncidents({ contested: true }))).toEqual([INCIDENT_ID]);
      expect(ids(store.listIncidents({ contested: false }))).toEqual([SHELLING, EXPLOSION, AIRSTRIKE]);
      expect(ids(store.listIncidents({ partyId: PARTY.minskGroup, contested: false }))).toEqual([EXPLOSION]);
    });

    it('filters by the grade of standing claims: at least one claim graded at least so well, ungraded and retracted ones not counting', () => {
      load();
      const more = envelopesOf(
        [
          grading(CLAIM.karabakhArmy, 1, 'B3'),
          grading('claim-shelling', 1, 'A1', undefined, SHELLING),
          retraction('claim-shelling', PARTY.azDefence, 'Withdrawn.', '2019-06-07', SHELLING),
          grading('claim-explosion', 1, 'E2', undefined, EXPLOSION),
        ],
        1000n,
      );
      store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, more, more[more.length - 1].position);
      expect(ids(store.listIncidents({ minGrade: { minReliability: 'B' } }))).toEqual([INCIDENT_ID]);
      expect(ids(store.listIncidents({ minGrade: { minCredibility: 2 } }))).toEqual([EXPLOSION]);
      expect(ids(store.listIncidents({ minGrade: { minReliability: 'F', minCredibility: 3 } }))).toEqual([EXPLOSION, INCIDENT_ID]);
      expect(ids(store.listIncidents({ minGrade: { minReliability: 'B', minCredibility: 2 } }))).toEqual([]);
      expect(store.listIncidents({ minGrade: {} }).total).toBe(4);
    });

    it('filters by overlap of the occurrence interval with a date range, date-only bounds covering whole days', () => {
      load();
      expect(ids(store.listIncidents({ occurredFrom: '2019-06-01', occurredTo: '2019-06-01' }))).toEqual([INCIDENT_ID]);
      expect(ids(store.listIncidents({ occurredFrom: '2019-06-06' }))).toEqual([SHELLING]);
      expect(ids(store.listIncidents({ occurredTo: '2019-05-20' }))).toEqual([AIRSTRIKE]);
      expect(ids(store.listIncidents({ occurredFrom: '2019-05-20T23:30:00Z', occurredTo: '2019-05-29' }))).toEqual([]);
      expect(ids(store.listIncidents({ occurredFrom: '2019-05-31', occurredTo: '2019-06-05', category: 'explosions-remote-violence' }))).toEqual([SHELLING]);
    });

    it('searches the whole list by words in title, summary, place and the names and ids of parties that spoke', () => {
      load();
      expect(ids(store.listIncidents({ search: 'TOVUZ villages' }))).toEqual([SHELLING]);
      expect(ids(store.listIncidents({ search: 'depot' }))).toEqual([EXPLOSION]);
      // A registered party's name, and a party's id: the incidents it spoke in.
      expect(ids(store.listIncidents({ search: 'Nagorno-Karabakh' }))).toEqual([INCIDENT_ID]);
      expect(ids(store.listIncidents({ search: 'minsk' }))).toEqual(expect.arrayContaining([EXPLOSION]));
      // Every word must match; total counts the matches, not a page.
      expect(store.listIncidents({ search: 'depot tovuz' }).total).toBe(0);
      expect(store.listIncidents({ search: 'somewhere', limit: 1 })).toMatchObject({ total: 3 });
      expect(ids(store.listIncidents({ search: 'somewhere', category: 'strategic-developments' }))).toEqual([EXPLOSION]);
      // LIKE's wildcards are taken literally.
      expect(store.listIncidents({ search: '%' }).total).toBe(0);
      expect(store.listIncidents({ search: '_' }).total).toBe(0);
      expect(store.listIncidents({ search: "x' OR 1=1 --" }).total).toBe(0);
      expect(store.listIncidents({ search: '   ' }).total).toBe(4);
    });

    it('pages with limit and offset and reports the total before paging', () => {
      load();
      expect(store.listIncidents({ limit: 2, offset: 1 })).toMatchObject({ total: 4, limit: 2, offset: 1 });
      expect(ids(store.listIncidents({ limit: 2, offset: 1 }))).toEqual([EXPLOSION, INCIDENT_ID]);
      expect(ids(store.listIncidents({ limit: 2, offset: 4 }))).toEqual([]);
    });

    it('treats filter values as data, never as SQL, and refuses malformed paging and dates', () => {
      load();
      expect(store.listIncidents({ partyId: "x' OR 1=1 --" }).total).toBe(0);
      expect(store.listIncidents({ category: "shelling' OR '1'='1" }).total).toBe(0);
      expect(() => store.listIncidents({ limit: 0 })).toThrow(InvalidQueryError);
      expect(() => store.listIncidents({ limit: 501 })).toThrow(InvalidQueryError);
      expect(() => store.listIncidents({ offset: -1 })).toThrow(InvalidQueryError);
      // Beyond SQLite's integers as a double: a clear refusal, never a database error.
      expect(() => store.listIncidents({ offset: 9223372036854775807 })).toThrow(InvalidQueryError);
      expect(() => store.listIncidents({ occurredFrom: 'last tuesday' })).toThrow(InvalidQueryError);
      expect(() => store.listIncidents({ occurredFrom: '2019-06-02', occurredTo: '2019-06-01' })).toThrow(InvalidQueryError);
    });

    it('keeps a retraction visible in the counts it changes', () => {
      const envelopes = load();
      const next = envelopesOf(
        [
          retraction(CLAIM.amForeign, PARTY.amForeign, 'Superseded.', '2019-06-06'),
        ],
        envelopes[envelopes.length - 1].position + 1n,
      );
      store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, next, next[0].position);
      expect(store.incident(INCIDENT_ID)?.counts).toMatchObject({ activeClaims: 4, retractions: 1 });
    });
  });
});
