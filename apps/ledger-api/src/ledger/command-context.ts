/** Who asked, on whose behalf and under which guarantees: everything a write needs besides its payload. */
export interface CommandContext {
  principal: string;
  correlationId: string;
  /** The request that caused the write; events of one command share it. */
  causationId: string;
  idempotencyKey?: string;
  /** Digest of the request, so that a key reused for a different request is refused. */
  requestHash?: string;
  /** From If-Match: the stream revision the client last saw. */
  expectedRevision?: bigint;
}
