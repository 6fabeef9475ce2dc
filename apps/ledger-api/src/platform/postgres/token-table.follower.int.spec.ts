import { TEST_POSTGRES_URL, sql, uniqueName } from '../../../../../tests/support/postgres';
import { generateToken, hashToken, type TokenEntry } from '../auth/token.registry';
import { LedgerDatabase } from './ledger-database';
import { TokenTable, TokenTableFollower } from './token-table.follower';

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
});
