import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PROJECTION_THREAD_ROLE } from '@ledger/read-models';
import { API_MAIN, CLI_MAIN } from '../support/spawned-ledger';

/**
 * The built API and CLI are also the scripts of their worker threads (the store's writer, the projection). Each thread
 * must load only what it serves: NestJS and the rest of the application in every thread cost each about half a
 * second of CPU and tens of MB at every start. The packages a thread loads are recorded by a preloaded hook.
 */
const RECORDER = join(__dirname, '..', 'support', 'module-recorder.js');
const APPLICATION_PACKAGES = ['@nestjs/core', '@nestjs/common', '@nestjs/cqrs', '@eventstore/db-client', 'pg', 'class-validator', 'fastify'];

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-threads-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `script` as a worker thread with `workerData`, lets it open its files, and returns the packages it loaded. */
const packagesLoadedByThread = async (script: string, workerData: object, settle: (worker: Worker) => Promise<void>): Promise<string[]> => {
  const log = join(dir, 'modules.log');
  const worker = new Worker(script, { workerData, execArgv: ['--require', RECORDER], env: { ...process.env, LEDGER_TEST_MODULE_LOG: log } });
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  try {
    await Promise.race([settle(worker), failed]);
  } finally {
    await worker.terminate();
  }
  return readFileSync(log, 'utf8').trim().split('\n');
};

/** The projection thread answers its first status once its runner has opened the log and the read models. */
const firstMessage = (worker: Worker): Promise<void> => new Promise((resolve) => worker.once('message', () => resolve()));

const projectionThreadData = () => ({
  role: PROJECTION_THREAD_ROLE,
  eventLog: { kind: 'sqlite', filename: join(dir, 'events.sqlite') },
  readModelsFile: join(dir, 'read-models.sqlite'),
});

describe('worker threads of the built bundles load only what they serve', () => {
  it.each([
    ['ledger-api', API_MAIN],
    ['ledger-cli', CLI_MAIN],
  ])('the projection thread of %s', async (_name, script) => {
    const loaded = await packagesLoadedByThread(script, projectionThreadData(), (worker) => {
      worker.postMessage({ type: 'start', id: 1 });
      return firstMessage(worker);
    });
    expect(loaded).toContain('better-sqlite3');
    expect(loaded.filter((name) => APPLICATION_PACKAGES.includes(name))).toEqual([]);
  });

  it("the API's store writer thread", async () => {
    const loaded = await packagesLoadedByThread(API_MAIN, { role: 'ledger-sqlite-writer-thread', filename: join(dir, 'events.sqlite') }, async (worker) => {
      // The writer answers an empty batch once its store is open.
      worker.postMessage({ type: 'append', batch: [] });
      await firstMessage(worker);
    });
    expect(loaded).toContain('better-sqlite3');
    expect(loaded.filter((name) => APPLICATION_PACKAGES.includes(name))).toEqual([]);
  });
});
