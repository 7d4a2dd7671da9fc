// CROWN (backward linear relaxation) bounds of a ReLU network over an ℓ∞ or ℓ2 ball, sound in
// floating point: the backward coefficients are themselves rounded, so the error of each one, times
// a bound on the quantity it multiplies (from the interval bounds), is subtracted from the constant;
// the ReLU upper-relaxation slope is rounded upward, which keeps the relaxation valid. With
// `directed` off the same arithmetic runs without the widening. Problem-agnostic (no labels);
// results go out through the caller's `out` pointer.

import { Net } from "../instability/net";
import { Centre, skipAllowed } from "./ibp";
import { gam, relu, NORM_BOX, NORM_INF, NORM_L2, SAFE, TINY, U } from "./rounding";

/**
 * Scratch of `crownPair` (grown on demand, reused across calls): two λ vectors and the column sums
 * (λ·W[:, j] and Σ_i |λ_i W_ij|) as f64x2 per unit, and the indices of the rows of λ that are not zero.
 */
let pairBuf = new StaticArray<f64>(0);
let rowIdx = new StaticArray<i32>(0);

/** Scratch of the CROWN passes: the columns (units of layer l − 1) a layer's pass visits. */
let colIdx = new StaticArray<i32>(0);

/**
 * The units j of layer l − 1 whose column of W_l a CROWN pass must sum, into `cols`; returns their
 * number. With `skip` (no value of the pass can overflow: `skipAllowed`), a unit of layer l − 1 that
 * is always inactive (u ≤ 0) contributes exactly nothing: its coefficient is 0 and its rounding term
 * γ·Σ|λ_i W_ij|·max(u, 0) is a finite number times +0, so its column is left out.
 */
@inline function liveColumns(net: Net, l: i32, cols: usize, skip: bool): i32 {
  const nIn = unchecked(net.dims[l - 1]);
  let n = 0;
  if (l >= 2 && skip) {
    const hi = changetype<usize>(net.hi) + (<usize>unchecked(net.uOff[l - 2]) << 3);
    for (let j = 0; j < nIn; j++) {
      if (!(load<f64>(hi + (<usize>j << 3)) <= 0)) {
        store<i32>(cols + (<usize>n << 2), j);
        n++;
      }
    }
  } else {
    for (let j = 0; j < nIn; j++) store<i32>(cols + (<usize>j << 2), j);
    n = nIn;
  }
  return n;
}

/**
 * CROWN lower bounds of λ·z_k over B(x0, eps) for the two seeds λ = +e_unit and λ = −e_unit, using
 * the bounds of layers 1..k−1 currently in net.lo / net.hi, written to out[0] (+) and out[1] (−).
 *
 * The two seeds run side by side, one per f64x2 lane, and each lane performs exactly the scalar
 * recursion of the straightforward one-λ backward pass: every sum runs over the units in increasing
 * order, lanes round like scalars (no fused multiply-add), and where a ReLU's relaxation depends on
 * the sign of its coefficient both candidates are computed and the lane picks its own. Terms that
 * the scalar pass would skip (rows of λ that are zero, constant terms of the other branch) are
 * either skipped for both lanes or added as +0, which leaves a sum that started at +0 unchanged
 * (such a sum is never −0, and weights and biases are finite), so both lanes are bit-identical to
 * two separate scalar passes.
 *
 * Branch and bound (src/verify) passes two optional pointers, both indexed like net.lo (hidden units
 * of layers 1..L−1): `alpha` ≠ 0 gives each unstable unit's lower-relaxation slope α ∈ [0, 1]
 * (α-CROWN; the default picks α ∈ {0, 1} by area), the rounding of a·α accounted like the upper
 * branch's; `coefOut` ≠ 0 receives lane 0's (the lower bound's) column sum a_j of every hidden unit
 * (0 for columns the pass skips) followed by those of the d inputs — what the intercept score of
 * ReLU splitting and the gradient of the bound in α are computed from. `beta` ≠ 0 (β-CROWN, same
 * indexing) holds β_u·s_u for units a split constrains to s_u·z_u ≥ 0 (s = +1 active, −1
 * inactive; 0 elsewhere): the pass bounds φ − Σ β_u s_u z_u, which is ≤ φ on the sub-domain when
 * every β_u ≥ 0. The coefficient of z_u becomes fl(v − β_u s_u), whose rounding only changes β_u
 * to the exact s_u·(v − fl(v − β_u s_u)), still ≥ 0 (rounding is monotone): nothing to account.
 * With all three 0 the pass is exactly the one above.
 */
