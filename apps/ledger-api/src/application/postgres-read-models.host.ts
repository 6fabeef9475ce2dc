import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { EventStore } from '@ledger/event-store';
import { ProjectionRunner, RunnerStatus } from '@ledger/read-models';
import { PostgresReadModelStore } from '@ledger/read-models/storage/postgres/postgres-read-model.store';
import type { LedgerConfig } from '../platform/config/ledger-config';
import type { AdvisoryLockLease } from '../platform/postgres/advisory-lock.lease';
import { projectorLease, SharedDatabaseHost } from './shared-database.host';

/**
 * With LEDGER_READ_MODELS_URL, the read models are also kept in PostgreSQL, for BI tools: a runner of their own
 * follows the store's global log into the PostgreSQL store, with its own checkpoint there. The API keeps answering
 * from its SQLite file (answering from PostgreSQL is the next step). Among replicas only the holder of the projector
 * lease runs the runner; the others take over within about a second of its death. PostgreSQL being unreachable never
 * stops the API: the error is logged and the runner's status says so.
 */
export class PostgresReadModelsHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PostgresReadModels');
  private store: PostgresReadModelStore | undefined;
  private runner: ProjectionRunner | undefined;
  private openError: string | undefined;
  private lease: AdvisoryLockLease | undefined;

  constructor(
    private readonly config: LedgerConfig['readModels'],
    private readonly eventStore: EventStore,
    private readonly shared?: SharedDatabaseHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config) return;
    try {
      this.store = await PostgresReadModelStore.open({ connectionString: this.config.url, schema: this.config.schema });
    } catch (error) {
      this.openError = error instanceof Error ? error.message : String(error);
      this.logger.error(`read models in PostgreSQL not kept: ${this.openError}`);
      return;
    }
    this.runner = new ProjectionRunner({
      eventStore: this.eventStore,
      store: this.store,
      logger: { log: (message) => this.logger.log(message), error: (message) => this.logger.error(message) },
    });
    const runner = this.runner;
    // Not awaited in the lease's callbacks: a start may rebuild for minutes, and the lease must keep checking its
    // session meanwhile. A batch written by a holder that has just lost the lease is still safe: each batch locks
    // the checkpoint row and applies only the events past it.
    this.lease = this.shared?.lease(projectorLease(this.config.schema), {
      onAcquired: () => void runner.start(),
      onLost: () => void runner.stop(),
    });
    if (this.lease) this.lease.start();
    else await runner.start();
  }

  /** Before the event store closes (ProjectionHost closes it on shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.lease?.stop();
    await this.runner?.stop();
    await this.store?.close();
  }

  /** Whether this replica runs the projector: always without replicas (no lease), else while it holds the lease. */
  get leading(): boolean {
    return this.runner !== undefined && (this.lease?.held ?? true);
  }

  /** The PostgreSQL runner's status; undefined when none is configured. */
  status(): (RunnerStatus & { schema: string; leading: boolean }) | { state: 'unavailable'; schema: string; error: string } | undefined {
    if (!this.config) return undefined;
    if (this.runner) return { ...this.runner.status(), schema: this.config.schema, leading: this.leading };
    return { state: 'unavailable', schema: this.config.schema, error: this.openError ?? 'not started' };
  }

  /** Resolves once the PostgreSQL read models include `position` (tests, and read-your-writes once the API reads them). */
  waitForPosition(position: bigint, timeoutMs?: number): Promise<void> {
    if (!this.runner) return Promise.reject(new Error('no read models in PostgreSQL'));
    return this.runner.waitForPosition(position, timeoutMs);
  }
}
