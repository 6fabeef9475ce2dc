#!/usr/bin/env node
// `npm run schemas`: writes the JSON Schemas of the ledger's events (and their index) from the TypeScript definitions.
// Plain JavaScript with the repository's @swc/core require hook (swc-register.js).
'use strict';
const { join } = require('node:path');
require('./swc-register');

const root = join(__dirname, '..');

const { writeContractFiles } = require(join(root, 'libs/contracts/src/schemas/generate-event-schemas.ts'));

const outcome = writeContractFiles(root);
for (const path of outcome.written) console.log(`wrote     ${path}`);
for (const path of outcome.removed) console.log(`removed   ${path}`);
console.log(`${outcome.written.length} written, ${outcome.unchanged.length} unchanged, ${outcome.removed.length} removed`);
