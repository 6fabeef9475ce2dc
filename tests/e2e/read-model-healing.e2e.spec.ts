import { cpSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { damageUnderOpenConnections, scribble } from '@ledger/read-models/testing/damage-file';
import {
  BUILD_TIMEOUT_MS,
  ensureBuilt,
  killAllSpawned,
  readInitialTokens,
  removeDataDir,
  runBuiltCli,
  spawnLedger,
  SpawnedTokens,
  tempDataDir,
} from '../support/spawned-ledger';

/**
 * Issue 11, items 3 and 5: the read-model file is disposable, so no damage to it may stop the ledger or leave it
 * answering from a broken or stale file. Each case damages the file of a stopped ledger (or resets its log), starts the
 * built API on it, and expects the file moved aside (kept) and the read models rebuilt from the log.
 */

const TEST_TIMEOUT_MS = 120_000;
const dirs: string[] = [];
let template: string;
let tokens: SpawnedTokens;
let incidentsBefore: unknown;

const copyOfTemplate = (): string => {
  const dir = tempDataDir('ledger-heal-');
  dirs.push(dir);
  cpSync(template, dir, { recursive: true });
  return dir;
};

const keptFiles = (dir: string, problem: string): string[] =>
  readdirSync(dir).filter((name) => name.startsWith(`read-models.sqlite.${problem}-`) && !/-(wal|shm)$/.test(name));

beforeAll(async () => {
  await ensureBuilt('ledger-api');
  await ensureBuilt('ledger-cli');
  template = tempDataDir('ledger-heal-template-');
  dirs.push(template);
  const ledger = await spawnLedger({ dataDir: template, demo: true });
  tokens = readInitialTokens(template);
  await ledger.waitUntilCaughtUp();
  incidentsBefore = (await ledger.request('GET', '/incidents', { role: 'reader' })).body;
  await ledger.stop();
}, BUILD_TIMEOUT_MS + 60_000);

afterAll(async () => {
  await killAllSpawned();
  for (const dir of dirs) removeDataDir(dir);
});

const file = (dir: string) => join(dir, 'read-models.sqlite');

/** What was done to the file; a damaged region when the comparison is of that region only. */
type Damage = (dir: string) => { at: number; length: number } | void;

describe('a damaged or foreign read-model file is moved aside and rebuilt at start', () => {
  it.each<[string, string, Damage]>([
    ['random bytes', 'not-sqlite', (dir: string) => writeFileSync(file(dir), randomBytes(200_000))],
    ['a truncated file', 'damaged', (dir: string) => truncateSync(file(dir), Math.floor(statSync(file(dir)).size * 0.4))],
    [
      '16 KiB of noise in the middle',
      'damaged',
      (dir: string) => {
        const at = Math.floor(statSync(file(dir)).size / 2);
        scribble(file(dir), at, 16 * 1024);
        return { at, length: 16 * 1024 };
      },
    ],
    [
      'a SQLite file of another program',
      'foreign',
      (dir: string) => {
        rmSync(file(dir));
        const db = new Database(file(dir));
        db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total TEXT); INSERT INTO invoices (total) VALUES ('12.50')");
        db.close();
      },
    ],
  ])(
    '%s',
    async (_case, problem, damage) => {
      const dir = copyOfTemplate();
      for (const suffix of ['-wal', '-shm']) rmSync(file(dir) + suffix, { force: true });
      // Damage the open itself meets keeps the file byte for byte; damage found only by reading the file whole, beside a
      // ledger that has opened it, keeps it as that ledger last had it: the noise where it was.
      const region = damage(dir);
      const bytesOf = (name: string) => (region ? readFileSync(name).subarray(region.at, region.at + region.length) : readFileSync(name));
      const damaged = bytesOf(file(dir));

      const ledger = await spawnLedger({ dataDir: dir, tokens });
      await ledger.waitUntilCaughtUp();

      expect((await ledger.request('GET', '/incidents', { role: 'reader' })).body).toEqual(incidentsBefore);
      const [kept] = keptFiles(dir, problem);
      expect(kept).toBeDefined();
      expect(bytesOf(join(dir, kept)).equals(damaged)).toBe(true);
      expect(ledger.output()).toContain(`moved aside to ${join(dir, kept)}`);
      const status = await ledger.request('GET', '/admin/read-models', { role: 'admin' });
      expect(status.body).toMatchObject({ state: 'live', supervision: { lastHealing: { problem, movedTo: join(dir, kept) } } });
      expect((await ledger.request('GET', '/health/ready')).status).toBe(200);
      await ledger.stop();
    },
    TEST_TIMEOUT_MS,
  );
});

