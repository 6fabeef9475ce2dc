import type { RunnerStatus } from './projection.runner';

/**
 * What the API needs of whatever keeps the read models up to date: the
 * runner itself (in the API's thread, in the CLI and in tests) or a
 * projection thread that runs one (ThreadedProjectionRunner), so that the
 * read models' work never holds up the HTTP thread.
 */
export abstract class ReadModelProjector {
  /** Resumes from the stored checkpoint (rebuilding first when needed); failures show in status(), never reject. */
  abstract start(): Promise<void>;
  /** Stops after committing what was received; pending waits are rejected. */
  abstract stop(): Promise<void>;
  /** Replays the whole log into emptied tables; rejects if the replay fails. */
  abstract rebuild(): Promise<void>;
  abstract status(): RunnerStatus;
  /** Resolves once the read models include the event at `position`. */
  abstract waitForPosition(position: bigint, timeoutMs?: number): Promise<void>;
}
