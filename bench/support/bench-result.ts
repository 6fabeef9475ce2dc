/**
 * What a benchmark hands back to the suite, and how the suite judges it. Pure: no I/O, so the rules are unit-tested.
 *
 * A figure is a measured value next to a baseline measured in the same run; its target applies either to the ratio
 * value / baseline (the "≥ 0.5× the no-op") or, where the issue states a bound in its own unit (p99 ≤ 25 ms),
 * to the value, still printed beside its baseline so the machine's speed is visible.
 */

export type Size = 'small' | 'full';
export type Comparison = '>=' | '<=';

export interface Target {
  of: 'ratio' | 'value';
  op: Comparison;
  threshold: number;
}

export interface Baseline {
  label: string;
  value: number;
  unit: string;
}

export interface Figure {
  figure: string;
  value: number;
  unit: string;
  baseline?: Baseline;
  /** value / baseline.value */
  ratio?: number;
  target?: Target;
  /** undefined when the figure has no target. */
  pass?: boolean;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export type BenchmarkStatus = 'ok' | 'failed' | 'not-available' | 'error';

export interface BenchmarkResult {
  benchmark: string;
  size: Size;
  /** ok: ran and every check held; failed: a check did not hold; error: could not run; not-available: the subject does not exist yet. */
  status: BenchmarkStatus;
  figures: Figure[];
  checks: Check[];
  notes: string[];
  parameters: Record<string, unknown>;
  durationMs: number;
  error?: string;
}

export interface FigureInput {
  figure: string;
  value: number;
  unit: string;
  baseline?: Baseline;
  target?: Target;
}

export const meets = (measured: number, target: Target): boolean =>
  Number.isFinite(measured) && (target.op === '>=' ? measured >= target.threshold : measured <= target.threshold);

export const makeFigure = ({ figure, value, unit, baseline, target }: FigureInput): Figure => {
  const ratio = baseline && baseline.value !== 0 ? value / baseline.value : undefined;
  if (target?.of === 'ratio' && !baseline) throw new Error(`figure ${figure}: a ratio target needs a baseline`);
  const measured = target?.of === 'ratio' ? ratio : value;
  return {
    figure,
    value,
    unit,
    ...(baseline ? { baseline } : {}),
    ...(ratio !== undefined ? { ratio } : {}),
    ...(target ? { target, pass: measured !== undefined && meets(measured, target) } : {}),
  };
};

export const statusOf = (checks: Check[]): BenchmarkStatus => (checks.every((c) => c.ok) ? 'ok' : 'failed');

/**
 * The suite's exit code. A benchmark that could not run or whose correctness checks failed always fails the run.
 * A missed target fails only a full-size run (small runs prove that each benchmark works, on whatever CI machine),
 * and with a code of its own so that "slower than the issue asks" is told apart from "broken".
 */
export const exitCodeOf = (results: BenchmarkResult[], size: Size): number => {
  if (results.some((r) => r.status === 'error' || r.status === 'failed')) return 1;
  if (size === 'full' && results.some((r) => r.figures.some((f) => f.pass === false))) return 2;
  return 0;
};

// ---------------------------------------------------------------- the table

const number = (n: number): string => {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits });
};

const withUnit = (value: number, unit: string): string => `${number(value)} ${unit}`.trim();

export const targetText = (target: Target, unit: string): string =>
  target.of === 'ratio' ? `${target.op === '>=' ? '≥' : '≤'} ${number(target.threshold)}×` : `${target.op === '>=' ? '≥' : '≤'} ${withUnit(target.threshold, unit)}`;

const verdictOf = (figure: Figure): string => (figure.pass === undefined ? '' : figure.pass ? 'pass' : 'MISS');

export const TABLE_HEADER = ['benchmark', 'figure', 'value', 'baseline (same run)', 'ratio', 'target', 'result'];

/** One row per figure; a benchmark without figures (not available, error) gets one row saying why. */
export const tableRows = (results: BenchmarkResult[]): string[][] =>
  results.flatMap((r) => {
    const failedChecks = r.checks.filter((c) => !c.ok);
    const rows = r.figures.map((f) => [
      r.benchmark,
      f.figure,
      withUnit(f.value, f.unit),
      f.baseline ? `${f.baseline.label} ${withUnit(f.baseline.value, f.baseline.unit)}` : '',
      f.ratio === undefined ? '' : `${number(f.ratio)}×`,
      f.target ? targetText(f.target, f.unit) : '',
      verdictOf(f),
    ]);
    if (r.status === 'not-available') rows.push([r.benchmark, 'not available (see below)', '', '', '', '', 'n/a']);
    if (r.status === 'error') rows.push([r.benchmark, 'could not run (see below)', '', '', '', '', 'ERROR']);
    for (const c of failedChecks) rows.push([r.benchmark, `check: ${c.name}`, c.detail, '', '', '', 'FAILED']);
    return rows;
  });

const pad = (rows: string[][], separator: string): string[] => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => [...row[i]].length)));
  return rows.map((row) => row.map((cell, i) => cell + ' '.repeat(widths[i] - [...cell].length)).join(separator).trimEnd());
};

/** The plain-text table the suite prints. */
export const formatTable = (results: BenchmarkResult[]): string => {
  const lines = pad([TABLE_HEADER, ...tableRows(results)], '  ');
  const rule = '-'.repeat(Math.max(...lines.map((l) => [...l].length)));
  return [lines[0], rule, ...lines.slice(1)].join('\n');
};

/** The same table as Markdown, for the README. */
export const formatMarkdownTable = (results: BenchmarkResult[]): string => {
  const rows = [TABLE_HEADER, TABLE_HEADER.map(() => '---'), ...tableRows(results)];
  return rows.map((row) => `| ${row.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`).join('\n');
};

/** Lines under the table: why a benchmark did not run, then every note. */
export const remarks = (results: BenchmarkResult[]): string[] =>
  results.flatMap((r) => [
    ...(r.status === 'not-available' ? [`${r.benchmark}: not available: ${r.error ?? ''}`] : []),
    ...(r.status === 'error' ? [`${r.benchmark}: could not run: ${(r.error ?? '').split('\n').slice(0, 3).join(' / ')}`] : []),
    ...r.notes.map((note) => `${r.benchmark}: ${note}`),
  ]);
