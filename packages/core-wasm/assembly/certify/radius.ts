// Bounds of a scalar network output over a ball and the certified radius: IBP, then (optionally)
// CROWN tightening of every hidden layer and the output, and the largest radius whose ball provably
// keeps φ inside an open band (lo, hi), by bisection. Problem-agnostic: the caller turns its
// criterion into the band (the stripes problem uses (y − 1/2, y + 1/2), instability/certify.ts).
// Results go out through return values and the caller's `out` pointer.

import { Net } from "../instability/net";
import { Centre, ibp, measureGrowth, prepareCentre, skipAllowed } from "./ibp";
import { crownPair, crownTighten } from "./crown";
import { CERT_CROWN } from "./rounding";

/**
 * The centre data of the current call (reused storage: every exported function below fills it
 * before reading it, so nothing carries over from one call to the next).
 */
const centre = new Centre();
/** Results of the output's CROWN pass (+, −). */
const pairOut = new StaticArray<f64>(2);

/**
 * Bounds of φ over B(x0, eps) with the methods in `method` (CERT_IBP, CERT_CROWN; CROWN bounds are
 * intersected with IBP's, which is always valid), written to out[0] (lower) and out[1] (upper).
 * The bounds of every unit are left in net.lo / net.hi.
 */
export function outputBounds(net: Net, x0: usize, eps: f64, norm: i32, method: i32, directed: bool, out: usize): void {
  const ctr = centre;
  prepareCentre(net, ctr, x0, norm);
  if ((method & CERT_CROWN) != 0) measureGrowth(net, ctr);
  ibp(net, ctr, eps, directed);
  // Tighten hidden layers 2..L−1 (layer 1 is exact already), then the output.
  if ((method & CERT_CROWN) != 0) crownTighten(net, ctr, eps, directed, net.L);
  const o = unchecked(net.uOff[net.L - 1]);
  store<f64>(out, unchecked(net.lo[o]));
  store<f64>(out, unchecked(net.hi[o]), 8);
}

/** True when every point of B(x0, eps) provably has lo < φ < hi. */
export function certifyBand(net: Net, x0: usize, lo: f64, hi: f64, eps: f64, norm: i32, method: i32, directed: bool): bool {
  const ctr = centre;
  prepareCentre(net, ctr, x0, norm);
  return certifyPrepared(net, ctr, lo, hi, eps, method, directed);
}

/** `certifyBand` around the centre `ctr` (prepared by `prepareCentre`). */
export function certifyPrepared(net: Net, ctr: Centre, bandLo: f64, bandHi: f64, eps: f64, method: i32, directed: bool): bool {
  ibp(net, ctr, eps, directed);
  const o = unchecked(net.uOff[net.L - 1]);
  // IBP alone often suffices (small balls); CROWN only runs when it is needed.
  if (unchecked(net.lo[o]) > bandLo && unchecked(net.hi[o]) < bandHi) return true;
  if ((method & CERT_CROWN) == 0) return false;
  // Hidden layers as in outputBounds; the output only on the side(s) IBP left open, failing side
  // first. The output's two passes read only the (final) hidden bounds and do not affect each
  // other, so the verdict is exactly that of outputBounds' intersected bounds.
  const L = net.L;
  if (L < 2) return false; // no hidden layer: CROWN has nothing to tighten beyond IBP (as in outputBounds)
  crownTighten(net, ctr, eps, directed, L - 1);
  let lb = unchecked(net.lo[o]);
  let ub = unchecked(net.hi[o]);
  // Both output passes run at once (one per lane); the second is only read when needed.
  const out = changetype<usize>(pairOut);
  crownPair(net, ctr, L, 0, eps, directed, skipAllowed(ctr, eps), out);
  if (!(lb > bandLo)) {
    const c = load<f64>(out);
    if (c > lb) lb = c;
    if (!(lb > bandLo)) return false;
  }
  if (!(ub < bandHi)) {
    const c = -load<f64>(out, 8);
    if (c < ub) ub = c;
  }
  return lb > bandLo && ub < bandHi;
}

/**
 * Largest radius in [0, rMax] whose ball is certified to keep lo < φ < hi, by bisection (`iters`
 * halvings); 0 when even the centre is not certified. Every returned radius was certified itself,
 * so the result is sound even where the method's verdict is not monotone in the radius.
 *
 * `failFrom` (∞ when unknown): a radius from which on no ball can be certified, because a point
 * proven in exact arithmetic to lie outside the band is within that distance of x0 (a confirmed
 * attack witness). With `directed` rounding every certificate is sound, so every ball of radius
 * ≥ failFrom fails; those radii (other than 0) are answered "not certified" without running the
 * bounds, and the result is the same as with failFrom = ∞. Without `directed` it is ignored.
 */
export function certifiedRadius(
  net: Net, x0: usize, lo: f64, hi: f64, rMax: f64, norm: i32, method: i32, directed: bool, iters: i32,
  failFrom: f64 = Infinity,
): f64 {
  const ctr = centre;
  const known = directed ? failFrom : Infinity;
  prepareCentre(net, ctr, x0, norm);
  if ((method & CERT_CROWN) != 0) measureGrowth(net, ctr);
  if (!certifyPrepared(net, ctr, lo, hi, 0.0, method, directed)) return 0.0;
  if (rMax < known && certifyPrepared(net, ctr, lo, hi, rMax, method, directed)) return rMax;
  let a = 0.0;
  let b = rMax;
  for (let it = 0; it < iters; it++) {
    const mid = 0.5 * (a + b);
    if (mid < known && certifyPrepared(net, ctr, lo, hi, mid, method, directed)) a = mid;
    else b = mid;
  }
  return a;
}
