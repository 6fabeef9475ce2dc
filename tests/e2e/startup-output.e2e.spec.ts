import { BUILD_TIMEOUT_MS, ensureBuilt, killAllSpawned, removeDataDir, spawnLedger } from '../support/spawned-ledger';

/**
 * What an operator sees at a start of the built API: where it listens, which
 * store and data directory, the docs; no deprecation warning, and Nest's
 * line-per-route narration only when asked for (LOG_LEVEL=debug).
 */
beforeAll(() => ensureBuilt('ledger-api'), BUILD_TIMEOUT_MS + 10_000);
afterAll(() => killAllSpawned());

const startOutput = async (env: Record<string, string> = {}): Promise<string> => {
  const ledger = await spawnLedger({ demo: true, env });
  try {
    await ledger.waitUntilCaughtUp(30_000);
    return ledger.output();
  } finally {
    await ledger.stop();
    removeDataDir(ledger.dataDir);
  }
};

describe('start-up output of the built API', () => {
  it('names the store, the data directory, the API and the docs, with no warning and no route narration', async () => {
    const output = await startOutput();
    expect(output).toMatch(/Event store: embedded SQLite, \S+events\.sqlite/);
    expect(output).toMatch(/Data directory: \S+/);
    expect(output).toMatch(/Read models: SQLite, \S+read-models\.sqlite/);
    expect(output).toMatch(/API: +http:\/\/127\.0\.0\.1:\d+\/incidents/);
    expect(output).toMatch(/Docs: +http:\/\/127\.0\.0\.1:\d+\/docs/);
    expect(output).not.toMatch(/Warning|DEP\d{4}|FSTDEP/);
    expect(output).not.toMatch(/Mapped \{/);
    // The request log (one JSON line per request, the demo loader's and the health polls' too) is its own channel.
    const operatorLines = output.split('\n').filter((line) => line.trim() && !line.startsWith('{"level":'));
    expect(operatorLines.length).toBeLessThan(20);
  }, 60_000);

  it('narrates the routes at debug level', async () => {
    const output = await startOutput({ LOG_LEVEL: 'debug' });
    expect(output).toMatch(/DEBUG \[RouterExplorer\] Mapped \{\/incidents, POST\} route/);
  }, 60_000);
});
