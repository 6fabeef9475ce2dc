import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClaimHistoryDoc } from '@ledger/read-models';
import { RecordedEvent } from '@ledger/event-store';
import { datasetClaimId, datasetIncidentId } from '../../apps/ledger-api/src/imports/shared/datasets/dataset-row.mapper';
import { readLog } from '../support/data-dir';
import { getAs } from '../support/http';
import { CliRun, runCliInProcess } from '../support/in-process-cli';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';

/**
 * `ledger-cli import --dataset` (in-process, from sources) on small ACLED and UCDP GED releases written for the test:
 * the first import, the same file again (nothing written), a newer release (a correction per changed row, with its
 * field diff in the claim's history over HTTP), hostile files, and verify afterwards.
 */

jest.setTimeout(60_000);

const FIXTURES = join(__dirname, '../fixtures/datasets');
const fixture = (name: string) => join(FIXTURES, name);

const cli = (args: string[]) => runCliInProcess(args);

let dataDir: string;
const importDataset = (dataset: string, file: string, ...more: string[]) =>
  cli(['import', '--dataset', dataset, file, '--data-dir', dataDir, '--json', '--no-progress', ...more]);
const summaryOf = (run: CliRun) => JSON.parse(run.stdout) as Record<string, unknown> & { errors: Array<Record<string, unknown>> };
const typesOf = (events: RecordedEvent[]) => events.map((e) => e.type.replace(/\.v\d+$/, ''));

const scratch: string[] = [];
const scratchFile = (name: string, content: string): string => {
  const path = join(dataDir, '..', `${name}-${process.pid}.csv`);
  writeFileSync(path, content);
  scratch.push(path);
  return path;
};

beforeAll(async () => {
  // The CLI never creates a ledger: the API makes the data directory first.
  const t = await startLedger();
  dataDir = t.dataDir;
  await t.close({ keepData: true });
});

