// Raw exports of the problem-agnostic certification area (assembly/certify) for the TypeScript
// verifier (src/verify/): sound bounds of scalar networks over an axis-aligned box.

import { Net } from "../instability/net";
import { Centre, ibp, measureGrowth, prepareCentre } from "./ibp";
import { crownPair, crownTighten } from "./crown";
import { CERT_CROWN, NORM_BOX, U } from "./rounding";
import { CriterionWitness, WIT_DROPPED } from "./witness";

const pairOut = new StaticArray<f64>(2);

/**
 * Method bit of `cert_box_bounds_rows`: the hidden bounds are given (the clamp, from an earlier call
 * on the same domain), so CROWN runs only the output passes (used by the α optimisation).
 */
export const BOX_OUTPUT_ONLY: i32 = 4;

/**
 * Bounds of `net` over the box [lo, hi] into net.lo / net.hi (output bounds to out[0], out[1]):
 * the box is covered as centre ± half-widths (`c`, `rho`, filled here, rounded so that the covered
 * box contains [lo, hi]), IBP and with `method` & 2 CROWN, directed rounding; `ctr` is left
 * prepared for further CROWN passes over the same box.
 */
function boxBounds(
  net: Net, ctr: Centre, c: StaticArray<f64>, rho: StaticArray<f64>, lo: usize, hi: usize, method: i32, out: usize,
  clamp: usize = 0, alpha: usize = 0, coefOut: usize = 0, beta: usize = 0,
): void {
  const d = net.d;
  let maxRho = 1.0;
  for (let j = 0; j < d; j++) {
    const a = load<f64>(lo + (<usize>j << 3));
    const b = load<f64>(hi + (<usize>j << 3));
    const m = 0.5 * a + 0.5 * b;
    unchecked((c[j] = m));
    // Each difference is within u of exact; the factor covers it and the product's rounding.
    const r = Math.max(m - a, b - m) * (1.0 + 4.0 * U);
    unchecked((rho[j] = r));
    if (r > maxRho) maxRho = r;
  }
  prepareCentre(net, ctr, changetype<usize>(c), NORM_BOX, changetype<usize>(rho));
  if ((method & CERT_CROWN) != 0) {
    // The growth bound assumes |x_j| ≤ max|c| + 1 on a unit ball; the box reaches |c_j| + ρ_j,
    // covered by the factor max(1, max ρ). Below its limit CROWN skips always-inactive columns.
    measureGrowth(net, ctr);
    ctr.growth *= maxRho;
  }
  ibp(net, ctr, 1.0, true, clamp);
  // With BOX_OUTPUT_ONLY the hidden bounds are the clamp's (computed before): only the output pass.
  if ((method & CERT_CROWN) != 0) crownTighten(net, ctr, 1.0, true, net.L, (method & BOX_OUTPUT_ONLY) != 0 ? net.L : 2, alpha, coefOut, beta);
  const o = unchecked(net.uOff[net.L - 1]);
  store<f64>(out, unchecked(net.lo[o]));
  store<f64>(out, unchecked(net.hi[o]), 8);
}

/** Upper bounds of the activations entering the last layer (see `cert_box_bounds`) to `actOut`. */
function lastInputs(net: Net, lo: usize, hi: usize, actOut: usize): void {
  const L = net.L;
  if (L >= 2) {
    const off = unchecked(net.uOff[L - 2]);
    for (let j = 0; j < unchecked(net.dims[L - 1]); j++) {
      store<f64>(actOut + (<usize>j << 3), Math.max(unchecked(net.hi[off + j]), 0.0));
    }
  } else {
    for (let j = 0; j < net.d; j++) {
      const a = Math.abs(load<f64>(lo + (<usize>j << 3)));
      const b = Math.abs(load<f64>(hi + (<usize>j << 3)));
      store<f64>(actOut + (<usize>j << 3), Math.max(a, b));
    }
  }
}

/**
 * Bounds [out[0], out[1]] of the exact scalar network output over the box [lo, hi] (d values each;
 * lo = hi gives an enclosure at a point), IBP and with `method` & 2 CROWN, with directed rounding.
 * When `actOut` ≠ 0, the upper bounds of the activations entering the last layer (relu(hi) of
 * layer L − 1, or max(|lo_j|, |hi_j|) of the input when L = 1) go there (N_{L−1} values): callers
 * that fold a linear map into the last layer need them for its rounding error.
 */
export function cert_box_bounds(
  dims: usize, nDims: i32, bias: i32, params: usize, lo: usize, hi: usize, method: i32, out: usize, actOut: usize,
): void {
  const net = new Net(dims, nDims, bias != 0, params);
  const ctr = new Centre();
  boxBounds(net, ctr, new StaticArray<f64>(net.d), new StaticArray<f64>(net.d), lo, hi, method, out);
  if (actOut != 0) lastInputs(net, lo, hi, actOut);
}

