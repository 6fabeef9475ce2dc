#!/usr/bin/env node
// `npm run schemas`: writes the JSON Schemas of the ledger's events (and their index) and of the API's response
// bodies (response-schemas.json, read by the OpenAPI document) from the TypeScript definitions.
// Plain JavaScript with the repository's @swc/core require hook (swc-register.js).
'use strict';
const { join } = require('node:path');
require('./swc-register');

const root = join(__dirname, '..');

const { writeContractFiles } = require(join(root, 'libs/contracts/src/schemas/generate-event-schemas.ts'));

const { writeFileSync, readFileSync, existsSync } = require('node:fs');
const { RESPONSE_SCHEMAS_FILE, responseSchemasFileContent } = require(join(root, 'apps/ledger-api/src/platform/openapi/generate-response-schemas.ts'));

const outcome = writeContractFiles(root);
const responses = responseSchemasFileContent(root);
const responsesTarget = join(root, RESPONSE_SCHEMAS_FILE);
if (existsSync(responsesTarget) && readFileSync(responsesTarget, 'utf8') === responses) outcome.unchanged.push(RESPONSE_SCHEMAS_FILE);
else {
  writeFileSync(responsesTarget, responses);
  outcome.written.push(RESPONSE_SCHEMAS_FILE);
}
for (const path of outcome.written) console.log(`wrote     ${path}`);
for (const path of outcome.removed) console.log(`removed   ${path}`);
console.log(`${outcome.written.length} written, ${outcome.unchanged.length} unchanged, ${outcome.removed.length} removed`);