afterAll(() => {
  for (const file of scratch) rmSync(file, { force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('importing ACLED and UCDP GED releases with ledger-cli import --dataset', () => {
  let afterFirst: RecordedEvent[];

  it('imports an ACLED release: each row an incident and ACLED’s claim, ACLED and the perpetrator registered once as parties', async () => {
    const run = await cli(['import', '--dataset', 'acled', fixture('acled-release-1.csv'), '--release', '2019-06', '--released', '2019-06-04', '--data-dir', dataDir, '--progress']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Imported ACLED release 2019-06 as cli:import: 3 rows, 3 new, 0 corrected, 0 unchanged, 0 failed; 2 parties registered; 8 events appended');
    expect(run.bars).toContain('importing acled');
    const log = await readLog(dataDir);
    expect(typesOf(log)).toEqual(['PartyRegistered', 'IncidentReported', 'ClaimMade', 'IncidentReported', 'ClaimMade', 'PartyRegistered', 'IncidentReported', 'ClaimMade']);
    expect(log.map((e) => e.streamName)).toContain(`incident-${datasetIncidentId('acled', 'AZE1001')}`);
  });

  it('imports a UCDP GED release with best/low/high', async () => {
    const run = await importDataset('ucdp-ged', fixture('ucdp-ged-release-1.csv'), '--release', '20.1', '--released', '2020-06-01');
    expect(run.code).toBe(0);
    expect(summaryOf(run)).toMatchObject({ dataset: 'ucdp-ged', rows: 2, created: 2, corrected: 0, unchanged: 0, failed: 0, partiesRegistered: 1, eventsAppended: 5 });
    afterFirst = await readLog(dataDir);
  });

  it('writes nothing when the same files are imported again', async () => {
    const acled = await importDataset('acled', fixture('acled-release-1.csv'), '--release', '2019-06', '--released', '2019-06-04');
    // One row per transaction this time: the outcome does not depend on the batches.
    const ucdp = await importDataset('ucdp-ged', fixture('ucdp-ged-release-1.csv'), '--batch', '1');
    expect(acled.code).toBe(0);
    expect(summaryOf(acled)).toMatchObject({ rows: 3, created: 0, corrected: 0, unchanged: 3, failed: 0, partiesRegistered: 0, eventsAppended: 0, lastPosition: null });
    expect(summaryOf(ucdp)).toMatchObject({ rows: 2, unchanged: 2, eventsAppended: 0 });
    expect((await readLog(dataDir)).length).toBe(afterFirst.length);
  });

  it('records a newer release’s changed rows as one correction each, its new rows as incidents, and leaves rows it dropped as they were', async () => {
    const acled = await importDataset('acled', fixture('acled-release-2.csv'), '--release', '2019-07', '--released', '2019-07-01');
    expect(acled.code).toBe(0);
    expect(summaryOf(acled)).toMatchObject({ rows: 3, created: 1, corrected: 1, unchanged: 1, failed: 0, eventsAppended: 3 });
    const ucdp = await importDataset('ucdp-ged', fixture('ucdp-ged-release-2.csv'), '--release', '20.2');
    expect(summaryOf(ucdp)).toMatchObject({ rows: 2, created: 0, corrected: 1, unchanged: 1, eventsAppended: 1 });
    const added = (await readLog(dataDir)).slice(afterFirst.length);
    expect(typesOf(added)).toEqual(['ClaimCorrected', 'IncidentReported', 'ClaimMade', 'ClaimCorrected']);
    expect(added[0].streamName).toBe(`incident-${datasetIncidentId('acled', 'AZE1001')}`);
    expect(added[3].streamName).toBe(`incident-${datasetIncidentId('ucdp-ged', '300001')}`);

    const again = await importDataset('acled', fixture('acled-release-2.csv'), '--release', '2019-07');
    expect(summaryOf(again)).toMatchObject({ unchanged: 3, eventsAppended: 0 });
  });

  describe('read back through the HTTP API', () => {
    let t: LedgerTestApp;
    beforeAll(async () => {
      t = await startLedger({ dataDir });
    });
    afterAll(() => t.close({ keepData: true }));

    const get = (url: string, role: 'reader' | 'auditor' = 'reader') => getAs(t.app, t.tokens[role], url);

    it('shows the incident with its place, precision, coordinates and ACLED category', async () => {
      const res = await get(`/incidents/${datasetIncidentId('acled', 'AZE1001')}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        title: 'Armed clash: Line of contact near Tartar, Azerbaijan (ACLED AZE1001)',
        location: { name: 'Line of contact near Tartar, Tartar, Azerbaijan', precision: 'district', coordinates: { lat: 40.3417, lon: 46.9328 } },
        category: { eventType: 'battles', subEventType: 'armed-clash' },
      });
    });

    it('shows the correction in the claim’s history, with the field diff and the newer release as source', async () => {
      const incidentId = datasetIncidentId('acled', 'AZE1001');
      const res = await get(`/incidents/${incidentId}/claims/${datasetClaimId('acled', 'AZE1001')}/history`, 'auditor');
      expect(res.status).toBe(200);
      const history = res.body as ClaimHistoryDoc;
      expect(history.versions.map((v) => v.kind)).toEqual(['made', 'corrected']);
      expect(history.versions[1].changes).toContainEqual({ path: 'assertions.casualties[0].killed.best', from: 1, to: 2 });
      expect(history.versions[1].changes.map((c) => c.path)).toContain('statement.text');
      expect(history.versions[1].reason).toBe('Row AZE1001 changed in release 2019-07 (changed: casualties, words)');
      expect(history.versions[1]).toMatchObject({ source: { title: 'ACLED event AZE1001, release 2019-07' }, statedAt: { at: '2019-06-05T02:00:00.000Z' } });
    });

    it('shows UCDP’s high estimate corrected, and a row missing from the newer release still as first imported', async () => {
      const ucdp = await get(`/incidents/${datasetIncidentId('ucdp-ged', '300001')}/claims/${datasetClaimId('ucdp-ged', '300001')}/history`, 'auditor');
      expect((ucdp.body as ClaimHistoryDoc).versions[1].changes).toContainEqual({ path: 'assertions.casualties[0].killed.high', from: 2, to: 3 });
      const dropped = await get(`/incidents/${datasetIncidentId('acled', 'AZE1002')}/claims/${datasetClaimId('acled', 'AZE1002')}/history`, 'auditor');
      expect((dropped.body as ClaimHistoryDoc).versions).toHaveLength(1);
    });

    const postCsv = (url: string, payload: string, contentType = 'text/csv') =>
      t.app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${t.tokens.recorder}`, 'content-type': contentType } });

    it('takes a release over HTTP too (POST /imports/datasets/{dataset}, text/csv): the same rows write nothing, a new one an incident', async () => {
      const before = (await readLog(dataDir)).length;
      const same = await postCsv('/imports/datasets/acled?release=2019-07', readFileSync(fixture('acled-release-2.csv'), 'utf8'));
      expect(same.statusCode).toBe(200);
      expect(same.json()).toMatchObject({ dataset: 'acled', rows: 3, unchanged: 3, eventsAppended: 0, readModels: { state: 'current' } });
      expect((await readLog(dataDir)).length).toBe(before);

      const [header, row] = readFileSync(fixture('ucdp-ged-release-1.csv'), 'utf8').split('\n');
      const created = await postCsv('/imports/datasets/ucdp-ged?release=20.3&released=2020-09-01', `${header}\n${row.replace(/^300001,/, '300009,')}\n`);
      expect(created.json()).toMatchObject({ rows: 1, created: 1, eventsAppended: 2, release: { name: '20.3', publishedAt: '2020-09-01' } });
      const claim = await get(`/incidents/${datasetIncidentId('ucdp-ged', '300009')}/claims/${datasetClaimId('ucdp-ged', '300009')}`);
      expect(claim.body).toMatchObject({ partyId: 'ucdp', statedAt: { at: '2020-09-01' } });
    });

    it('takes the same new release sent twice at once as one set of entries: each row created by one import, unchanged for the other', async () => {
      const before = (await readLog(dataDir)).length;
      const [header, , , third] = readFileSync(fixture('acled-release-1.csv'), 'utf8').split('\n');
      const rows = ['AZE5001', 'AZE5002', 'AZE5003'].map((id, i) => third.replace('AZE2001', id).replace('Unidentified Armed Group (Azerbaijan)', i === 2 ? 'Another Armed Group' : 'Unidentified Armed Group (Azerbaijan)'));
      const csv = [header, ...rows].join('\n') + '\n';
      const [a, b] = await Promise.all([postCsv('/imports/datasets/acled', csv), postCsv('/imports/datasets/acled', csv)]);
      expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
      const [sa, sb] = [a.json(), b.json()];
      expect(sa.created + sb.created).toBe(3);
      expect(sa.unchanged + sb.unchanged).toBe(3);
      expect(sa.failed + sb.failed).toBe(0);
      const added = (await readLog(dataDir)).slice(before);
      expect(typesOf(added).sort()).toEqual(['ClaimMade', 'ClaimMade', 'ClaimMade', 'IncidentReported', 'IncidentReported', 'IncidentReported', 'PartyRegistered']);
    });

    it('refuses over HTTP a header of another layout (400 wrong-layout), an unknown dataset (400) and another media type (415)', async () => {
      const before = (await readLog(dataDir)).length;
      const wrong = await postCsv('/imports/datasets/acled', readFileSync(fixture('ucdp-ged-release-1.csv'), 'utf8'));
      expect(wrong.statusCode).toBe(400);
      expect(wrong.json()).toMatchObject({ code: 'wrong-layout', detail: expect.stringContaining('not an ACLED CSV: the header lacks event_id_cnty') });
      expect((await postCsv('/imports/datasets/gtd', 'a,b\n1,2\n')).statusCode).toBe(400);
      expect((await postCsv('/imports/datasets/acled', '{}', 'application/json')).statusCode).toBe(415);
      expect((await readLog(dataDir)).length).toBe(before);
    });

    it('holds the perpetrator of violence against civilians responsible in ACLED’s claim', async () => {
      const res = await get(`/incidents/${datasetIncidentId('acled', 'AZE2001')}/claims/${datasetClaimId('acled', 'AZE2001')}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ partyId: 'acled', assertions: { responsibleParties: ['acled-unidentified-armed-group-azerbaijan'] } });
      const party = await get('/parties/acled-unidentified-armed-group-azerbaijan');
      expect(party.body).toMatchObject({ kind: 'armed-group' });
    });
  });

  it('reports a damaged row with its line and writes nothing of it, and imports the others', async () => {
    const header = readFileSync(fixture('acled-release-1.csv'), 'utf8').split('\n')[0];
    const good = (id: string) =>
      `${id},2019-06-10,2019,1,Political violence,Battles,Armed clash,Military Forces of Azerbaijan (2003-),,1,Military Forces of Artsakh,,2,12,,31,Caucasus and Central Asia,Azerbaijan,Tartar,,,Tartar,40.34,46.93,1,APA,National,Notes.,0,,1560000000`;
    const huge = good('AZE3002').replace('Notes.', `"${'x'.repeat(25_000)}"`);
    const file = scratchFile('damaged', [header, good('AZE3001'), 'AZE3003,2019-06-10,2019', huge, good('AZE3001'), good('AZE3004').replace(',Battles,', ',Skirmish,')].join('\n') + '\n');
    const before = (await readLog(dataDir)).length;
    const run = await importDataset('acled', file);
    expect(run.code).toBe(1);
    const summary = summaryOf(run);
    expect(summary).toMatchObject({ rows: 5, created: 1, failed: 4 });
    expect(summary.errors.map((e) => [e.line, e.eventId, e.code])).toEqual([
      [3, null, 'invalid-row'],
      [4, 'AZE3002', 'validation-failed'],
      [5, 'AZE3001', 'duplicate-row'],
      [6, 'AZE3004', 'invalid-row'],
    ]);
    expect(summary.errors[1]).toMatchObject({ column: 'notes', errors: expect.arrayContaining([expect.objectContaining({ field: 'summary' })]) });
    expect(summary.errors[3]).toMatchObject({ column: 'event_type', detail: expect.stringContaining('"Skirmish" is not one of ACLED\'s event types') });
    const added = (await readLog(dataDir)).slice(before);
    expect(added.map((e) => e.streamName)).toEqual([`incident-${datasetIncidentId('acled', 'AZE3001')}`, `incident-${datasetIncidentId('acled', 'AZE3001')}`]);

    const text = await cli(['import', '--dataset', 'acled', file, '--data-dir', dataDir, '--no-progress']);
    expect(text.stdout).toMatch(/line 6 \(AZE3004\): 400 invalid-row \[event_type\]/);
    expect(text.stderr).toContain('4 row(s) failed');
  });

  it('refuses a file whose header is not the layout’s, naming the layout and the missing columns, writing nothing', async () => {
    const before = (await readLog(dataDir)).length;
    const run = await importDataset('acled', fixture('ucdp-ged-release-1.csv'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not an ACLED CSV: the header lacks event_id_cnty, event_date');
    expect((await readLog(dataDir)).length).toBe(before);
  });

  it('stops at a quote never closed, or a record larger than 1 MiB, naming the line; rows before stay imported', async () => {
    const header = readFileSync(fixture('acled-release-1.csv'), 'utf8').split('\n')[0];
    const line = readFileSync(fixture('acled-release-1.csv'), 'utf8').split('\n')[1].replace('AZE1001', 'AZE4001');
    const file = scratchFile('unclosed', [header, line, 'AZE4002,"2019-06-10,2019,1'].join('\n') + '\n');
    const run = await importDataset('acled', file);
    expect(run.code).toBe(1);
    expect(summaryOf(run)).toMatchObject({ created: 1, aborted: expect.stringMatching(/not readable as CSV: .*Quote Not Closed.*\(line 3\)/) });

    const giant = line.replace('AZE4001', 'AZE4004').replace('Notes', 'x').replace(/"On the night[^"]*"/, `"${'y'.repeat(1_100_000)}"`);
    const big = await importDataset('acled', scratchFile('giant', [header, line.replace('AZE4001', 'AZE4003'), giant].join('\n') + '\n'));
    expect(big.code).toBe(1);
    expect(summaryOf(big)).toMatchObject({ created: 1, aborted: expect.stringMatching(/Max Record Size.*\(line 3\)/i) });
  });

  it('leaves a log that verify accepts', async () => {
    const run = await cli(['verify', '--data-dir', dataDir]);
    expect(run.code).toBe(0);
  });
});
