#!/usr/bin/env node
// `npm run schemas`: writes the JSON Schemas of the ledger's events (and their index) from the TypeScript definitions.
// Plain JavaScript with an @swc/core require hook, because the repository has no TypeScript runner.
'use strict';
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const swc = require('@swc/core');

const root = join(__dirname, '..');

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(readFileSync(filename, 'utf8'), {
    filename,
    swcrc: false,
    jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

// Node knows nothing of tsconfig's paths: map the @ledger/* aliases onto libs/ the same way.
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (!request.startsWith('@ledger/')) return resolveFilename.call(this, request, ...rest);
  const [lib, ...inner] = request.slice('@ledger/'.length).split('/');
  return resolveFilename.call(this, join(root, 'libs', lib, 'src', ...inner), ...rest);
};

const { writeContractFiles } = require(join(root, 'libs/contracts/src/schemas/generate-event-schemas.ts'));

const outcome = writeContractFiles(root);
for (const path of outcome.written) console.log(`wrote     ${path}`);
for (const path of outcome.removed) console.log(`removed   ${path}`);
console.log(`${outcome.written.length} written, ${outcome.unchanged.length} unchanged, ${outcome.removed.length} removed`);
