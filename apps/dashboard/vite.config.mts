import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Built into dist/dashboard, which the ledger serves at `/` (apps/ledger-api/src/dashboard). JSX needs no plugin:
// the page has no fast refresh, the bundler's own JSX transform is enough.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // The page's whole script is held to 300 KB gzipped (issue 12); this warns well before.
    chunkSizeWarningLimit: 900,
  },
});
