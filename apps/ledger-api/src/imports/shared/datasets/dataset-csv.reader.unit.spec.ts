import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { DatasetRow } from './dataset-event';
import { DatasetFileError, DatasetHeaderError, readDatasetCsv } from './dataset-csv.reader';

const FIXTURES = join(__dirname, '../../../../../../tests/fixtures/datasets');

const readAll = async (input: Readable, dataset: 'acled' | 'ucdp-ged'): Promise<DatasetRow[]> => {
  const rows: DatasetRow[] = [];
  for await (const row of readDatasetCsv(input, dataset)) rows.push(row);
  return rows;
};

describe('reading an ACLED release', () => {
  let rows: DatasetRow[];
  beforeAll(async () => {
    rows = await readAll(createReadStream(join(FIXTURES, 'acled-karabakh-2019.csv')), 'acled');
  });

  it('reads a row with its precision codes, coordinates, actors, sources and the time it was last revised', () => {
    expect(rows[0]).toEqual({
      ok: true,
      event: {
        dataset: 'acled',
        eventId: 'AZE1001',
        line: 2,
        occurred: { start: '2019-05-31', end: '2019-05-31', precisionCode: 1, precision: 'day' },
        place: { name: 'Line of contact near Tartar', admin1: 'Tartar', country: 'Azerbaijan', precisionCode: 2, coordinates: { latitude: 40.3417, longitude: 46.9328 } },
        acled: { disorderType: 'Political violence', eventType: 'Battles', subEventType: 'Armed clash', inter1: '1', interaction: '12' },
        actors: [
          { name: 'Military Forces of Azerbaijan (2003-)', role: 'actor1' },
          { name: 'Military Forces of Artsakh', role: 'actor2' },
        ],
        fatalities: { best: 1 },
        sources: [{ name: 'APA' }, { name: 'Trend' }],
        notes: expect.stringContaining('Azerbaijani officer was killed'),
        tags: [],
        revisedAt: '2019-06-01T00:00:00.000Z',
      },
    });
  });

  it("reads ACLED's spreadsheet dates (31 May 2019), a week's precision and semicolon-separated tags", () => {
    const row = rows[1];
    expect(row.ok && row.event.occurred).toEqual({ start: '2019-05-31', end: '2019-05-31', precisionCode: 2, precision: 'week' });
    expect(row.ok && row.event.tags).toEqual(['ceasefire violation', 'disputed']);
    expect(row.ok && row.event.place.precisionCode).toBe(3);
  });

  it('reports a row it cannot read with its line, id, column and why, and reads on', () => {
    expect(rows.slice(2)).toEqual([
      { ok: false, problem: { line: 4, eventId: 'AZE1003', column: 'event_date', problem: '"2019-06-31" is not a calendar date' } },
      { ok: false, problem: { line: 5, eventId: 'AZE1004', column: 'latitude', problem: '"91.5" is not a latitude' } },
    ]);
  });

  it('refuses a file whose header lacks a column the layout needs, naming it', async () => {
    const csv = 'event_id_cnty,event_date,time_precision\nAZE1,2019-05-31,1\n';
    await expect(readAll(Readable.from([csv]), 'acled')).rejects.toThrow(DatasetHeaderError);
    await expect(readAll(Readable.from([csv]), 'acled')).rejects.toThrow(/lacks event_type, sub_event_type, actor1/);
  });
});

