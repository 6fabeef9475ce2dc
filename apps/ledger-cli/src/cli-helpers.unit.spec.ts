import { asOfFromOptions } from './as-of-options';
import { CliOutput } from './cli-output';
import { CliError, EXIT } from './ledger-files';
import { progressEnabled, positionScale, startProgressBar } from './progress-bar';
import { csvChunks, CsvTable, toCsv } from './read-model-csv';

const usage = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT.usage);
    return (error as CliError).message;
  }
  throw new Error('expected a usage error');
};

describe('as-of options', () => {
  it('reads a recorded instant by default, a stated date as the end of that UTC day, a position as bigint', () => {
    expect(asOfFromOptions({})).toBeUndefined();
    expect(asOfFromOptions({ asOf: '2019-06-03T11:00:00+02:00' })).toEqual({ clock: 'recorded', at: '2019-06-03T09:00:00.000Z' });
    expect(asOfFromOptions({ asOf: '2019-05-31', clock: 'stated' })).toEqual({ clock: 'stated', at: '2019-05-31T23:59:59.999Z' });
    expect(asOfFromOptions({ position: '42' })).toEqual({ clock: 'position', position: 42n });
    expect(asOfFromOptions({ position: '42', clock: 'position' })).toEqual({ clock: 'position', position: 42n });
  });

  it('refuses what it cannot read, and mixed clocks, as usage errors naming the option', () => {
    expect(usage(() => asOfFromOptions({ asOf: 'last tuesday' }))).toContain('--as-of must be an ISO-8601');
    expect(usage(() => asOfFromOptions({ asOf: '2019-06-03T09:00:00' }))).toContain('--as-of');
    expect(usage(() => asOfFromOptions({ asOf: '2019-06-03', clock: 'wall' }))).toContain('--clock must be one of');
    expect(usage(() => asOfFromOptions({ asOf: '2019-06-03', position: '4' }))).toContain('not both');
    expect(usage(() => asOfFromOptions({ position: '4', clock: 'stated' }))).toContain('does not go with --position');
    expect(usage(() => asOfFromOptions({ position: '-1' }))).toContain('--position must be a global log position');
    expect(usage(() => asOfFromOptions({ clock: 'recorded' }))).toContain('--clock needs --as-of');
  });
});

describe('progress bars', () => {
  const output = (isTTY: boolean | undefined, sink?: string[]): CliOutput => ({
    result: () => undefined,
    progress: () => undefined,
    error: () => undefined,
    progressStream: { isTTY, write: (chunk) => (sink?.push(chunk), true) },
  });

  it('are drawn on a terminal or when asked, never when told not to or when there is nowhere to draw', () => {
    expect(progressEnabled(output(true), undefined)).toBe(true);
    expect(progressEnabled(output(false), undefined)).toBe(false);
    expect(progressEnabled(output(undefined), undefined)).toBe(false);
    expect(progressEnabled(output(false), true)).toBe(true);
    expect(progressEnabled(output(true), false)).toBe(false);
    expect(progressEnabled({ result: () => undefined, progress: () => undefined, error: () => undefined }, true)).toBe(false);
  });

  it('write their lines to the progress stream only, and stop once', () => {
    const sink: string[] = [];
    const bar = startProgressBar(output(false, sink), true, 'reading events', 10, 'positions');
    bar.update(5);
    bar.stop();
    bar.stop();
    bar.increment();
    const text = sink.join('');
    expect(text).toContain('reading events');
    expect(text).toContain('5/10 positions');
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toContain('\n\n');
  });

  it('scale 64-bit positions into numbers a bar can show', () => {
    const scale = positionScale(2n ** 62n);
    expect(scale(2n ** 62n)).toBeLessThanOrEqual(1_000_000);
    expect(scale(2n ** 61n)).toBeCloseTo(scale(2n ** 62n) / 2, -1);
    expect(positionScale(1000n)(500n)).toBe(500);
  });
});

describe('CSV tables', () => {
  const rows = Array.from({ length: 4500 }, (_, i) => ({ id: `r${i}`, text: i === 0 ? 'a "quoted", text\nover lines' : 'plain', flag: i % 2 === 0, n: i, empty: null }));
  const table: CsvTable = { file: 't.csv', columns: ['id', 'text', 'flag', 'n', 'empty'], count: rows.length, rows: () => rows };

  it('write a header, RFC 4180 quoting, booleans as true/false and absent values empty', () => {
    const lines = toCsv({ ...table, count: 2, rows: () => rows.slice(0, 2) }).split('\n');
    expect(lines[0]).toBe('id,text,flag,n,empty');
    expect(lines[1]).toBe('r0,"a ""quoted"", text');
    expect(lines[2]).toBe('over lines",true,0,');
    expect(lines[3]).toBe('r1,plain,false,1,');
  });

  it('keep the header when there are no rows', () => {
    expect(toCsv({ ...table, count: 0, rows: () => [] })).toBe('id,text,flag,n,empty\n');
  });

  it('come in bounded chunks that add up to the whole table', () => {
    const chunks = [...csvChunks(table)];
    expect(chunks.map((c) => c.rows)).toEqual([0, 2000, 2000, 500]);
    expect(chunks.map((c) => c.text).join('')).toBe(toCsv(table));
  });
});
