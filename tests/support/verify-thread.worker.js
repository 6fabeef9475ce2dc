// The verify thread for tests that run the TypeScript sources: the built API serves as its own worker script.
'use strict';
require('../../scripts/swc-register');
const { parentPort, workerData } = require('node:worker_threads');
const { serveVerifyThread } = require('../../libs/read-models/src/runner/verify-thread.ts');

serveVerifyThread(workerData, parentPort);
