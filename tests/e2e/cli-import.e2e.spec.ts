import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteReadModelStore } from '@ledger/read-models';
import { DEMO_SCENARIO } from '../../apps/ledger-api/src/demo/scenario';
import { importedIncidentId } from '../../apps/ledger-api/src/imports/import-commands/import-line.plan';
import { readLog } from '../support/data-dir';
import { scenarioAsNdjson } from '../support/import-ndjson';
import { writeImportFile } from '../../bench/generate-import';
import { BUILD_TIMEOUT_MS, CLI_MAIN, ensureBuilt, killAllSpawned, removeDataDir, runBuiltCli, spawnLedger, tempDataDir } from '../support/spawned-ledger';

/** `ledger-cli import` (built) against a data directory of the built API: exit codes, --json, replays, refusals. */

jest.setTimeout(60_000);

let dataDir: string;
const file = (name: string, content: string): string => {
  const path = join(dataDir, '..', `${name}-${process.pid}.ndjson`);
  writeFileSync(path, content);
  return path;
};

const checkpoint = (): bigint | undefined => {
  const store = new SqliteReadModelStore({ filename: join(dataDir, 'read-models.sqlite') });
  try {
    return store.readCheckpoint('ledger-read-models')?.position;
  } finally {
    store.close();
  }
};

const cli = (...args: string[]) => runBuiltCli(['import', ...args, '--data-dir', dataDir]);

beforeAll(async () => {
  await ensureBuilt('ledger-api');
  await ensureBuilt('ledger-cli');
  dataDir = tempDataDir('ledger-cli-import-');
}, 2 * BUILD_TIMEOUT_MS);

afterAll(async () => {
  await killAllSpawned();
  removeDataDir(dataDir);
});

describe('ledger-cli import (built)', () => {
  it('refuses while the API has the files open (exit 3), writing nothing', async () => {
    const api = await spawnLedger({ dataDir });
    try {
      const res = await cli(file('scenario', scenarioAsNdjson(DEMO_SCENARIO)));
      expect(res.code).toBe(3);
      expect(res.stderr).toContain('Stop the ledger API');
      expect(res.stdout).toBe('');
    } finally {
      await api.stop();
    }
    expect(await readLog(dataDir)).toEqual([]);
  });

  it('imports the seed scenario, brings the read models up to the head, and prints the summary (exit 0)', async () => {
    const res = await cli(file('scenario', scenarioAsNdjson(DEMO_SCENARIO)), '--no-progress');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Imported 17 of 17 lines as cli:import (0 already imported, 0 failed)');
    const log = await readLog(dataDir);
    expect(log.filter((e) => /^(incident|party)-/.test(e.streamName))).toHaveLength(17);
    expect(log.every((e) => e.metadata.recordedBy === 'cli:import')).toBe(true);
    expect(checkpoint()).toBe(log[log.length - 1].position);
  });

  it('replays the same file: nothing appended, every line already imported; --json is the summary', async () => {
    const before = (await readLog(dataDir)).length;
    const res = await cli(file('scenario', scenarioAsNdjson(DEMO_SCENARIO)), '--json');
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary).toMatchObject({ principal: 'cli:import', lines: 17, imported: 0, replayed: 17, failed: 0, eventsAppended: 0, errors: [] });
    expect(summary.readModels.checkpoint).toBe(summary.readModels.headPosition);
    expect((await readLog(dataDir)).length).toBe(before);
  });

  it('reports failed lines with their numbers and exits 1, importing the rest', async () => {
    const incidentId = importedIncidentId('cli:import', 'incident');
    const content = [
      JSON.stringify({ key: 'cli-extra', action: 'makeClaim', incidentId, body: { partyId: 'armenia', statement: { text: 'We deny it.', verbatim: false }, statedAt: { at: '2019-06-01', precision: 'day' }, source: { title: 'Briefing', publisher: 'MFA' } } }),
      '{oops',
      JSON.stringify({ key: 'cli-bad', action: 'makeClaim', incident: 'incident', body: { partyId: 'nobody' } }),
    ].join('\n');
    const text = await cli(file('bad', content));
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('Imported 1 of 3 lines');
    expect(text.stdout).toMatch(/line 2: 400 invalid-json/);
    expect(text.stdout).toMatch(/line 3 \(cli-bad\): 400 validation-failed \[statement, statedAt, source\]/);
    expect(text.stderr).toContain('2 line(s) failed');

    const json = await cli(file('bad', content), '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ lines: 3, replayed: 1, failed: 2, errors: [{ line: 2 }, { line: 3, key: 'cli-bad' }] });
  });

  it('records the events as the principal given with --as', async () => {
    const res = await cli(file('as', JSON.stringify({ key: 'as-inc', action: 'reportIncident', body: { title: 'T', summary: '', occurred: { from: '2019-05-30', to: '2019-05-31', precision: 'day' }, location: { name: 'L', precision: 'region' }, category: { eventType: 'explosions-remote-violence', subEventType: 'shelling-artillery-missile-attack', tags: [] } } })), '--as', 'analyst-7', '--json');
    expect(res.code).toBe(0);
    const log = await readLog(dataDir);
    expect(log[log.length - 1].metadata).toMatchObject({ recordedBy: 'analyst-7' });
    expect(log[log.length - 1].streamName).toBe(`incident-${importedIncidentId('analyst-7', 'as-inc')}`);
  });

  it.each([
    ['a file that does not exist', ['/nonexistent/commands.ndjson'], 'Cannot read'],
    ['an empty file', ['<empty>'], 'is empty'],
    ['a file of blank lines', ['<blank>'], 'has no lines'],
    ['a bad --as', ['<blank>', '--as', 'two words'], '--as'],
    ['a bad --batch', ['<blank>', '--batch', '0'], 'batch'],
  ])('%s: exit 2 and a clear message', async (_what, args, message) => {
    const resolved = args.map((a) => (a === '<empty>' ? file('empty', '') : a === '<blank>' ? file('blank', '\n \n') : a));
    const res = await cli(...resolved);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
  });

  it('leaves a ledger the API serves and verify accepts', async () => {
    const api = await spawnLedger({ dataDir });
    try {
      await api.waitUntilCaughtUp();
      const incidentId = importedIncidentId('cli:import', 'incident');
      const versions = await api.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' });
      expect(versions.status).toBe(200);
      expect((versions.body as { parties: unknown[] }).parties).toHaveLength(6);
    } finally {
      await api.stop();
    }
    const verify = await runBuiltCli(['verify', '--data-dir', dataDir]);
    expect(verify.code).toBe(0);
  });
});

