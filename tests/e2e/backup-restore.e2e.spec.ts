import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLog } from '../support/data-dir';
import { claimBody, seedIncident } from '../support/ledger-bodies';
import { runBuiltCli, SpawnedLedger, spawnLedger } from '../support/spawned-ledger';
import { spawnedSuite } from '../support/spawned-suite';

/**
 * `ledger-cli backup` under write load, `ledger-cli restore` into a new directory: the restored ledger verifies,
 * holds every write acknowledged before the backup began, and starts with the old tokens. Restore never overwrites
 * a live ledger, nor a non-empty one without --force.
 */

const WRITERS = 6;
const ACKS_BEFORE_BACKUP = 40;

const newDir = spawnedSuite('ledger-backup-', ['ledger-api', 'ledger-cli']);

interface Ack {
  position: string;
  claimId: string;
}

/** Writers posting claims until told to stop; every 201 is kept with its log position. */
const writeLoad = (ledger: SpawnedLedger, incidentId: string) => {
  const acks: Ack[] = [];
  let stopping = false;
  let n = 0;
  const failures: string[] = [];
  const writer = async () => {
    while (!stopping) {
      const res = await ledger.request('POST', `/incidents/${incidentId}/claims`, { role: 'recorder', body: claimBody(n++) });
      if (res.status === 201) acks.push({ position: res.headers.get('ledger-position')!, claimId: (res.body as { claimId: string }).claimId });
      else failures.push(`${res.status} ${JSON.stringify(res.body)}`);
    }
  };
  const running = Promise.all(Array.from({ length: WRITERS }, writer));
  return {
    acks,
    failures,
    stop: async () => {
      stopping = true;
      await running;
    },
  };
};

describe('backup and restore', () => {
  it('a backup taken under write load restores to a ledger that verifies and holds every write acknowledged before it began', async () => {
    const dataDir = newDir('ledger-backup-src-');
    const ledger = await spawnLedger({ dataDir });
    const incidentId = await seedIncident(ledger);
    // A signed checkpoint, so that verify checks a signature made with the copied notary key.
    expect((await ledger.request('POST', '/integrity/checkpoints', { role: 'auditor' })).status).toBe(201);

    const load = writeLoad(ledger, incidentId);
    while (load.acks.length < ACKS_BEFORE_BACKUP) await new Promise((resolve) => setTimeout(resolve, 10));
    const ackedBefore = [...load.acks];
    const backupDir = join(newDir('ledger-backup-'), 'copy');
    const backupStarted = Date.now();
    const backup = await runBuiltCli(['backup', backupDir, '--json', '--data-dir', dataDir]);
    const backupMs = Date.now() - backupStarted;
    const ackedDuring = load.acks.length - ackedBefore.length;
    await load.stop();

    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(load.failures).toEqual([]);
    expect(ackedDuring).toBeGreaterThan(0);
    const manifest = JSON.parse(backup.stdout) as { headPosition: string; readModelsCheckpoint: string | null; files: Record<string, unknown> };
    expect(Object.keys(manifest.files).sort()).toEqual(['events.sqlite', 'notary-ed25519.pem', 'read-models.sqlite', 'tokens.json']);
    expect(BigInt(manifest.readModelsCheckpoint ?? '0')).toBeLessThanOrEqual(BigInt(manifest.headPosition));

    // Refused while the source ledger runs on the target, with or without --force.
    const onLive = await runBuiltCli(['restore', backupDir, '--force', '--data-dir', dataDir]);
    expect(onLive.code).toBe(3);
    expect(onLive.stderr).toContain('a ledger is running on');
    const tokens = ledger.tokens;
    await ledger.stop();

    const restoredDir = join(newDir('ledger-restored-'), 'data');
    const restored = await runBuiltCli(['restore', backupDir, '--data-dir', restoredDir]);
    expect(restored.stderr).toContain('restored into');
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('Ledger verified');
    expect((await runBuiltCli(['verify', '--data-dir', restoredDir])).code).toBe(0);

    const log = await readLog(restoredDir);
    const claimIds = new Set(log.filter((e) => e.type.startsWith('ClaimMade.')).map((e) => (e.data as { claimId: string }).claimId));
    const positions = new Map(log.map((e) => [String(e.position), e]));
    const missing = ackedBefore.filter((ack) => !claimIds.has(ack.claimId) || (positions.get(ack.position)?.data as { claimId?: string })?.claimId !== ack.claimId);
    expect(missing).toEqual([]);
    expect(String(log[log.length - 1].position)).toBe(manifest.headPosition);
    // eslint-disable-next-line no-console
    console.log(
      `backup under load: ${ackedBefore.length} claims acknowledged before it began, ${ackedDuring} while ledger-cli backup ran (${backupMs} ms, process start included); ` +
        `copied head ${manifest.headPosition}, read-model checkpoint ${manifest.readModelsCheckpoint}; restored log ${log.length} events`,
    );

    // The restored ledger starts on its own files, with the tokens handed out before.
    const again = await spawnLedger({ dataDir: restoredDir, tokens });
    await again.waitUntilCaughtUp();
    const claims = await again.request('GET', `/incidents/${incidentId}`, { role: 'reader' });
    expect(claims.status).toBe(200);
    await again.stop();
  }, 180_000);

  it('refuses a non-empty target without --force, and moves its files aside with it', async () => {
    const source = await spawnLedger({ dataDir: newDir('ledger-backup-src-') });
    await seedIncident(source);
    const backupDir = join(newDir('ledger-backup-'), 'copy');
    expect((await runBuiltCli(['backup', backupDir, '--data-dir', source.dataDir])).code).toBe(0);
    await source.stop();

    const target = newDir('ledger-restore-target-');
    writeFileSync(join(target, 'events.sqlite'), 'not a ledger');
    const refused = await runBuiltCli(['restore', backupDir, '--data-dir', target]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is not empty (events.sqlite)');

    const forced = await runBuiltCli(['restore', backupDir, '--force', '--data-dir', target]);
    expect(forced.code).toBe(0);
    expect(forced.stderr).toMatch(/moved 1 existing file\(s\) aside into .*pre-restore-/);
    expect((await runBuiltCli(['verify', '--data-dir', target])).code).toBe(0);

    // A backup goes into a new or empty directory only.
    const occupied = newDir('ledger-backup-occupied-');
    mkdirSync(join(occupied, 'something'));
    const intoOccupied = await runBuiltCli(['backup', occupied, '--data-dir', target]);
    expect(intoOccupied.code).toBe(2);
    expect(existsSync(join(occupied, 'backup.json'))).toBe(false);
  }, 120_000);

  it('on a ledger configured for EventStoreDB, backup and restore refuse with a message saying what to use instead', async () => {
    const dataDir = newDir('ledger-backup-esdb-');
    const env = { EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:1?tls=false', LEDGER_DATA_DIR: dataDir };
    const target = join(newDir('ledger-backup-esdb-out-'), 'copy');
    for (const args of [['backup', target], ['restore', target]]) {
      const refused = await runBuiltCli(args, { env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('event log is in EventStoreDB');
      expect(refused.stderr).toContain('with its own procedure');
      // A message, not a stack trace.
      expect(refused.stderr).not.toMatch(/^\s+at /m);
    }
    expect(existsSync(target)).toBe(false);
  }, 60_000);
});
