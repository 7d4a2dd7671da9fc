/**
 * The one-dimensional problem behind every minimiser in this experiment:
 *
 *   minimise  g(s) = A s² − 2B s + C + 2λ√s   over s ≥ 0     (A > 0, λ > 0).
 *
 * It is the cost of the single-neuron network s·z_k on data whose k-th coordinates and labels
 * give A = (1/r)Σ x_k², B = (1/r)Σ x_k y, C = (1/r)Σ y² (the cheapest way to realise s·z_k with
 * one ReLU neuron costs |v| + |w| ≥ 2√s, equality at v = w = √s). The hard pair's ground truth is
 * the case A = S a*², B = S a*, C = S.
 *
 * With u = √s, g′(s) = 0 becomes the depressed cubic u³ + p u + q = 0 with p = −B/A and
 * q = λ/(2A) > 0. Because g′(0+) = +∞ and g″(s) = 2A − (λ/2) s^{-3/2} is increasing, g is concave
 * then convex on (0, ∞): it has at most one interior local minimum, at the largest positive root of
 * the cubic, and the global minimum is either there or at s = 0.
 */

/** Result of `minimiseSqrtPenalised`. */
export interface ScalarMinimum {
  /** The global minimiser s ≥ 0 (0 when the interior minimum does not beat g(0)). */
  s: number;
  /** g(s). */
  value: number;
  /** g(0) − g(s_interior) (negative when s = 0 wins; −Infinity when there is no interior minimum). */
  margin: number;
}

/** Largest real root of u³ + p u + q = 0 when it has three real roots, else NaN. */
function largestOfThreeRoots(p: number, q: number): number {
  if (p >= 0) return NaN;
  const disc = 4 * p * p * p + 27 * q * q;
  if (disc > 0) return NaN;
  const m = 2 * Math.sqrt(-p / 3);
  const arg = Math.min(1, Math.max(-1, ((3 * q) / (2 * p)) * Math.sqrt(-3 / p)));
  let u = m * Math.cos(Math.acos(arg) / 3);
  // Newton polish: the trigonometric formula loses digits near a double root; at a simple root two
  // or three Newton steps bring the residual to rounding level.
  for (let i = 0; i < 4; i++) {
    const f = u * u * u + p * u + q;
    const df = 3 * u * u + p;
    if (df <= 0) break;
    const next = u - f / df;
    if (!Number.isFinite(next) || next === u) break;
    u = next;
  }
  return u;
}

/** g(s) = A s² − 2B s + C + 2λ√s. */
export function sqrtPenalisedValue(A: number, B: number, C: number, lambda: number, s: number): number {
  return A * s * s - 2 * B * s + C + 2 * lambda * Math.sqrt(s);
}

/** Global minimiser of g over s ≥ 0 (see the file comment for why this is exact). */
export function minimiseSqrtPenalised(A: number, B: number, C: number, lambda: number): ScalarMinimum {
  const g0 = C;
  if (!(A > 0) || !(B > 0)) return { s: 0, value: g0, margin: -Infinity };
  const u = largestOfThreeRoots(-B / A, lambda / (2 * A));
  if (!(u > 0)) return { s: 0, value: g0, margin: -Infinity };
  const s = u * u;
  const value = sqrtPenalisedValue(A, B, C, lambda, s);
  const margin = g0 - value;
  return margin > 0 ? { s, value, margin } : { s: 0, value: g0, margin };
}
