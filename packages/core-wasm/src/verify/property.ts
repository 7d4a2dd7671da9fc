/**
 * Verification properties as the verifier sees them: an input box and a region of unsafe outputs,
 * a disjunction of conjunctions of linear constraints `c·y ≤ d` over the outputs y = φ(x). The
 * property HOLDS (`verified`, VNN-COMP "unsat") when no x in the box has outputs in that region;
 * it FAILS (`falsified`, "sat") with a witness x in the box whose exact outputs are in it.
 *
 * Decimal constants of a property file are not f64 numbers in general: each is kept as the
 * enclosure [lo, hi] of two adjacent f64 (lo = hi when exact). Verification uses the side that
 * makes the claim hardest (the outer box, d's upper end), a witness the other (inside the inner
 * box, below d's lower end), so both verdicts hold for the decimal property.
 */
import { CoreError } from '../errors.js';

/** One linear constraint c·y ≤ d of the unsafe region (d enclosed by [dLo, dHi]). */
export interface LinearConstraint {
  /** Coefficients over the outputs (N_L values). */
  c: number[];
  dLo: number;
  dHi: number;
}

/** A verification property over a box (see the file comment). */
export interface BoxProperty {
  /** Outer box: contains every admissible input (used to verify). */
  lo: number[];
  hi: number[];
  /** Inner box: every point of it is admissible (witnesses must lie in it). */
  innerLo: number[];
  innerHi: number[];
  /** Unsafe region: OR over the outer list of AND over the inner list. */
  unsafe: LinearConstraint[][];
  /**
   * An ℓ2 ball the admissible inputs must also lie in (the domain is the box ∩ the ball): set by
   * `ballProperty` with norm `l2`. Distances to it are bounded soundly in both directions.
   */
  ball?: { centre: number[]; radius: number };
  /**
   * When set, the admissible inputs are the UNION of these boxes (a VNN-LIB `or` of input boxes,
   * as in ACAS Xu property 6), each with its outer and inner ends; lo/hi are then their bounding
   * box and innerLo/innerHi the first one's inner box.
   */
  boxes?: PropertyBox[];
}

/** One box of a union of input boxes (`BoxProperty.boxes`). */
export interface PropertyBox {
  lo: number[];
  hi: number[];
  innerLo: number[];
  innerHi: number[];
}

/** Norms of `ballProperty`. */
export type VerifyNorm = 'linf' | 'l2';

/** How a network's output is judged at a point with label y. */
export type VerifyCriterion = 'binary' | 'multiclass';

/** The next f64 above x (x finite). */
export function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const b = new Float64Array([x]);
  const u = new BigInt64Array(b.buffer);
  u[0] = u[0]! + (x > 0 ? 1n : -1n);
  return b[0]!;
}

/** The next f64 below x (x finite). */
export function nextDown(x: number): number {
  return -nextUp(-x);
}

/**
 * The property "φ is correct on the ball B(x, eps)" (ℓ∞ or ℓ2) for label y: `binary` (one output,
 * correct iff |φ − y| < 1/2: unsafe φ ≤ y − 1/2 or φ ≥ y + 1/2) or `multiclass` (correct iff
 * output y is strictly the largest: unsafe φ_y − φ_j ≤ 0 for some j ≠ y). The ball's ends x ± eps
 * are rounded outward for the outer box and inward for the inner one; an ℓ2 ball is the box
 * x ± eps (its bounding box) with `ball` set.
 */
export function ballProperty(
  x: ArrayLike<number>, eps: number, label: number, nOut: number, criterion: VerifyCriterion, norm: VerifyNorm = 'linf',
): BoxProperty {
  if (!(eps >= 0 && Number.isFinite(eps))) throw new CoreError('E_ARG', `eps: expected a radius ≥ 0, got ${eps}`);
  if (norm !== 'linf' && norm !== 'l2') throw new CoreError('E_ARG', `norm: expected linf or l2, got ${String(norm)}`);
  const lo: number[] = [];
  const hi: number[] = [];
  const innerLo: number[] = [];
  const innerHi: number[] = [];
  for (let j = 0; j < x.length; j++) {
    const a = x[j]! - eps;
    const b = x[j]! + eps;
    // x ± eps rounded to nearest is within one ulp of the exact end: step once more outward/inward.
    lo.push(eps === 0 ? x[j]! : nextDown(a));
    hi.push(eps === 0 ? x[j]! : nextUp(b));
    innerLo.push(eps === 0 ? x[j]! : Math.min(x[j]!, nextUp(a)));
    innerHi.push(eps === 0 ? x[j]! : Math.max(x[j]!, nextDown(b)));
  }
  const unsafe: LinearConstraint[][] = [];
  if (criterion === 'binary') {
    if (nOut !== 1) throw new CoreError('E_SHAPE', `criterion binary: expected a network with one output, got ${nOut}`);
    unsafe.push([{ c: [1], dLo: label - 0.5, dHi: label - 0.5 }]);
    unsafe.push([{ c: [-1], dLo: -(label + 0.5), dHi: -(label + 0.5) }]);
  } else {
    if (!(Number.isInteger(label) && label >= 0 && label < nOut)) {
      throw new CoreError('E_ARG', `label: expected an output index in [0, ${nOut - 1}], got ${label}`);
    }
    for (let j = 0; j < nOut; j++) {
      if (j === label) continue;
      const c = new Array<number>(nOut).fill(0);
      c[label] = 1;
      c[j] = -1;
      unsafe.push([{ c, dLo: 0, dHi: 0 }]);
    }
  }
  return norm === 'l2' ? { lo, hi, innerLo, innerHi, unsafe, ball: { centre: Array.from(x), radius: eps } } : { lo, hi, innerLo, innerHi, unsafe };
}
