import { BenchmarkResult, exitCodeOf, formatMarkdownTable, formatTable, makeFigure, remarks, statusOf } from './bench-result';
import { parseArgs } from '../bench-suite';

const result = (overrides: Partial<BenchmarkResult>): BenchmarkResult => ({
  benchmark: 'http-claims',
  size: 'small',
  status: 'ok',
  figures: [],
  checks: [],
  notes: [],
  parameters: {},
  durationMs: 1,
  ...overrides,
});

describe('bench figures', () => {
  it('judges a ratio target on value / baseline', () => {
    const baseline = { label: 'no-op', value: 10_000, unit: 'req/s' };
    expect(makeFigure({ figure: 'claims', value: 5_000, unit: 'req/s', baseline, target: { of: 'ratio', op: '>=', threshold: 0.5 } })).toMatchObject({ ratio: 0.5, pass: true });
    expect(makeFigure({ figure: 'claims', value: 4_999, unit: 'req/s', baseline, target: { of: 'ratio', op: '>=', threshold: 0.5 } }).pass).toBe(false);
  });

  it('judges a value target on the value, still showing the ratio to its baseline', () => {
    const figure = makeFigure({ figure: 'p99', value: 30, unit: 'ms', baseline: { label: 'no-op p99', value: 10, unit: 'ms' }, target: { of: 'value', op: '<=', threshold: 25 } });
    expect(figure).toMatchObject({ ratio: 3, pass: false });
  });

  it('never passes a figure that could not be measured', () => {
    expect(makeFigure({ figure: 'p99', value: NaN, unit: 'ms', target: { of: 'value', op: '<=', threshold: 25 } }).pass).toBe(false);
    expect(makeFigure({ figure: 'rate', value: 5, unit: '/s', baseline: { label: 'b', value: 0, unit: '/s' }, target: { of: 'ratio', op: '>=', threshold: 1 } }).pass).toBe(false);
  });

  it('refuses a ratio target without a baseline', () => {
    expect(() => makeFigure({ figure: 'x', value: 1, unit: '', target: { of: 'ratio', op: '>=', threshold: 1 } })).toThrow(/baseline/);
  });

  it('leaves a figure without a target unjudged', () => {
    expect(makeFigure({ figure: 'rss', value: 100, unit: 'MiB' }).pass).toBeUndefined();
  });
});

describe('bench exit code', () => {
  const missed = result({ figures: [makeFigure({ figure: 'p99', value: 30, unit: 'ms', target: { of: 'value', op: '<=', threshold: 25 } })] });

  it('a missed target fails a full run only, with its own code', () => {
    expect(exitCodeOf([missed], 'small')).toBe(0);
    expect(exitCodeOf([missed], 'full')).toBe(2);
  });

  it('a failed check or a benchmark that could not run fails every size', () => {
    const failed = result({ checks: [{ name: 'no lost writes', ok: false, detail: '1 missing' }] });
    failed.status = statusOf(failed.checks);
    expect(failed.status).toBe('failed');
    expect(exitCodeOf([failed], 'small')).toBe(1);
    expect(exitCodeOf([result({ status: 'error', error: 'boom' })], 'small')).toBe(1);
  });

  it('a benchmark whose subject does not exist yet does not fail the run', () => {
    expect(exitCodeOf([result({ benchmark: 'import', status: 'not-available', error: 'no import command' })], 'full')).toBe(0);
  });
});

describe('bench table', () => {
  it('prints one row per figure, and says why a benchmark has none', () => {
    const figure = makeFigure({ figure: 'durable claims', value: 244, unit: 'req/s', baseline: { label: 'no-op', value: 10_571, unit: 'req/s' }, target: { of: 'ratio', op: '>=', threshold: 0.5 } });
    const table = formatTable([
      result({ figures: [figure], checks: [{ name: 'every claim answered 201', ok: false, detail: '409: 3' }], status: 'failed' }),
      result({ benchmark: 'import', status: 'not-available', error: 'no import command in the CLI' }),
    ]);
    expect(table).toMatch(/http-claims\s+durable claims\s+244 req\/s\s+no-op 10,571 req\/s\s+0.023×\s+≥ 0.5×\s+MISS/);
    expect(table).toMatch(/check: every claim answered 201\s+409: 3.*FAILED/);
    expect(table).toMatch(/import\s+not available \(see below\)\s+n\/a/);
    expect(remarks([result({ benchmark: 'import', status: 'not-available', error: 'no import command in the CLI', notes: ['probed the CLI'] })])).toEqual([
      'import: not available: no import command in the CLI',
      'import: probed the CLI',
    ]);
    expect(formatMarkdownTable([result({ figures: [figure] })]).split('\n')).toHaveLength(3);
  });
});

describe('bench arguments', () => {
  it('takes a size, benchmarks by name and --no-build', () => {
    expect(parseArgs(['--size', 'full', '--only', 'http-claims,rebuild', '--no-build'])).toEqual({ size: 'full', only: ['http-claims', 'rebuild'], build: false, markdown: false });
    expect(parseArgs(['--size=small', '--only=flat-cost'])).toMatchObject({ size: 'small', only: ['flat-cost'] });
  });

  it('refuses an unknown size, benchmark or option', () => {
    expect(() => parseArgs(['--size', 'huge'])).toThrow(/small or full/);
    expect(() => parseArgs(['--only', 'http-claim'])).toThrow(/unknown benchmark http-claim/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option --fast/);
  });
});
