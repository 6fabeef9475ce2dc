/**
 * The side of the protocol a benchmark process runs: the suite (bench-suite.ts) starts each benchmark file as its own
 * Node process with BENCH_SIZE and BENCH_RESULT_FILE set, and reads the result back from that file. Progress goes to
 * stderr; the result file is written even when the benchmark throws, so the suite can tell "could not run" apart
 * from "crashed without a word".
 */
import { writeFileSync } from 'node:fs';
import { BenchmarkResult, Check, FigureInput, Size, makeFigure, statusOf } from './bench-result';

export class NotAvailableError extends Error {}

export interface BenchContext {
  readonly size: Size;
  /** small or full value of a parameter, recorded in the result. */
  pick<T>(name: string, small: T, full: T): T;
  figure(input: FigureInput): void;
  /** A correctness check: a false one fails the benchmark at every size. */
  check(name: string, ok: boolean, detail: string): void;
  note(text: string): void;
  say(line: string): void;
}

export const sizeFromEnv = (): Size => {
  const size = process.env.BENCH_SIZE ?? 'small';
  if (size !== 'small' && size !== 'full') throw new Error(`BENCH_SIZE must be small or full, not ${size}`);
  return size;
};

export const runBenchmark = (benchmark: string, body: (ctx: BenchContext) => Promise<void>): void => {
  const size = sizeFromEnv();
  const result: BenchmarkResult = { benchmark, size, status: 'ok', figures: [], checks: [], notes: [], parameters: {}, durationMs: 0 };
  const say = (line: string) => void process.stderr.write(`[${benchmark}] ${line}\n`);
  const ctx: BenchContext = {
    size,
    pick: (name, small, full) => {
      const value = size === 'small' ? small : full;
      result.parameters[name] = value;
      return value;
    },
    figure: (input) => {
      const figure = makeFigure(input);
      result.figures.push(figure);
      const base = figure.baseline ? ` vs ${figure.baseline.label} ${figure.baseline.value.toFixed(2)} ${figure.baseline.unit}` : '';
      say(`${figure.figure}: ${figure.value.toFixed(2)} ${figure.unit}${base}${figure.ratio !== undefined ? ` (${figure.ratio.toFixed(3)}×)` : ''}`);
    },
    check: (name, ok, detail) => {
      const check: Check = { name, ok, detail };
      result.checks.push(check);
      say(`check ${ok ? 'ok' : 'FAILED'}: ${name}: ${detail}`);
    },
    note: (text) => void result.notes.push(text),
    say,
  };
  const started = Date.now();
  const finish = () => {
    result.durationMs = Date.now() - started;
    const file = process.env.BENCH_RESULT_FILE;
    if (file) writeFileSync(file, JSON.stringify(result, null, 2));
    else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  };
  body(ctx)
    .then(() => {
      result.status = statusOf(result.checks);
    })
    .catch((error: unknown) => {
      result.status = error instanceof NotAvailableError ? 'not-available' : 'error';
      result.error = error instanceof Error ? (error instanceof NotAvailableError ? error.message : String(error.stack ?? error.message)) : String(error);
      say(`${result.status}: ${result.error}`);
    })
    .finally(() => {
      finish();
      // Spawned servers, sockets and timers must not keep a finished benchmark alive.
      process.exit(0);
    });
};
