import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenFileFollower } from './token-file.follower';
import { hashToken, type TokenEntry, writeTokensFile } from './token.registry';

const entry = (token: string, principal = 'p', extra: Partial<TokenEntry> = {}): TokenEntry => ({ principal, roles: ['reader'], sha256: hashToken(token), ...extra });

const waitFor = async (condition: () => boolean, timeoutMs = 3_000): Promise<number> => {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
};

describe('TokenFileFollower', () => {
  let dir: string;
  let file: string;
  let follower: TokenFileFollower | undefined;
  const errors: string[] = [];
  const log = { log: () => undefined, warn: (m: string) => errors.push(m), error: (m: string) => errors.push(m) };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-follow-'));
    file = join(dir, 'tokens.json');
    errors.length = 0;
    writeTokensFile(file, [entry('first')]);
  });
  afterEach(() => {
    follower?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees an issued token and a revoked one soon after the file is rewritten, without being asked', async () => {
    follower = new TokenFileFollower(file, { log, pollMs: 5_000 }).start();
    expect(follower.authenticate('first')?.id).toBe('p');

    writeTokensFile(file, [entry('first', 'p', { revokedAt: '2026-12-04T00:00:00Z' }), entry('second', 'q')]);
    await waitFor(() => follower!.authenticate('second') !== undefined, 2_000);
    expect(follower.authenticate('first')).toBeUndefined();
  });

  it('keeps the tokens loaded before when the file turns invalid or disappears, and reports it once', () => {
    follower = new TokenFileFollower(file, { log });
    writeFileSync(file, '{ "tokens": [ {');
    expect(follower.reload()).toBe(false);
    expect(follower.reload()).toBe(false);
    expect(follower.authenticate('first')?.id).toBe('p');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('not valid JSON');

    rmSync(file);
    expect(follower.reload()).toBe(false);
    expect(follower.authenticate('first')?.id).toBe('p');
    expect(errors[1]).toContain('cannot be read (ENOENT)');
  });

  it('keeps its in-process entries across reloads', () => {
    follower = new TokenFileFollower(file, { log, extra: [entry('demo', 'demo-loader')] });
    writeTokensFile(file, [entry('second')]);
    expect(follower.reload()).toBe(true);
    expect(follower.authenticate('demo')?.id).toBe('demo-loader');
    expect(follower.authenticate('second')?.id).toBe('p');
    expect(follower.authenticate('first')).toBeUndefined();
  });
});
