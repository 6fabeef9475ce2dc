/**
 * A command that could not be decided on a steady stream: another writer kept appending to it between each read and
 * append. Nothing was written; the caller should retry shortly (HTTP renders it as 503 with Retry-After).
 */
export class WriteContentionError extends Error {
  readonly code = 'write-contention';
  readonly retryAfterSeconds = 1;

  constructor(
    readonly streamName: string,
    readonly attempts: number,
  ) {
    super(`Stream ${streamName} kept changing while this command was decided ${attempts} times; retry shortly.`);
    this.name = 'WriteContentionError';
  }
}
