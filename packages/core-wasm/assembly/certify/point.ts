// Sound evaluations at a single point, for checking witnesses: an enclosure of the exact
// real-valued φ(z) at an f64 point z (interval arithmetic on the point, i.e. IBP at radius 0 with
// the widening of rounding.ts), and an upper bound of the exact distance between two f64 points.
// Problem-agnostic; a criterion (a label, an output constraint) is decided on the enclosure.

import { Net } from "../instability/net";
import { Centre, ibp, prepareCentre } from "./ibp";
import { gam, NORM_INF, U } from "./rounding";

/** Centre data of the current call (filled before it is read; nothing carries over). */
const centre = new Centre();

/**
 * Enclosure [out[0], out[1]] of the exact value of the network's output at the f64 point z (d
 * values): every pre-activation is summed in f64 and widened by a rigorous bound of its rounding
 * error, and ReLU is applied to both ends. The bounds of every unit are left in net.lo / net.hi.
 */
export function phiEnclosure(net: Net, z: usize, out: usize): void {
  prepareCentre(net, centre, z, NORM_INF);
  ibp(net, centre, 0.0, true);
  const o = unchecked(net.uOff[net.L - 1]);
  store<f64>(out, unchecked(net.lo[o]));
  store<f64>(out, unchecked(net.hi[o]), 8);
}

/**
 * An upper bound of the exact ‖z − x‖ (ℓ∞ or ℓ2) of two f64 points of dimension d; 0 only when
 * z = x. Each difference is one rounded subtraction (relative error ≤ u, exact on underflow); the
 * ℓ2 norm is computed scaled (no underflow of squares) and widened by γ of its operation count.
 */
export function distanceUpper(x: usize, z: usize, d: i32, norm: i32): f64 {
  let big = 0.0;
  for (let j = 0; j < d; j++) {
    const o = <usize>j << 3;
    big = Math.max(big, Math.abs(load<f64>(z + o) - load<f64>(x + o)));
  }
  if (big == 0 || !isFinite(big)) return big;
  if (norm == NORM_INF) return big * (1.0 + 4.0 * U);
  let s = 0.0;
  for (let j = 0; j < d; j++) {
    const o = <usize>j << 3;
    const a = Math.abs(load<f64>(z + o) - load<f64>(x + o)) / big;
    s += a * a;
  }
  // Quotients (u each, and the u of each difference twice), squares, the sum (γ_d), the square
  // root (u/2) and the final products: all within γ_{2d+12} relative, taken with margin.
  return big * Math.sqrt(s) * (1.0 + 2.0 * gam(2 * d + 12));
}
