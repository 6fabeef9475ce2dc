import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashToken, loadOrCreateTokenRegistry, MissingTokensFileError, TokenFileError, TokenRegistry, writeTokensFile } from './token.registry';

/** A fresh directory for each test, handed to `set`, removed afterwards. */
const withTempDir = (set: (dir: string) => void): void => {
  let dir: string;
  beforeEach(() => set((dir = mkdtempSync(join(tmpdir(), 'ledger-tokens-')))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
};

describe('TokenRegistry', () => {
  const registry = new TokenRegistry([
    { principal: 'analyst-1', roles: ['recorder'], sha256: hashToken('token-one') },
    { principal: 'auditor-1', roles: ['auditor', 'reader'], sha256: hashToken('token-two') },
  ]);

  it('authenticates a known token to its principal', () => {
    expect(registry.authenticate('token-one')).toEqual({ id: 'analyst-1', roles: ['recorder'] });
    expect(registry.authenticate('token-two')).toEqual({ id: 'auditor-1', roles: ['auditor', 'reader'] });
  });

  it('rejects unknown, empty and near-miss tokens', () => {
    expect(registry.authenticate('token-three')).toBeUndefined();
    expect(registry.authenticate('')).toBeUndefined();
    expect(registry.authenticate('token-one ')).toBeUndefined();
    expect(registry.authenticate(hashToken('token-one'))).toBeUndefined();
  });

  it('hands out copies, so a handler cannot change what the registry grants', () => {
    registry.authenticate('token-one')!.roles.push('admin');
    expect(registry.authenticate('token-one')!.roles).toEqual(['recorder']);
  });

  it('validates a tokens file and lists every problem', () => {
    const content = {
      tokens: [
        { principal: '', roles: ['recorder'], sha256: hashToken('a') },
        { principal: 'p', roles: ['root'], sha256: hashToken('b') },
        { principal: 'q', roles: ['reader'], sha256: 'plaintext-token' },
        { principal: 'r', roles: ['reader'], sha256: hashToken('b') },
        { principal: 's', roles: ['reader'], sha256: hashToken('b') },
      ],
    };
    let error: TokenFileError | undefined;
    try {
      TokenRegistry.parse(content, 'tokens.json');
    } catch (e) {
      error = e as TokenFileError;
    }
    expect(error).toBeInstanceOf(TokenFileError);
    expect(error!.problems).toEqual([
      'tokens[0].principal: expected a non-empty string',
      'tokens[1].roles: expected a non-empty array of reader, recorder, auditor, integrator, admin',
      expect.stringMatching(/^tokens\[2\]\.sha256: expected 64 hex characters/),
      'tokens[4].sha256: the same token is listed twice',
    ]);
    expect(error!.message.split('\n')[0]).toBe('Invalid tokens file tokens.json:');
    expect(() => TokenRegistry.parse([], 'x')).toThrow(TokenFileError);
  });

  it('accepts upper-case hex hashes', () => {
    const r = TokenRegistry.parse({ tokens: [{ principal: 'p', roles: ['reader'], sha256: hashToken('t').toUpperCase() }] });
    expect(r.authenticate('t')?.id).toBe('p');
  });
});

describe('token scopes', () => {
  const sha = 'a'.repeat(64);
  const incident = '6f1c1b9e-2c2a-4f7e-9a55-3d1b0e1f2a3b';

  it('keeps a scope of incidents and parties on the principal, lower-cased and without repeats', () => {
    const registry = TokenRegistry.parse({
      tokens: [{ principal: 'newsroom-cms', roles: ['integrator'], sha256: sha, scope: { incidents: [incident.toUpperCase(), incident], parties: ['karabakh-defense-army'] } }],
    });
    const [entry] = (registry as unknown as { entries: { principal: unknown }[] }).entries;
    expect(entry.principal).toEqual({ id: 'newsroom-cms', roles: ['integrator'], scope: { incidents: [incident], parties: ['karabakh-defense-army'] } });
  });

  it.each([
    [{}, 'tokens[0].scope: name at least one of incidents, parties'],
    [{ incidents: [] }, 'tokens[0].scope.incidents: expected a non-empty array of incident ids (UUIDs)'],
    [{ incidents: ['not-a-uuid'] }, 'tokens[0].scope.incidents: expected a non-empty array of incident ids (UUIDs)'],
    [{ parties: ['Karabakh Army'] }, 'tokens[0].scope.parties: expected a non-empty array of party ids (kebab-case slugs)'],
    [{ parties: ['armenia'], streams: ['x'] }, 'tokens[0].scope.streams: unknown member (incidents and parties are allowed)'],
    [['armenia'], 'tokens[0].scope: expected { "incidents": [uuid...], "parties": [party id...] }'],
  ])('refuses the scope %j', (scope, problem) => {
    expect(() => TokenRegistry.parse({ tokens: [{ principal: 'p', roles: ['integrator'], sha256: sha, scope }] })).toThrow(problem);
  });
});

describe('loadOrCreateTokenRegistry', () => {
  let dataDir: string;
  withTempDir((dir) => (dataDir = dir));

  it('on first start issues one token per role, storing only hashes, plaintext once, both mode 0600', () => {
    const tokensFile = join(dataDir, 'tokens.json');
    const boot = loadOrCreateTokenRegistry({ tokensFile, dataDir, now: () => new Date('2016-04-02T00:00:00Z') });

    const initialTokensFile = join(dataDir, 'initial-tokens.txt');
    expect(boot.created).toEqual({
      initialTokensFile,
      principals: ['initial-reader', 'initial-recorder', 'initial-auditor', 'initial-integrator', 'initial-admin'],
    });
    expect(statSync(tokensFile).mode & 0o777).toBe(0o600);
    expect(statSync(initialTokensFile).mode & 0o777).toBe(0o600);

    const text = readFileSync(initialTokensFile, 'utf8');
    expect(text).toContain('2016-04-02T00:00:00.000Z');
    const lines = text.split('\n').filter((l) => l.startsWith('initial-'));
    expect(lines).toHaveLength(5);
    const stored = readFileSync(tokensFile, 'utf8');
    for (const line of lines) {
      const [principal, role, token] = line.split(/\s+/);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(boot.registry.authenticate(token)).toEqual({ id: principal, roles: [role] });
      expect(stored).not.toContain(token);
      expect(stored).toContain(hashToken(token));
    }
    expect(JSON.parse(stored).tokens).toHaveLength(5);
    expect(existsSync(`${tokensFile}.${process.pid}.tmp`)).toBe(false);
  });

  it('loads the existing file on later starts and issues nothing', () => {
    const tokensFile = join(dataDir, 'tokens.json');
    const first = loadOrCreateTokenRegistry({ tokensFile, dataDir });
    const token = readFileSync(first.created!.initialTokensFile, 'utf8').split('\n').find((l) => l.startsWith('initial-admin'))!.split(/\s+/)[2];
    expect(loadOrCreateTokenRegistry({ tokensFile, dataDir }).lingeringInitialTokensFile).toBe(first.created!.initialTokensFile);
    rmSync(first.created!.initialTokensFile);

    const second = loadOrCreateTokenRegistry({ tokensFile, dataDir });
    expect(second.created).toBeUndefined();
    expect(second.lingeringInitialTokensFile).toBeUndefined();
    expect(second.registry.authenticate(token)).toEqual({ id: 'initial-admin', roles: ['admin'] });
    expect(existsSync(first.created!.initialTokensFile)).toBe(false);
  });

  it('creates a tokens file outside the data directory, with its folders', () => {
    const tokensFile = join(dataDir, 'secrets', 'nested', 'tokens.json');
    const boot = loadOrCreateTokenRegistry({ tokensFile, dataDir });
    expect(boot.registry.size).toBe(5);
    expect(existsSync(tokensFile)).toBe(true);
    expect(boot.created!.initialTokensFile).toBe(join(dataDir, 'initial-tokens.txt'));
  });

  it('refuses a corrupt tokens file rather than issuing new tokens over it', () => {
    const tokensFile = join(dataDir, 'tokens.json');
    writeFileSync(tokensFile, '{ not json');
    expect(() => loadOrCreateTokenRegistry({ tokensFile, dataDir })).toThrow(/Invalid tokens file .*tokens\.json:\n  not valid JSON/);
    expect(readFileSync(tokensFile, 'utf8')).toBe('{ not json');
  });
});

describe('a missing tokens file', () => {
  let dataDir: string;
  withTempDir((dir) => (dataDir = dir));

  it('over a ledger that holds data is refused with the remedy, and nothing is issued', () => {
    const tokensFile = join(dataDir, 'tokens.json');
    let error: unknown;
    try {
      loadOrCreateTokenRegistry({ tokensFile, dataDir, ledgerHoldsData: () => true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingTokensFileError);
    expect((error as MissingTokensFileError).exitCode).toBe(78);
    expect((error as Error).message).toContain(`${tokensFile} is missing`);
    expect((error as Error).message).toContain('ledger-cli tokens issue');
    expect(existsSync(tokensFile)).toBe(false);
    expect(existsSync(join(dataDir, 'initial-tokens.txt'))).toBe(false);
  });

  it('over an empty ledger is a first start', () => {
    const boot = loadOrCreateTokenRegistry({ tokensFile: join(dataDir, 'tokens.json'), dataDir, ledgerHoldsData: () => false });
    expect(boot.created?.principals).toHaveLength(5);
  });
});

describe('tokens file versions', () => {
  let dataDir: string;
  withTempDir((dir) => (dataDir = dir));

  it('reads a version-1 file (no ids) with ids from the hash, and writes it back as version 2 with nothing lost', () => {
    const tokensFile = join(dataDir, 'tokens.json');
    const scope = { parties: ['armenia'] };
    const v1 = {
      tokens: [
        { principal: 'analyst-1', roles: ['recorder'], sha256: hashToken('one') },
        { principal: 'cms', roles: ['integrator'], sha256: hashToken('two'), scope },
      ],
    };
    writeFileSync(tokensFile, JSON.stringify(v1));

    const listed = TokenRegistry.fromFile(tokensFile).list();
    expect(listed.map((e) => e.id)).toEqual([hashToken('one').slice(0, 12), hashToken('two').slice(0, 12)]);

    writeTokensFile(tokensFile, listed);
    const written = JSON.parse(readFileSync(tokensFile, 'utf8'));
    expect(written.version).toBe(2);
    const again = TokenRegistry.fromFile(tokensFile);
    expect(again.list()).toEqual(listed);
    expect(again.authenticate('two')).toEqual({ id: 'cms', roles: ['integrator'], scope });
  });

  it('refuses a revoked token but keeps listing it', () => {
    const registry = TokenRegistry.parse({
      version: 2,
      tokens: [
        { id: 'a1', principal: 'p', roles: ['reader'], sha256: hashToken('kept'), createdAt: '2026-12-01T00:00:00Z' },
        { id: 'a2', principal: 'p', roles: ['reader'], sha256: hashToken('gone'), revokedAt: '2026-12-02T00:00:00Z' },
      ],
    });
    expect(registry.authenticate('kept')?.id).toBe('p');
    expect(registry.authenticate('gone')).toBeUndefined();
    expect(registry.size).toBe(1);
    expect(registry.list().map((e) => e.id)).toEqual(['a1', 'a2']);
  });

  it.each([
    [{ version: 3, tokens: [] }, 'version: 3 is not one this ledger reads'],
    [{ tokens: [{ id: 'has space', principal: 'p', roles: ['reader'], sha256: hashToken('x') }] }, 'tokens[0].id: expected 1 to 64 letters'],
    [{ tokens: [{ principal: 'p', roles: ['reader'], sha256: hashToken('x'), revokedAt: 'yesterday' }] }, 'tokens[0].revokedAt: expected an ISO-8601 instant'],
    [
      { tokens: [{ id: 'same', principal: 'p', roles: ['reader'], sha256: hashToken('x') }, { id: 'same', principal: 'q', roles: ['reader'], sha256: hashToken('y') }] },
      'tokens[1].id: same is listed twice',
    ],
  ])('refuses %j', (content, problem) => {
    expect(() => TokenRegistry.parse(content)).toThrow(problem);
  });
});
