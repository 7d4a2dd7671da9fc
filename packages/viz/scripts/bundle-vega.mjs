// Build step: bundles src/render/vega-entry.ts (the parts of vega and vega-lite the renderer
// uses, with everything they import) into one ES module, dist/vendor/vega.js. Node then reads one
// file instead of resolving and linking ~300 modules (vega's packages, d3-*, vega-util's files),
// which took ~0.3 CPU-s of every `paradox run`; the code is the same, so charts render to the same
// bytes (test/viz-render-runtime.test.ts checks it). Not minified: same code, readable stack traces.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = fileURLToPath(new URL('../', import.meta.url));

/**
 * esbuild is a devDependency of this package; a checkout whose node_modules predate it (installed
 * before the dependency was added, not reinstalled) still has the same esbuild through vite.
 */
async function loadEsbuild() {
  try {
    return await import('esbuild');
  } catch {
    const fromVite = createRequire(createRequire(`${pkg}package.json`).resolve('vite'));
    return import(pathToFileURL(fromVite.resolve('esbuild')).href);
  }
}

const { build } = await loadEsbuild();
await build({
  absWorkingDir: pkg,
  entryPoints: ['src/render/vega-entry.ts'],
  outfile: 'dist/vendor/vega.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // vega-canvas tries `await import('canvas')` (an optional native package) and measures text
  // with its own estimate without it: left as a run-time import, so behaviour is unchanged.
  external: ['canvas'],
  legalComments: 'eof',
  logLevel: 'warning',
});
