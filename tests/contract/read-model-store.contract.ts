import { IncidentReportedData, categoryOfV1 } from '@ledger/domain';
import { LedgerEnvelope } from '@ledger/read-models/envelope';
import { LEDGER_PROJECTIONS, TableProjection } from '@ledger/read-models/projection';
import { ReadModelStore } from '@ledger/read-models/storage/read-model-store.port';
import { ProjectionError } from '@ledger/read-models/storage/sqlite-read-model.store';
import { TableAccess, TableSpec } from '@ledger/read-models/tables/table-spec';
import { claimHistoryView } from '@ledger/read-models/views/claim-history.view';
import { incidentCasualtiesView } from '@ledger/read-models/views/dashboard-stats.view';
import { incidentView } from '@ledger/read-models/views/incident-list.view';
import { incidentTimelineView } from '@ledger/read-models/views/incident-timeline.view';
import { partyRecordView } from '@ledger/read-models/views/party-record.view';
import { partyVersionsView } from '@ledger/read-models/views/party-versions.view';
import { countingProjection } from '@ledger/read-models/testing/counting-projection';
import { readModelsOf } from '@ledger/read-models/testing/read-model-specification';
import { CLAIM, INCIDENT_ID, PARTY, ScenarioEntry, amendment, claimMade, envelopesOf, incidentReported, retraction, seedArticleScenario } from '@ledger/read-models/testing/seed-article.fixture';

/** What the contract needs of a store under test: a fresh one, the same one again (a restart), and cleaning up. */
export interface ReadModelStoreUnderTest {
  /** Opens the store the test uses; called again, opens the same stored read models (as a restarted process would). */
  open(): Promise<ReadModelStore>;
  /** Drops what the test stored (the file, the schema). */
  dispose(): Promise<void>;
}

const CHECKPOINT = 'contract-read-models';

const SHELLING = '11111111-1111-4111-8111-111111111111';
const EXPLOSION = '33333333-3333-4333-8333-333333333333';

/** An incident of no particular kind, somewhere, on 1 June 2019, unless `data` says otherwise. */
export const plainIncident = (incidentId: string, data: Partial<IncidentReportedData>): ScenarioEntry =>
  incidentReported(incidentId, {
    title: 'Incident',
    summary: '',
    occurred: { from: '2019-06-01', to: '2019-06-01', precision: 'day' },
    location: { name: 'Somewhere', precision: 'region' },
    category: { eventType: 'strategic-developments', subEventType: 'other', tags: [] },
    ...data,
  });

/** The seed article and more: two other incidents sharing parties, a retraction, an amendment of a claim. */
export const contractScenario = (): LedgerEnvelope[] =>
  envelopesOf([
    ...seedArticleScenario(),
    plainIncident(SHELLING, { title: 'Shelling of Tovuz villages', category: categoryOfV1('shelling'), occurred: { from: '2019-06-05', to: '2019-06-06', precision: 'day' } }),
    claimMade(SHELLING, 'claim-shelling', PARTY.azDefence, { statement: { text: 'Armenian units shelled Tovuz.', verbatim: false }, statedAt: { at: '2019-06-05', precision: 'day' } }),
    plainIncident(EXPLOSION, { title: 'Depot explosion', occurred: { from: '2019-06-05', to: '2019-06-05', precision: 'day' } }),
    claimMade(EXPLOSION, 'claim-explosion', PARTY.minskGroup, { statement: { text: 'An accident.', verbatim: false }, statedAt: { at: '2019-06-06', precision: 'day' } }),
    retraction(CLAIM.amForeign, PARTY.amForeign, 'Superseded.', '2019-06-06'),
    amendment('amendment-az-quote', { kind: 'claim', claimId: CLAIM.azDefence, version: 1 }, { statement: { text: 'The officer was killed by enemy fire.', verbatim: true } }, 'Typing error in the quote.'),
  ]);

