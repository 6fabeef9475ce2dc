import { AdvisoryLockLease } from '../../ledger-api/src/platform/postgres/advisory-lock.lease';
import { TEST_POSTGRES_URL, sql, uniqueName } from '../../../tests/support/postgres';
import { CliError, EXIT } from './ledger-files';
import { projectorLease } from '../../ledger-api/src/application/shared-database.host';
import { takeProjectorLease } from './projector-lease';

const SCHEMA = 'ledger_read_models';
// The name a replica of that schema competes for, as the API names it.
const PROJECTOR_LEASE = projectorLease(SCHEMA);

// A database of its own: the projector lease is one name per database, which other tests may be holding in `test`.
const database = uniqueName('cli_lease');
const url = TEST_POSTGRES_URL.replace(/\/[^/?]*(\?|$)/, `/${database}$1`);

const until = async (condition: () => boolean, ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  return condition();
};

describe('the CLI rebuild’s projector lease', () => {
  beforeAll(() => sql(`CREATE DATABASE ${database}`));
  afterAll(() => sql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));

  it('is the lock a replica’s AdvisoryLockLease of the same name takes: none gets it while the CLI holds it, one does once released', async () => {
    const held = await takeProjectorLease(url, SCHEMA, 'LEDGER_READ_MODELS_URL');
    const replica = new AdvisoryLockLease({ connectionString: url, name: PROJECTOR_LEASE, retryMs: 50, onAcquired: () => undefined, onLost: () => undefined }).start();
    try {
      expect(await until(() => replica.held, 500)).toBe(false);
      await held.release();
      expect(await until(() => replica.held, 5_000)).toBe(true);
    } finally {
      await replica.stop();
    }
  });

  it('refuses with exit code 3 (busy) while a replica holds it', async () => {
    const replica = new AdvisoryLockLease({ connectionString: url, name: PROJECTOR_LEASE, retryMs: 50, onAcquired: () => undefined, onLost: () => undefined }).start();
    try {
      expect(await until(() => replica.held, 5_000)).toBe(true);
      const refusal = await takeProjectorLease(url, SCHEMA, 'LEDGER_READ_MODELS_URL').then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(CliError);
      expect(refusal).toMatchObject({ exitCode: EXIT.busy, message: expect.stringContaining(`holds the projector lease ${PROJECTOR_LEASE}`) });
    } finally {
      await replica.stop();
    }
  });

  it('an unreachable PostgreSQL is a failure naming where the URL came from, never the URL', async () => {
    const refusal = await takeProjectorLease('postgres://someone:secret@127.0.0.1:1/x', SCHEMA, '--read-models-url').catch((error: unknown) => error);
    expect(refusal).toMatchObject({ exitCode: EXIT.failed, message: expect.stringContaining('(--read-models-url)') });
    expect((refusal as Error).message).not.toContain('secret');
  });
});
