/**
 * The reference networks of Experiment I: the shortcut σ (F1) and the stable network ψ_T of
 * variable width (F2), built by the same kernels the trials use.
 */
import type { Core } from '../core.js';
import { CoreError } from '../errors.js';
import { createNetwork, type Network } from '../network.js';
import { normaliseInstabilityParams } from './params.js';
import { normaliseProblem, type StripesProblem } from './problem.js';

/**
 * σ(x) = ρ(a) − ρ(a − 1), a = (x_2 − 1/2 + μ)/(2μ): in NN_(d,2,1), equal to f on the support of
 * D, unstable at every data point with radius exactly μ.
 */
export function shortcutNetwork(core: Core, d: number, mu: number): Network {
  const p = normaliseInstabilityParams({ d, mu, delta: 1 / 8, m: 2 });
  const n = 2 * p.d + 5;
  const params = core.raw.scoped((s) => {
    const out = s.f64Zeros(n);
    core.raw.fn<(d: number, mu: number, out: number) => void>('inst_shortcut')(p.d, p.mu, out);
    return s.readF64(out, n);
  });
  return createNetwork([p.d, 2, 1], true, params);
}

/**
 * ψ_T for the training points X (r×d, point-major): one ramp of width 2δ at the boundary just
 * above every observed stripe whose label differs from the next observed stripe's, plus the label
 * of the lowest observed stripe. Hidden width 2·#label changes (1 dead unit when there are none).
 */
export function stableNetwork(core: Core, problem: Partial<StripesProblem>, X: Float64Array): Network {
  const p = normaliseProblem(problem);
  if (!(X instanceof Float64Array) || X.length % p.d !== 0 || X.length === 0) {
    throw new CoreError('E_SHAPE', `X: expected a non-empty Float64Array of r×d values (d = ${p.d}), got length ${(X as { length?: number }).length}`);
  }
  const r = X.length / p.d;
  const Hmax = Math.max(1, 2 * (p.m - 1));
  const cap = Hmax * p.d + 2 * Hmax + 1;
  const { h, params } = core.raw.scoped((s) => {
    const out = s.f64Zeros(cap);
    const h = core.raw.fn<(d: number, m: number, delta: number, mu: number, X: number, r: number, out: number) => number>('inst_stable')(
      p.d, p.m, p.delta, p.mu, s.f64(X), r, out,
    );
    return { h, params: s.readF64(out, h * p.d + 2 * h + 1) };
  });
  return createNetwork([p.d, h, 1], true, params);
}
