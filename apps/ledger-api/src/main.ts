import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { isSqliteWriterData, serveSqliteWriterThread } from '@ledger/event-store';
import {
  isAggregateThreadData,
  isAuditThreadData,
  isProjectionThreadData,
  isVerifyThreadData,
  serveAggregateThread,
  serveAuditThread,
  serveProjectionThread,
  serveVerifyThread,
} from '@ledger/read-models';

// The built API is also the script of its writer, projection, statistics, audit and verify threads. A thread loads only what it serves: the
// application (NestJS, its modules, the PostgreSQL driver) is required on the main thread alone. Loaded in every
// thread, it cost each about half a second of CPU at start and tens of MB that the thread never used.
if (!isMainThread && isProjectionThreadData(workerData)) serveProjectionThread(workerData, parentPort!);
else if (!isMainThread && isSqliteWriterData(workerData)) serveSqliteWriterThread(workerData, parentPort!);
else if (!isMainThread && isAggregateThreadData(workerData)) serveAggregateThread(workerData, parentPort!);
else if (!isMainThread && isAuditThreadData(workerData)) serveAuditThread(workerData, parentPort!);
else if (!isMainThread && isVerifyThreadData(workerData)) serveVerifyThread(workerData, parentPort!);
// eslint-disable-next-line @typescript-eslint/no-require-imports
else (require('./start-api') as typeof import('./start-api')).startApi(__filename);
