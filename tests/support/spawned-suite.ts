import { BUILD_TIMEOUT_MS, ensureBuilt, killAllSpawned, removeDataDir, tempDataDir } from './spawned-ledger';

/**
 * For a spec file that spawns ledgers: builds the apps it runs before its tests, and afterwards kills the ledgers it
 * left running and removes the data directories it made. Returns the maker of those directories.
 */
export const spawnedSuite = (prefix: string, apps: Array<'ledger-api' | 'ledger-cli'> = ['ledger-api']): ((name?: string) => string) => {
  const dirs: string[] = [];
  beforeAll(async () => {
    for (const app of apps) await ensureBuilt(app);
  }, BUILD_TIMEOUT_MS + 10_000);
  afterAll(async () => {
    await killAllSpawned();
    for (const dir of dirs) removeDataDir(dir);
  });
  return (name = prefix) => {
    const dir = tempDataDir(name);
    dirs.push(dir);
    return dir;
  };
};