/** Every answer the API assembles about the scenario, as the JSON text it would send. */
export const answersOf = (t: TableAccess): string => {
  const claims = [...Object.values(CLAIM), 'claim-shelling', 'claim-explosion'];
  const incidents = [INCIDENT_ID, SHELLING, EXPLOSION];
  return JSON.stringify(
    {
      incidents: incidents.map((id) => incidentView(t, id)),
      partyVersions: incidents.map((id) => partyVersionsView(t, id)),
      pages: partyVersionsView(t, INCIDENT_ID, { limit: 2 }),
      timelines: incidents.map((id) => incidentTimelineView(t, id)),
      claims: claims.map((id) => claimHistoryView(t, INCIDENT_ID, id) ?? claimHistoryView(t, SHELLING, id) ?? claimHistoryView(t, EXPLOSION, id)),
      parties: Object.values(PARTY).map((id) => partyRecordView(t, id)),
      casualties: incidentCasualtiesView(t, INCIDENT_ID),
    },
    (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v),
  );
};

const lastPosition = (envelopes: LedgerEnvelope[]): bigint => envelopes[envelopes.length - 1].position;

interface ValueRow {
  grp: string;
  id: string;
  pos: bigint;
  n: number;
  flag: boolean;
  doc: unknown;
  note: string | null;
}

/** A table of every kind of column, holding values at their edges: 64-bit positions past 2^53, JSON of every shape, text that JSON escapes. */
const valuesTable: TableSpec<ValueRow> = {
  name: 'test_values',
  question: 'Does every kind of value come back as it went in?',
  columns: {
    grp: { type: 'text', description: 'group' },
    id: { type: 'text', description: 'id in the group' },
    pos: { type: 'position', description: 'a 64-bit position' },
    n: { type: 'integer', description: 'an integer' },
    flag: { type: 'boolean', description: 'a flag' },
    doc: { type: 'json', nullable: true, description: 'any JSON' },
    note: { type: 'text', nullable: true, description: 'text' },
  },
  primaryKey: ['grp', 'id'],
};

const VALUE_ROWS: ValueRow[] = [
  { grp: 'a', id: '1', pos: 2n ** 62n + 1n, n: 1_559_692_800_123, flag: true, doc: { nested: [1, { b: null }], é: 'ünï "q" \\' }, note: 'Tovuz – 🙂 "quoted" \\ back\nline' },
  { grp: 'a', id: '2', pos: 5n, n: -3, flag: false, doc: null, note: null },
  { grp: 'a', id: '3', pos: 2n ** 62n + 2n, n: 0, flag: true, doc: [], note: '' },
  { grp: 'b', id: '1', pos: 7n, n: 42, flag: false, doc: 'plain text', note: 'x' },
];

const valuesProjection = (first: bigint): TableProjection => ({
  name: 'test-values',
  version: 1,
  tables: [valuesTable],
  apply: (t, e) => {
    if (e.position === first) for (const row of VALUE_ROWS) t.put(valuesTable, row);
  },
});

/**
 * The read-model store contract: whatever keeps the rows (SQLite, PostgreSQL), the same fold, checkpoint and
 * answers. The reference is the in-memory SQLite fold of the same events (what time travel and the projection
 * specifications use), so two stores passing it hold the same rows, row for row.
 */
