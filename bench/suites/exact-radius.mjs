// Exact ℓ∞ robustness radii per second on the default stripes trial network (core-wasm defaults:
// d = 2, m = 8, N = 2→8→8→1, r = 64 training points, 300 epochs): `exactRadius` (bisection over
// the complete verifier, both ends sound) on every training point, tolerance 1e-6, the ball capped
// just below the nearest stripe boundary — what the instability experiment's `exactRadius` option
// does per trial. Reports points per second, verifier calls per point and how many brackets
// converged (the rest were stopped by the node limit or are robust up to the cap).

import { loadCore, exactRadius } from '@paradox/core-wasm';
import { boundaryDistance, INSTABILITY_DEFAULTS, runInstabilityTrial } from '@paradox/core-wasm/instability';
import { timeRuns } from '../peers/stats.mjs';
import { describe, rateRow } from '../peers/report.mjs';

const SUITE = 'exact-radius';

/** @param {{ quick?: boolean, log?: (s: string) => void }} ctx */
export async function run(ctx = {}) {
  const log = ctx.log ?? console.log;
  const quick = Boolean(ctx.quick);
  const core = await loadCore();
  const trial = runInstabilityTrial(core, {}, { seed: 2026, streamHi: 1, trial: 0 });
  const { network: net, train } = trial;
  const m = INSTABILITY_DEFAULTS.m;
  const n = quick ? 16 : train.y.length;
  const opts = { tol: 1e-6, maxNodes: 20_000, timeLimit: Infinity };
  let stats;
  const secs = await timeRuns(() => {
    stats = { calls: 0, converged: 0, capped: 0, zero: 0 };
    for (let i = 0; i < n; i++) {
      const x = train.x.subarray(2 * i, 2 * i + 2);
      const r = exactRadius(core, net, x, train.y[i], 'binary', { ...opts, maxRadius: boundaryDistance(x[0], m) * (1 - 2 ** -50) });
      stats.calls += r.calls;
      if (r.status === 'converged') stats.converged++;
      if (r.upper === Infinity) stats.capped++;
      if (r.upper === 0) stats.zero++;
    }
  }, { runs: quick ? 1 : 3, warmup: 1 });
  const row = {
    ...rateRow({ suite: SUITE, workload: 'default stripes trial, all of T', impl: 'core-wasm exactRadius', precision: 'f64, sound both ends', params: { dims: net.dims, points: n, ...opts }, quick }, secs, n, 'points/s'),
    callsPerPoint: stats.calls / n,
    converged: stats.converged,
    cappedAtBoundary: stats.capped,
    wrongPoints: stats.zero,
  };
  log(describe(row));
  log(`  ${stats.calls / n} verifier calls per point; ${stats.converged}/${n} converged (${stats.capped} robust up to the stripe boundary, ${stats.zero} misclassified)`);
  return [row];
}
