// Build step (after tsc): bundles stdlib's beta quantile — the one stdlib function the statistics
// use (Clopper–Pearson endpoints, src/stats/intervals.ts) — with everything it imports into one
// CommonJS file, dist/vendor/beta-quantile.cjs. Node then reads one file instead of resolving and
// loading ~220 CommonJS modules: ~30 ms of CPU instead of ~0.27 s, in every run's main thread (the
// summary always computes intervals; an adaptive stopping rule computes them mid-sweep, while the
// workers wait for their next batch). Same code: esbuild only concatenates the modules, and
// test/beta-quantile-bundle.test.ts checks the bundle against the package bit for bit.
// Not minified: the same code, readable stack traces.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('../', import.meta.url));
const entry = createRequire(`${pkg}package.json`).resolve('@stdlib/stats-base-dists-beta-quantile');

await build({
  absWorkingDir: pkg,
  entryPoints: [entry],
  outfile: 'dist/vendor/beta-quantile.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  legalComments: 'eof',
  logLevel: 'warning',
});
