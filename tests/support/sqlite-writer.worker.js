// The SQLite writer thread for tests that run the TypeScript sources: the built API serves as its own worker script.
'use strict';
require('../../scripts/swc-register');
const { parentPort, workerData } = require('node:worker_threads');
const { serveSqliteWriterThread } = require('../../libs/event-store/src/sqlite/sqlite-event-store.ts');

serveSqliteWriterThread(workerData, parentPort);