export const describeReadModelStoreContract = (name: string, underTest: () => ReadModelStoreUnderTest): void => {
  describe(`read-model store contract: ${name}`, () => {
    let subject: ReadModelStoreUnderTest;
    let store: ReadModelStore;

    beforeEach(async () => {
      subject = underTest();
      store = await subject.open();
    });

    afterEach(async () => {
      await store.close();
      await subject.dispose();
    });

    it('stores the fold of a batch and its checkpoint together, row for row the reference fold', async () => {
      const envelopes = contractScenario();
      expect(await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes, lastPosition(envelopes))).toBe(envelopes.length);
      expect(await store.readCheckpoint(CHECKPOINT)).toEqual({
        name: CHECKPOINT,
        position: lastPosition(envelopes),
        projectionVersions: { 'ledger-tables': LEDGER_PROJECTIONS[0].version },
      });
      const reference = readModelsOf(envelopes);
      expect(await store.dump()).toEqual(reference.dump());
      expect(await store.tableCounts()).toEqual(reference.tableCounts());
    });

    it('answers the seed scenario byte for byte as the reference does', async () => {
      const envelopes = contractScenario();
      await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes, lastPosition(envelopes));
      const answers = await store.answer(answersOf);
      expect(answers).toBe(readModelsOf(envelopes).answer(answersOf));
      expect(JSON.parse(answers).partyVersions[0].disagreements.length).toBeGreaterThan(0);
    });

    it('reads back every kind of value exactly, with only the columns a find asks for, from several reads in one round', async () => {
      const envelopes = contractScenario().slice(0, 3);
      await store.applyBatch(CHECKPOINT, [valuesProjection(envelopes[0].position)], envelopes, lastPosition(envelopes));
      const latest = { orderBy: [{ column: 'pos' as const, desc: true }], limit: 2, columns: ['id'] as const };
      // Each read below is known only once the view has run: one round asks for all of them together.
      const answer = await store.answer((t) => ({
        latestOfA: t.find(valuesTable, { grp: 'a' }, latest),
        latestOfB: t.find(valuesTable, { grp: 'b' }, latest),
        one: t.get(valuesTable, { grp: 'a', id: '1' }),
        none: t.get(valuesTable, { grp: 'c', id: '1' }),
        all: t.find(valuesTable, { grp: 'a' }),
        after: t.find(valuesTable, { grp: 'a' }, { after: { column: 'id', value: '1' }, columns: ['id', 'note', 'doc'] }),
        // In key order, by a key column it does not read.
        notes: t.find(valuesTable, { grp: 'a' }, { columns: ['note'] }),
      }));
      expect(answer).toStrictEqual({
        latestOfA: [
          { grp: 'a', id: '3' },
          { grp: 'a', id: '1' },
        ],
        latestOfB: [{ grp: 'b', id: '1' }],
        one: VALUE_ROWS[0],
        none: undefined,
        all: VALUE_ROWS.slice(0, 3),
        after: [
          { grp: 'a', id: '2', doc: null, note: null },
          { grp: 'a', id: '3', doc: [], note: '' },
        ],
        notes: VALUE_ROWS.slice(0, 3).map(({ grp, note }) => ({ grp, note })),
      });
    });

    it('answers a round of more reads than one query takes (70 finds, each after its own cursor)', async () => {
      const envelopes = contractScenario().slice(0, 3);
      await store.applyBatch(CHECKPOINT, [valuesProjection(envelopes[0].position)], envelopes, lastPosition(envelopes));
      // Distinct cursors ('0', '00', '000', …, then '1', '11', …): every find is a statement of its own.
      const cursors = Array.from({ length: 70 }, (_, i) => String(i % 3).repeat(1 + Math.floor(i / 3)));
      const answer = await store.answer((t) => cursors.map((after) => t.find(valuesTable, { grp: 'a' }, { after: { column: 'id', value: after }, columns: ['id'] }).map((row) => row.id)));
      expect(answer).toEqual(cursors.map((after) => ['1', '2', '3'].filter((id) => id > after)));
    });

    it('stores the same rows whatever the batch size', async () => {
      const envelopes = contractScenario();
      const reference = readModelsOf(envelopes).dump();
      for (const size of [1, 2, 3, 7, envelopes.length - 1]) {
        await store.reset(CHECKPOINT, LEDGER_PROJECTIONS);
        for (let i = 0; i < envelopes.length; i += size) {
          const batch = envelopes.slice(i, i + size);
          await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, batch, lastPosition(batch));
        }
        expect(await store.dump()).toEqual(reference);
      }
    });

    it('rebuild equals incremental: a replay into emptied tables without their indexes gives the rows one event at a time gave', async () => {
      const envelopes = contractScenario();
      for (const e of envelopes) await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, [e], e.position);
      const incremental = await store.dump();
      const answers = await store.answer(answersOf);
      await store.beginRebuild(CHECKPOINT, LEDGER_PROJECTIONS);
      expect(await store.readCheckpoint(CHECKPOINT)).toMatchObject({ position: 0n });
      for (let i = 0; i < envelopes.length; i += 10) {
        const page = envelopes.slice(i, i + 10);
        await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, page, lastPosition(page));
      }
      await store.endRebuild();
      expect(await store.dump()).toEqual(incremental);
      expect(await store.answer(answersOf)).toBe(answers);
    });

    it('resumes after a restart from its checkpoint, reading back the rows earlier batches stored', async () => {
      const envelopes = contractScenario();
      const half = envelopes.slice(0, 9);
      await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, half, lastPosition(half));
      await store.close();
      store = await subject.open();
      expect((await store.readCheckpoint(CHECKPOINT))?.position).toBe(lastPosition(half));
      for (const e of envelopes.slice(9)) await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, [e], e.position);
      expect(await store.dump()).toEqual(readModelsOf(envelopes).dump());
    });

    it('skips envelopes the checkpoint already covers, so a redelivered batch changes nothing', async () => {
      const envelopes = contractScenario();
      await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes.slice(0, 10), 10n);
      expect(await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes, lastPosition(envelopes))).toBe(envelopes.length - 10);
      const once = await store.dump();
      expect(await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, envelopes, lastPosition(envelopes))).toBe(0);
      expect(await store.dump()).toEqual(once);
    });

    it('rolls back rows and checkpoint together when a projection throws mid-batch, and goes on from there', async () => {
      const envelopes = contractScenario();
      const failsOnCorrection = countingProjection('fails-on-correction', { failOn: (e) => e.event.type === 'ClaimCorrected' });
      const projections = [...LEDGER_PROJECTIONS, failsOnCorrection];
      await store.applyBatch(CHECKPOINT, projections, envelopes.slice(0, 8), 8n);
      const before = await store.dump();
      const thrown = await store.applyBatch(CHECKPOINT, projections, envelopes.slice(8), lastPosition(envelopes)).catch((error: unknown) => error);
      expect(thrown).toBeInstanceOf(ProjectionError);
      expect(thrown).toMatchObject({ projection: 'fails-on-correction', position: 11n, eventId: envelopes[10].eventId });
      expect(await store.dump()).toEqual(before);
      expect((await store.readCheckpoint(CHECKPOINT))?.position).toBe(8n);
      // What the writer keeps in memory was rolled back too: the events up to the failing one apply as if never tried.
      await store.applyBatch(CHECKPOINT, projections, envelopes.slice(8, 10), 10n);
      const reference = readModelsOf(envelopes.slice(0, 10)).dump();
      const dump = await store.dump();
      delete dump[failsOnCorrection.table.name];
      expect(dump).toEqual(reference);
    });

    it('reset empties the tables of current and previously hosted projections and rewinds the checkpoint', async () => {
      const retired = countingProjection('retired');
      const envelopes = contractScenario();
      await store.applyBatch(CHECKPOINT, [...LEDGER_PROJECTIONS, retired], envelopes, lastPosition(envelopes));
      expect((await store.answer((t) => retired.read(t)))?.count).toBe(envelopes.length);
      await store.reset(CHECKPOINT, LEDGER_PROJECTIONS);
      for (const rows of Object.values(await store.dump())) expect(rows).toEqual([]);
      expect((await store.readCheckpoint(CHECKPOINT))?.position).toBe(0n);
      expect(Object.keys((await store.readCheckpoint(CHECKPOINT))!.projectionVersions)).toEqual(['ledger-tables']);
    });
  });
};
