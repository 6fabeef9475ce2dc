import { Logger } from '@nestjs/common';
import type { EventStore } from '@ledger/event-store';
import { DEFAULT_CHECKPOINT_NAME, ProjectionRunner, ReadModelProjector, RunnerError, RunnerStatus, projectionVersionsOf, runnerErrorOf, LEDGER_PROJECTIONS } from '@ledger/read-models';
import { ReadModelsUnreachableError } from '@ledger/read-models/storage/read-model-queries.port';
import { PostgresCheckpointWatcher } from '@ledger/read-models/storage/postgres/postgres-checkpoint.watcher';
import { PostgresReadModelStore } from '@ledger/read-models/storage/postgres/postgres-read-model.store';
import type { LedgerConfig } from '../platform/config/ledger-config';
import type { AdvisoryLockLease } from '../platform/postgres/advisory-lock.lease';
import { projectorLease, SharedDatabaseHost } from './shared-database.host';

/** The PostgreSQL read models' status: the runner's, with where they live. */
export type PostgresReadModelsStatus = RunnerStatus & { store: 'postgresql'; schema: string; leading: boolean };

/**
 * With LEDGER_READ_MODELS_URL, the read models live in PostgreSQL and nowhere else: the API answers from them, a runner
 * follows the store's global log into them, and read-your-writes waits for the checkpoint stored there (heard by
 * LISTEN, read while anyone waits), whoever wrote it. PostgreSQL unreachable at start does not stop the API: start()
 * records why, status() shows it as failed, the supervisor calls start() again with backoff, and queries answer 503.
 *
 * Among replicas only the holder of the projector lease runs the runner; the others follow the stored checkpoint
 * (their status is the watcher's) and take over within about a second of the holder's death. A supervisor's restart of
 * a failed runner gives the lease up first, so another replica may take the work over.
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
  private lease: AdvisoryLockLease | undefined;
  /** The log's head as last read for a follower's status (its caughtUp), refreshed whenever status is asked. */
  private knownHead = 0n;
  private readingHead = false;

  constructor(
    private readonly config: NonNullable<LedgerConfig['readModels']>,
    private readonly eventStore: EventStore,
    private readonly shared?: SharedDatabaseHost,
  ) {
    super();
  }

  /**
   * Opens the store when it is not open yet, then starts the runner, or competes for the projector lease and starts it
   * once held; never rejects (a failure shows in status()).
   */
  async start(): Promise<void> {
    await this.open();
    const runner = this.runner;
    if (!runner) return;
    this.lease ??= this.shared?.lease(projectorLease(this.config.schema), {
      // Not awaited: a start may rebuild for minutes, and the lease must keep checking its session meanwhile. A batch
      // written by a holder that has just lost the lease is still safe: each batch locks the checkpoint row and
      // applies only the events past it.
      onAcquired: () => void runner.start(),
      onLost: () => void runner.stop(),
    });
    if (this.lease) this.lease.start();
    else await runner.start();
  }

  async stop(): Promise<void> {
    await this.lease?.stop();
    await this.runner?.stop();
  }

  /** Whether this replica runs the projector: always without replicas (no lease), else while it holds the lease. */
  get leading(): boolean {
    return this.runner !== undefined && (this.lease?.held ?? true);
  }

  /** Whether this replica's own runner is running (starting, rebuilding or live), whatever its status reports. */
  get projecting(): boolean {
    const state = this.runner?.status().state;
    return state === 'starting' || state === 'rebuilding' || state === 'live';
  }

  /** Why this replica cannot rebuild the read models now, when it cannot: another replica holds the projector lease. */
  rebuildRefusal(): string | undefined {
    if (!this.lease || this.lease.held) return undefined;
    return `another replica holds the projector lease (${projectorLease(this.config.schema)}) and keeps the read models in schema ${this.config.schema}: ask it, or stop the replicas and run ledger-cli rebuild`;
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
    const refusal = this.rebuildRefusal();
    if (refusal) throw new Error(`Not rebuilt here: ${refusal}`);
    await this.runner.rebuild();
  }

  /** The store the API answers from; a throw while PostgreSQL has not been reached (a 503 to the client). */
  openStore(): PostgresReadModelStore {
    if (!this.store) throw this.unreachable();
    return this.store;
  }

  status(): PostgresReadModelsStatus {
    const where = { store: 'postgresql' as const, schema: this.config.schema, leading: this.leading };
    if (this.runner && (this.leading || !this.watcher)) return { ...this.runner.status(), ...where };
    if (this.runner && this.watcher) {
      // A follower: the read models are the holder's, as far as the stored checkpoint tells.
      const checkpoint = this.watcher.position() ?? 0n;
      void this.refreshHead();
      return {
        name: DEFAULT_CHECKPOINT_NAME,
        state: 'live',
        checkpoint,
        caughtUp: checkpoint >= this.knownHead,
        lastError: null,
        projectionVersions: projectionVersionsOf(LEDGER_PROJECTIONS),
        ...where,
      };
    }
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

  private async refreshHead(): Promise<void> {
    if (this.readingHead) return;
    this.readingHead = true;
    try {
      this.knownHead = await this.eventStore.headPosition();
    } catch {
      // The store's own health reports it; the follower's status keeps the last head it read.
    } finally {
      this.readingHead = false;
    }
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
      store = await PostgresReadModelStore.open({ connectionString: this.config.url, schema: this.config.schema, maxConnections: this.config.poolSize });
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
