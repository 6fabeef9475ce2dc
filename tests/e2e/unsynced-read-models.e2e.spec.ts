import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentBootId } from '@ledger/read-models';
import { claimBody, seedIncident } from '../support/ledger-bodies';
import { runBuiltCli, spawnLedger } from '../support/spawned-ledger';
import { spawnedSuite } from '../support/spawned-suite';

/**
 * The read models written without fsync (LEDGER_READ_MODELS_SYNC=off, Linux only). A killed process
 * loses nothing, so its file is kept; a file the machine went down under before a clean stop synced it (its marker
 * names an earlier boot) is moved aside and rebuilt from the log, and a backup leaves it out.
 */

const newDir = spawnedSuite('ledger-unsynced-', ['ledger-api', 'ledger-cli']);

const markerOf = (dataDir: string): string => join(dataDir, 'read-models.sqlite-unsynced');
const UNSYNCED = { LEDGER_READ_MODELS_SYNC: 'off' };
const movedAside = (dataDir: string): string[] => readdirSync(dataDir).filter((name) => /^read-models\.sqlite\.unsynced-\d+T\d+Z$/.test(name));

describe('read models written without fsync', () => {
  const bootId = currentBootId();
  const onLinux = process.platform === 'linux';

  it('keeps the file through a killed process, rebuilds it after a restart of the machine, and syncs it at a clean stop', async () => {
    if (onLinux) expect(bootId).toBeDefined();
    const dataDir = newDir('ledger-unsynced-data-');
    const ledger = await spawnLedger({ dataDir, env: UNSYNCED });
    const incidentId = await seedIncident(ledger);
    expect((await ledger.request('POST', `/incidents/${incidentId}/claims`, { role: 'recorder', body: claimBody(1) })).status).toBe(201);
    const versions = await ledger.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' });
    expect(versions.status).toBe(200);
    expect(ledger.output()).toContain('not fsynced; rebuilt from the log if the machine restarts before a clean stop');
    expect(JSON.parse(readFileSync(markerOf(dataDir), 'utf8'))).toEqual(expect.objectContaining({ bootId }));
    const tokens = ledger.tokens;
    await ledger.kill();

    // The process died, the machine did not: what it wrote is in the page cache, and the file is resumed.
    const resumed = await spawnLedger({ dataDir, tokens, env: UNSYNCED });
    await resumed.waitUntilCaughtUp();
    expect(movedAside(dataDir)).toEqual([]);
    expect(resumed.output()).not.toMatch(/building from the log/);
    expect((await resumed.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' })).body).toEqual(versions.body);
    expect((await resumed.request('POST', `/incidents/${incidentId}/claims`, { role: 'recorder', body: claimBody(2) })).status).toBe(201);
    const later = await resumed.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' });
    await resumed.kill();

    // As the machine's restart leaves it: the marker names a boot that is over.
    writeFileSync(markerOf(dataDir), JSON.stringify({ bootId: '00000000-0000-4000-8000-000000000000', since: '2026-12-06T00:00:00.000Z' }));
    const backupDir = join(newDir('ledger-unsynced-backup-'), 'copy');
    const backup = await runBuiltCli(['backup', backupDir, '--json', '--data-dir', dataDir]);
    expect(backup.code).toBe(0);
    const manifest = JSON.parse(backup.stdout) as { files: Record<string, unknown>; readModelsCheckpoint: string | null };
    expect(Object.keys(manifest.files)).not.toContain('read-models.sqlite');
    expect(manifest.readModelsCheckpoint).toBeNull();

    const rebuilt = await spawnLedger({ dataDir, tokens, env: UNSYNCED });
    await rebuilt.waitUntilCaughtUp();
    expect(movedAside(dataDir)).toHaveLength(1);
    expect(rebuilt.output()).toMatch(/unsynced \(written without sync during boot 00000000-0000-4000-8000-000000000000/);
    expect((await rebuilt.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' })).body).toEqual(later.body);
    expect(JSON.parse(readFileSync(markerOf(dataDir), 'utf8'))).toEqual(expect.objectContaining({ bootId }));

    // A clean stop empties the WAL into the file, syncs it and removes the marker: the next boot trusts it.
    await rebuilt.stop();
    expect(existsSync(markerOf(dataDir))).toBe(false);
    const status = await runBuiltCli(['status', '--check', '--data-dir', dataDir]);
    expect(status.code).toBe(0);
  }, 120_000);

  it("writes with SQLite's syncs and no marker by default (LEDGER_READ_MODELS_SYNC=normal)", async () => {
    const dataDir = newDir('ledger-unsynced-normal-');
    const ledger = await spawnLedger({ dataDir });
    const incidentId = await seedIncident(ledger);
    expect((await ledger.request('POST', `/incidents/${incidentId}/claims`, { role: 'recorder', body: claimBody(1) })).status).toBe(201);
    expect(existsSync(markerOf(dataDir))).toBe(false);
    expect(ledger.output()).not.toContain('not fsynced');
    await ledger.stop();
  }, 60_000);
});
