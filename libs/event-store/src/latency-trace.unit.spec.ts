import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type TraceModule = typeof import('./latency-trace');

const loadWith = (directory: string | undefined): TraceModule => {
  const saved = process.env.LEDGER_LATENCY_TRACE;
  if (directory === undefined) delete process.env.LEDGER_LATENCY_TRACE;
  else process.env.LEDGER_LATENCY_TRACE = directory;
  try {
    let loaded!: TraceModule;
    jest.isolateModules(() => {
      loaded = jest.requireActual<TraceModule>('./latency-trace');
    });
    return loaded;
  } finally {
    if (saved === undefined) delete process.env.LEDGER_LATENCY_TRACE;
    else process.env.LEDGER_LATENCY_TRACE = saved;
  }
};

describe('latency trace', () => {
  let directory: string;
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'latency-trace-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('writes each record as one NDJSON line in a file of this thread when LEDGER_LATENCY_TRACE names a directory', () => {
    const trace = loadWith(directory);
    expect(trace.latencyTraceOn).toBe(true);
    const t = trace.traceNow();
    trace.trace('commit', { minPos: 1, maxPos: 3, tBegin: t });
    trace.trace('response', { pos: 3, tSent: t + 1 });
    trace.flushLatencyTrace();

    const files = readdirSync(directory);
    expect(files).toEqual([expect.stringMatching(/^trace-\d+-\d+\.ndjson$/)]);
    const lines = readFileSync(join(directory, files[0]), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([
      { k: 'commit', minPos: 1, maxPos: 3, tBegin: t },
      { k: 'response', pos: 3, tSent: t + 1 },
    ]);
  });

  it('records nothing when the variable is not set', () => {
    const trace = loadWith(undefined);
    expect(trace.latencyTraceOn).toBe(false);
    trace.trace('commit', { minPos: 1 });
    trace.flushLatencyTrace();
    expect(readdirSync(directory)).toEqual([]);
  });
});
