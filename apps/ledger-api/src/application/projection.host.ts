import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventStore, SqliteEventStore } from '@ledger/event-store';
import { ReadModelProjector, ReadModelSupervisor, ReadModelTimeoutError, RunnerStatus, SqliteReadModelStore, SupervisionStatus, ThreadedProjectionRunner } from '@ledger/read-models';

/** How long a write waits for its own effect to reach the read models before answering anyway. */
export const READ_YOUR_WRITES_TIMEOUT_MS = 3_000;

/** Where the read models live: the SQLite file (healed when damaged), or a PostgreSQL schema closed after its runner. */
export type HostedReadModels = { file: SqliteReadModelStore } | { schema: string; close(): Promise<void> };

/** Where the read models live, as status reports say it. */
export type ReadModelsLocation = { store: 'sqlite' } | { store: 'postgresql'; schema: string };

/**
 * Runs the read models inside the API process: they follow the store's
 * global-log subscription, never the in-process event bus. A supervisor
 * retries them when they fail and rebuilds them when their file is damaged or
 * their checkpoint is past the log's head. The runner keeps either the SQLite
 * file or, with LEDGER_READ_MODELS_URL, the PostgreSQL schema.
 */
export class ProjectionHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');

  private readonly supervisor: ReadModelSupervisor;

  constructor(
    readonly runner: ReadModelProjector,
    private readonly readModels: HostedReadModels,
    private readonly store: EventStore,
  ) {
    this.supervisor = new ReadModelSupervisor({
      runner,
      ...('file' in readModels ? { store: readModels.file } : {}),
      eventStore: store,
      logger: { log: (message) => this.logger.log(message), error: (message) => this.logger.error(message) },
    });
  }

  private unwatch: (() => void) | undefined;

  async onApplicationBootstrap(): Promise<void> {
    // A projection thread reading the same SQLite file learns of each commit at once rather than at its next poll: from
    // the store's own commit bell when it was given that (rung by the store's writer thread, not this one), else here.
    const runner = this.runner;
    if (runner instanceof ThreadedProjectionRunner && this.store instanceof SqliteEventStore && !runner.hears(this.store.commitBell)) {
      this.unwatch = this.store.onCommit(() => runner.poke());
    }
    await this.supervisor.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.unwatch?.();
    await this.supervisor.stop();
    if ('file' in this.readModels) this.readModels.file.close();
    else await this.readModels.close();
    await this.store.close();
  }

  /** Rebuilds the read models from the log (moving a damaged file aside first); resolves with the status however it ended. */
  rebuild(): Promise<RunnerStatus> {
    return this.supervisor.rebuild();
  }

  location(): ReadModelsLocation {
    return 'file' in this.readModels ? { store: 'sqlite' } : { store: 'postgresql', schema: this.readModels.schema };
  }

  /** Retries, file healings and the next attempt, for health and the admin status. */
  supervision(): SupervisionStatus {
    return this.supervisor.status();
  }

  /**
   * True when the read models show everything up to `position`; false if
   * they are behind after the timeout or stopped. Never throws: the write
   * it waits for is already committed, and its client must hear so.
   */
  async caughtUpTo(position: bigint, timeoutMs = READ_YOUR_WRITES_TIMEOUT_MS): Promise<boolean> {
    try {
      await this.runner.waitForPosition(position, timeoutMs);
      return true;
    } catch (error) {
      if (error instanceof ReadModelTimeoutError) {
        this.logger.warn(`read models still behind position ${position} after ${timeoutMs} ms`);
      } else {
        this.logger.error(`read models will not show position ${position}: ${error instanceof Error ? error.message : String(error)}`);
      }
      return false;
    }
  }
}
