import { BeforeApplicationShutdown, Logger } from '@nestjs/common';
import type { LedgerConfig } from '../platform/config/ledger-config';
import { AdvisoryLockLease } from '../platform/postgres/advisory-lock.lease';
import { LedgerDatabase } from '../platform/postgres/ledger-database';

/**
 * The leases replicas compete for: one projector into a read-model schema, one notary signing periodic checkpoints
 * for the ledger of a `ledger` schema. Named with their schema, so that two ledgers in one database (or parallel
 * tests) do not exclude each other.
 */
export const projectorLease = (readModelsSchema: string): string => `incident-ledger:projector:${readModelsSchema}`;
export const notaryLease = (ledgerSchema: string): string => `incident-ledger:notary:${ledgerSchema}`;

export interface LeaseCallbacks {
  onAcquired: () => void | Promise<void>;
  onLost: (reason: string) => void | Promise<void>;
}

/**
 * What replicas share in PostgreSQL besides the read models (LEDGER_READ_MODELS_URL): the `ledger` schema (tokens,
 * notary key) and the advisory-lock leases. Without PostgreSQL there is one process, which leads alone: `db` is
 * undefined and no lease is made.
 */
export class SharedDatabaseHost implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Replicas');

  private constructor(
    private readonly url: string | undefined,
    readonly db: LedgerDatabase | undefined,
    private readonly owned: boolean,
  ) {}

  /** Migrated; `given` (main opened it first, for the tokens) is used as it is and left to its owner to close. */
  static async open(config: LedgerConfig, given?: LedgerDatabase): Promise<SharedDatabaseHost> {
    if (!config.readModels) return new SharedDatabaseHost(undefined, undefined, false);
    if (given) return new SharedDatabaseHost(config.readModels.url, given, false);
    const db = new LedgerDatabase({ connectionString: config.readModels.url, schema: config.ledgerSchema });
    try {
      await db.migrate();
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
    return new SharedDatabaseHost(config.readModels.url, db, true);
  }

  /** A lease among replicas, not yet started; undefined without PostgreSQL (this process is then the only one). */
  lease(name: string, callbacks: LeaseCallbacks): AdvisoryLockLease | undefined {
    if (!this.url) return undefined;
    return new AdvisoryLockLease({
      connectionString: this.url,
      name,
      onAcquired: async () => {
        this.logger.log(`lease ${name} taken: this replica does that work now`);
        await callbacks.onAcquired();
      },
      onLost: async (reason) => {
        this.logger.warn(`lease ${name} lost (${reason}): this replica stops that work`);
        await callbacks.onLost(reason);
      },
      log: { warn: (message) => this.logger.warn(message) },
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.owned) await this.db?.close();
  }
}
