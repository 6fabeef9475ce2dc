import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { EventStore } from '@ledger/event-store';
import { ProjectionRunner, RunnerStatus } from '@ledger/read-models';
import { PostgresReadModelStore } from '@ledger/read-models/storage/postgres/postgres-read-model.store';
import type { LedgerConfig } from '../platform/config/ledger-config';

/**
 * With LEDGER_READ_MODELS_URL, the read models are also kept in PostgreSQL, for BI tools: a runner of their own
 * follows the store's global log into the PostgreSQL store, with its own checkpoint there. The API keeps answering
 * from its SQLite file (answering from PostgreSQL, and one projector among replicas, are the next steps). PostgreSQL
 * being unreachable never stops the API: the error is logged and the runner's status says so.
 */
export class PostgresReadModelsHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PostgresReadModels');
  private store: PostgresReadModelStore | undefined;
  private runner: ProjectionRunner | undefined;
  private openError: string | undefined;

  constructor(
    private readonly config: LedgerConfig['readModels'],
    private readonly eventStore: EventStore,
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
    await this.runner.start();
  }

  /** Before the event store closes (ProjectionHost closes it on shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.runner?.stop();
    await this.store?.close();
  }

  /** The PostgreSQL runner's status; undefined when none is configured. */
  status(): (RunnerStatus & { schema: string }) | { state: 'unavailable'; schema: string; error: string } | undefined {
    if (!this.config) return undefined;
    if (this.runner) return { ...this.runner.status(), schema: this.config.schema };
    return { state: 'unavailable', schema: this.config.schema, error: this.openError ?? 'not started' };
  }

  /** Resolves once the PostgreSQL read models include `position` (tests, and read-your-writes once the API reads them). */
  waitForPosition(position: bigint, timeoutMs?: number): Promise<void> {
    if (!this.runner) return Promise.reject(new Error('no read models in PostgreSQL'));
    return this.runner.waitForPosition(position, timeoutMs);
  }
}
