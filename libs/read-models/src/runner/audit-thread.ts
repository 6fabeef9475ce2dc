import { MessagePort } from 'node:worker_threads';
import { EventStore, StoreUnavailableError, THREAD_NAMES, nameThisThread } from '@ledger/event-store';
import { AsOfError } from '../time-travel/as-of';
import { InvalidPageError } from '../views/entries-page';
import { AuditRead, AuditReadAnswer, runAuditRead } from '../time-travel/audit-reads';
import { KeptFolds } from '../time-travel/time-travel';
import { EventLogSource, openEventLog } from './projection-thread';
import { RequestThread, ThreadErrorJson, serveRequests, storeErrorOf } from './request-thread';

/** Answers an auditor's look at an incident's past: on the calling thread (InlineAuditReads) or another (AuditThread). */
export abstract class AuditReads {
  abstract run(read: AuditRead): Promise<AuditReadAnswer>;
}

/** On the calling thread, from the API's own store: tests of the TypeScript sources, and LEDGER_AUDIT_THREAD=inline. */
export class InlineAuditReads extends AuditReads {
  private readonly folds = new KeptFolds();

  constructor(private readonly store: EventStore) {
    super();
  }

  run(read: AuditRead): Promise<AuditReadAnswer> {
    return runAuditRead(this.store, read, this.folds);
  }
}

export const AUDIT_THREAD_ROLE = 'ledger-audit-thread';

export interface AuditThreadData {
  role: typeof AUDIT_THREAD_ROLE;
  eventLog: EventLogSource;
}

export const isAuditThreadData = (data: unknown): data is AuditThreadData =>
  typeof data === 'object' && data !== null && (data as { role?: unknown }).role === AUDIT_THREAD_ROLE;

/** The thread's side: the log opened on a connection (or client) of its own, one read folded at a time. */
export const serveAuditThread = (data: AuditThreadData, port: MessagePort): void => {
  nameThisThread(THREAD_NAMES.auditReads);
  const store = openEventLog(data.eventLog);
  // The answer's bytes are handed over, not copied: the HTTP thread sends them as they are.
  const folds = new KeptFolds();
  serveRequests(port, (read: AuditRead) => runAuditRead(store, read, folds), { transfer: (answer) => (answer.found ? [answer.body.buffer as ArrayBuffer] : []) });
};

/** The audit reads' thread cannot answer now (it is stopping, or died with the read in hand): a 503, retried shortly. */
export class AuditReadsUnavailableError extends StoreUnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'AuditReadsUnavailableError';
  }
}

/** More audit reads in hand than the thread should queue (each may fold thousands of events): a 503, retried shortly. */
export class AuditReadsBusyError extends AuditReadsUnavailableError {
  constructor(waiting: number) {
    super(`${waiting} looks at incidents' past are already being folded; try again shortly`);
    this.name = 'AuditReadsBusyError';
  }
}

export interface AuditThreadOptions {
  /** The built entry that serves the thread (the API's own, or a test's). */
  script: string;
  eventLog: EventLogSource;
  /** Reads queued or folding beyond which a new one is refused with AuditReadsBusyError (default 8). */
  maxWaiting?: number;
}

/**
 * The host's side: an auditor's look at an incident's past folds the incident's events into throwaway read models
 * and serialises the answer, all in a thread of its own. On the HTTP thread, one incident of 5,000 claims held every
 * other request for up to 1.6-2.0 s (as of a moment) and 2.2-3.0 s (its changes over all time). One read at a time;
 * the thread reads the log itself, so the HTTP thread only passes the question and sends the bytes it gets back.
 */
export class AuditThread extends AuditReads {
  private readonly thread: RequestThread<AuditRead, AuditReadAnswer>;

  constructor(options: AuditThreadOptions) {
    super();
    this.thread = new RequestThread({
      script: options.script,
      workerData: { role: AUDIT_THREAD_ROLE, eventLog: options.eventLog } satisfies AuditThreadData,
      maxWaiting: options.maxWaiting ?? 8,
      busy: (waiting) => new AuditReadsBusyError(waiting),
      unavailable: (why) => new AuditReadsUnavailableError(why === undefined ? 'The ledger is stopping' : `The audit reads' thread ${why}; try again`),
      errorOf: auditErrorOf,
    });
  }

  run(read: AuditRead): Promise<AuditReadAnswer> {
    return this.thread.run(read);
  }

  close(): Promise<void> {
    return this.thread.close();
  }

  /** Nest calls it at shutdown. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}

/** A failure in the thread as the API maps it: a bad moment stays a 400, a store that cannot answer a 503. */
const auditErrorOf = (error: ThreadErrorJson): Error => {
  if (error.name === 'AsOfError' && error.field !== undefined) return new AsOfError(error.field, error.message, error.fields);
  if (error.name === 'InvalidPageError' && (error.field === 'limit' || error.field === 'after')) return new InvalidPageError(error.message, error.field);
  return storeErrorOf(error);
};
