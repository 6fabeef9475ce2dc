import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RawRow } from '../support/raw-sqlite';

const REGISTER = join(__dirname, '../../scripts/swc-register.js');
const WORKER = join(__dirname, 'group-commit.worker.ts');

/**
 * The durable minimum of a claim, for http-claims' floor: its event row (the bytes the ledger's store writes for the
 * demo claim) in the raw events table, WAL with `synchronous=FULL`, committed on a worker thread (as the ledger's
 * writer does) so that parsing requests goes on during the fsync. Appends that arrive while a commit runs go together
 * in the next one (one transaction, one fsync); each promise resolves once its commit returned.
 */
export class GroupCommit {
  private readonly worker: Worker;
  private waiting: Array<{ stream: string; done: () => void; failed: (error: Error) => void }> = [];
  private committing: typeof this.waiting = [];

  constructor(file: string, row: RawRow) {
    this.worker = new Worker(`require(${JSON.stringify(REGISTER)}); require(${JSON.stringify(WORKER)});`, { eval: true, workerData: { file, row } });
    this.worker.on('message', (outcome: { error?: string }) => {
      const batch = this.committing;
      this.committing = [];
      for (const append of batch) outcome.error === undefined ? append.done() : append.failed(new Error(outcome.error));
      this.next();
    });
    this.worker.unref();
  }

  append(stream: string): Promise<void> {
    return new Promise((done, failed) => {
      this.waiting.push({ stream, done, failed });
      this.next();
    });
  }

  private next(): void {
    if (this.committing.length > 0 || this.waiting.length === 0) return;
    this.committing = this.waiting;
    this.waiting = [];
    this.worker.postMessage(this.committing.map(({ stream }) => stream));
  }
}