describe('reading a UCDP GED release', () => {
  let rows: DatasetRow[];
  beforeAll(async () => {
    rows = await readAll(createReadStream(join(FIXTURES, 'ucdp-ged-karabakh-2019.csv')), 'ucdp-ged');
  });

  it('reads best/low/high, the split by side, the sources with publisher date and originator, and the precision codes', () => {
    const row = rows[0];
    if (!row.ok) throw new Error(JSON.stringify(row.problem));
    expect(row.event).toMatchObject({
      eventId: '300001',
      occurred: { start: '2019-05-31', end: '2019-05-31', precisionCode: 1, precision: 'day' },
      place: { name: 'Tartar town', admin1: 'Tartar district', country: 'Azerbaijan', precisionCode: 2, coordinates: { latitude: 40.3417, longitude: 46.9328 } },
      ucdp: { typeOfViolence: 1, conflictName: 'Azerbaijan: Nagorno-Karabakh', eventClarity: 1 },
      actors: [
        { name: 'Government of Azerbaijan', role: 'side-a' },
        { name: 'Republic of Artsakh', role: 'side-b' },
      ],
      fatalities: { best: 1, low: 1, high: 2, bySide: { sideA: 1, sideB: 0, civilians: 0, unknown: 0 } },
      sources: [
        { name: 'APA 2019-05-31 "Officer killed on the line of contact"', date: '2019-05-31', originator: 'Azerbaijani Ministry of Defence' },
        { name: 'Trend 2019-05-31', date: '2019-05-31', originator: 'Azerbaijani Ministry of Defence' },
      ],
    });
  });

  it('keeps an interval of days with its precision code', () => {
    const row = rows[1];
    expect(row.ok && row.event.occurred).toEqual({ start: '2019-05-30', end: '2019-05-31', precisionCode: 2, precision: 'days' });
  });

  it('reports an end before the start, and a split that does not add up to the best estimate', () => {
    expect(rows.slice(2).map((r) => !r.ok && r.problem)).toEqual([
      { line: 4, eventId: '300003', column: 'date_end', problem: '2019-06-01 is before date_start 2019-06-02' },
      { line: 5, eventId: '300004', column: 'best', problem: 'deaths_a + deaths_b + deaths_civilians + deaths_unknown is not best (3)' },
    ]);
  });
});

describe('reading a damaged or hostile file', () => {
  const header = 'event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,country,location,geo_precision,source,fatalities';
  const good = (id: string) => `${id},2019-05-31,1,Battles,Armed clash,Some army,Azerbaijan,Tartar,1,APA,0`;

  it('reports a row with too few or too many fields and reads the rows after it', async () => {
    const rows = await readAll(Readable.from([[header, 'AZE9,2019-05-31,1', `${good('AZE10')},extra`, good('AZE11')].join('\n') + '\n']), 'acled');
    expect(rows.map((r) => (r.ok ? r.event.eventId : r.problem))).toEqual([
      { line: 2, problem: "the row does not have the header's 11 fields" },
      { line: 3, problem: "the row does not have the header's 11 fields" },
      'AZE11',
    ]);
  });

  it('counts lines across a quoted field that spans several, so a later problem names the right line', async () => {
    const multiline = `AZE20,2019-05-31,1,Battles,Armed clash,Some army,Azerbaijan,"Tartar,\nnear the line",1,APA,0`;
    const rows = await readAll(Readable.from([[header, multiline, 'AZE21,2019-13-01,1,Battles,Armed clash,Some army,Azerbaijan,Tartar,1,APA,0'].join('\n') + '\n']), 'acled');
    expect(rows[0].ok && rows[0].event.place.name).toBe('Tartar,\nnear the line');
    expect(rows[1]).toEqual({ ok: false, problem: { line: 4, eventId: 'AZE21', column: 'event_date', problem: '"2019-13-01" is not a calendar date' } });
  });

  it('a quote never closed is a file problem naming the line, not a crash', async () => {
    const error = await readAll(Readable.from([[header, good('AZE30'), 'AZE31,"2019-05-31,1,Battles'].join('\n') + '\n']), 'acled').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetFileError);
    expect((error as Error).message).toMatch(/Quote Not Closed/);
  });

  it('huge numbers and negative counts are row problems', async () => {
    const rows = await readAll(
      Readable.from([[header, good('AZE40').replace(/,0$/, ',99999999999999999999'), good('AZE41').replace(/,0$/, ',-3')].join('\n') + '\n']),
      'acled',
    );
    expect(rows.map((r) => !r.ok && r.problem.column)).toEqual(['fatalities', 'fatalities']);
  });
});