export function crownPair(
  net: Net, ctr: Centre, k: i32, unit: i32, eps: f64, directed: bool, skip: bool, out: usize, alpha: usize = 0, coefOut: usize = 0,
  beta: usize = 0,
): void {
  const x0 = ctr.x0;
  const norm = ctr.norm;
  const maxW = net.maxWidth;
  if (rowIdx.length < maxW) {
    pairBuf = new StaticArray<f64>(8 * maxW);
    rowIdx = new StaticArray<i32>(maxW);
    colIdx = new StaticArray<i32>(maxW);
  }
  let cur = changetype<usize>(pairBuf);
  let nxt = cur + (<usize>maxW << 4);
  // Column sums a_j = λ·W[:, j] and Σ_i |λ_i W[i, j]| of the current layer.
  const colA = nxt + (<usize>maxW << 4);
  const colS = colA + (<usize>maxW << 4);
  const idx = changetype<usize>(rowIdx);
  const cols = changetype<usize>(colIdx);
  const lo = net.lo;
  const hi = net.hi;
  const params = net.params;
  const zero = f64x2.splat(0.0);
  const absMask = i64x2.splat(0x7fffffffffffffff);
  const one = f64x2.splat(1.0);
  const ulp2 = f64x2.splat(2.0 * U);
  let cst = zero;
  let mag = zero;
  let slack = zero;
  // Per-lane count of the upper-relaxation constants; `terms` counts what both lanes share.
  let negs = zero;
  let terms = 0;
  // Number of rows in idx: the non-zero rows of the next λ, listed while it is written.
  let nz = 0;
  if (coefOut != 0) memory.fill(coefOut, 0, <usize>(unchecked(net.uOff[net.L - 1]) + net.d) << 3);
  for (let l = k; l >= 1; l--) {
    const nOut = unchecked(net.dims[l]);
    const nIn = unchecked(net.dims[l - 1]);
    const W = params + (<usize>unchecked(net.wOff[l - 1]) << 3);
    const rowBytes = <usize>nIn << 3;
    const nCols = liveColumns(net, l, cols, skip);
    if (l == k) {
      // The seed row ±1: its bias term and column sums are single products (0 + t, as in a sum).
      const pm = f64x2(1.0, -1.0);
      if (net.bias) {
        const t = f64x2.mul(pm, f64x2.splat(net.b(l, unit)));
        cst = f64x2.add(cst, t);
        mag = f64x2.add(mag, v128.and(absMask, t));
        terms += nOut;
      }
      const row = W + <usize>unit * rowBytes;
      for (let c = 0; c < nCols; c++) {
        const j = load<i32>(cols + (<usize>c << 2));
        const t = f64x2.mul(pm, v128.load64_splat(row + (<usize>j << 3)));
        v128.store(colA + (<usize>j << 4), f64x2.add(zero, t));
        v128.store(colS + (<usize>j << 4), f64x2.add(zero, v128.and(absMask, t)));
      }
    } else {
      // λ's non-zero rows (NaN counts as not zero, as in the scalar pass) are in idx[0..nz).
      if (net.bias) {
        const bp = params + (<usize>unchecked(net.bOff[l - 1]) << 3);
        for (let q = 0; q < nz; q++) {
          const i = load<i32>(idx + (<usize>q << 2));
          const t = f64x2.mul(v128.load(cur + (<usize>i << 4)), f64x2.splat(load<f64>(bp + (<usize>i << 3))));
          cst = f64x2.add(cst, t);
          mag = f64x2.add(mag, v128.and(absMask, t));
        }
        terms += nOut;
      }
      // Column sums over i in increasing order, two columns at a time (independent chains).
      let c = 0;
      for (; c + 1 < nCols; c += 2) {
        const j0 = load<i32>(cols + (<usize>c << 2));
        const j1 = load<i32>(cols + (<usize>c << 2) + 4);
        let a0 = zero;
        let s0 = zero;
        let a1 = zero;
        let s1 = zero;
        const col0 = W + (<usize>j0 << 3);
        const col1 = W + (<usize>j1 << 3);
        for (let q = 0; q < nz; q++) {
          const i = load<i32>(idx + (<usize>q << 2));
          const cv = v128.load(cur + (<usize>i << 4));
          const r = <usize>i * rowBytes;
          const t0 = f64x2.mul(cv, v128.load64_splat(col0 + r));
          const t1 = f64x2.mul(cv, v128.load64_splat(col1 + r));
          a0 = f64x2.add(a0, t0);
          s0 = f64x2.add(s0, v128.and(absMask, t0));
          a1 = f64x2.add(a1, t1);
          s1 = f64x2.add(s1, v128.and(absMask, t1));
        }
        v128.store(colA + (<usize>j0 << 4), a0);
        v128.store(colS + (<usize>j0 << 4), s0);
        v128.store(colA + (<usize>j1 << 4), a1);
        v128.store(colS + (<usize>j1 << 4), s1);
      }
      if (c < nCols) {
        const j = load<i32>(cols + (<usize>c << 2));
        let a0 = zero;
        let s0 = zero;
        const col = W + (<usize>j << 3);
        for (let q = 0; q < nz; q++) {
          const i = load<i32>(idx + (<usize>q << 2));
          const t0 = f64x2.mul(v128.load(cur + (<usize>i << 4)), v128.load64_splat(col + <usize>i * rowBytes));
          a0 = f64x2.add(a0, t0);
          s0 = f64x2.add(s0, v128.and(absMask, t0));
        }
        v128.store(colA + (<usize>j << 4), a0);
        v128.store(colS + (<usize>j << 4), s0);
      }
    }
    if (l >= 2) {
      const prev = unchecked(net.uOff[l - 2]);
      const g = f64x2.splat(gam(nOut + 2));
      // The column sums are done with idx: it now collects the rows of the next λ.
      nz = 0;
      for (let c = 0; c < nCols; c++) {
        const j = load<i32>(cols + (<usize>c << 2));
        const a = v128.load(colA + (<usize>j << 4));
        const aAbs = v128.load(colS + (<usize>j << 4));
        const lj = unchecked(lo[prev + j]);
        const uj = unchecked(hi[prev + j]);
        if (coefOut != 0) store<f64>(coefOut + (<usize>(prev + j) << 3), f64x2.extract_lane(a, 0));
        // The rounding error of a multiplies the activation, which lies in [0, max(u, 0)].
        slack = f64x2.add(slack, f64x2.mul(f64x2.mul(g, aAbs), f64x2.splat(relu(uj))));
        let v = zero;
        if (lj >= 0) {
          v = a; // always active: relu is the identity on [l, u]
        } else if (uj <= 0) {
          v = zero; // always inactive
        } else {
          // a ≥ 0: lower relaxation α z, α ∈ {0, 1} with the smaller area. a < 0 (or NaN): upper
          // relaxation s (z − l), s ≥ u/(u − l) rounded up, which adds the constant −a·s·l.
          const pos = f64x2.ge(a, zero);
          const up = v128.not(pos);
          let vPos = uj > -lj ? a : zero;
          if (alpha != 0) {
            // α-CROWN: relu(z) ≥ α z on [l, u] for any α ∈ [0, 1] (NaN reads as 0). The product
            // a·α is rounded: off by ≤ u|a·α| ≤ 2u|v|, times |z| ≤ max(−l, u).
            const al = load<f64>(alpha + (<usize>(prev + j) << 3));
            const av = f64x2.splat(al >= 1.0 ? 1.0 : al > 0.0 ? al : 0.0);
            vPos = f64x2.mul(a, av);
            const ep = f64x2.mul(f64x2.mul(ulp2, v128.and(absMask, vPos)), f64x2.splat(Math.max(-lj, uj)));
            slack = f64x2.add(slack, v128.and(ep, pos));
          }
          const s = (uj / (uj - lj)) * (1.0 + 4.0 * U);
          const vNeg = f64x2.mul(a, f64x2.splat(s));
          const t = f64x2.mul(f64x2.neg(vNeg), f64x2.splat(lj));
          cst = f64x2.add(cst, v128.and(t, up));
          mag = f64x2.add(mag, v128.and(v128.and(absMask, t), up));
          negs = f64x2.add(negs, v128.and(one, up));
          // v and t are rounded products: each is off by ≤ u|v|·max|z|.
          const e = f64x2.mul(f64x2.mul(ulp2, v128.and(absMask, vNeg)), f64x2.splat(Math.max(-lj, uj)));
          slack = f64x2.add(slack, v128.and(e, up));
          v = v128.bitselect(vPos, vNeg, pos);
        }
        if (beta != 0) {
          const bs = load<f64>(beta + (<usize>(prev + j) << 3));
          if (bs != 0) v = f64x2.sub(v, f64x2.splat(bs));
        }
        v128.store(nxt + (<usize>j << 4), v);
        if (v128.any_true(f64x2.ne(v, zero))) {
          store<i32>(idx + (<usize>nz << 2), j);
          nz++;
        }
      }
      const tmp = cur;
      cur = nxt;
      nxt = tmp;
    } else {
      // Layer 1: λ·(W_1 x + b_1), minimised over the ball in closed form (dual norm).
      const g1 = f64x2.splat(gam(nOut + 2));
      let val = zero;
      let dual = zero;
      let big = zero;
      for (let j = 0; j < nIn; j++) {
        const a = v128.load(colA + (<usize>j << 4));
        const aAbs = v128.load(colS + (<usize>j << 4));
        const xj = load<f64>(x0 + (<usize>j << 3));
        if (coefOut != 0) store<f64>(coefOut + (<usize>(unchecked(net.uOff[net.L - 1]) + j) << 3), f64x2.extract_lane(a, 0));
        // Box: coordinate j ranges over x0_j ± eps·ρ_j (the ℓ∞ ball is ρ ≡ 1).
        const rj = norm == NORM_BOX ? eps * load<f64>(ctr.rho + (<usize>j << 3)) : eps;
        slack = f64x2.add(slack, f64x2.mul(f64x2.mul(g1, aAbs), f64x2.splat(Math.abs(xj) + rj)));
        const t = f64x2.mul(a, f64x2.splat(xj));
        val = f64x2.add(val, t);
        mag = f64x2.add(mag, v128.and(absMask, t));
        if (norm == NORM_INF) dual = f64x2.add(dual, v128.and(absMask, a));
        else if (norm == NORM_BOX) dual = f64x2.add(dual, f64x2.mul(v128.and(absMask, a), f64x2.splat(rj)));
        else big = f64x2.max(big, v128.and(absMask, a));
      }
      terms += nIn;
      if (norm == NORM_L2) {
        // Scaled, so that squares of tiny coefficients do not underflow to 0.
        const scaled = f64x2.gt(big, zero);
        if (v128.any_true(scaled)) {
          let sq = zero;
          for (let j = 0; j < nIn; j++) {
            const a = f64x2.div(v128.load(colA + (<usize>j << 4)), big);
            sq = f64x2.add(sq, f64x2.mul(a, a));
          }
          dual = v128.bitselect(f64x2.mul(big, f64x2.sqrt(sq)), dual, scaled);
        }
      }
      const d = nIn;
      // (A box's dual already carries eps: its terms are |a_j|·eps·ρ_j.)
      const pen = norm == NORM_BOX ? dual : f64x2.mul(f64x2.splat(eps), dual);
      let res = f64x2.sub(f64x2.add(val, cst), pen);
      if (directed) {
        const t0 = terms + <i32>f64x2.extract_lane(negs, 0);
        const t1 = terms + <i32>f64x2.extract_lane(negs, 1);
        const gv = f64x2(gam(2 * t0 + 2 * d + 16), gam(2 * t1 + 2 * d + 16));
        slack = f64x2.add(slack, f64x2.mul(gv, f64x2.add(mag, pen)));
        res = f64x2.sub(res, f64x2.add(f64x2.mul(slack, f64x2.splat(SAFE)), f64x2.splat(TINY)));
      }
      store<f64>(out, f64x2.extract_lane(res, 0));
      store<f64>(out + 8, f64x2.extract_lane(res, 1));
    }
  }
}