it(
  'after a crash the ledger answers before the read-model file is read whole, reads it beside the ledger, and keeps it whole',
  async () => {
    const dir = copyOfTemplate();
    const first = await spawnLedger({ dataDir: dir, tokens });
    await first.waitUntilCaughtUp();
    await first.kill();

    const ledger = await spawnLedger({ dataDir: dir, tokens });
    await ledger.waitUntilCaughtUp();

    expect(ledger.output()).toContain('to be read whole (quick_check) beside the ledger');
    expect(ledger.output()).toMatch(/read whole in \d+ ms, no damage found/);
    const status = await ledger.request('GET', '/admin/read-models', { role: 'admin' });
    expect(status.body).toMatchObject({ state: 'live', supervision: { lastHealing: null, fileCheck: { state: 'whole', detail: null } } });
    expect((await ledger.request('GET', '/incidents', { role: 'reader' })).body).toEqual(incidentsBefore);
    // A clean stop after it vouches for the file again: the next start reads nothing whole.
    await ledger.stop();
    const again = await spawnLedger({ dataDir: dir, tokens });
    await again.waitUntilCaughtUp();
    expect(again.output()).toContain('as the last clean stop left them, not read whole');
    expect((await again.request('GET', '/admin/read-models', { role: 'admin' })).body).toMatchObject({ supervision: { fileCheck: null } });
    await again.stop();
  },
  TEST_TIMEOUT_MS,
);

it(
  'an empty store under old read models (the log was reset, the data directory kept): rebuilt from the new log, new events shown',
  async () => {
    const dir = copyOfTemplate();
    for (const name of readdirSync(dir).filter((n) => n.startsWith('events.sqlite'))) rmSync(join(dir, name));

    const ledger = await spawnLedger({ dataDir: dir, tokens });
    await ledger.waitUntilCaughtUp();

    expect((await ledger.request('GET', '/incidents', { role: 'reader' })).body).toMatchObject({ items: [], total: 0 });
    expect(ledger.output()).toMatch(/checkpoint \d+ is past the event log's head 0/);
    const party = await ledger.request('POST', '/parties', { role: 'recorder', body: { partyId: 'osce-minsk-group', name: 'OSCE Minsk Group', kind: 'mediator' } });
    expect(party.status).toBe(201);
    expect(party.headers.get('read-models')).toBe('current');
    expect((await ledger.request('GET', '/parties/osce-minsk-group', { role: 'reader' })).status).toBe(200);
    await ledger.stop();
  },
  TEST_TIMEOUT_MS,
);

it(
  'ledger-cli rebuild moves random bytes aside and rebuilds, instead of failing the same way as the start did',
  async () => {
    const dir = copyOfTemplate();
    for (const suffix of ['-wal', '-shm']) rmSync(file(dir) + suffix, { force: true });
    writeFileSync(file(dir), randomBytes(200_000));

    const result = await runBuiltCli(['rebuild', '--data-dir', dir]);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('moved aside to');
    expect(keptFiles(dir, 'not-sqlite')).toHaveLength(1);
    const ledger = await spawnLedger({ dataDir: dir, tokens });
    await ledger.waitUntilCaughtUp();
    expect((await ledger.request('GET', '/incidents', { role: 'reader' })).body).toEqual(incidentsBefore);
    await ledger.stop();
  },
  TEST_TIMEOUT_MS,
);

it(
  '/health/live answers while the process runs; /health/ready and /health agree',
  async () => {
    const ledger = await spawnLedger({ dataDir: copyOfTemplate(), tokens });
    await ledger.waitUntilCaughtUp();
    const live = await ledger.request('GET', '/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'ok' });
    const ready = await ledger.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ ready: true, reasons: [], readModels: { state: 'live' }, writeProbe: { ok: true } });
    const health = await ledger.health();
    expect(health.status).toBe(200);
    expect(health.body.details).toMatchObject({ readiness: { status: 'up', reasons: [] } });
    await ledger.stop();
  },
  TEST_TIMEOUT_MS,
);

it(
  'damage while running: views answer 503 (never 500), POST /admin/read-models/rebuild moves the file aside and rebuilds, and new writes show',
  async () => {
    const dir = copyOfTemplate();
    const ledger = await spawnLedger({ dataDir: dir, tokens });
    await ledger.waitUntilCaughtUp();
    damageUnderOpenConnections(file(dir));

    const statuses = await Promise.all(['/incidents', '/parties'].map(async (path) => (await ledger.request('GET', path, { role: 'reader' })).status));
    expect(statuses.filter((status) => status >= 500 && status !== 503)).toEqual([]);

    const rebuilt = await ledger.request('POST', '/admin/read-models/rebuild', { role: 'admin' });
    expect(rebuilt.status).toBe(200);
    await ledger.waitUntilCaughtUp();
    expect((await ledger.request('GET', '/incidents', { role: 'reader' })).body).toEqual(incidentsBefore);
    expect(keptFiles(dir, 'damaged')).toHaveLength(1);
    const party = await ledger.request('POST', '/parties', { role: 'recorder', body: { partyId: 'osce-minsk-group', name: 'OSCE Minsk Group', kind: 'mediator' } });
    expect(party.headers.get('read-models')).toBe('current');
    await ledger.stop();
  },
  TEST_TIMEOUT_MS,
);
