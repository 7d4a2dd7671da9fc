// The stripes criterion on top of the problem-agnostic certification (assembly/certify/): a point
// with label y is classified correctly while |φ − y| < 1/2, so a ball is certified when φ provably
// stays in the open band (y − 1/2, y + 1/2) on it.

import { Net } from "./net";
import { certifyBand, certifiedRadius as bandRadius } from "../certify/radius";

/** True when every point of B(x0, eps) provably has |φ − y| < 1/2 (f ≡ y on the ball). */
export function certifyBall(net: Net, x0: usize, y: i32, eps: f64, norm: i32, method: i32, directed: bool): bool {
  const fy = <f64>y;
  return certifyBand(net, x0, fy - 0.5, fy + 0.5, eps, norm, method, directed);
}

/**
 * Largest radius in [0, rMax] certified for the label y by bisection (`iters` halvings); 0 when
 * even the centre is not certified. The caller passes rMax strictly below the distance to f's
 * nearest discontinuity, so f ≡ y on every ball tried; no larger radius is ever needed because the
 * true robustness radius of a continuous φ never exceeds that distance (docs/theory.md, part I).
 * `failFrom`: the exact-distance bound of a confirmed witness whose exact label is y (∞ if none);
 * with `directed` rounding balls that large are not tried (certify/radius.ts), same result.
 */
export function certifiedRadius(
  net: Net, x0: usize, y: i32, rMax: f64, norm: i32, method: i32, directed: bool, iters: i32, failFrom: f64 = Infinity,
): f64 {
  const fy = <f64>y;
  return bandRadius(net, x0, fy - 0.5, fy + 0.5, rMax, norm, method, directed, iters, failFrom);
}
