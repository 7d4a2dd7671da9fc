/**
 * Sequential statistics: an anytime-valid confidence sequence for a Bernoulli mean and Wald's
 * SPRT. Both are built on nonnegative (super)martingales, so Ville's inequality
 * P(sup_n M_n ≥ 1/α) ≤ α makes their guarantees hold at any stopping time — in particular at
 * "the first checkpoint where the rule says stop".
 */
import type { Interval } from './intervals.js';

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15). */
export function lgamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`lgamma: expected x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  const y = x - 1;
  let s = LANCZOS[0] as number;
  for (let i = 1; i < 9; i++) s += (LANCZOS[i] as number) / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(s);
}

/** ln B(a, b). */
export function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/** Prior of the mixture: Beta(1/2, 1/2) (Jeffreys), fixed so that the sequence is fully determined by (k, n, confidence). */
const PRIOR_A = 0.5;
const PRIOR_B = 0.5;

/**
 * log of the beta-binomial mixture martingale for H: p = p0 after k successes in n trials:
 * M_n(p0) = [B(a + k, b + n − k) / B(a, b)] / [p0^k (1 − p0)^(n−k)]. Under p0 it is a
 * nonnegative martingale with M_0 = 1 (a mixture of likelihood ratios).
 */
export function logMixture(k: number, n: number, p0: number): number {
  const lr = lbeta(PRIOR_A + k, PRIOR_B + n - k) - lbeta(PRIOR_A, PRIOR_B);
  const lp = (k > 0 ? k * Math.log(p0) : 0) + (n - k > 0 ? (n - k) * Math.log1p(-p0) : 0);
  return lr - lp;
}

/**
 * Anytime-valid confidence sequence for a Bernoulli mean: {p : M_n(p) < 1/α}. With probability
 * ≥ confidence the true p lies in the interval at every n simultaneously, so it stays valid at a
 * data-dependent stopping time. log M_n is convex in p with its minimum at k/n, so the set is an
 * interval; its ends are found by bisection to 1e-12.
 */
export function confidenceSequence(k: number, n: number, confidence: number): Interval {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(k) || k < 0 || k > n) {
    throw new RangeError(`confidence sequence: expected integers 0 ≤ k ≤ n, got k=${k}, n=${n}`);
  }
  if (n === 0) return [0, 1];
  const bound = Math.log(1 / (1 - confidence));
  const phat = k / n;
  const inside = (p: number) => logMixture(k, n, p) < bound;
  const solve = (outside: number, inner: number): number => {
    let a = outside;
    let b = inner;
    for (let i = 0; i < 200 && Math.abs(b - a) > 1e-12; i++) {
      const m = (a + b) / 2;
      if (inside(m)) b = m;
      else a = m;
    }
    return b;
  };
  const lo = k === 0 || inside(0) ? 0 : solve(0, phat);
  const hi = k === n || inside(1) ? 1 : solve(1, phat);
  return [lo, hi];
}

/** Outcome of one SPRT: `H0` accepted (p ≥ 1/2 + δ), `H1` accepted (p ≤ 1/2), or not yet decided. */
export type SprtDecision = 'H0' | 'H1' | 'undecided';

/**
 * Wald's SPRT of H0: p ≥ 1/2 + δ against H1: p ≤ 1/2 after k successes in n trials, thresholds
 * 1/α and β on the likelihood ratio L = Π f₁/f₀. For p ≥ p₀ = 1/2 + δ, L is a supermartingale
 * with L₀ = 1, so P(ever L ≥ 1/α) ≤ α; for p ≤ 1/2, 1/L is one, so P(ever L ≤ β) ≤ β.
 */
export function sprtDecision(k: number, n: number, delta: number, alpha: number, beta: number): SprtDecision {
  const p0 = 0.5 + delta;
  const p1 = 0.5;
  const llr = k * Math.log(p1 / p0) + (n - k) * Math.log((1 - p1) / (1 - p0));
  if (llr >= Math.log(1 / alpha)) return 'H1';
  if (llr <= Math.log(beta)) return 'H0';
  return 'undecided';
}