/** Scratch of `crownPair2`: λ rows and column sums hold the two units' f64x2 side by side. */
let pair2Buf = new StaticArray<f64>(0);

/**
 * `crownPair` for two units of layer k at once (unitA's lanes in one f64x2, unitB's in another):
 * unitA's bounds (+, −) to out[0], out[1], unitB's to out[2], out[3]. The two
 * passes are independent chains that overlap in the pipeline; the row list is the union of both
 * units' non-zero rows (a row that is zero in one unit adds +0 there, which changes nothing), and
 * each lane is again exactly the scalar pass.
 *
 * Kept as a second copy of `crownPair`'s recursion on purpose (hidden-layer tightening only: no α,
 * β or coefficients). One generic pass for one or two units (a compile-time type parameter, the
 * second unit's code removed from the one-unit instance) was bit-identical on the instability
 * fingerprint and certify-reference tests but 9–17 % slower on CROWN certified radii of a
 * [2, 8, 8, 1] trial network (five interleaved A/B runs in CPU time; even on [2, 32, 32, 1]) — the trials' hot path — so
 * it was not adopted. Both must stay lane for lane the scalar recursion:
 * test/instability-certify-reference.test.ts compares the bounds of every pass with one scalar
 * TypeScript reference, bit for bit.
 */
