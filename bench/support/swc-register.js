// Runs the benchmarks' TypeScript in plain Node: `node -r ./bench/support/swc-register.js bench/x.bench.ts`.
// @swc/core strips types on require (no type check: `npm run typecheck` covers bench/), tsconfig-paths resolves the
// @ledger/* aliases from tsconfig.json. Plain processes, not jest workers: each benchmark gets a real process
// boundary, its own heap and an RSS of its own.
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');
const tsconfigPaths = require('tsconfig-paths');

const root = join(__dirname, '..', '..');
const config = tsconfigPaths.loadConfig(root);
if (config.resultType !== 'success') throw new Error(`bench: cannot read ${root}/tsconfig.json: ${config.message}`);
tsconfigPaths.register({ baseUrl: config.absoluteBaseUrl, paths: config.paths });

const options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    target: 'es2022',
    transform: { legacyDecorator: true, decoratorMetadata: true },
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};
