import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RecordedEvent } from '@ledger/event-store';
import {
  BUILD_TIMEOUT_MS,
  ensureBuilt,
  killAllSpawned,
  removeDataDir,
  runBuiltCli,
  spawnLedger,
  SpawnedLedger,
  SpawnedTokens,
  tempDataDir,
} from '../support/spawned-ledger';
import { dumpReadModels, readLog } from '../support/data-dir';

/**
 * The built operator CLI (dist/apps/ledger-cli/main.js) against a data
 * directory the built API produced: status, rebuild, and how both fail.
 */

// Each case spawns node a few times (and one starts the API); generous for a loaded machine.
jest.setTimeout(45_000);

const dirs: string[] = [];
const newDir = (): string => {
  const dir = tempDataDir('ledger-cli-');
  dirs.push(dir);
  return dir;
};

let dataDir: string;
let tokens: SpawnedTokens;
let incidentId: string;
let versionsBefore: unknown;
let api: SpawnedLedger | undefined;

const countByType = (events: RecordedEvent[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
  return counts;
};

beforeAll(async () => {
  await ensureBuilt('ledger-api');
  await ensureBuilt('ledger-cli');
  dataDir = newDir();
  api = await spawnLedger({ dataDir, demo: true });
  tokens = api.tokens;
  incidentId = /Demo data loaded: incident http:\/\/[^/]+\/incidents\/([0-9a-f-]{36})\/versions/.exec(api.output())![1];
  await api.waitUntilCaughtUp();
  versionsBefore = (await api.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' })).body;
}, 2 * BUILD_TIMEOUT_MS + 30_000);

afterAll(async () => {
  await killAllSpawned();
  for (const dir of dirs) removeDataDir(dir);
});

describe('ledger-cli (built) against a data directory of the built API', () => {
  it('prints usage with --help on the program and on each command, exit code 0', async () => {
    const [top, rebuild, status] = await Promise.all([
      runBuiltCli(['--help']),
      runBuiltCli(['rebuild', '--help']),
      runBuiltCli(['status', '--help']),
    ]);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Usage: ledger-cli');
    expect(top.stdout).toMatch(/status .*\n/);
    expect(top.stdout).toMatch(/rebuild .*\n/);
    expect(top.stdout).toContain('--data-dir <dir>');
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toContain('The ledger API must be stopped first');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('--json');
  });

  it('refuses to rebuild while the API has the files open (exit 3), but reports status', async () => {
    const before = await runBuiltCli(['rebuild', '--data-dir', dataDir]);
    expect(before.code).toBe(3);
    expect(before.stderr).toContain('open in another process');
    expect(before.stderr).toContain('Stop the ledger API');
    expect(before.stdout).toBe('');

    const status = await runBuiltCli(['status', '--json', '--data-dir', dataDir]);
    expect(status.code).toBe(0);
    const health = (await api!.health()).body;
    expect(JSON.parse(status.stdout)).toMatchObject({ inSync: true, eventLog: { headPosition: health.details.eventStore.headPosition } });
  });

  describe('with the API stopped', () => {
    beforeAll(async () => {
      await api!.stop();
      api = undefined;
    }, 30_000);

    it('status: head position, checkpoint, in sync, event counts per type (text and JSON, --data-dir or LEDGER_DATA_DIR)', async () => {
      const log = await readLog(dataDir);
      const head = log[log.length - 1].position.toString();
      const byType = countByType(log);

      const text = await runBuiltCli(['status', '--data-dir', dataDir]);
      expect(text.code).toBe(0);
      expect(text.stderr).toBe('');
      expect(text.stdout).toContain(`Data directory     ${dataDir}`);
      expect(text.stdout).toContain(`head position ${head}, ${log.length} events`);
      expect(text.stdout).toContain(`checkpoint ${head} (ledger-read-models)`);
      expect(text.stdout).toMatch(/In sync\s+yes/);
      for (const [type, n] of Object.entries(byType)) expect(text.stdout).toMatch(new RegExp(`\\n  ${type.replace('.', '\\.')}\\s+${n}\\n`));

      const json = await runBuiltCli(['status', '--json'], { env: { LEDGER_DATA_DIR: dataDir } });
      expect(json.code).toBe(0);
      const status = JSON.parse(json.stdout);
      expect(status).toMatchObject({
        dataDir,
        inSync: true,
        eventLog: { headPosition: head, events: log.length, eventsByType: byType, unknownTypes: [] },
        readModels: { exists: true, checkpoint: head, projectionVersionsMatch: true },
      });
      expect(status.readModels.rows).toMatchObject({ incidents: 1, claims: 5, denials: 2 });

      const check = await runBuiltCli(['status', '--check', '--data-dir', dataDir]);
      expect(check.code).toBe(0);
    });

    it('rebuild: exit 0, progress on stderr, a summary line on stdout, read models equal before and after; the API then starts on them', async () => {
      const before = dumpReadModels(dataDir);
      const log = await readLog(dataDir);
      const head = log[log.length - 1].position;

      const result = await runBuiltCli(['rebuild', '--data-dir', dataDir, '--page-size', '5']);
      expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
      expect(result.stderr).toContain(`rebuild: replaying the event log of ${dataDir} (head position ${head})`);
      expect(result.stderr).toContain(`rebuild: ${log.length} events applied, position ${head} of ${head}`);
      const progressLines = result.stderr.trim().split('\n');
      expect(progressLines.length).toBeLessThanOrEqual(2 + Math.ceil(log.length / 5));
      const summary = result.stdout.trim().split('\n');
      expect(summary).toHaveLength(1);
      expect(summary[0]).toMatch(
        new RegExp(
          `^Rebuilt read models: ${log.length} events up to position ${head} in \\d+ ms; rows: ` +
            'incidents 1, incidents_by_day 2, incident_parties \\d+, claims 5, claim_versions 6, source_grades 0, denials 2, party_positions \\d+, claim_fields \\d+, position_values \\d+, disagreements \\d+, timeline_entries \\d+, amendments 1, moved_entries 0, parties \\d+$',
        ),
      );

      const after = dumpReadModels(dataDir);
      expect(after.checkpoint).toBe(head);
      expect(after.dump).toEqual(before.dump);

      const restarted = await spawnLedger({ dataDir, tokens });
      try {
        await restarted.waitUntilCaughtUp();
        expect(restarted.output()).not.toContain('rebuilding');
        expect(restarted.output()).not.toContain('building from the log');
        const versions = await restarted.request('GET', `/incidents/${incidentId}/versions`, { role: 'reader' });
        expect(versions.body).toEqual(versionsBefore);
      } finally {
        await restarted.stop();
      }
    });

    it('rebuild stops at an event of a type this build does not know: exit 1 naming the event; status flags it', async () => {
      const corrupt = newDir();
      cpSync(dataDir, corrupt, { recursive: true });
      const log = await readLog(corrupt);
      const victim = log.find((e) => e.type.startsWith('ClaimMade.'))!;
      const db = new Database(join(corrupt, 'events.sqlite'));
      try {
        // Only possible by going around the store: the table refuses UPDATE unless its trigger is dropped.
        expect(() => db.prepare('UPDATE events SET type = ? WHERE position = ?').run('ClaimTeleported.v1', victim.position)).toThrow(/append-only/);
        db.exec('DROP TRIGGER events_append_only_no_update');
        db.prepare('UPDATE events SET type = ? WHERE position = ?').run('ClaimTeleported.v1', victim.position);
      } finally {
        db.close();
      }

      const status = await runBuiltCli(['status', '--data-dir', corrupt]);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/ClaimTeleported\.v1\s+1\s+UNKNOWN to this build/);

      const result = await runBuiltCli(['rebuild', '--data-dir', corrupt]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`ledger-cli: Rebuild failed at position ${victim.position}`);
      expect(result.stderr).toContain(`event ${victim.eventId}`);
      expect(result.stderr).toContain('"ClaimTeleported.v1" is unknown to the event registry');
      expect(result.stderr).toContain(`hold the log up to position ${victim.position - 1n} only`);
      expect(dumpReadModels(corrupt).checkpoint).toBe(victim.position - 1n);

      const check = await runBuiltCli(['status', '--check', '--json', '--data-dir', corrupt]);
      expect(check.code).toBe(4);
      expect(JSON.parse(check.stdout)).toMatchObject({ inSync: false, eventLog: { unknownTypes: ['ClaimTeleported.v1'] } });
      expect(check.stderr).toContain('not in sync');
    });

    it('fails with exit 2 and a clear message on a missing data directory, a directory without a log, or an invalid environment', async () => {
      const missing = join(newDir(), 'no-such-dir');
      const empty = join(newDir(), 'empty');
      mkdirSync(empty);
      // Independent invocations, run side by side to spare wall-clock time.
      const [status, rebuild, fromEnv, noLog, badEnv, badOption, unknown] = await Promise.all([
        runBuiltCli(['status', '--data-dir', missing]),
        runBuiltCli(['rebuild', '--data-dir', missing]),
        runBuiltCli(['status'], { env: { LEDGER_DATA_DIR: missing } }),
        runBuiltCli(['rebuild', '--data-dir', empty]),
        runBuiltCli(['status', '--data-dir', dataDir], { env: { LOG_LEVEL: 'loud' } }),
        runBuiltCli(['rebuild', '--data-dir', dataDir, '--page-size', 'lots']),
        runBuiltCli(['frobnicate']),
      ]);

      for (const result of [status, rebuild]) {
        expect(result.code).toBe(2);
        expect(result.stderr).toContain(`Data directory ${missing} does not exist (from --data-dir)`);
        expect(result.stdout).toBe('');
      }
      expect(fromEnv.code).toBe(2);
      expect(fromEnv.stderr).toContain(`Data directory ${missing} does not exist (from LEDGER_DATA_DIR)`);
      expect(existsSync(missing)).toBe(false); // never creates an empty ledger

      expect(noLog.code).toBe(2);
      expect(noLog.stderr).toContain(`No event log in ${empty}: events.sqlite is missing`);
      expect(existsSync(join(empty, 'read-models.sqlite'))).toBe(false);

      expect(badEnv.code).toBe(2);
      expect(badEnv.stderr).toContain('Invalid configuration');
      expect(badEnv.stderr).toContain('LOG_LEVEL="loud"');

      expect(badOption.code).toBe(2);
      expect(badOption.stderr).toContain("option '--page-size <events>' argument 'lots' is invalid");

      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    });
  });
});