export function crownPair2(
  net: Net, ctr: Centre, k: i32, unitA: i32, unitB: i32, eps: f64, directed: bool, skip: bool, out: usize,
): void {
  const x0 = ctr.x0;
  const norm = ctr.norm;
  const maxW = net.maxWidth;
  if (pair2Buf.length < 16 * maxW) pair2Buf = new StaticArray<f64>(16 * maxW);
  if (rowIdx.length < maxW) {
    pairBuf = new StaticArray<f64>(8 * maxW);
    rowIdx = new StaticArray<i32>(maxW);
    colIdx = new StaticArray<i32>(maxW);
  }
  let cur = changetype<usize>(pair2Buf);
  let nxt = cur + (<usize>maxW << 5);
  const colA = nxt + (<usize>maxW << 5);
  const colS = colA + (<usize>maxW << 5);
  const idx = changetype<usize>(rowIdx);
  const cols = changetype<usize>(colIdx);
  const lo = net.lo;
  const hi = net.hi;
  const params = net.params;
  const zero = f64x2.splat(0.0);
  const absMask = i64x2.splat(0x7fffffffffffffff);
  const one = f64x2.splat(1.0);
  const ulp2 = f64x2.splat(2.0 * U);
  let cstA = zero;
  let magA = zero;
  let slackA = zero;
  let negsA = zero;
  let cstB = zero;
  let magB = zero;
  let slackB = zero;
  let negsB = zero;
  let terms = 0;
  let nz = 0;
  for (let l = k; l >= 1; l--) {
    const nOut = unchecked(net.dims[l]);
    const nIn = unchecked(net.dims[l - 1]);
    const W = params + (<usize>unchecked(net.wOff[l - 1]) << 3);
    const rowBytes = <usize>nIn << 3;
    const nCols = liveColumns(net, l, cols, skip);
    if (l == k) {
      const pm = f64x2(1.0, -1.0);
      if (net.bias) {
        const tA = f64x2.mul(pm, f64x2.splat(net.b(l, unitA)));
        const tB = f64x2.mul(pm, f64x2.splat(net.b(l, unitB)));
        cstA = f64x2.add(cstA, tA);
        magA = f64x2.add(magA, v128.and(absMask, tA));
        cstB = f64x2.add(cstB, tB);
        magB = f64x2.add(magB, v128.and(absMask, tB));
        terms += nOut;
      }
      const rowA = W + <usize>unitA * rowBytes;
      const rowB = W + <usize>unitB * rowBytes;
      for (let c = 0; c < nCols; c++) {
        const j = load<i32>(cols + (<usize>c << 2));
        const o = <usize>j << 5;
        const tA = f64x2.mul(pm, v128.load64_splat(rowA + (<usize>j << 3)));
        const tB = f64x2.mul(pm, v128.load64_splat(rowB + (<usize>j << 3)));
        v128.store(colA + o, f64x2.add(zero, tA));
        v128.store(colS + o, f64x2.add(zero, v128.and(absMask, tA)));
        v128.store(colA + o + 16, f64x2.add(zero, tB));
        v128.store(colS + o + 16, f64x2.add(zero, v128.and(absMask, tB)));
      }
    } else {
      if (net.bias) {
        const bp = params + (<usize>unchecked(net.bOff[l - 1]) << 3);
        for (let q = 0; q < nz; q++) {
          const i = load<i32>(idx + (<usize>q << 2));
          const bi = f64x2.splat(load<f64>(bp + (<usize>i << 3)));
          const tA = f64x2.mul(v128.load(cur + (<usize>i << 5)), bi);
          const tB = f64x2.mul(v128.load(cur + (<usize>i << 5) + 16), bi);
          cstA = f64x2.add(cstA, tA);
          magA = f64x2.add(magA, v128.and(absMask, tA));
          cstB = f64x2.add(cstB, tB);
          magB = f64x2.add(magB, v128.and(absMask, tB));
        }
        terms += nOut;
      }
      for (let c = 0; c < nCols; c++) {
        const j = load<i32>(cols + (<usize>c << 2));
        let aA = zero;
        let sA = zero;
        let aB = zero;
        let sB = zero;
        const col = W + (<usize>j << 3);
        for (let q = 0; q < nz; q++) {
          const i = load<i32>(idx + (<usize>q << 2));
          const w = v128.load64_splat(col + <usize>i * rowBytes);
          const tA = f64x2.mul(v128.load(cur + (<usize>i << 5)), w);
          const tB = f64x2.mul(v128.load(cur + (<usize>i << 5) + 16), w);
          aA = f64x2.add(aA, tA);
          sA = f64x2.add(sA, v128.and(absMask, tA));
          aB = f64x2.add(aB, tB);
          sB = f64x2.add(sB, v128.and(absMask, tB));
        }
        const o = <usize>j << 5;
        v128.store(colA + o, aA);
        v128.store(colS + o, sA);
        v128.store(colA + o + 16, aB);
        v128.store(colS + o + 16, sB);
      }
    }
    if (l >= 2) {
      const prev = unchecked(net.uOff[l - 2]);
      const g = f64x2.splat(gam(nOut + 2));
      nz = 0;
      for (let c = 0; c < nCols; c++) {
        const j = load<i32>(cols + (<usize>c << 2));
        const o = <usize>j << 5;
        const aA = v128.load(colA + o);
        const aB = v128.load(colA + o + 16);
        const lj = unchecked(lo[prev + j]);
        const uj = unchecked(hi[prev + j]);
        const ru = f64x2.splat(relu(uj));
        slackA = f64x2.add(slackA, f64x2.mul(f64x2.mul(g, v128.load(colS + o)), ru));
        slackB = f64x2.add(slackB, f64x2.mul(f64x2.mul(g, v128.load(colS + o + 16)), ru));
        let vA = zero;
        let vB = zero;
        if (lj >= 0) {
          vA = aA;
          vB = aB;
        } else if (uj <= 0) {
          vA = zero;
          vB = zero;
        } else {
          const alpha = uj > -lj;
          const s = f64x2.splat((uj / (uj - lj)) * (1.0 + 4.0 * U));
          const l2 = f64x2.splat(lj);
          const mz = f64x2.splat(Math.max(-lj, uj));
          const posA = f64x2.ge(aA, zero);
          const upA = v128.not(posA);
          const vNegA = f64x2.mul(aA, s);
          const tA = f64x2.mul(f64x2.neg(vNegA), l2);
          cstA = f64x2.add(cstA, v128.and(tA, upA));
          magA = f64x2.add(magA, v128.and(v128.and(absMask, tA), upA));
          negsA = f64x2.add(negsA, v128.and(one, upA));
          slackA = f64x2.add(slackA, v128.and(f64x2.mul(f64x2.mul(ulp2, v128.and(absMask, vNegA)), mz), upA));
          vA = v128.bitselect(alpha ? aA : zero, vNegA, posA);
          const posB = f64x2.ge(aB, zero);
          const upB = v128.not(posB);
          const vNegB = f64x2.mul(aB, s);
          const tB = f64x2.mul(f64x2.neg(vNegB), l2);
          cstB = f64x2.add(cstB, v128.and(tB, upB));
          magB = f64x2.add(magB, v128.and(v128.and(absMask, tB), upB));
          negsB = f64x2.add(negsB, v128.and(one, upB));
          slackB = f64x2.add(slackB, v128.and(f64x2.mul(f64x2.mul(ulp2, v128.and(absMask, vNegB)), mz), upB));
          vB = v128.bitselect(alpha ? aB : zero, vNegB, posB);
        }
        v128.store(nxt + o, vA);
        v128.store(nxt + o + 16, vB);
        if (v128.any_true(v128.or(f64x2.ne(vA, zero), f64x2.ne(vB, zero)))) {
          store<i32>(idx + (<usize>nz << 2), j);
          nz++;
        }
      }
      const tmp = cur;
      cur = nxt;
      nxt = tmp;
    } else {
      const g1 = f64x2.splat(gam(nOut + 2));
      let valA = zero;
      let dualA = zero;
      let bigA = zero;
      let valB = zero;
      let dualB = zero;
      let bigB = zero;
      for (let j = 0; j < nIn; j++) {
        const o = <usize>j << 5;
        const aA = v128.load(colA + o);
        const aB = v128.load(colA + o + 16);
        const xj = load<f64>(x0 + (<usize>j << 3));
        const rj = norm == NORM_BOX ? eps * load<f64>(ctr.rho + (<usize>j << 3)) : eps;
        const xe = f64x2.splat(Math.abs(xj) + rj);
        const xv = f64x2.splat(xj);
        slackA = f64x2.add(slackA, f64x2.mul(f64x2.mul(g1, v128.load(colS + o)), xe));
        slackB = f64x2.add(slackB, f64x2.mul(f64x2.mul(g1, v128.load(colS + o + 16)), xe));
        const tA = f64x2.mul(aA, xv);
        const tB = f64x2.mul(aB, xv);
        valA = f64x2.add(valA, tA);
        magA = f64x2.add(magA, v128.and(absMask, tA));
        valB = f64x2.add(valB, tB);
        magB = f64x2.add(magB, v128.and(absMask, tB));
        if (norm == NORM_INF) {
          dualA = f64x2.add(dualA, v128.and(absMask, aA));
          dualB = f64x2.add(dualB, v128.and(absMask, aB));
        } else if (norm == NORM_BOX) {
          dualA = f64x2.add(dualA, f64x2.mul(v128.and(absMask, aA), f64x2.splat(rj)));
          dualB = f64x2.add(dualB, f64x2.mul(v128.and(absMask, aB), f64x2.splat(rj)));
        } else {
          bigA = f64x2.max(bigA, v128.and(absMask, aA));
          bigB = f64x2.max(bigB, v128.and(absMask, aB));
        }
      }
      terms += nIn;
      if (norm == NORM_L2) {
        const scA = f64x2.gt(bigA, zero);
        const scB = f64x2.gt(bigB, zero);
        if (v128.any_true(v128.or(scA, scB))) {
          let sqA = zero;
          let sqB = zero;
          for (let j = 0; j < nIn; j++) {
            const o = <usize>j << 5;
            const qA = f64x2.div(v128.load(colA + o), bigA);
            const qB = f64x2.div(v128.load(colA + o + 16), bigB);
            sqA = f64x2.add(sqA, f64x2.mul(qA, qA));
            sqB = f64x2.add(sqB, f64x2.mul(qB, qB));
          }
          dualA = v128.bitselect(f64x2.mul(bigA, f64x2.sqrt(sqA)), dualA, scA);
          dualB = v128.bitselect(f64x2.mul(bigB, f64x2.sqrt(sqB)), dualB, scB);
        }
      }
      const d = nIn;
      const ev = f64x2.splat(eps);
      const penA = norm == NORM_BOX ? dualA : f64x2.mul(ev, dualA);
      const penB = norm == NORM_BOX ? dualB : f64x2.mul(ev, dualB);
      let resA = f64x2.sub(f64x2.add(valA, cstA), penA);
      let resB = f64x2.sub(f64x2.add(valB, cstB), penB);
      if (directed) {
        const gA = f64x2(
          gam(2 * (terms + <i32>f64x2.extract_lane(negsA, 0)) + 2 * d + 16),
          gam(2 * (terms + <i32>f64x2.extract_lane(negsA, 1)) + 2 * d + 16),
        );
        const gB = f64x2(
          gam(2 * (terms + <i32>f64x2.extract_lane(negsB, 0)) + 2 * d + 16),
          gam(2 * (terms + <i32>f64x2.extract_lane(negsB, 1)) + 2 * d + 16),
        );
        slackA = f64x2.add(slackA, f64x2.mul(gA, f64x2.add(magA, penA)));
        slackB = f64x2.add(slackB, f64x2.mul(gB, f64x2.add(magB, penB)));
        const safe = f64x2.splat(SAFE);
        const tiny = f64x2.splat(TINY);
        resA = f64x2.sub(resA, f64x2.add(f64x2.mul(slackA, safe), tiny));
        resB = f64x2.sub(resB, f64x2.add(f64x2.mul(slackB, safe), tiny));
      }
      store<f64>(out, f64x2.extract_lane(resA, 0));
      store<f64>(out + 8, f64x2.extract_lane(resA, 1));
      store<f64>(out + 16, f64x2.extract_lane(resB, 0));
      store<f64>(out + 24, f64x2.extract_lane(resB, 1));
    }
  }
}

