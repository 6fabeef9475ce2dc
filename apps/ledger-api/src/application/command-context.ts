/** Who asked, on whose behalf and under which guarantees: everything a write needs besides its payload. */
export interface CommandContext {
  principal: string;
  correlationId: string;
  /** The request that caused the write; events of one command share it. */
  causationId: string;
  idempotencyKey?: string;
  /** Digest of the request, so that a key reused for a different request is refused. */
  requestHash?: string;
  /**
   * Where the key is unique. 'request' (the default: an HTTP Idempotency-Key, which may be sent to any route) binds
   * the key to its first request in a reservation stream. 'stream' (import lines, whose key scope already names the
   * stream they write) needs no reservation: the deterministic event ids and the request hash on that stream find a
   * replay or a reused key by themselves, so the executor should append no reservation event for it.
   */
  idempotencyScope?: 'request' | 'stream';
  /** From If-Match: the stream revision the client last saw. */
  expectedRevision?: bigint;
}
