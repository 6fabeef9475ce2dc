import { Client } from 'pg';
import { projectorLease } from '../../ledger-api/src/application/shared-database.host';
import { CliError, EXIT } from './ledger-files';

/**
 * The lease the ledger's replicas elect their one projector of a read-model schema with (its name from the API's
 * own projectorLease, its key `hashtextextended(name, 0)` as AdvisoryLockLease derives it), so that a CLI rebuild and
 * a running ledger compete for the same advisory lock.
 */
export const projectorLeaseOf = (schema: string): string => projectorLease(schema);

export interface HeldLease {
  release(): Promise<void>;
}

/**
 * Takes the projector lease for the CLI's rebuild, without waiting: a running ledger holding it would keep projecting
 * into the tables the rebuild empties, so the CLI refuses (exit 3) instead. Held by a session of its own until
 * release() (or until the process dies, which ends the session and frees the lock).
 */
export const takeProjectorLease = async (connectionString: string, schema: string, where: string): Promise<HeldLease> => {
  const name = projectorLeaseOf(schema);
  const client = new Client({ connectionString, application_name: 'ledger-cli rebuild', connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new CliError(`Cannot connect to the read models' PostgreSQL (${where}): ${error instanceof Error ? error.message : String(error)}`, EXIT.failed);
  }
  let locked = false;
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [name]);
    locked = rows[0]?.locked === true;
  } finally {
    if (!locked) await client.end().catch(() => undefined);
  }
  if (!locked) {
    throw new CliError(
      `A running ledger holds the projector lease ${name} on the read models' PostgreSQL (${where}): it keeps the read models up to date ` +
        'and would write into the tables a rebuild empties. Stop every ledger replica that uses this PostgreSQL first.',
      EXIT.busy,
    );
  }
  return {
    release: async () => {
      await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
};