/** Intersect unit u's bounds with the CROWN bounds [lb, ub]. */
@inline function tightenUnit(lo: StaticArray<f64>, hi: StaticArray<f64>, u: i32, lb: f64, ub: f64): void {
  if (lb > unchecked(lo[u])) unchecked((lo[u] = lb));
  if (ub < unchecked(hi[u])) unchecked((hi[u] = ub));
}

/** Results of the passes of `crownTighten` (two units: +, − each). */
const tightOut = new StaticArray<f64>(4);

/**
 * CROWN-tighten the bounds in net.lo / net.hi of layers kMin..kMax in turn (both signs per unit),
 * over B(ctr.x0, eps) for the prepared centre `ctr` (layer 1's IBP bounds are exact already; kMin
 * is 2 unless the hidden bounds are known already). `alpha`, `coefOut` and `beta` go to the output's pass
 * (k = L; see `crownPair`).
 */
export function crownTighten(
  net: Net, ctr: Centre, eps: f64, directed: bool, kMax: i32, kMin: i32 = 2, alpha: usize = 0, coefOut: usize = 0, beta: usize = 0,
): void {
  const skip = skipAllowed(ctr, eps);
  const out = changetype<usize>(tightOut);
  const L = net.L;
  const lo = net.lo;
  const hi = net.hi;
  for (let k = kMin; k <= kMax; k++) {
    const nk = unchecked(net.dims[k]);
    const off = unchecked(net.uOff[k - 1]);
    // Units are tightened two at a time where possible: the passes of a layer only read the
    // bounds of the layers below it, so the order of the units does not matter.
    let pending = -1;
    for (let i = 0; i < nk; i++) {
      // A hidden unit that IBP already proves stable is relaxed exactly: tightening it is useless.
      if (k < L && (unchecked(lo[off + i]) >= 0 || unchecked(hi[off + i]) <= 0)) continue;
      if (pending < 0) {
        pending = i;
        continue;
      }
      crownPair2(net, ctr, k, pending, i, eps, directed, skip, out);
      tightenUnit(lo, hi, off + pending, load<f64>(out), -load<f64>(out, 8));
      tightenUnit(lo, hi, off + i, load<f64>(out, 16), -load<f64>(out, 24));
      pending = -1;
    }
    if (pending >= 0) {
      // The output (k = L, one unit) may take α-CROWN slopes and report its coefficients.
      // (β may make an always-inactive unit's coefficient non-zero: no skipping then.)
      if (k == L) crownPair(net, ctr, k, pending, eps, directed, skip && beta == 0, out, alpha, coefOut, beta);
      else crownPair(net, ctr, k, pending, eps, directed, skip, out);
      tightenUnit(lo, hi, off + pending, load<f64>(out), -load<f64>(out, 8));
    }
  }
}
