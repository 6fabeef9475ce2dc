import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { PARTY } from '../support/ledger-bodies';
import { API_MAIN, REPO_ROOT, runBuiltCli, SpawnedLedger, spawnLedger } from '../support/spawned-ledger';
import { spawnedSuite } from '../support/spawned-suite';

/** Tokens are managed, never silently regenerated over a ledger that holds data (issue 11, item 4). */

const newDir = spawnedSuite('ledger-tokens-', ['ledger-api', 'ledger-cli']);

/** Starts the built API and waits for it to exit on its own (a refused start). */
const startExpectingExit = (dataDir: string): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [API_MAIN],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', PORT: '0', HOST: '127.0.0.1', LEDGER_DATA_DIR: dataDir },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0;
        if (error && typeof code !== 'number') return reject(error);
        resolve({ code: code as number, output: stdout + stderr });
      },
    );
  });


describe('a missing tokens file', () => {
  it('over a ledger that holds events stops the start with the remedy, and issues nothing', async () => {
    const dataDir = newDir();
    const ledger = await spawnLedger({ dataDir });
    expect((await ledger.request('POST', '/parties', { role: 'recorder', body: PARTY })).status).toBe(201);
    await ledger.stop();
    rmSync(join(dataDir, 'tokens.json'));
    rmSync(join(dataDir, 'initial-tokens.txt'));

    const refused = await startExpectingExit(dataDir);

    expect(refused.code).toBe(78);
    expect(refused.output).toContain(`${join(dataDir, 'tokens.json')} is missing`);
    expect(refused.output).toContain('ledger-cli tokens issue');
    expect(existsSync(join(dataDir, 'tokens.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'initial-tokens.txt'))).toBe(false);
  }, 90_000);

  it('in a fresh data directory still gets the first tokens, one per role', async () => {
    const ledger = await spawnLedger({ dataDir: newDir() });
    expect((await ledger.request('GET', '/parties', { role: 'reader' })).status).toBe(200);
    expect(existsSync(join(ledger.dataDir, 'tokens.json'))).toBe(true);
    await ledger.stop();
  }, 60_000);
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** How long until `GET path` with the token answers `status`; fails past the limit. */
const untilStatus = async (ledger: SpawnedLedger, token: string, path: string, status: number, limitMs: number): Promise<number> => {
  const started = Date.now();
  for (;;) {
    const res = await fetch(`${ledger.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status === status) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`GET ${path} still answers ${res.status} after ${limitMs} ms (waiting for ${status})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe('ledger-cli tokens beside a running API', () => {
  let ledger: SpawnedLedger;
  const cli = (...args: string[]) => runBuiltCli(['tokens', ...args, '--data-dir', ledger.dataDir]);

  beforeAll(async () => {
    ledger = await spawnLedger({ dataDir: newDir() });
  }, 60_000);
  afterAll(() => ledger.stop());

  it('issues a token the API accepts without a restart, and lists it without its secret', async () => {
    const issued = await cli('issue', '--principal', 'analyst-7', '--role', 'reader', '--json');
    expect(issued.code).toBe(0);
    const { id, token } = JSON.parse(issued.stdout) as { id: string; token: string };
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect(await untilStatus(ledger, token, '/parties', 200, 2_000)).toBeLessThanOrEqual(2_000);

    const listed = await cli('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('analyst-7');
    expect(listed.stdout + listed.stderr).not.toContain(token);
    expect(listed.stdout).not.toContain(sha256(token));
    expect(readFileSync(join(ledger.dataDir, 'tokens.json'), 'utf8')).not.toContain(token);
  }, 30_000);

  it('revokes a scoped token: refused within two seconds, others unaffected', async () => {
    const issued = await cli('issue', '--principal', 'newsroom-cms', '--role', 'integrator', '--party', 'azerbaijan', '--json');
    const { id, token } = JSON.parse(issued.stdout) as { id: string; token: string };
    await untilStatus(ledger, token, '/feed/events?party=azerbaijan', 200, 2_000);

    const revoked = await cli('revoke', id);
    expect(revoked.code).toBe(0);
    const refusedAfterMs = await untilStatus(ledger, token, '/feed/events?party=azerbaijan', 401, 2_000);
    // eslint-disable-next-line no-console
    console.log(`revoked token refused ${refusedAfterMs} ms after ledger-cli tokens revoke returned`);
    expect((await ledger.request('GET', '/parties', { role: 'reader' })).status).toBe(200);

    const all = await cli('list', '--all', '--json');
    expect((JSON.parse(all.stdout) as Array<{ id: string; revokedAt?: string }>).find((e) => e.id === id)?.revokedAt).toEqual(expect.any(String));
    expect((await cli('list')).stdout).not.toContain(id);
  }, 30_000);

  it('rotates a token: the new one works, the old one is refused, same principal and roles', async () => {
    const issued = await cli('issue', '--principal', 'analyst-8', '--role', 'recorder', '--json');
    const old = JSON.parse(issued.stdout) as { id: string; token: string };
    await untilStatus(ledger, old.token, '/parties', 200, 2_000);

    const rotated = await cli('rotate', old.id, '--json');
    expect(rotated.code).toBe(0);
    const fresh = JSON.parse(rotated.stdout) as { id: string; token: string; principal: string; roles: string[] };
    expect(fresh).toMatchObject({ principal: 'analyst-8', roles: ['recorder'] });
    expect(fresh.id).not.toBe(old.id);

    await untilStatus(ledger, old.token, '/parties', 401, 2_000);
    await untilStatus(ledger, fresh.token, '/parties', 200, 2_000);
  }, 30_000);

  it('refuses what the API would refuse, and unknown ids', async () => {
    expect((await cli('issue', '--principal', 'x', '--role', 'root')).code).toBe(2);
    expect((await cli('issue', '--principal', 'x', '--role', 'integrator', '--incident', 'not-a-uuid')).code).toBe(2);
    const unknown = await cli('revoke', 'no-such-id');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No token with id no-such-id');
  }, 30_000);
});

describe('a tokens file written before token ids', () => {
  it('is read by the CLI and rewritten in the current version, every entry kept', async () => {
    const dataDir = newDir();
    const file = join(dataDir, 'tokens.json');
    const old = {
      tokens: [
        { principal: 'initial-admin', roles: ['admin'], sha256: sha256('admin-token') },
        { principal: 'cms', roles: ['integrator'], sha256: sha256('cms-token'), scope: { parties: ['armenia'] } },
      ],
    };
    writeFileSync(file, JSON.stringify(old));

    const listed = await runBuiltCli(['tokens', 'list', '--json', '--data-dir', dataDir]);
    expect(listed.code).toBe(0);
    const ids = (JSON.parse(listed.stdout) as Array<{ id: string }>).map((e) => e.id);
    expect(ids).toEqual([sha256('admin-token').slice(0, 12), sha256('cms-token').slice(0, 12)]);

    expect((await runBuiltCli(['tokens', 'revoke', ids[1], '--data-dir', dataDir])).code).toBe(0);
    const rewritten = JSON.parse(readFileSync(file, 'utf8'));
    expect(rewritten.version).toBe(2);
    expect(rewritten.tokens).toEqual([
      { id: ids[0], ...old.tokens[0] },
      { id: ids[1], ...old.tokens[1], revokedAt: expect.any(String) },
    ]);
  }, 30_000);
});
