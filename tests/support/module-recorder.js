// Preloaded (--require) into a process or worker under test: appends every package it loads from node_modules, one
// name a line, to the file named by LEDGER_TEST_MODULE_LOG. Plain JavaScript, so that nothing else loads with it.
const { appendFileSync } = require('node:fs');
const Module = require('node:module');

const file = process.env.LEDGER_TEST_MODULE_LOG;
const seen = new Set();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (file && !request.startsWith('.') && !request.startsWith('node:') && !request.startsWith('/') && !Module.isBuiltin(request)) {
    const name = request.startsWith('@') ? request.split('/').slice(0, 2).join('/') : request.split('/')[0];
    if (!seen.has(name)) {
      seen.add(name);
      appendFileSync(file, `${name}\n`);
    }
  }
  return load.apply(this, arguments);
};
