/**
 * The renderer's vega runtime: the single-file bundle `pnpm build` makes (dist/vendor/vega.cjs and
 * its V8 code cache, scripts/bundle-vega.mjs) must render every chart to exactly the bytes the vega
 * and vega-lite packages render, because the report's charts are compared byte for byte across
 * builds. And the report's digit grouping, which avoids `Intl`, must equal `toLocaleString('en-US')`.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import {
  decisionBoundaryChart,
  gridInputs,
  stripesExtent,
  stripesOnGrid,
  summaryCharts,
  type Chart,
} from '../src/index.js';
import { compileWith, renderSvgWith } from '../src/render/vega-render.js';
import { loadVegaRuntime, vegaRuntimeSource } from '../src/render/vega-runtime.js';
import { groupDigits, num } from '../src/report/html.js';
import { analyseCell, analyseSummary, instabilityComplete, instabilityPartial, noncomputabilityComplete, noncomputabilityPartial } from './fixtures/summaries.js';

function boundaryChart(): Chart {
  const grid = { extent: stripesExtent(0.05), nx: 32, ny: 12 };
  const xs = gridInputs(grid);
  const ramp = new Float64Array(grid.nx * grid.ny).map((_, k) => xs[2 * k + 1]!);
  const points = [0.2, 0.7].map((x1, k) => ({ x1, x2: 0.5, label: k as 0 | 1 }));
  return decisionBoundaryChart({
    grid,
    m: 4,
    points,
    panels: [
      { title: 'true f', values: stripesOnGrid(grid, 4) },
      { title: 'ramp', values: ramp, adversarial: points.map((p) => ({ x1: p.x1, x2: 0.45, from: p })) },
    ],
  });
}

describe('vega runtime', () => {
  it('the build ships the bundle and the renderer loads it', () => {
    // `pnpm test` runs after `pnpm build` (turbo), so the bundle exists; without it every run
    // would fall back to the packages and pay ~0.3 CPU-s of module loading again.
    expect(vegaRuntimeSource()).toBe('bundle');
  });

  it('a plain node process (as the CLI runs) accepts the code cache the build stored', () => {
    // A rejected cache still renders the same bytes, only slower; this catches a build that
    // stores a cache V8 will not use (wrong source text, other flags), which nothing else would.
    const runtime = new URL('../dist/render/vega-runtime.js', import.meta.url).href;
    const script = `import { readFileSync } from 'node:fs'; const m = await import(${JSON.stringify(runtime)}); process.stdout.write(m.runVegaBundle(readFileSync(m.VEGA_CODE_CACHE)).cache);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(out).toBe('accepted');
  });

  it('the bundle compiles and renders every chart to the same bytes as the vega and vega-lite packages', async () => {
    const [bundle, packages] = await Promise.all([loadVegaRuntime('bundle'), loadVegaRuntime('packages')]);
    expect(bundle.View).not.toBe(packages.View); // two separate copies of the code are compared
    const charts = [
      ...summaryCharts(noncomputabilityComplete()),
      ...summaryCharts(noncomputabilityPartial()),
      ...summaryCharts(instabilityComplete()),
      ...summaryCharts(instabilityPartial()),
      ...summaryCharts(analyseSummary([analyseCell({ norm: 'linf' }, 20, 18, [[0.01, 15, 17], [0.05, 4, 9]])])),
      boundaryChart(),
    ];
    expect(charts.length).toBeGreaterThanOrEqual(12);
    for (const chart of charts) {
      expect(JSON.stringify(compileWith(bundle, chart.spec))).toBe(JSON.stringify(compileWith(packages, chart.spec)));
      const [a, b] = await Promise.all([renderSvgWith(bundle, chart.spec), renderSvgWith(packages, chart.spec)]);
      expect(a).toMatch(/^<svg/);
      expect(a === b, `chart ${chart.id} renders differently with the bundle`).toBe(true);
    }
  });
});

describe('groupDigits', () => {
  it('writes integers as toLocaleString("en-US") does, without Intl', () => {
    for (const x of [0, -0, 7, -7, 999, 1000, -1000, 12345, 999999, 1000000, 123456789, 1e15 - 1, -(1e15 - 1)]) {
      expect(groupDigits(x)).toBe(x.toLocaleString('en-US'));
    }
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), (x) => groupDigits(x) === x.toLocaleString('en-US')),
      { numRuns: 2000 },
    );
    // Outside the integers it hands over to toLocaleString itself.
    for (const x of [0.5, -12.3456, 1e15, 1e21, 123456.789]) expect(groupDigits(x)).toBe(x.toLocaleString('en-US'));
    expect(num(1234567)).toBe('1,234,567');
    expect(num(-0)).toBe('-0');
  });
});
