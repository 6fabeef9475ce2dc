// Lets plain Node scripts require the repository's TypeScript: an @swc/core require hook plus the @ledger/* path aliases.
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

module.exports = { root };