/**
 * `cert_box_bounds` for K scalar networks that share every layer but the last (K linear maps of
 * one network's outputs folded into its last layer): `params` holds the shared layers followed by
 * room for one last-layer row (N_{L−1} weights, then the bias if any), `rows` the K rows (K ×
 * (N_{L−1} + bias)). The hidden bounds (IBP, CROWN-tightened with `method` & 2) are computed once,
 * with the first row; every other row's output bounds come from one CROWN pass over them (or the
 * whole IBP pass without CROWN), to out[2k], out[2k + 1]. `actOut` as in `cert_box_bounds`.
 * `params`' last row is overwritten. `clamp` ≠ 0: hidden bounds of an enclosing box (lo of the
 * N_1 + … + N_{L−1} hidden units, then hi) that IBP intersects its bounds with (`ibp`); `hidOut`
 * ≠ 0: this box's hidden bounds are written there in the same layout. A split ReLU of branch and
 * bound is such a clamp too: lo = 0 (active) or hi = 0 (inactive) bounds the sub-domain where it
 * holds, and a clamp with lo > hi somewhere tells the caller the sub-domain is empty.
 * `alpha` ≠ 0: per row, the lower-relaxation slopes of the hidden units (K × H values, H hidden
 * units) for that row's output pass (α-CROWN, `crownPair`); `coefOut` ≠ 0: per row, the output
 * pass's lower-bound coefficients of the hidden units and inputs (K × (H + d) values); `beta` ≠ 0:
 * per row, β_u·s_u of the split units (K × H values, β-CROWN, `crownPair`). With
 * `method` & BOX_OUTPUT_ONLY the hidden bounds come from `clamp` (IBP intersected with it) and
 * only the output passes run.
 */
export function cert_box_bounds_rows(
  dims: usize, nDims: i32, bias: i32, params: usize, rows: usize, K: i32, lo: usize, hi: usize, method: i32, out: usize, actOut: usize,
  clamp: usize, hidOut: usize, alpha: usize, coefOut: usize, beta: usize,
): void {
  const net = new Net(dims, nDims, bias != 0, params);
  const L = net.L;
  const rowLen = unchecked(net.dims[L - 1]) + (bias != 0 ? 1 : 0);
  const last = params + (<usize>unchecked(net.wOff[L - 1]) << 3);
  const useCrown = (method & CERT_CROWN) != 0 && L >= 2;
  const ctr = new Centre();
  const c = new StaticArray<f64>(net.d);
  const rho = new StaticArray<f64>(net.d);
  const po = changetype<usize>(pairOut);
  const H = <usize>unchecked(net.uOff[L - 1]);
  for (let k = 0; k < K; k++) {
    memory.copy(last, rows + (<usize>(k * rowLen) << 3), <usize>rowLen << 3);
    const o = out + (<usize>(2 * k) << 3);
    const al = alpha != 0 ? alpha + ((<usize>k * H) << 3) : 0;
    const co = coefOut != 0 ? coefOut + ((<usize>k * (H + <usize>net.d)) << 3) : 0;
    const be = beta != 0 ? beta + ((<usize>k * H) << 3) : 0;
    if (k == 0 || !useCrown) {
      boxBounds(net, ctr, c, rho, lo, hi, useCrown ? 3 | (method & BOX_OUTPUT_ONLY) : 1, o, clamp, al, co, be);
      if (k == 0 && actOut != 0) lastInputs(net, lo, hi, actOut);
      if (k == 0 && hidOut != 0) {
        // The hidden bounds (lo of every hidden unit, then hi), for the clamp of sub-domains.
        memory.copy(hidOut, changetype<usize>(net.lo), H << 3);
        memory.copy(hidOut + (H << 3), changetype<usize>(net.hi), H << 3);
      }
      continue;
    }
    // The hidden bounds of the first row's pass are still in net.lo / net.hi: one output pass.
    crownPair(net, ctr, L, 0, 1.0, true, false, po, al, co, be);
    store<f64>(o, unchecked(pairOut[0]));
    store<f64>(o, -unchecked(pairOut[1]), 8);
  }
}

/**
 * Sound confirmation of an `analyse` witness (certify/witness.ts `CriterionWitness`): the scalar
 * network (dims, nDims ending in 1, params) holds the shared hidden layers and room for one output
 * row; `rows` holds the output rows the checks use, `checks` nChecks triples (kind, rowA, rowB).
 * The perturbation at `eta` (scaled in place when nudged) of the point x is confirmed adversarial
 * in exact arithmetic; returns an upper bound of the exact ‖fl(x + η) − x‖, or −1 when dropped.
 * The outcome (WIT_CONFIRMED 0, WIT_NUDGED 1, WIT_DROPPED 2) is written to `statusOut` (one i32).
 */
export function cert_confirm_witness(
  dims: usize, nDims: i32, bias: i32, params: usize, rows: usize, checks: usize, nChecks: i32, label: f64, norm: i32,
  x: usize, eta: usize, statusOut: usize,
): f64 {
  const net = new Net(dims, nDims, bias != 0, params);
  const w = new CriterionWitness(net, rows, checks, nChecks, label, norm);
  const r = w.confirm(x, eta);
  store<i32>(statusOut, w.status);
  return w.status == WIT_DROPPED ? -1.0 : r;
}

