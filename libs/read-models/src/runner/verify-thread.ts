import { KeyObject, createPublicKey } from 'node:crypto';
import { MessagePort } from 'node:worker_threads';
import { EventStore, StoreUnavailableError, THREAD_NAMES, nameThisThread } from '@ledger/event-store';
import { VerificationReport, verifyEventStore } from '@ledger/integrity';
import { EventLogSource, openEventLog } from './projection-thread';
import { RequestThread, serveRequests, storeErrorOf } from './request-thread';

/** Events hashed between two turns of the event loop when the walk shares its thread (about 21 µs each). */
export const VERIFY_PAGE_EVENTS = 250;
/** Events read at a time by the walk in a thread of its own, where no request waits for a turn. */
const THREAD_PAGE_EVENTS = 2000;

/** A whole walk of the log and its checkpoints (GET /integrity/verify): on the calling thread or another. */
export abstract class LedgerVerifier {
  /** `publicKeys`: the notary's keys by key id; a checkpoint signed by any other fails. */
  abstract verify(publicKeys: ReadonlyMap<string, KeyObject>): Promise<VerificationReport>;
}

/** On the calling thread, in pages with a turn of the event loop between them: tests of the sources, LEDGER_AUDIT_THREAD=inline. */
export class InlineLedgerVerifier extends LedgerVerifier {
  constructor(
    private readonly store: EventStore,
    private readonly scratchDirectory: string,
  ) {
    super();
  }

  verify(publicKeys: ReadonlyMap<string, KeyObject>): Promise<VerificationReport> {
    return verifyEventStore(this.store, { publicKeys, scratchDirectory: this.scratchDirectory, pageSize: VERIFY_PAGE_EVENTS });
  }
}

export const VERIFY_THREAD_ROLE = 'ledger-verify-thread';

export interface VerifyThreadData {
  role: typeof VERIFY_THREAD_ROLE;
  eventLog: EventLogSource;
  /** Where the walk keeps what grows with the log (a file unlinked as soon as it is open). */
  scratchDirectory: string;
}

interface VerifyRequest {
  keys: Array<{ keyId: string; publicKeyPem: string }>;
}

export const isVerifyThreadData = (data: unknown): data is VerifyThreadData =>
  typeof data === 'object' && data !== null && (data as { role?: unknown }).role === VERIFY_THREAD_ROLE;

/** The thread's side: the log opened on a connection (or client) of its own, one walk at a time. */
export const serveVerifyThread = (data: VerifyThreadData, port: MessagePort): void => {
  nameThisThread(THREAD_NAMES.verify);
  const store = openEventLog(data.eventLog);
  serveRequests(port, ({ keys }: VerifyRequest) =>
    verifyEventStore(store, {
      publicKeys: new Map(keys.map(({ keyId, publicKeyPem }) => [keyId, createPublicKey(publicKeyPem)])),
      scratchDirectory: data.scratchDirectory,
      pageSize: THREAD_PAGE_EVENTS,
    }),
  );
};

/** The verify thread cannot answer now (it is stopping, or died with the walk in hand): a 503, retried shortly. */
export class VerifyUnavailableError extends StoreUnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'VerifyUnavailableError';
  }
}

export interface VerifyThreadOptions {
  /** The built entry that serves the thread (the API's own, or a test's). */
  script: string;
  eventLog: EventLogSource;
  scratchDirectory: string;
}

/**
 * The host's side: the walk reads, hashes and checks the whole log in a thread of its own. On the HTTP thread, in pages
 * with a turn of the event loop between them, a 1,000,000-event log took 24 s of that thread's CPU, every request
 * waiting behind a page (11 ms at the median, 532 ms at most for the checkpoints' check at the end).
 */
export class VerifyThread extends LedgerVerifier {
  private readonly thread: RequestThread<VerifyRequest, VerificationReport>;

  constructor(options: VerifyThreadOptions) {
    super();
    this.thread = new RequestThread({
      script: options.script,
      workerData: { role: VERIFY_THREAD_ROLE, eventLog: options.eventLog, scratchDirectory: options.scratchDirectory } satisfies VerifyThreadData,
      // The controller runs one walk at a time and gives its report to whoever asks meanwhile.
      maxWaiting: 2,
      busy: (waiting) => new VerifyUnavailableError(`${waiting} verifications are already running; try again shortly`),
      unavailable: (why) => new VerifyUnavailableError(why === undefined ? 'The ledger is stopping' : `The verify thread ${why}; try again`),
      errorOf: storeErrorOf,
    });
  }

  verify(publicKeys: ReadonlyMap<string, KeyObject>): Promise<VerificationReport> {
    const keys = [...publicKeys].map(([keyId, key]) => ({ keyId, publicKeyPem: key.export({ type: 'spki', format: 'pem' }).toString() }));
    return this.thread.run({ keys });
  }

  close(): Promise<void> {
    return this.thread.close();
  }

  /** Nest calls it at shutdown. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
