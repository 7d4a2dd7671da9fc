// Build step (after tsc): bundles src/render/vega-entry.ts — the parts of vega and vega-lite the
// renderer uses, with everything they import — into one CommonJS file, dist/vendor/vega.cjs, then
// stores V8's code cache for it, dist/vendor/vega.cjs.cache, taken after rendering a sample chart.
// Node then reads one file instead of resolving and linking ~300 ES modules (vega's packages,
// d3-*, vega-util's files), and reuses the compiled code of the functions a chart runs instead of
// parsing and compiling them in every `paradox run`. Same code, same bytes: the renderer falls back
// to the packages without it and test/viz-render-runtime.test.ts compares the two on every chart.
// Not minified: the same code, readable stack traces.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
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
const { VEGA_BUNDLE, VEGA_CODE_CACHE, runVegaBundle } = await import(pathToFileURL(join(pkg, 'dist/render/vega-runtime.js')).href);
const { renderSvgWith } = await import(pathToFileURL(join(pkg, 'dist/render/vega-render.js')).href);

// vega-canvas's Node build looks for the optional native `canvas` package with a top-level
// `await import('canvas')`, which a CommonJS file cannot hold. Its browser build is the same
// without that lookup: in Node (no `document`) it has no canvas, which is what the Node build
// does when `canvas` is not installed, and vega then measures text with its own estimate.
const canvasFree = {
  name: 'vega-canvas-without-node-canvas',
  setup(b) {
    b.onResolve({ filter: /^vega-canvas$/ }, async (args) => {
      if (args.pluginData === 'canvas-free') return undefined; // the inner resolve below: esbuild's own
      const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'canvas-free' });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: join(dirname(resolved.path), 'vega-canvas.browser.js') };
    });
  },
};

await build({
  absWorkingDir: pkg,
  entryPoints: ['src/render/vega-entry.ts'],
  outfile: VEGA_BUNDLE,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  plugins: [canvasFree],
  legalComments: 'eof',
  logLevel: 'warning',
});

// A sample chart that exercises what the report's charts use (facets, layers, rules, error bars,
// lines, points, text, a heat map, a colour legend), so that the cache holds the compiled code of
// those functions. The sample only decides how much is cached, never what a chart renders.
const values = [];
for (const panel of ['K = 8, readBits = 4', 'K = 8, readBits = 8']) {
  for (const series of ['a', 'b', 'c']) {
    for (const [i, x] of [0.1, 0.25, 0.45, 0.5].entries()) {
      const y = (i + series.charCodeAt(0) - 96) / 8;
      values.push({ panel, series, x, y, lo: y - 0.05, hi: y + 0.05, row: series, col: `x${i}`, label: y.toFixed(2) });
    }
  }
}
const sample = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: { text: 'sample', subtitle: 'code cache warm-up' },
  data: { values },
  facet: { field: 'panel', type: 'nominal', title: 'panel' },
  columns: 2,
  spec: {
    width: 120,
    height: 80,
    layer: [
      { mark: { type: 'rule', strokeDash: [6, 3] }, encoding: { y: { datum: 0.5, type: 'quantitative' } } },
      {
        mark: 'errorbar',
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative', title: 'p' }, y2: { field: 'hi' }, color: { field: 'series', type: 'nominal' } },
      },
      { mark: { type: 'line', point: true }, encoding: { x: { field: 'x', type: 'quantitative', title: 'ε' }, y: { field: 'y', type: 'quantitative' }, color: { field: 'series', type: 'nominal' } } },
      { mark: { type: 'text', dx: 3, align: 'left' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  },
  config: { font: 'DejaVu Sans', axis: { gridColor: '#e6e6e6' }, view: { stroke: '#cccccc' }, background: 'white' },
};
const heatmap = {
  $schema: sample.$schema,
  data: { values },
  mark: 'rect',
  encoding: {
    x: { field: 'col', type: 'ordinal' },
    y: { field: 'row', type: 'ordinal' },
    color: { field: 'y', type: 'quantitative', scale: { domain: [0, 1] } },
    stroke: { condition: { test: 'datum.y > 0.5', value: 'black' }, value: null },
  },
};

const loaded = runVegaBundle();
for (const spec of [sample, heatmap]) await renderSvgWith(loaded.runtime, spec);
writeFileSync(VEGA_CODE_CACHE, loaded.script.createCachedData());
