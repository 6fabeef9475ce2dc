#!/usr/bin/env node
// `npm run schemas`: writes the JSON Schemas of the ledger's events (and their index) from the TypeScript definitions.
// Plain JavaScript with an @swc/core require hook (ts-require.js), because the repository has no TypeScript runner.
'use strict';
const { join } = require('node:path');
const { root } = require('./ts-require');

const { writeContractFiles } = require(join(root, 'libs/contracts/src/schemas/generate-event-schemas.ts'));

const outcome = writeContractFiles(root);
for (const path of outcome.written) console.log(`wrote     ${path}`);
for (const path of outcome.removed) console.log(`removed   ${path}`);
console.log(`${outcome.written.length} written, ${outcome.unchanged.length} unchanged, ${outcome.removed.length} removed`);
