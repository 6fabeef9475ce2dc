import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { currentBootId } from '@ledger/read-models';
import { claimBody, seedIncident } from '../support/ledger-bodies';
import { runBuiltCli, spawnLedger } from '../support/spawned-ledger';
import { spawnedSuite } from '../support/spawned-suite';

/**
 * LEDGER_READ_MODELS_FILE puts the read models apart from the event log (another disk, a RAM disk): the API, the CLI's
 * status and backup, and restore all follow it. The read models are rebuilt from the log, so a file a reboot emptied
 * comes back at the next start; a restore never leaves a file there that belongs to another state of the log.
 */

const newDir = spawnedSuite('ledger-rm-file-', ['ledger-api', 'ledger-cli']);

const checkpointOf = (file: string): bigint => {
  const db = new Database(file, { readonly: true });
  try {
    return BigInt((db.prepare('SELECT position FROM read_model_checkpoints').get() as { position: number | bigint }).position);
  } finally {
    db.close();
  }
};

describe('LEDGER_READ_MODELS_FILE', () => {
  it('keeps the read models there, rebuilds them from the log when the file is gone, and backup and restore follow it', async () => {
    const dataDir = newDir('ledger-rm-data-');
    const ram = newDir('ledger-rm-ram-');
    const readModelsFile = join(ram, 'models', 'read-models.sqlite');
    const env = { LEDGER_READ_MODELS_FILE: readModelsFile };

    const ledger = await spawnLedger({ dataDir, env });
    const incidentId = await seedIncident(ledger);
    expect((await ledger.request('POST', `/incidents/${incidentId}/claims`, { role: 'recorder', body: claimBody(1) })).status).toBe(201);
    const versions = await ledger.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' });
    expect(versions.status).toBe(200);
    expect(existsSync(readModelsFile)).toBe(true);
    expect(existsSync(join(dataDir, 'read-models.sqlite'))).toBe(false);
    expect(ledger.output()).toContain(`Read models: SQLite, ${readModelsFile}`);
    const tokens = ledger.tokens;
    await ledger.stop();

    // What a reboot does to a RAM disk: the next start rebuilds the read models from the log.
    rmSync(join(ram, 'models'), { recursive: true, force: true });
    const rebuilt = await spawnLedger({ dataDir, env, tokens });
    await rebuilt.waitUntilCaughtUp();
    const again = await rebuilt.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(versions.body);
    await rebuilt.stop();

    const status = await runBuiltCli(['status', '--check', '--data-dir', dataDir], { env });
    expect(status.code).toBe(0);
    const backupDir = join(newDir('ledger-rm-backup-'), 'copy');
    const backup = await runBuiltCli(['backup', backupDir, '--json', '--data-dir', dataDir], { env });
    expect(backup.code).toBe(0);
    const manifest = JSON.parse(backup.stdout) as { headPosition: string; readModelsCheckpoint: string | null; files: Record<string, unknown> };
    expect(Object.keys(manifest.files)).toContain('read-models.sqlite');
    expect(manifest.readModelsCheckpoint).toBe(manifest.headPosition);

    // A restore whose read models live elsewhere: a file already there (of another ledger, or of a later state of this
    // one) must not survive it, so it counts as an existing file: refused without --force, moved aside with it.
    const target = join(newDir('ledger-rm-target-'), 'data');
    const targetRam = newDir('ledger-rm-target-ram-');
    const targetEnv = { LEDGER_READ_MODELS_FILE: join(targetRam, 'rm.sqlite') };
    const stale = await spawnLedger({ dataDir: newDir('ledger-rm-stale-'), env: { ...targetEnv, ...(currentBootId() ? { LEDGER_READ_MODELS_SYNC: 'off' } : {}) } });
    const staleIncident = await seedIncident(stale);
    for (let n = 0; n < 3; n++) expect((await stale.request('POST', `/incidents/${staleIncident}/claims`, { role: 'recorder', body: claimBody(n) })).status).toBe(201);
    // Killed: its unsynced-writes marker (LEDGER_READ_MODELS_SYNC=off, where the boot id can be read) stays beside the file.
    await stale.kill();
    const unsyncedMarker = currentBootId() !== undefined;
    expect(existsSync(join(targetRam, 'rm.sqlite-unsynced'))).toBe(unsyncedMarker);
    const staleCheckpoint = checkpointOf(join(targetRam, 'rm.sqlite'));
    expect(staleCheckpoint).not.toBe(BigInt(manifest.headPosition));

    const refused = await runBuiltCli(['restore', backupDir, '--data-dir', target], { env: targetEnv });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('rm.sqlite');
    const forced = await runBuiltCli(['restore', backupDir, '--force', '--data-dir', target], { env: targetEnv });
    expect(forced.stderr).toContain('restored into');
    expect(forced.code).toBe(0);
    expect(checkpointOf(join(targetRam, 'rm.sqlite'))).toBe(BigInt(manifest.headPosition));
    expect(existsSync(join(target, 'read-models.sqlite'))).toBe(false);
    const aside = readdirSync(target).filter((name) => name.startsWith('pre-restore-'));
    expect(aside).toHaveLength(1);
    expect(readdirSync(join(target, aside[0]))).toContain('rm.sqlite');
    // The marker goes with the file it speaks of: the restored file is the backup's copy, synced by the restore.
    expect(existsSync(join(targetRam, 'rm.sqlite-unsynced'))).toBe(false);
    if (unsyncedMarker) expect(readdirSync(join(target, aside[0]))).toContain('rm.sqlite-unsynced');

    const restored = await spawnLedger({ dataDir: target, env: targetEnv, tokens });
    await restored.waitUntilCaughtUp();
    const fromRestored = await restored.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' });
    expect(fromRestored.status).toBe(200);
    expect(fromRestored.body).toEqual(versions.body);
    await restored.stop();
  }, 180_000);

  it("rebuilds read models another ledger's log built, even when this log is as long as theirs", async () => {
    const shared = join(newDir('ledger-rm-shared-'), 'read-models.sqlite');
    const first = await spawnLedger({ dataDir: newDir('ledger-rm-first-'), env: { LEDGER_READ_MODELS_FILE: shared } });
    const theirs = await seedIncident(first);
    await first.stop();

    // This ledger's log is longer than theirs, so the checkpoint in the shared file is not past its head.
    const second = await spawnLedger({ dataDir: newDir('ledger-rm-second-') });
    const ours = await seedIncident(second);
    for (let n = 0; n < 5; n++) expect((await second.request('POST', `/incidents/${ours}/claims`, { role: 'recorder', body: claimBody(n) })).status).toBe(201);
    const tokens = second.tokens;
    await second.stop();
    expect(checkpointOf(shared)).toBeLessThan(5n);

    const onShared = await spawnLedger({ dataDir: second.dataDir, env: { LEDGER_READ_MODELS_FILE: shared }, tokens });
    await onShared.waitUntilCaughtUp();
    expect((await onShared.request('GET', `/incidents/${theirs}`, { role: 'reader' })).status).toBe(404);
    expect((await onShared.request('GET', `/incidents/${ours}`, { role: 'reader' })).status).toBe(200);
    expect(onShared.output()).toContain('built from another log');
    await onShared.stop();
  }, 120_000);

  it('refuses to start on a value that names a directory, the event log or the tokens file, saying which variable', async () => {
    const dataDir = newDir('ledger-rm-bad-');
    for (const value of [dataDir, join(dataDir, 'events.sqlite'), join(dataDir, 'tokens.json')]) {
      await expect(spawnLedger({ dataDir, env: { LEDGER_READ_MODELS_FILE: value }, startTimeoutMs: 20_000 })).rejects.toThrow(/LEDGER_READ_MODELS_FILE/);
    }
  }, 120_000);
});
