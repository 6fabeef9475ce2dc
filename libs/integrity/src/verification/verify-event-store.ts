import type { KeyObject } from 'node:crypto';
import { ACCESS_LOG_STREAM, CHECKPOINT_STREAM } from '../integrity-streams';
import { FileScratch, MemoryScratch } from '../scratch/scratch-space';
import { LedgerVerification, VerifiableEvent, VerificationReport } from './ledger-verification';

/** The reads verification needs, as the EventStore port offers them (kept structural: the port's lib depends on this one). */
export interface VerifiableStore {
  readAll(options?: { fromPosition?: bigint; maxCount?: number }): Promise<VerifiableEvent[]>;
  readStream(streamName: string, options?: { fromRevision?: bigint; maxCount?: number }): Promise<VerifiableEvent[]>;
  headPosition(): Promise<bigint>;
}

export interface VerifyProgress {
  events: number;
  position: bigint;
  head: bigint;
}

export interface VerifyOptions {
  /** The notary's public keys by key id: checkpoints signed by any other key fail. */
  publicKeys: ReadonlyMap<string, KeyObject>;
  /** Events read and checked at a time (1,000 by default); the event loop gets a turn between pages. */
  pageSize?: number;
  onProgress?: (progress: VerifyProgress) => void;
  /**
   * Where what grows with the log (the tree, the leaves' positions, each event's hash) is kept while verifying, in a
   * file unlinked as soon as it is open; in memory when absent, which costs about 180 bytes of heap a ledger event.
   */
  scratchDirectory?: string;
}

interface UnreadableError {
  name: string;
  position: bigint;
  streamName: string;
  revision: bigint;
  eventId: string;
  detail: string;
}

const isUnreadable = (error: unknown): error is UnreadableError =>
  error instanceof Error && error.name === 'UnreadableEventError' && typeof (error as Partial<UnreadableError>).position === 'bigint';

/**
 * Verifies everything the store holds: the global log page by page (an unreadable event is reported and skipped),
 * then the ledger's own streams when the global read does not carry them (EventStoreDB's $all is filtered to the
 * ledger streams).
 */
export const verifyEventStore = async (store: VerifiableStore, options: VerifyOptions): Promise<VerificationReport> => {
  const scratch = options.scratchDirectory === undefined ? new MemoryScratch() : new FileScratch(options.scratchDirectory);
  try {
    return await verifyWith(new LedgerVerification(options.publicKeys, scratch), store, options);
  } finally {
    scratch.close();
  }
};

const verifyWith = async (verification: LedgerVerification, store: VerifiableStore, options: VerifyOptions): Promise<VerificationReport> => {
  const pageSize = options.pageSize ?? 1000;
  const head = await store.headPosition();
  let position = 0n;
  for (;;) {
    let page: VerifiableEvent[];
    try {
      page = await store.readAll({ fromPosition: position, maxCount: pageSize });
    } catch (error) {
      if (!isUnreadable(error) || error.position <= position) throw error;
      // One event at a time up to the damaged one (positions need not be dense), report it, go on after it.
      for (;;) {
        const [next] = await store.readAll({ fromPosition: position, maxCount: 1 }).catch((again: unknown) => {
          if (isUnreadable(again) && again.position === error.position) return [];
          throw again;
        });
        if (!next) break;
        verification.add(next);
        position = next.position;
      }
      const { position: at, streamName, revision, eventId, detail } = error;
      verification.add({ unreadable: true, position: at, streamName, revision, eventId, detail });
      position = at;
      options.onProgress?.({ events: verification.eventsSeen, position, head });
      continue;
    }
    if (page.length === 0) break;
    for (const event of page) verification.add(event);
    position = page[page.length - 1].position;
    options.onProgress?.({ events: verification.eventsSeen, position, head });
    // A store's read can answer without waiting for I/O, and each page is hashing: without a turn of the event loop
    // between pages, an API verifying a 1,000,000-event log answered nothing else for 25 s.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  for (const streamName of [CHECKPOINT_STREAM, ACCESS_LOG_STREAM]) {
    if (verification.hasSeenStream(streamName)) continue;
    for (const event of await store.readStream(streamName)) verification.add(event);
  }
  return verification.finish();
};
