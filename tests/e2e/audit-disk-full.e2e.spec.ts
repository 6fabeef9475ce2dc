import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEAVY_INCIDENT_TITLE, writeImportFile } from '../../bench/generate-import';
import { BUILD_TIMEOUT_MS, ensureBuilt, killAllSpawned, removeDataDir, spawnLedger, tempDataDir } from '../support/spawned-ledger';

/**
 * An auditor's look at a large incident's past folds it into SQLite's temporary files. When their disk is full the
 * fold fails with SQLITE_FULL, which the API answered as a 500: the built API on a 1 MiB tmpfs (SQLITE_TMPDIR) must
 * answer 503 disk-unavailable, and go on answering what needs no such file.
 */

jest.setTimeout(120_000);

/** A 1 MiB tmpfs, or why there is none (mounting needs root and a kernel that allows it). */
const tinyDisk = (): { dir: string } | { skip: string } => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-tiny-tmp-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1M', 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (error) {
    rmdirSync(dir);
    return { skip: `cannot mount a tmpfs here (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})` };
  }
};

const disk = process.platform === 'linux' ? tinyDisk() : { skip: 'tmpfs is Linux only' };
if ('skip' in disk) console.log(`audit-disk-full e2e: skipped, ${disk.skip}`);

('dir' in disk ? describe : describe.skip)('an audit fold that fills the disk of SQLite\'s temporary files (built API)', () => {
  let dataDir: string;

  beforeAll(async () => {
    await ensureBuilt('ledger-api');
    dataDir = tempDataDir('ledger-audit-disk-full-');
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await killAllSpawned();
    removeDataDir(dataDir);
    if ('dir' in disk) {
      execFileSync('umount', [disk.dir]);
      rmdirSync(disk.dir);
    }
  });

  it('answers 503 disk-unavailable with Retry-After, not 500, and serves the present meanwhile', async () => {
    // 5,000 claims on one incident, imported with room to spare: the fold of it spills some 20 MB.
    const loader = await spawnLedger({ dataDir });
    const file = join(dataDir, '..', `audit-disk-full-${process.pid}.ndjson`);
    writeImportFile(file, { claims: 5000, incidents: 1, heavyIncidentClaims: 5000 });
    const imported = await fetch(`${loader.baseUrl}/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${loader.tokens.recorder}`, 'content-type': 'application/x-ndjson' },
      body: readFileSync(file),
    });
    expect(imported.status).toBe(200);
    expect(((await imported.json()) as { failed: number }).failed).toBe(0);
    await loader.waitUntilCaughtUp();
    const tokens = loader.tokens;
    await loader.stop();

    const ledger = await spawnLedger({ dataDir, tokens, env: { SQLITE_TMPDIR: (disk as { dir: string }).dir } });
    const listed = await ledger.request('GET', `/incidents?q=${encodeURIComponent(HEAVY_INCIDENT_TITLE)}`, { role: 'reader' });
    const incidentId = listed.body.items[0].incidentId as string;

    const past = await ledger.request('GET', `/audit/incidents/${incidentId}/versions?recordedAsOf=2100-01-01&limit=10`, { role: 'auditor' });
    expect(past.status).toBe(503);
    expect(past.headers.get('content-type')).toContain('application/problem+json');
    expect(past.body).toMatchObject({ code: 'disk-unavailable', detail: expect.stringContaining('SQLITE_FULL') });
    expect(past.headers.get('retry-after')).toBe('5');

    const present = await ledger.request('GET', `/incidents/${incidentId}/versions?limit=10`, { role: 'reader' });
    expect(present.status).toBe(200);
  });
});
