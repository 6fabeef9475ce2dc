import { TEST_POSTGRES_URL, sql, uniqueName } from '../../../../../tests/support/postgres';
import { describeReadModelStoreContract } from '../../../../../tests/contract/read-model-store.contract';
import { PostgresReadModelStore } from './postgres-read-model.store';

const underTest = (rowCache?: number) => () => {
  const schema = uniqueName('rm_contract');
  return {
    open: () => PostgresReadModelStore.open({ connectionString: TEST_POSTGRES_URL, schema, readerRole: null, rowCache }),
    dispose: async () => void (await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)),
  };
};

describeReadModelStoreContract('PostgreSQL', underTest());
// A writer keeping almost nothing in memory between batches: every group is evicted and fetched again.
describeReadModelStoreContract('PostgreSQL, 3-row cache', underTest(3));
