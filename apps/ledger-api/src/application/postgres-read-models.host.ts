import { Logger } from '@nestjs/common';
import type { EventStore } from '@ledger/event-store';
import { DEFAULT_CHECKPOINT_NAME, ProjectionRunner, ReadModelProjector, RunnerError, RunnerStatus, projectionVersionsOf, runnerErrorOf, LEDGER_PROJECTIONS } from '@ledger/read-models';
import { ReadModelsUnreachableError } from '@ledger/read-models/storage/read-model-queries.port';
import { PostgresCheckpointWatcher } from '@ledger/read-models/storage/postgres/postgres-checkpoint.watcher';
import { PostgresReadModelStore } from '@ledger/read-models/storage/postgres/postgres-read-model.store';
import type { LedgerConfig } from '../platform/config/ledger-config';

/** The PostgreSQL read models' status: the runner's, with where they live. */
export type PostgresReadModelsStatus = RunnerStatus & { store: 'postgresql'; schema: string };

/**
 * With LEDGER_READ_MODELS_URL, the read models live in PostgreSQL and nowhere else: the API answers from them, a runner
 * follows the store's global log into them, and read-your-writes waits for the checkpoint stored there (heard by
 * LISTEN, read while anyone waits), whoever wrote it. PostgreSQL unreachable at start does not stop the API: start()
 * records why, status() shows it as failed, the supervisor calls start() again with backoff, and queries answer 503.
 */
export class PostgresReadModelsHost extends ReadModelProjector {
  private readonly logger = new Logger('PostgresReadModels');
  private store: PostgresReadModelStore | undefined;
  private runner: ProjectionRunner | undefined;
  private watcher: PostgresCheckpointWatcher | undefined;
  /** Why PostgreSQL could not be opened (ReadModelsUnreachableError), while it cannot. */
  private openFailure: ReadModelsUnreachableError | undefined;
  private openError: RunnerError | undefined;
  private opening: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly config: NonNullable<LedgerConfig['readModels']>,
    private readonly eventStore: EventStore,
  ) {
    super();
  }

  /** Opens the store when it is not open yet, then starts the runner; never rejects (a failure shows in status()). */
  async start(): Promise<void> {
    await this.open();
    await this.runner?.start();
  }

  async stop(): Promise<void> {
    await this.runner?.stop();
  }

  /** After stop(): the checkpoint listener and the pool. */
  async close(): Promise<void> {
    this.closed = true;
    await this.opening;
    await this.watcher?.stop();
    await this.store?.close();
  }

  async rebuild(): Promise<void> {
    await this.open();
    if (!this.runner) throw this.unreachable();
    await this.runner.rebuild();
  }

  /** The store the API answers from; a throw while PostgreSQL has not been reached (a 503 to the client). */
  openStore(): PostgresReadModelStore {
    if (!this.store) throw this.unreachable();
    return this.store;
  }

  status(): PostgresReadModelsStatus {
    const where = { store: 'postgresql' as const, schema: this.config.schema };
    if (this.runner) return { ...this.runner.status(), ...where };
    return {
      name: DEFAULT_CHECKPOINT_NAME,
      state: this.openError ? 'failed' : 'starting',
      checkpoint: 0n,
      caughtUp: false,
      lastError: this.openError ?? null,
      projectionVersions: projectionVersionsOf(LEDGER_PROJECTIONS),
      ...where,
    };
  }

  /**
   * Resolves once the checkpoint stored in PostgreSQL includes `position`, whichever process projected it; rejects
   * with ReadModelTimeoutError after `timeoutMs`, or at once while PostgreSQL has not been reached.
   */
  waitForPosition(position: bigint, timeoutMs = 5_000): Promise<void> {
    if (!this.watcher) return Promise.reject(this.unreachable());
    return this.watcher.waitFor(position, timeoutMs);
  }

  private unreachable(): ReadModelsUnreachableError {
    return this.openFailure ?? new ReadModelsUnreachableError('not connected yet');
  }

  private open(): Promise<void> {
    if (this.store || this.closed) return Promise.resolve();
    this.opening ??= this.connect().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async connect(): Promise<void> {
    let store: PostgresReadModelStore;
    try {
      store = await PostgresReadModelStore.open({ connectionString: this.config.url, schema: this.config.schema });
    } catch (error) {
      this.openFailure = new ReadModelsUnreachableError(error);
      this.openError = runnerErrorOf(this.openFailure);
      this.logger.error(`read models in PostgreSQL (schema ${this.config.schema}): ${this.openError.message}; retried`);
      return;
    }
    this.openError = undefined;
    this.openFailure = undefined;
    const logger = { log: (message: string) => this.logger.log(message), error: (message: string) => this.logger.error(message) };
    this.watcher = new PostgresCheckpointWatcher({
      connectionString: this.config.url,
      schema: this.config.schema,
      checkpointName: DEFAULT_CHECKPOINT_NAME,
      readCheckpoint: async () => (await store.readCheckpoint(DEFAULT_CHECKPOINT_NAME))?.position,
      logger,
    });
    await this.watcher.start();
    this.runner = new ProjectionRunner({ eventStore: this.eventStore, store, logger });
    this.store = store;
  }
}
