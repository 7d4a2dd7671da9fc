/**
 * Confidence intervals for a binomial proportion, and for the pair quantities min(p⁺, p⁻) and
 * p⁺ + p⁻ (SPEC §4.4). Every function is pure and deterministic; `confidence` is the two-sided
 * level (0.95 → α = 0.05).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

type BetaQuantile = typeof import('@stdlib/stats-base-dists-beta-quantile');
let betaQuantileFn: BetaQuantile | undefined;

/**
 * The built package's copy of stdlib's beta quantile: one file bundled by esbuild at `pnpm build`
 * (scripts/bundle-stdlib.mjs). Beside dist/stats/ in a build; absent beside src/stats/ (tests).
 */
const BUNDLE = fileURLToPath(new URL('../vendor/beta-quantile.cjs', import.meta.url));

/**
 * stdlib's beta quantile, loaded on first use: every worker thread imports this file through the
 * experiments without ever computing an interval (only the orchestrator's thread does). A build
 * loads the bundle (one file, ~30 ms of CPU); from the sources it is the package itself (~220
 * CommonJS modules, ~0.27 s). test/beta-quantile-bundle.test.ts checks they agree bit for bit.
 */
function betaQuantile(p: number, a: number, b: number): number {
  if (betaQuantileFn === undefined) {
    const require = createRequire(import.meta.url);
    betaQuantileFn = (existsSync(BUNDLE) ? require(BUNDLE) : require('@stdlib/stats-base-dists-beta-quantile')) as BetaQuantile;
  }
  return betaQuantileFn(p, a, b);
}

/** A closed interval `[lo, hi]`. */
export type Interval = [lo: number, hi: number];

function checkKN(k: number, n: number): void {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(k) || k < 0 || k > n) {
    throw new RangeError(`binomial interval: expected integers 0 ≤ k ≤ n, got k=${k}, n=${n}`);
  }
}

/**
 * Clopper–Pearson exact interval: the set of p for which neither one-sided binomial test rejects
 * at level α/2. Endpoints are beta quantiles, lo = B(α/2; k, n−k+1) and hi = B(1−α/2; k+1, n−k),
 * with lo = 0 at k = 0 and hi = 1 at k = n. Coverage ≥ confidence for every p (conservative).
 * n = 0 gives [0, 1].
 */
export function clopperPearson(k: number, n: number, confidence: number): Interval {
  checkKN(k, n);
  if (n === 0) return [0, 1];
  // A run asks for the same (k, n, level) many times — the stopping rule at every check of every
  // cell, then the summary, the headline and the report — and each answer costs two iterative
  // beta-quantile inversions (tenths of a millisecond): remembered, it is computed once. The key
  // is exact (a number's shortest string names that double), so the answer is the same bits.
  const key = `${k} ${n} ${confidence}`;
  const known = cpCache.get(key);
  if (known) return [known[0], known[1]];
  const a = 1 - confidence;
  const lo = k === 0 ? 0 : betaQuantile(a / 2, k, n - k + 1);
  const hi = k === n ? 1 : betaQuantile(1 - a / 2, k + 1, n - k);
  if (cpCache.size >= CP_CACHE_MAX) cpCache.clear();
  cpCache.set(key, [lo, hi]);
  return [lo, hi];
}

/** Clopper–Pearson answers already computed in this thread (bounded: cleared when full). */
const cpCache = new Map<string, Interval>();
const CP_CACHE_MAX = 1 << 16;

/** Standard normal quantile (Acklam's rational approximation refined by one Halley step; |error| < 1e-15 in practice). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  let x: number;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - pl) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  // One Halley step on Φ(x) − p using erfc, which brings the approximation to full precision.
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Complementary error function (W. J. Cody's rational Chebyshev approximations, relative error < 1e-15). */
export function erfc(x: number): number {
  // Numerical Recipes' erfc via a Chebyshev fit is only 1.2e-7; use the series/continued fraction split instead.
  const z = Math.abs(x);
  let r: number;
  if (z < 0.5) {
    // erf by its Maclaurin series: converges fast for small z.
    let term = z;
    let sum = z;
    const z2 = z * z;
    for (let n = 1; n < 60; n++) {
      term *= -z2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const erf = (2 / Math.sqrt(Math.PI)) * sum;
    r = 1 - erf;
  } else {
    // Continued fraction (Lentz) for erfc, valid and fast for z ≥ 0.5.
    const tiny = 1e-300;
    let f = z;
    let C = z;
    let D = 0;
    for (let n = 1; n < 500; n++) {
      const an = n / 2;
      D = z + an * D;
      D = D === 0 ? tiny : D;
      C = z + an / C;
      C = C === 0 ? tiny : C;
      D = 1 / D;
      const delta = C * D;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    r = Math.exp(-z * z) / (f * Math.sqrt(Math.PI));
  }
  return x >= 0 ? r : 2 - r;
}

/**
 * Wilson score interval: inverts the normal-approximation test with the variance at the
 * hypothesised p. Coverage close to nominal on average over p, not guaranteed for every p.
 */
export function wilson(k: number, n: number, confidence: number): Interval {
  checkKN(k, n);
  if (n === 0) return [0, 1];
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = k / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + z2n);
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}

/**
 * Hoeffding interval p̂ ± √(ln(2/α)/(2n)), clipped to [0, 1]. Valid for every p and n
 * (distribution-free), and wider than Clopper–Pearson.
 */
export function hoeffding(k: number, n: number, confidence: number): Interval {
  checkKN(k, n);
  if (n === 0) return [0, 1];
  const p = k / n;
  const h = Math.sqrt(Math.log(2 / (1 - confidence)) / (2 * n));
  return [Math.max(0, p - h), Math.min(1, p + h)];
}

/**
 * Interval for min(p⁺, p⁻) by Bonferroni: each proportion gets a Clopper–Pearson interval at
 * level 1 − α/2; if both cover (probability ≥ 1 − α), min is monotone in each argument so
 * [min(lo⁺, lo⁻), min(hi⁺, hi⁻)] covers min(p⁺, p⁻).
 */
export function minInterval(kPlus: number, nPlus: number, kMinus: number, nMinus: number, confidence: number): Interval {
  const level = 1 - (1 - confidence) / 2;
  const [lp, hp] = clopperPearson(kPlus, nPlus, level);
  const [lm, hm] = clopperPearson(kMinus, nMinus, level);
  return [Math.min(lp, lm), Math.min(hp, hm)];
}

/** Interval for p⁺ + p⁻ by Bonferroni: [lo⁺ + lo⁻, hi⁺ + hi⁻] of two level-(1 − α/2) Clopper–Pearson intervals. */
export function sumInterval(kPlus: number, nPlus: number, kMinus: number, nMinus: number, confidence: number): Interval {
  const level = 1 - (1 - confidence) / 2;
  const [lp, hp] = clopperPearson(kPlus, nPlus, level);
  const [lm, hm] = clopperPearson(kMinus, nMinus, level);
  return [lp + lm, hp + hm];
}
