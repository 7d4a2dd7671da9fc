/**
 * The exact robustness radius of a point within a relative tolerance, by bisection over the
 * complete verifier (verify.ts) on ℓ∞ or ℓ2 balls: every radius where the ball is `verified` is a sound
 * lower end, every `falsified` ball gives a witness whose exact distance, rounded up, is a sound
 * upper end. The label y is fixed on the ball (binary: |φ − y| < 1/2; multiclass: output y is the
 * strict maximum), so callers whose labels change in space (the stripes problem) cap the search
 * below the nearest label change.
 */
import { CoreError } from '../errors.js';
import type { Core } from '../core.js';
import type { Network } from '../network.js';
import { ballProperty, nextUp, type VerifyCriterion, type VerifyNorm } from './property.js';
import { verify, type VerifyLimits } from './verify.js';

/** Result of `exactRadius`: r ∈ [lower, upper] in exact arithmetic. */
export interface ExactRadius {
  lower: number;
  upper: number;
  /** A point at ℓ∞ distance ≤ upper whose exact output violates the criterion (null: none found). */
  witness: Float64Array | null;
  /** `converged` (upper − lower ≤ tol·upper), or the limit that stopped a verifier call. */
  status: 'converged' | 'time' | 'nodes' | 'memory';
  /** Verifier calls made. */
  calls: number;
}

/** An upper bound of the exact ‖z − x‖ (ℓ∞ or ℓ2) of two f64 points. */
function distUp(x: ArrayLike<number>, z: ArrayLike<number>, norm: VerifyNorm): number {
  let m = 0;
  for (let j = 0; j < x.length; j++) m = Math.max(m, Math.abs(z[j]! - x[j]!));
  if (m === 0) return 0;
  if (norm === 'linf') return nextUp(m * (1 + 2 ** -52));
  // ℓ2 scaled by the largest difference (no underflow or overflow): every rounding — the
  // differences, the quotients, the squares, the d-term sum, the root and the product — is
  // relative, at most (d + 8) units in all; terms lost to underflow are below 2^-1074 each.
  let s = 0;
  for (let j = 0; j < x.length; j++) {
    const q = Math.abs(z[j]! - x[j]!) / m;
    s += q * q;
  }
  return nextUp(nextUp(m * Math.sqrt(s)) * (1 + (x.length + 8) * 2 ** -52));
}

/**
 * The robustness radius (`norm` ℓ∞, the default, or ℓ2) of x (label `label`, `criterion`) in [0, maxRadius] within the relative
 * tolerance `tol`: bisection with `verify` per radius (its `limits` per call). When the whole ball
 * of radius maxRadius is verified, the result is lower = maxRadius, upper = ∞.
 */
export function exactRadius(
  core: Core, net: Network, x: ArrayLike<number>, label: number, criterion: VerifyCriterion,
  options: { maxRadius: number; tol?: number; norm?: VerifyNorm } & VerifyLimits,
): ExactRadius {
  const tol = options.tol ?? 1e-6;
  if (!(tol > 0 && tol < 1)) throw new CoreError('E_ARG', `tol: expected a number in (0, 1), got ${tol}`);
  const R = options.maxRadius;
  if (!(R > 0 && Number.isFinite(R))) throw new CoreError('E_ARG', `maxRadius: expected a radius > 0, got ${R}`);
  const nOut = net.dims[net.dims.length - 1]!;
  const norm = options.norm ?? 'linf';
  let lower = 0;
  let upper = Infinity;
  let witness: Float64Array | null = null;
  let calls = 0;
  const step = (eps: number): 'verified' | 'falsified' | 'time' | 'nodes' | 'memory' => {
    calls++;
    const r = verify(core, net, ballProperty(x, eps, label, nOut, criterion, norm), options);
    if (r.verdict === 'verified') {
      lower = Math.max(lower, eps);
      return 'verified';
    }
    if (r.verdict === 'falsified') {
      const u = distUp(x, r.witness!.x, norm);
      if (u < upper) {
        upper = u;
        witness = r.witness!.x;
      }
      return 'falsified';
    }
    return r.reason!;
  };
  // The point itself first: a wrong point has radius 0.
  const s0 = step(0);
  if (s0 === 'falsified') return { lower: 0, upper, witness, status: 'converged', calls };
  if (s0 !== 'verified') return { lower, upper, witness, status: s0, calls };
  const sR = step(R);
  if (sR === 'verified') return { lower: R, upper: Infinity, witness: null, status: 'converged', calls };
  if (sR !== 'falsified') return { lower, upper, witness, status: sR, calls };
  while (upper - lower > tol * upper) {
    const mid = 0.5 * (lower + upper);
    if (!(mid > lower && mid < upper)) break;
    const s = step(mid);
    if (s !== 'verified' && s !== 'falsified') return { lower, upper, witness, status: s, calls };
  }
  return { lower, upper, witness, status: 'converged', calls };
}
