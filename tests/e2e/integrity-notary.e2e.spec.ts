import { generateKeyPairSync } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { keyIdOf } from '@ledger/integrity';
import { DEMO_SCENARIO, runScenario } from '../../apps/ledger-api/src/demo/scenario';
import { getAs, injectSend } from '../support/http';
import { exportOverHttp } from '../support/integrity-export';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { verifyExportDir } from '../../tools/ledger-verifier/ledger-verifier';

const waitFor = async (condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('the notary: periodic checkpoints, a key from configuration, the export auditors take away', () => {
  let t: LedgerTestApp;
  const dirs: string[] = [];
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const configuredKeyId = keyIdOf(publicKey);

  beforeAll(async () => {
    t = await startLedger({
      env: {
        LEDGER_CHECKPOINT_INTERVAL_MS: '100',
        LEDGER_NOTARY_PRIVATE_KEY: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        LEDGER_ORIGIN: 'karabakh-monitoring-desk',
      },
    });
  });

  afterAll(async () => {
    await t.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const checkpoints = async () => (await getAs(t.app, t.tokens.auditor, '/integrity/checkpoints')).body.items as { treeSize: number; keyId: string; origin: string }[];

  it('signs with the configured key, publishes it, and writes no key file', async () => {
    const keys = (await getAs(t.app, t.tokens.reader, '/.well-known/ledger-keys.json')).body;
    expect(keys.keys.map((k: { kid: string }) => k.kid)).toEqual([configuredKeyId]);
    expect(existsSync(join(t.dataDir, 'notary-ed25519.pem'))).toBe(false);
  });

  it('signs nothing while the log is empty, then signs on its own once the log grows, and not again until it grows', async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await checkpoints()).toEqual([]);

    await runScenario(DEMO_SCENARIO, injectSend(t.app, t.tokens.recorder));
    await waitFor(async () => {
      const items = await checkpoints();
      return items.length > 0 && items.at(-1)!.treeSize === (await getAs(t.app, t.tokens.auditor, '/integrity/verify')).body.leaves;
    }, 'a periodic checkpoint covering the scenario');
    const signed = await checkpoints();
    expect(signed.at(-1)).toMatchObject({ keyId: configuredKeyId, origin: 'karabakh-monitoring-desk' });

    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await checkpoints()).toHaveLength(signed.length);
  });

  it('exports every event with its hashes over HTTP, which the standalone verifier accepts against the checkpoint', async () => {
    const dir = await exportOverHttp(t.app, t.tokens.auditor);
    dirs.push(dir);
    const result = verifyExportDir(dir);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('keeps the export and checkpoints from readers and recorders', async () => {
    for (const token of [t.tokens.reader, t.tokens.recorder]) {
      expect((await getAs(t.app, token, '/integrity/checkpoints')).status).toBe(403);
      const res = await t.app.inject({ method: 'GET', url: '/integrity/export/events', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(403);
    }
  });
});
