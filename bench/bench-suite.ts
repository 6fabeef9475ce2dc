/**
 * `npm run bench [-- --size small|full] [--only a,b] [--no-build] [--markdown]`
 *
 * Runs each benchmark of issue 9 as its own Node process, one after the other (timings must not compete for the
 * CPUs), prints one table and writes the results to bench/results/<timestamp>-<size>.json and latest.json.
 * Exit code: 1 when a benchmark could not run or one of its correctness checks failed; 2 when a full-size run missed
 * a target (a small run never fails on a target); 0 otherwise. See bench/README.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { BenchmarkResult, Size, exitCodeOf, formatMarkdownTable, formatTable, remarks } from './support/bench-result';

const ROOT = join(__dirname, '..');

interface BenchmarkEntry {
  name: string;
  /** Runs the built ledger (dist/) as a child process. */
  needsBuild: boolean;
  /** Generous: a benchmark past it is killed and reported as not having run. */
  timeoutMinutes: Record<Size, number>;
}

/** In the order they run: library-level first, then the HTTP ones. */
export const BENCHMARKS: BenchmarkEntry[] = [
  { name: 'store-append', needsBuild: false, timeoutMinutes: { small: 3, full: 20 } },
  { name: 'http-claims', needsBuild: true, timeoutMinutes: { small: 3, full: 15 } },
  { name: 'flat-cost', needsBuild: true, timeoutMinutes: { small: 5, full: 90 } },
  { name: 'rebuild', needsBuild: false, timeoutMinutes: { small: 5, full: 120 } },
  { name: 'pg-projection', needsBuild: false, timeoutMinutes: { small: 3, full: 180 } },
  { name: 'verify', needsBuild: false, timeoutMinutes: { small: 3, full: 30 } },
  { name: 'feed-fanout', needsBuild: true, timeoutMinutes: { small: 3, full: 15 } },
  { name: 'import', needsBuild: true, timeoutMinutes: { small: 5, full: 90 } },
  { name: 'dashboard', needsBuild: true, timeoutMinutes: { small: 5, full: 60 } },
  { name: 'live-stats', needsBuild: true, timeoutMinutes: { small: 4, full: 30 } },
  { name: 'replica-reads', needsBuild: true, timeoutMinutes: { small: 4, full: 20 } },
];

export interface SuiteOptions {
  size: Size;
  only: string[];
  build: boolean;
  markdown: boolean;
}

export const parseArgs = (argv: string[]): SuiteOptions => {
  const options: SuiteOptions = { size: 'small', only: [], build: true, markdown: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--size') {
      const size = value();
      if (size !== 'small' && size !== 'full') throw new Error(`--size takes small or full, not ${size}`);
      options.size = size;
    } else if (flag === '--only') {
      options.only.push(...(value() ?? '').split(',').map((s) => s.trim()).filter(Boolean));
    } else if (flag === '--no-build') options.build = false;
    else if (flag === '--markdown') options.markdown = true;
    else throw new Error(`unknown option ${argv[i]}; options: --size small|full, --only name[,name], --no-build, --markdown`);
  }
  const unknown = options.only.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')}; benchmarks: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  return options;
};

const gitCommit = (): string => {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' });
  return `${head.stdout.trim() || 'unknown'}${dirty.stdout.trim() ? ' (with uncommitted changes)' : ''}`;
};

const runOne = (entry: BenchmarkEntry, size: Size, workDir: string): Promise<BenchmarkResult> =>
  new Promise((resolve) => {
    const resultFile = join(workDir, `${entry.name}.json`);
    const started = Date.now();
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', '--require', join(__dirname, '../scripts/swc-register.js'), join(__dirname, `${entry.name}.bench.ts`)],
      { cwd: ROOT, env: { ...process.env, BENCH_SIZE: size, BENCH_RESULT_FILE: resultFile }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // Only the table goes to stdout: whatever a benchmark (or a library in it) prints is progress, on stderr.
    child.stdout!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    let stderrTail = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
    });
    const timeoutMs = entry.timeoutMinutes[size] * 60_000;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (existsSync(resultFile)) return resolve(JSON.parse(readFileSync(resultFile, 'utf8')) as BenchmarkResult);
      const why = signal === 'SIGKILL' && Date.now() - started >= timeoutMs ? `timed out after ${entry.timeoutMinutes[size]} min` : `exited (code ${code}, signal ${signal})`;
      resolve({
        benchmark: entry.name,
        size,
        status: 'error',
        figures: [],
        checks: [],
        notes: [],
        parameters: {},
        durationMs: Date.now() - started,
        error: `${why} without a result\n${stderrTail}`,
      });
    });
  });

const main = async (): Promise<number> => {
  const options = parseArgs(process.argv.slice(2));
  const selected = BENCHMARKS.filter((b) => options.only.length === 0 || options.only.includes(b.name));
  if (options.build && selected.some((b) => b.needsBuild)) {
    process.stderr.write('bench: npm run build (skip with --no-build)\n');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  const environment = {
    startedAt: new Date().toISOString(),
    size: options.size,
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    commit: gitCommit(),
    loadAverageBefore: loadavg().map((l) => Number(l.toFixed(2))),
    loadAverageAfter: [] as number[],
    dataDir: process.env.BENCH_DIR ?? tmpdir(),
  };
  const workDir = mkdtempSync(join(tmpdir(), 'ledger-bench-suite-'));
  const results: BenchmarkResult[] = [];
  try {
    for (const entry of selected) {
      process.stderr.write(`bench: ${entry.name} (${options.size}), load ${loadavg()[0].toFixed(2)}\n`);
      results.push(await runOne(entry, options.size, workDir));
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  environment.loadAverageAfter = loadavg().map((l) => Number(l.toFixed(2)));

  const resultsDir = join(__dirname, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${environment.startedAt.replace(/[:.]/g, '-')}-${options.size}.json`);
  const json = JSON.stringify({ environment, results }, null, 2);
  writeFileSync(file, json);
  writeFileSync(join(resultsDir, 'latest.json'), json);

  const out = (line = '') => void process.stdout.write(`${line}\n`);
  out();
  out(
    `Incident Ledger benchmarks, ${options.size} size, ${environment.startedAt}, commit ${environment.commit}; Node ${environment.node}, ` +
      `${environment.cpus}, load average ${environment.loadAverageBefore.join(' ')} before, ${environment.loadAverageAfter.join(' ')} after`,
  );
  out(options.markdown ? formatMarkdownTable(results) : formatTable(results));
  for (const line of remarks(results)) out(`- ${line}`);
  out(`results: ${file}`);
  const code = exitCodeOf(results, options.size);
  if (code === 1) out('FAILED: a benchmark could not run or a correctness check failed');
  if (code === 2) out('targets missed (full size)');
  return code;
};

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
