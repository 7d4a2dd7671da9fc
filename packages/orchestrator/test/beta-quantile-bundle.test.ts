/**
 * The built package computes Clopper–Pearson endpoints with its one-file bundle of stdlib's beta
 * quantile (dist/vendor/beta-quantile.cjs, scripts/bundle-stdlib.mjs), the sources with the
 * package itself. The two must give the same bits, and the build must really use the bundle.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundlePath = fileURLToPath(new URL('../dist/vendor/beta-quantile.cjs', import.meta.url));
const require = createRequire(import.meta.url);
type BetaQuantile = (p: number, a: number, b: number) => number;

describe('stdlib beta quantile bundle', () => {
  it('exists after the build (test/global-setup.ts builds it)', () => {
    expect(existsSync(bundlePath), `${bundlePath} missing: run pnpm build`).toBe(true);
  });

  it('gives the package bit for bit: random arguments and the Clopper–Pearson grid', () => {
    const bundle = require(bundlePath) as BetaQuantile;
    const pkg = require('@stdlib/stats-base-dists-beta-quantile') as BetaQuantile;
    const same = (p: number, a: number, b: number): void => {
      expect(Object.is(bundle(p, a, b), pkg(p, a, b)), `p=${p} a=${a} b=${b}`).toBe(true);
    };
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        (p, a, b) => same(p, a, b),
      ),
      { numRuns: 2000 },
    );
    // The arguments the intervals use: lo = B(α/2; k, n−k+1), hi = B(1−α/2; k+1, n−k).
    for (const alpha of [0.05, 0.01, 0.05 / 17])
      for (const n of [1, 7, 400, 10_000])
        for (let k = 0; k <= n; k += Math.max(1, Math.floor(n / 37))) {
          if (k > 0) same(alpha / 2, k, n - k + 1);
          if (k < n) same(1 - alpha / 2, k + 1, n - k);
        }
    // Edge and invalid arguments answer alike (NaN, 0, 1).
    const edges: Array<[number, number, number]> = [[Number.NaN, 1, 1], [-0.1, 2, 3], [1.1, 2, 3], [0.5, -1, 2], [0.5, 0, 2], [0, 3, 4], [1, 3, 4]];
    for (const [p, a, b] of edges) same(p, a, b);
  });

  it('is what the built intervals load, and the package is not loaded', () => {
    const script = `
      import { createRequire } from 'node:module';
      const { clopperPearson } = await import('./dist/stats/intervals.js');
      const ci = clopperPearson(3, 40, 0.95);
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      console.log(JSON.stringify({ ci, bundle: loaded.some((f) => f.endsWith('beta-quantile.cjs')), pkg: loaded.some((f) => f.includes('@stdlib')) }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })) as {
      ci: [number, number];
      bundle: boolean;
      pkg: boolean;
    };
    expect(out).toMatchObject({ bundle: true, pkg: false });
    const pkg = require('@stdlib/stats-base-dists-beta-quantile') as BetaQuantile;
    expect(out.ci).toEqual([pkg(0.025, 3, 38), pkg(0.975, 4, 37)]);
  });
});
