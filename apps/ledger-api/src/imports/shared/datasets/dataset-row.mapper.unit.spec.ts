import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { DatasetEvent, DatasetName } from './dataset-event';
import { readDatasetCsv } from './dataset-csv.reader';
import { datasetActorPartyId, datasetClaimId, datasetIncidentId, DatasetMappingError, planDatasetRow } from './dataset-row.mapper';

const FIXTURES = join(__dirname, '../../../../../../tests/fixtures/datasets');

const events = async (input: Readable, dataset: DatasetName): Promise<DatasetEvent[]> => {
  const out: DatasetEvent[] = [];
  for await (const row of readDatasetCsv(input, dataset)) if (row.ok) out.push(row.event);
  return out;
};

const ACLED_HEADER =
  'event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,inter1,actor2,country,admin1,location,latitude,longitude,geo_precision,source,notes,fatalities,tags,timestamp';

describe('an ACLED row as ledger entries', () => {
  let rows: DatasetEvent[];
  beforeAll(async () => {
    rows = await events(createReadStream(join(FIXTURES, 'acled-karabakh-2019.csv')), 'acled');
  });
  const release = { dataset: 'acled' as const, name: '2019-06', publishedAt: '2019-06-04' };

  it('gives ids from the dataset and the row id alone, the same for every release and every importer', () => {
    const plan = planDatasetRow(rows[0], release);
    expect(plan.incidentId).toBe(datasetIncidentId('acled', 'AZE1001'));
    expect(plan.claimId).toBe(datasetClaimId('acled', 'AZE1001'));
    expect(planDatasetRow(rows[0], { ...release, name: 'later', publishedAt: '2020-01-01' }).incidentId).toBe(plan.incidentId);
    expect(datasetIncidentId('ucdp-ged', 'AZE1001')).not.toBe(plan.incidentId);
    expect(plan.claimId).not.toBe(plan.incidentId);
  });

  it('reports the incident in ACLED’s taxonomy, with when and where at their precision and the coordinates', () => {
    const { report } = planDatasetRow(rows[0], release);
    expect(report).toEqual({
      title: 'Armed clash: Line of contact near Tartar, Azerbaijan (ACLED AZE1001)',
      summary: expect.stringContaining('Azerbaijani officer was killed'),
      occurred: { from: '2019-05-31', to: '2019-05-31', precision: 'day' },
      location: { name: 'Line of contact near Tartar, Tartar, Azerbaijan', precision: 'district', coordinates: { lat: 40.3417, lon: 46.9328 } },
      category: { eventType: 'battles', subEventType: 'armed-clash', tags: [] },
    });
    const second = planDatasetRow(rows[1], release).report;
    expect(second.category).toEqual({ eventType: 'explosions-remote-violence', subEventType: 'shelling-artillery-missile-attack', tags: ['ceasefire violation', 'disputed'] });
    expect(second.occurred.precision).toBe('week');
    expect(second.location.precision).toBe('region');
  });

  it('makes the claim ACLED’s: its fatality count unattributed, stated when the row was last revised, the release as source', () => {
    const { claim, parties } = planDatasetRow(rows[0], release);
    expect(claim).toMatchObject({
      partyId: 'acled',
      statedAt: { at: '2019-06-01T00:00:00.000Z', precision: 'exact' },
      source: { title: 'ACLED event AZE1001, release 2019-06', publisher: 'Armed Conflict Location & Event Data (ACLED)', publishedAt: '2019-06-04' },
      assertions: {
        casualties: [{ killed: { best: 1 } }],
        occurred: { from: '2019-05-31', to: '2019-05-31', precision: 'day' },
        location: { name: 'Line of contact near Tartar, Tartar, Azerbaijan', precision: 'district' },
      },
    });
    // A battle names no one responsible: ACLED's actor order does not say who attacked.
    expect(claim.assertions.responsibleParties).toBeUndefined();
    expect(parties).toEqual([]);
  });

  it('keeps the precision codes, the actors and the row’s sources in the claim’s words', () => {
    const { text } = planDatasetRow(rows[0], release).claim.statement;
    expect(text).toContain('time_precision 1: day');
    expect(text).toContain('geo_precision 2');
    expect(text).toContain('Military Forces of Azerbaijan (2003-) (actor1), Military Forces of Artsakh (actor2)');
    expect(text).toContain('Sources: APA; Trend.');
  });

  it('holds the perpetrator of violence against civilians responsible, as a party of the kind its inter code says', async () => {
    const [event] = await events(
      Readable.from([`${ACLED_HEADER}\nAZE2001,2019-06-02,1,Violence against civilians,Attack,Unidentified Armed Group (Azerbaijan),3,Civilians (Azerbaijan),Azerbaijan,Tartar,Tartar,40.34,46.93,1,APA,,2,,1559450000\n`]),
      'acled',
    );
    const { claim, parties } = planDatasetRow(event, release);
    const partyId = datasetActorPartyId('acled', 'Unidentified Armed Group (Azerbaijan)');
    expect(partyId).toBe('acled-unidentified-armed-group-azerbaijan');
    expect(claim.assertions.responsibleParties).toEqual([partyId]);
    expect(parties).toEqual([expect.objectContaining({ partyId, name: 'Unidentified Armed Group (Azerbaijan)', kind: 'armed-group', description: expect.stringContaining('inter code 3: Political militias') })]);
  });

  it('refuses an event type ACLED does not have, naming the column', async () => {
    const [event] = await events(Readable.from([`${ACLED_HEADER}\nAZE2002,2019-06-02,1,Skirmish,Armed clash,Some army,1,,Azerbaijan,Tartar,Tartar,,,1,APA,,0,,\n`]), 'acled');
    expect(() => planDatasetRow(event, release)).toThrow(DatasetMappingError);
    expect(() => planDatasetRow(event, release)).toThrow(/"Skirmish" is not one of ACLED's event types/);
  });

  it('shortens a long actor name to a valid party id, and names a nameless one by a digest', () => {
    const long = datasetActorPartyId('acled', 'A'.repeat(200));
    expect(long.length).toBeLessThanOrEqual(80);
    expect(long).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(datasetActorPartyId('ucdp-ged', 'Ислам')).toMatch(/^ucdp-actor-[0-9a-f]{10}$/);
  });
});

describe('a UCDP GED row as ledger entries', () => {
  let rows: DatasetEvent[];
  beforeAll(async () => {
    rows = await events(createReadStream(join(FIXTURES, 'ucdp-ged-karabakh-2019.csv')), 'ucdp-ged');
  });
  const release = { dataset: 'ucdp-ged' as const, name: '20.1', publishedAt: '2020-06-01' };

  it('asserts the best, low and high estimates, the interval at its precision and the place at where_prec', () => {
    const { claim, report } = planDatasetRow(rows[1], release);
    expect(claim.partyId).toBe('ucdp');
    expect(claim.assertions).toEqual({
      casualties: [{ killed: { best: 1, low: 1, high: 1 } }],
      occurred: { from: '2019-05-30', to: '2019-05-31', precision: 'day' },
      location: { name: 'Agdam district, Azerbaijan', precision: 'region', coordinates: { lat: 39.99, lon: 46.93 } },
    });
    expect(planDatasetRow(rows[0], release).claim.assertions.casualties).toEqual([{ killed: { best: 1, low: 1, high: 2 } }]);
    expect(report.category).toEqual({ eventType: 'battles', tags: ['UCDP state-based violence'] });
  });

  it('is stated at the release’s date (a GED row has no revision time) and keeps the split and the originators in its words', () => {
    const { claim } = planDatasetRow(rows[0], release);
    expect(claim.statedAt).toEqual({ at: '2020-06-01', precision: 'day' });
    expect(claim.statement.text).toContain('Fatalities: 1 fatality (low 1, high 2): side A 1, side B 0, civilians 0, unknown 0.');
    expect(claim.statement.text).toContain('date_prec 1: day');
    expect(claim.statement.text).toContain('where_prec 2');
    expect(claim.statement.text).toContain('originally from Azerbaijani Ministry of Defence');
  });

  it('holds side A of one-sided violence responsible', () => {
    const event: DatasetEvent = { ...rows[0], ucdp: { typeOfViolence: 3 }, actors: [{ name: 'Government of Azerbaijan', role: 'side-a' }, { name: 'Civilians', role: 'side-b' }] };
    const { claim, parties, report } = planDatasetRow(event, release);
    expect(claim.assertions.responsibleParties).toEqual(['ucdp-government-of-azerbaijan']);
    expect(parties).toEqual([expect.objectContaining({ partyId: 'ucdp-government-of-azerbaijan', kind: 'state' })]);
    expect(report.category).toEqual({ eventType: 'violence-against-civilians', subEventType: 'attack', tags: ['UCDP one-sided violence'] });
  });
});