describe('ledger-cli import killed mid-way (built)', () => {
  const BATCH = 100;
  let killedDir: string;

  afterAll(() => removeDataDir(killedDir));

  it('a SIGKILL leaves whole batches only, and the same file imported again completes the rest', async () => {
    killedDir = tempDataDir('ledger-cli-import-kill-');
    const created = await spawnLedger({ dataDir: killedDir });
    await created.stop();
    const path = join(killedDir, 'kill.ndjson');
    const lines = writeImportFile(path, { claims: 8000, incidents: 1 });
    const incidentEvents = async (): Promise<number> => (await readLog(killedDir)).filter((e) => e.streamName.startsWith('incident-')).length;

    // The log's WAL as it is before the import: its first write changes it (a stat holds no connection open).
    const wal = join(killedDir, 'events.sqlite-wal');
    const walState = (): string => {
      const stat = statSync(wal, { throwIfNoEntry: false });
      return stat ? `${stat.size}:${stat.mtimeMs}` : 'none';
    };
    const before = walState();
    const child = spawn(process.execPath, [CLI_MAIN, 'import', path, '--data-dir', killedDir, '--batch', String(BATCH), '--no-progress'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    let exitCode: number | null | undefined;
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve((exitCode = code))));
    try {
      // The CLI refuses a log another process has open, and reading the log here opens it: read it only once the
      // import has written, past that check (reading from the start made the CLI exit 3 now and then).
      while (walState() === before && exitCode === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
      // Party lines end their batches; the incident's lines come after them in batches of BATCH. An import that ends
      // before (a refusal, a crash) is a failure to report, not a wait until the test's timeout.
      while ((await incidentEvents()) < 3 * BATCH && exitCode === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
      expect({ exitedEarly: exitCode !== undefined && (exitCode !== 0 || stderr !== '') ? { exitCode, stderr } : false }).toEqual({ exitedEarly: false });
      child.kill('SIGKILL');
      await exited;
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const stored = await incidentEvents();
    expect(stored).toBeLessThan(lines);
    expect(stored % BATCH).toBe(0);

    const again = await runBuiltCli(['import', path, '--data-dir', killedDir, '--json', '--no-progress'], { timeoutMs: 120_000 });
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout) as { imported: number; replayed: number; failed: number };
    expect(summary).toMatchObject({ failed: 0, replayed: expect.any(Number) });
    expect(summary.imported + summary.replayed).toBe(lines);
    expect(summary.replayed).toBeGreaterThanOrEqual(stored);
    // One incident report and its 8,000 claims.
    expect(await incidentEvents()).toBe(8001);
  }, 180_000);
});
