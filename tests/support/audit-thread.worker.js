// The audit reads' thread for tests that run the TypeScript sources: the built API serves as its own worker script.
'use strict';
require('../../scripts/swc-register');
const { parentPort, workerData } = require('node:worker_threads');
const { serveAuditThread } = require('../../libs/read-models/src/runner/audit-thread.ts');

serveAuditThread(workerData, parentPort);
