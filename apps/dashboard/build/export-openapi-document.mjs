// Writes the running ledger's /openapi.json to apps/dashboard/generated/, so the dashboard's types come from the
// document the built API really serves: a server change that breaks the page breaks `npm run build`.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const out = join(here, '..', 'generated', 'openapi.json');
const dataDir = mkdtempSync(join(tmpdir(), 'ledger-openapi-export-'));

const child = spawn(process.execPath, [join(root, 'dist/apps/ledger-api/main.js')], {
  cwd: root,
  env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), NO_COLOR: '1', PORT: '0', HOST: '127.0.0.1', LEDGER_DATA_DIR: dataDir, LEDGER_CHECKPOINT_INTERVAL_MS: '0' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
const finish = (code, message) => {
  if (message) console.error(message);
  child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code);
};
const timer = setTimeout(() => finish(1, `the ledger did not start within 60 s:\n${output}`), 60_000);
child.on('exit', (code) => finish(1, `the ledger exited (${code}) before its document was read:\n${output}`));
const onData = async (chunk) => {
  output += chunk.toString('utf8');
  const m = /API:\s+(http:\/\/127\.0\.0\.1:\d+)\/incidents/.exec(output);
  if (!m) return;
  child.stdout.off('data', onData);
  child.stderr.off('data', onData);
  clearTimeout(timer);
  try {
    const res = await fetch(`${m[1]}/openapi.json`);
    if (!res.ok) throw new Error(`GET /openapi.json answered ${res.status}`);
    const document = await res.json();
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`wrote ${out} (${Object.keys(document.paths).length} paths)`);
    child.removeAllListeners('exit');
    finish(0);
  } catch (error) {
    finish(1, String(error));
  }
};
child.stdout.on('data', onData);
child.stderr.on('data', onData);
