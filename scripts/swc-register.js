// Runs the repository's TypeScript in plain Node (benchmarks, scripts, a worker of the sources): `node -r ./scripts/swc-register.js x.ts`.
// @swc/core strips types on require (no type check: `npm run typecheck` covers bench/), tsconfig-paths resolves the
// @ledger/* aliases from tsconfig.json. Plain processes, not jest workers: each benchmark gets a real process
// boundary, its own heap and an RSS of its own. Output is cached by content in the temp dir, and @swc/core loaded only
// on a miss, so that a worker whose RSS is measured does not carry the compiler (~60 MB).
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const tsconfigPaths = require('tsconfig-paths');

const root = join(__dirname, '..');
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

const cacheDir = join(tmpdir(), 'ledger-bench-swc-cache');
const optionsKey = JSON.stringify(options) + require('@swc/core/package.json').version;

Module._extensions['.ts'] = (module, filename) => {
  const source = readFileSync(filename, 'utf8');
  const cached = join(cacheDir, `${createHash('sha256').update(optionsKey).update(filename).update(source).digest('hex')}.js`);
  let code;
  try {
    code = readFileSync(cached, 'utf8');
  } catch {
    code = require('@swc/core').transformSync(source, { ...options, filename }).code;
    mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed: concurrent processes never read half a file.
    const partial = `${cached}.${process.pid}`;
    writeFileSync(partial, code);
    renameSync(partial, cached);
  }
  module._compile(code, filename);
};
