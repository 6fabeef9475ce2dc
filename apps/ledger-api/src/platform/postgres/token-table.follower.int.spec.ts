import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_POSTGRES_URL, sql, uniqueName } from '../../../../../tests/support/postgres';
import { generateToken, hashToken, MissingTokensFileError, type TokenEntry, writeTokensFile } from '../auth/token.registry';
import { LedgerDatabase } from './ledger-database';
import { seedTokenTable, TokenTable, TokenTableFollower } from './token-table.follower';

const entry = (principal: string, token: string, extra: Partial<TokenEntry> = {}): TokenEntry => ({
  principal,
  roles: ['reader'],
  sha256: hashToken(token),
  createdAt: '2026-12-04T12:00:00.000Z',
  ...extra,
});

const eventually = async (check: () => boolean, what: string, timeoutMs = 5_000): Promise<number> => {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
};

describe('API tokens in PostgreSQL', () => {
  let schema: string;
  let db: LedgerDatabase;
  const followers: TokenTableFollower[] = [];

  beforeEach(async () => {
    schema = uniqueName('ledger_test');
    db = new LedgerDatabase({ connectionString: TEST_POSTGRES_URL, schema });
    await db.migrate();
  });
  afterEach(async () => {
    await Promise.all(followers.splice(0).map((f) => f.stop()));
    await db.close();
    await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it('round-trips entries, scope and times included, and validates them as tokens.json is validated', async () => {
    const table = new TokenTable(db);
    const scoped = entry('newsroom-cms', generateToken(), { roles: ['integrator'], scope: { incidents: ['3f9c2b1e-0000-4000-8000-000000000001'], parties: ['osce-minsk-group'] } });
    const revoked = entry('old-reader', generateToken(), { revokedAt: '2026-12-04T13:00:00.000Z' });
    await table.replace([scoped, revoked]);
    const read = await table.read();
    expect(read).toHaveLength(2);
    expect(read).toEqual(expect.arrayContaining([expect.objectContaining({ ...scoped }), expect.objectContaining({ ...revoked })]));
    await expect(table.replace([{ ...scoped, roles: ['overlord' as never] }])).rejects.toThrow(/roles/);
    expect(await table.read()).toHaveLength(2);
  });

  it('every replica authenticates a token issued on another within a second, and refuses it once revoked', async () => {
    const table = new TokenTable(db);
    const first = generateToken();
    await table.replace([entry('initial-reader', first)]);
    const replicas = [await TokenTableFollower.open(db, { pollMs: 60_000 }), await TokenTableFollower.open(db, { pollMs: 60_000 })];
    followers.push(...replicas);
    expect(replicas.every((r) => r.authenticate(first)?.id === 'initial-reader')).toBe(true);

    const issued = generateToken();
    await table.replace([...(await table.read()), entry('analyst-2', issued)]);
    expect(await eventually(() => replicas.every((r) => r.authenticate(issued) !== undefined), 'the new token on every replica')).toBeLessThan(1_000);

    const revokedAt = new Date().toISOString();
    await table.replace((await table.read()).map((e) => (e.principal === 'analyst-2' ? { ...e, revokedAt } : e)));
    await eventually(() => replicas.every((r) => r.authenticate(issued) === undefined), 'the revocation on every replica', 1_000);
    expect(replicas.every((r) => r.authenticate(first)?.id === 'initial-reader')).toBe(true);
  });

  it('a hand-edited row that does not validate keeps the tokens loaded before in force, and says so once', async () => {
    const table = new TokenTable(db);
    const token = generateToken();
    await table.replace([entry('initial-reader', token)]);
    const problems: string[] = [];
    const follower = await TokenTableFollower.open(db, { pollMs: 60_000, log: { log: () => undefined, warn: () => undefined, error: (m) => problems.push(m) } });
    followers.push(follower);
    await sql(`UPDATE ${schema}.api_tokens SET roles = '{overlord}'`);
    await eventually(() => problems.length > 0, 'the problem to be reported');
    expect(problems[0]).toMatch(/roles/);
    expect(follower.authenticate(token)?.roles).toEqual(['reader']);
    await follower.reload();
    expect(problems).toHaveLength(1);
  });

  it('notices changes by polling when notifications do not arrive', async () => {
    const table = new TokenTable(db);
    await table.replace([entry('initial-reader', generateToken())]);
    const follower = await TokenTableFollower.open(db, { pollMs: 200 });
    followers.push(follower);
    // A change that sends no NOTIFY (the trigger disabled, as a restore might leave it).
    await sql(`ALTER TABLE ${schema}.api_tokens DISABLE TRIGGER api_tokens_changed`);
    const token = generateToken();
    await sql(`INSERT INTO ${schema}.api_tokens (id, principal, roles, sha256) VALUES ('quiet', 'quiet-reader', '{reader}', $1)`, [hashToken(token)]);
    await eventually(() => follower.authenticate(token) !== undefined, 'the poll to find the new token', 3_000);
  });

  it('replicas starting together on an empty table create one initial set between them', async () => {
    const table = new TokenTable(db);
    const outcomes = await Promise.all(
      [1, 2, 3].map((n) => table.createIfEmpty(() => [entry(`initial-reader-${n}`, generateToken())])),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect(await table.read()).toHaveLength(1);
  });

  describe('the first start with PostgreSQL', () => {
    let dataDir: string;
    beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'ledger-token-seed-'))));
    afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

    it('copies an existing tokens file into the empty table, so a ledger that ran alone keeps its tokens', async () => {
      const tokensFile = join(dataDir, 'tokens.json');
      const token = generateToken();
      writeTokensFile(tokensFile, [entry('analyst-1', token, { id: 'analyst-1' })]);
      const table = new TokenTable(db);
      expect(await seedTokenTable(table, { tokensFile, dataDir })).toEqual({ seededFrom: 'tokens-file' });
      expect((await table.read()).map((e) => e.principal)).toEqual(['analyst-1']);
      // Later starts leave a filled table alone, whatever the file says.
      writeTokensFile(tokensFile, []);
      expect(await seedTokenTable(table, { tokensFile, dataDir })).toEqual({});
      expect(await table.read()).toHaveLength(1);
    });

    it('without a tokens file, one replica among those starting together issues one token per role, its plaintext in initial-tokens.txt', async () => {
      const dirs = [dataDir, mkdtempSync(join(tmpdir(), 'ledger-token-seed-')), mkdtempSync(join(tmpdir(), 'ledger-token-seed-'))];
      try {
        const seeds = await Promise.all(dirs.map((dir) => seedTokenTable(new TokenTable(db), { tokensFile: join(dir, 'tokens.json'), dataDir: dir })));
        expect(seeds.filter((s) => s.seededFrom === 'initial-set')).toHaveLength(1);
        const creator = seeds.find((s) => s.initialTokensFile)!;
        const lines = readFileSync(creator.initialTokensFile!, 'utf8').split('\n').filter((l) => l.startsWith('initial-'));
        expect(lines).toHaveLength(5);
        expect(readFileSync(creator.initialTokensFile!, 'utf8')).toContain(`PostgreSQL table ${schema}.api_tokens`);
        const follower = await TokenTableFollower.open(db, { pollMs: 60_000 });
        followers.push(follower);
        expect(lines.every((l) => follower.authenticate(l.trim().split(/\s+/)[2]) !== undefined)).toBe(true);
        expect(dirs.filter((dir) => existsSync(join(dir, 'initial-tokens.txt')))).toHaveLength(1);
      } finally {
        for (const dir of dirs.slice(1)) rmSync(dir, { recursive: true, force: true });
      }
    });

    it('refuses, writing nothing, a ledger that holds data with neither tokens file nor rows', async () => {
      const table = new TokenTable(db);
      await expect(seedTokenTable(table, { tokensFile: join(dataDir, 'tokens.json'), dataDir, ledgerHoldsData: () => true })).rejects.toThrow(MissingTokensFileError);
      expect(await table.read()).toEqual([]);
      expect(existsSync(join(dataDir, 'initial-tokens.txt'))).toBe(false);
    });
  });

  it('changes from several operators at once are all kept (each reads and writes under the table lock)', async () => {
    const table = new TokenTable(db);
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) => table.change((entries) => ({ entries: [...entries, entry(`analyst-${n}`, generateToken(), { id: `analyst-${n}` })], result: undefined }))),
    );
    expect((await table.read()).map((e) => e.id).sort()).toEqual(['analyst-1', 'analyst-2', 'analyst-3', 'analyst-4', 'analyst-5']);
    await expect(table.change(() => ({ entries: [{ ...entry('x', generateToken()), roles: [] }], result: undefined }))).rejects.toThrow(/roles/);
    expect(await table.read()).toHaveLength(5);
  });
});
