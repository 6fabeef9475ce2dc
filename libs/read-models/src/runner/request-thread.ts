import { MessagePort, Worker } from 'node:worker_threads';
import { StoreRefusal, StoreRefusedError, StoreUnavailableError } from '@ledger/event-store';

/** An error as it crosses a thread: its name and message, and the plain fields a caller needs to map it. */
export interface ThreadErrorJson {
  name: string;
  message: string;
  code?: string;
  /** A system call's failure (ENOSPC in write, say): the API answers those as its disk's, a 503. */
  syscall?: string;
  field?: string;
  fields?: string[];
  reason?: string;
}

type Reply<A> = { id: number; answer: A } | { id: number; error: ThreadErrorJson };

export const errorToJson = (error: unknown): ThreadErrorJson => {
  const e = error as { name?: unknown; message?: unknown; code?: unknown; syscall?: unknown; field?: unknown; fields?: unknown; reason?: unknown };
  return {
    name: String(e?.name ?? 'Error'),
    message: String(e?.message ?? error),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(typeof e?.syscall === 'string' ? { syscall: e.syscall } : {}),
    ...(typeof e?.field === 'string' ? { field: e.field } : {}),
    ...(Array.isArray(e?.fields) && e.fields.every((f) => typeof f === 'string') ? { fields: e.fields as string[] } : {}),
    ...(typeof e?.reason === 'string' ? { reason: e.reason } : {}),
  };
};

/**
 * A failure in a thread that reads the log, as the API maps it: a store that refuses or cannot answer keeps its class
 * (a 503), anything else its name and code (a disk that cannot take a file stays a 503 by its code).
 */
export const storeErrorOf = (error: ThreadErrorJson): Error => {
  if (error.name === 'StoreRefusedError' && error.reason !== undefined) return new StoreRefusedError(error.reason as StoreRefusal, error.message);
  if (error.name === 'StoreUnavailableError') return new StoreUnavailableError(error.message);
  const { name, code, syscall } = error;
  return Object.assign(new Error(error.message), { name, ...(code !== undefined ? { code } : {}), ...(syscall !== undefined ? { syscall } : {}) });
};

/**
 * The thread's side: each request answered in turn, one at a time, even when answering awaits (a store's read): two
 * folds of a big incident at once would hold twice the memory and finish no sooner on the cores the ledger has.
 */
export const serveRequests = <R, A>(
  port: MessagePort,
  answer: (request: R) => A | Promise<A>,
  options: { onError?: (error: unknown) => void; transfer?: (answer: A) => ArrayBuffer[] } = {},
): void => {
  let turn: Promise<void> = Promise.resolve();
  port.on('message', ({ id, request }: { id: number; request: R }) => {
    turn = turn.then(async () => {
      let reply: Reply<A>;
      let transfer: ArrayBuffer[] = [];
      try {
        const answered = await answer(request);
        reply = { id, answer: answered };
        transfer = options.transfer?.(answered) ?? [];
      } catch (error) {
        options.onError?.(error);
        reply = { id, error: errorToJson(error) };
      }
      port.postMessage(reply, transfer);
    });
  });
};

export interface RequestThreadOptions {
  /** The built entry that serves the thread (the API's own, or a test's). */
  script: string;
  workerData: unknown;
  /** Requests queued or running beyond which a new one is refused with `busy` (a 503 for the client). */
  maxWaiting: number;
  /** The error for a request refused because `waiting` are already in hand. */
  busy(waiting: number): Error;
  /** The error for a request the thread cannot answer: `why` it died with the request in hand, undefined when stopping. */
  unavailable(why: string | undefined): Error;
  /** The error a failure in the thread is raised as on this side. */
  errorOf(error: ThreadErrorJson): Error;
}

/**
 * The host's side of a worker thread answering requests one at a time: started on first use, a thread that died is
 * started again by the next request, at most `maxWaiting` in hand (past that the request is refused at once, not
 * queued without bound), and an idle thread does not keep the process alive.
 */
export class RequestThread<R, A> {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (answer: A) => void; reject: (error: Error) => void }>();
  private closed = false;

  constructor(private readonly options: RequestThreadOptions) {}

  run(request: R): Promise<A> {
    if (this.closed) return Promise.reject(this.options.unavailable(undefined));
    if (this.pending.size >= this.options.maxWaiting) return Promise.reject(this.options.busy(this.pending.size));
    const worker = this.started();
    const id = this.nextId++;
    return new Promise<A>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, request });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(this.options.unavailable(undefined));
    await worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.script, { workerData: this.options.workerData });
    worker.on('message', (reply: Reply<A>) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if ('answer' in reply) waiter.resolve(reply.answer);
      else waiter.reject(this.options.errorOf(reply.error));
    });
    const gone = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(this.options.unavailable(why));
    };
    worker.on('error', (error) => gone(`failed: ${error.message}`));
    worker.on('exit', (code) => gone(`exited (code ${code})`));
    // An idle thread must not keep the process alive; one with work in hand is waited for by its callers anyway.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    const waiters = [...this.pending.values()];
    this.pending.clear();
    for (const waiter of waiters) waiter.reject(error);
  }
}
