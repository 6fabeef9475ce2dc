import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReadModelStoreContract } from '../../../../tests/contract/read-model-store.contract';
import { SqliteReadModelStoreAdapter } from './read-model-store.port';
import { SqliteReadModelStore, WRITER_STORE_OPTIONS } from './sqlite-read-model.store';

describeReadModelStoreContract('SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'read-model-contract-'));
  return {
    open: async () => new SqliteReadModelStoreAdapter(new SqliteReadModelStore({ filename: join(dir, 'read-models.sqlite'), ...WRITER_STORE_OPTIONS })),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
