// Builds the explorer page into dist/explorer: plain TypeScript, one module worker, core-wasm's
// .wasm as a hashed asset. `base: './'` keeps every URL relative so the folder can be served from
// anywhere (`paradox explore`, a static host, or next to a report).
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/explorer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The wasm is loaded by URL, never inlined as base64 (inlining would double its size).
    assetsInlineLimit: 0,
  },
  worker: { format: 'es' },
});
