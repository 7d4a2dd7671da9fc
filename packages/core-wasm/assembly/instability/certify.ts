// Certified bounds on φ over an ℓ∞ or ℓ2 ball: interval bound propagation (IBP) and CROWN
// (backward linear relaxation, with every hidden layer's bounds tightened by CROWN in turn), and the
// certified radius by bisection.
//
// Directed rounding. WebAssembly has no rounding-mode control, so soundness in floating point is
// obtained by widening instead: every bound that is a computed sum of n terms is moved outward by a
// rigorous a-priori error bound γ_k·Σ|terms| (γ_k = k·u/(1 − k·u), u = 2⁻⁵³, Higham's bound for
// recursive summation, with k taken generously), and the CROWN coefficients that are themselves
// rounded carry their error into the constant term, multiplied by a bound on the quantity they
// multiply (from the interval bounds). The ReLU upper-relaxation slope is rounded upward, which
// keeps the relaxation valid. With `directed` off the same arithmetic runs without the widening.

import { Net } from "./net";

/** Unit roundoff of f64. */
const U: f64 = 1.1102230246251565e-16;
/** Absolute floor for the widening: covers underflow of products into subnormals. */
const TINY: f64 = 1e-300;
/** Relative safety factor on the computed widening (its own rounding). */
const SAFE: f64 = 1.0 + 1e-10;

/** Ball norms. */
export const NORM_INF: i32 = 0;
export const NORM_L2: i32 = 1;

/** Certification methods (bit mask). */
export const CERT_IBP: i32 = 1;
export const CERT_CROWN: i32 = 2;

@inline function gam(n: i32): f64 {
  const nu = <f64>n * U;
  return nu / (1.0 - nu);
}

/**
 * max(x, 0) exactly as `Math.max(x, 0.0)` (NaN stays NaN, −0 becomes +0), written as a compare and
 * a select plus +0 because WebAssembly's f64.max compiles to a long NaN/zero-handling sequence.
 */
@inline function relu(x: f64): f64 {
  return select<f64>(0.0, x, x < 0.0) + 0.0;
}

/** `relu` on both lanes (`f64x2.pmax` is a single max instruction; +0 turns −0 into +0). */
@inline function relu2(x: v128): v128 {
  return f64x2.add(f64x2.pmax(x, f64x2.splat(0.0)), f64x2.splat(0.0));
}

/** Lower and upper bound of φ from the last `outputBounds` call. */
export let boundLo: f64 = 0;
export let boundHi: f64 = 0;

/**
 * Per-point layer-1 data for IBP, which does not depend on the radius: for every first-layer unit i
 * its centre c_i = b_i + Σ_j W_ij x0_j, the magnitude |b_i| + Σ_j |W_ij x0_j| of that sum, and the
 * dual norm ‖W_i‖_* (ℓ1 for ℓ∞ balls, ℓ2 for ℓ2 balls). Laid out as three runs of N_1 values.
 * Filled by `prepareLayer1`; every bisection step of a certified radius reuses it.
 */
let layer1 = new StaticArray<f64>(0);
/** IBP scratch: the previous layer's activation bounds (relu(lo_j), relu(hi_j)) as f64x2 per unit. */
let actPair = new StaticArray<f64>(0);
/** IBP scratch: the inputs of the current layer whose activation bounds are not both 0. */
let liveIn = new StaticArray<i32>(0);

/**
 * Per layer l (index l), 1 when some bias of the layer is −0. IBP may skip the inputs whose
 * activation bounds are both exactly 0 (their terms are ±0, which cannot change a running sum that
 * is not −0); a sum that starts at a bias of −0 could be moved to +0 by such a term, so those layers
 * add every term.
 */
let negZeroBias = new StaticArray<i32>(0);

/** Fill `layer1` for the point x0 and `norm` (same arithmetic as the per-unit loop it replaces). */
function prepareLayer1(net: Net, x0: usize, norm: i32): void {
  const n1 = unchecked(net.dims[1]);
  const d = net.d;
  if (layer1.length < 3 * n1) layer1 = new StaticArray<f64>(3 * n1);
  if (negZeroBias.length < net.L + 1) negZeroBias = new StaticArray<i32>(net.L + 1);
  for (let l = 1; l <= net.L; l++) {
    let neg = 0;
    for (let i = 0; i < unchecked(net.dims[l]); i++) {
      const bi = net.b(l, i);
      if (bi == 0 && 1.0 / bi < 0) neg = 1;
    }
    unchecked((negZeroBias[l] = neg));
  }
  pointGrowth = Infinity; // no skipping unless `measureGrowth` runs for this point
  const buf = layer1;
  for (let i = 0; i < n1; i++) {
    const bi = net.b(1, i);
    let c = bi;
    let mag = Math.abs(bi);
    let r = 0.0;
    let big = 0.0;
    for (let j = 0; j < d; j++) {
      const w = net.w(1, i, j);
      const t = w * load<f64>(x0 + (<usize>j << 3));
      c += t;
      mag += Math.abs(t);
      if (norm == NORM_INF) r += Math.abs(w);
      else big = Math.max(big, Math.abs(w));
    }
    if (norm == NORM_L2 && big > 0) {
      // Scaled sum of squares: squaring tiny weights would underflow and shrink the radius.
      for (let j = 0; j < d; j++) {
        const w = net.w(1, i, j) / big;
        r += w * w;
      }
      r = big * Math.sqrt(r);
    }
    unchecked((buf[i] = c));
    unchecked((buf[n1 + i] = mag));
    unchecked((buf[2 * n1 + i] = r));
  }
}

/**
 * IBP bounds of every pre-activation over the ball B(x0, eps), into net.lo / net.hi, for the point
 * whose layer-1 data `prepareLayer1` last computed. Lanes of f64x2 hold either two units or the two
 * ends of one unit's interval; each lane runs exactly the scalar recursion (same terms, same order,
 * no fused multiply-add, interval ends chosen by a mask or `select` instead of a branch).
 */
function ibp(net: Net, eps: f64, directed: bool): void {
  const lo = changetype<usize>(net.lo);
  const hi = changetype<usize>(net.hi);
  const maxW = net.maxWidth;
  if (actPair.length < 2 * maxW) {
    actPair = new StaticArray<f64>(2 * maxW);
    liveIn = new StaticArray<i32>(maxW);
  }
  const act = changetype<usize>(actPair);
  const zero = f64x2.splat(0.0);
  // |x| as an and with the sign mask held in a local (f64x2.abs reloads its constant every time).
  const absMask = i64x2.splat(0x7fffffffffffffff);
  const tiny = f64x2.splat(TINY);
  // Layer 1 is affine in x: exact centre ± eps·‖row‖_dual.
  {
    const n1 = unchecked(net.dims[1]);
    const cB = changetype<usize>(layer1);
    const mB = cB + (<usize>n1 << 3);
    const rB = mB + (<usize>n1 << 3);
    const widen = gam(2 * net.d + 12) * SAFE;
    const ev = f64x2.splat(eps);
    const wv = f64x2.splat(widen);
    let i = 0;
    for (; i + 1 < n1; i += 2) {
      const o = <usize>i << 3;
      const c = v128.load(cB + o);
      const r = f64x2.mul(v128.load(rB + o), ev);
      let lw = f64x2.sub(c, r);
      let hw = f64x2.add(c, r);
      if (directed) {
        const e = f64x2.add(f64x2.mul(wv, f64x2.add(v128.load(mB + o), r)), tiny);
        lw = f64x2.sub(lw, e);
        hw = f64x2.add(hw, e);
      }
      v128.store(lo + o, lw);
      v128.store(hi + o, hw);
    }
    if (i < n1) {
      const o = <usize>i << 3;
      const c = load<f64>(cB + o);
      const r = load<f64>(rB + o) * eps;
      let lw = c - r;
      let hw = c + r;
      if (directed) {
        const e = widen * (load<f64>(mB + o) + r) + TINY;
        lw -= e;
        hw += e;
      }
      store<f64>(lo + o, lw);
      store<f64>(hi + o, hw);
    }
  }
  for (let l = 2; l <= net.L; l++) {
    const nOut = unchecked(net.dims[l]);
    const nIn = unchecked(net.dims[l - 1]);
    const cur = lo + (<usize>unchecked(net.uOff[l - 1]) << 3);
    const curHi = hi + (<usize>unchecked(net.uOff[l - 1]) << 3);
    const prevLo = lo + (<usize>unchecked(net.uOff[l - 2]) << 3);
    const prevHi = hi + (<usize>unchecked(net.uOff[l - 2]) << 3);
    const widen = gam(2 * nIn + 12) * SAFE;
    // The previous layer's activation bounds [relu(lo), relu(hi)], computed once per layer, and
    // the inputs where they are not both 0 (with finite weights the others only add ±0).
    const live = changetype<usize>(liveIn);
    const all = unchecked(negZeroBias[l]) != 0;
    let nLive = 0;
    for (let j = 0; j < nIn; j++) {
      const o = <usize>j << 3;
      const p = relu2(f64x2(load<f64>(prevLo + o), load<f64>(prevHi + o)));
      v128.store(act + (o << 1), p);
      if (all || v128.any_true(f64x2.ne(p, zero))) {
        store<i32>(live + (<usize>nLive << 2), j);
        nLive++;
      }
    }
    const W = net.params + (<usize>unchecked(net.wOff[l - 1]) << 3);
    const rowBytes = <usize>nIn << 3;
    let i0 = 0;
    // Two units per f64x2: lanes are units, the interval end each weight takes is a lane mask.
    // Four units per step (two f64x2 groups) first: independent chains, so their latencies overlap.
    for (; i0 + 3 < nOut; i0 += 4) {
      const r0 = W + <usize>i0 * rowBytes;
      const r2 = r0 + (rowBytes << 1);
      const bA = f64x2(net.b(l, i0), net.b(l, i0 + 1));
      const bB = f64x2(net.b(l, i0 + 2), net.b(l, i0 + 3));
      let clA = bA;
      let chA = bA;
      let magA = v128.and(absMask, bA);
      let clB = bB;
      let chB = bB;
      let magB = v128.and(absMask, bB);
      for (let q = 0; q < nLive; q++) {
        const j = load<i32>(live + (<usize>q << 2));
        const o = <usize>j << 3;
        const al = v128.load64_splat(act + (o << 1));
        const ah = v128.load64_splat(act + (o << 1) + 8);
        const wA = v128.load64_lane(r0 + rowBytes + o, v128.load64_zero(r0 + o), 1);
        const wB = v128.load64_lane(r2 + rowBytes + o, v128.load64_zero(r2 + o), 1);
        const posA = f64x2.ge(wA, zero);
        const posB = f64x2.ge(wB, zero);
        clA = f64x2.add(clA, f64x2.mul(wA, v128.bitselect(al, ah, posA)));
        clB = f64x2.add(clB, f64x2.mul(wB, v128.bitselect(al, ah, posB)));
        chA = f64x2.add(chA, f64x2.mul(wA, v128.bitselect(ah, al, posA)));
        chB = f64x2.add(chB, f64x2.mul(wB, v128.bitselect(ah, al, posB)));
        magA = f64x2.add(magA, f64x2.mul(v128.and(absMask, wA), ah));
        magB = f64x2.add(magB, f64x2.mul(v128.and(absMask, wB), ah));
      }
      if (directed) {
        const eA = f64x2.add(f64x2.mul(f64x2.splat(widen), magA), tiny);
        const eB = f64x2.add(f64x2.mul(f64x2.splat(widen), magB), tiny);
        clA = f64x2.sub(clA, eA);
        chA = f64x2.add(chA, eA);
        clB = f64x2.sub(clB, eB);
        chB = f64x2.add(chB, eB);
      }
      v128.store(cur + (<usize>i0 << 3), clA);
      v128.store(curHi + (<usize>i0 << 3), chA);
      v128.store(cur + (<usize>i0 << 3) + 16, clB);
      v128.store(curHi + (<usize>i0 << 3) + 16, chB);
    }
    for (; i0 + 1 < nOut; i0 += 2) {
      const r0 = W + <usize>i0 * rowBytes;
      const b2 = f64x2(net.b(l, i0), net.b(l, i0 + 1));
      let cl = b2;
      let ch = b2;
      let mag = v128.and(absMask, b2);
      for (let q = 0; q < nLive; q++) {
        const j = load<i32>(live + (<usize>q << 2));
        const o = <usize>j << 3;
        const w = v128.load64_lane(r0 + rowBytes + o, v128.load64_zero(r0 + o), 1);
        const al = v128.load64_splat(act + (o << 1));
        const ah = v128.load64_splat(act + (o << 1) + 8);
        const pos = f64x2.ge(w, zero);
        cl = f64x2.add(cl, f64x2.mul(w, v128.bitselect(al, ah, pos)));
        ch = f64x2.add(ch, f64x2.mul(w, v128.bitselect(ah, al, pos)));
        mag = f64x2.add(mag, f64x2.mul(v128.and(absMask, w), ah));
      }
      if (directed) {
        const e = f64x2.add(f64x2.mul(f64x2.splat(widen), mag), tiny);
        cl = f64x2.sub(cl, e);
        ch = f64x2.add(ch, e);
      }
      v128.store(cur + (<usize>i0 << 3), cl);
      v128.store(curHi + (<usize>i0 << 3), ch);
    }
    if (i0 < nOut) {
      // One unit: lanes are the two ends (lower, upper); a negative weight swaps the ends it takes.
      const row = W + <usize>i0 * rowBytes;
      const bi = net.b(l, i0);
      let c = f64x2.splat(bi);
      let mag = Math.abs(bi);
      for (let q = 0; q < nLive; q++) {
        const j = load<i32>(live + (<usize>q << 2));
        const w = load<f64>(row + (<usize>j << 3));
        const p = v128.load(act + (<usize>j << 4));
        const v = select<v128>(p, i64x2.shuffle(p, p, 1, 0), w >= 0);
        c = f64x2.add(c, f64x2.mul(f64x2.splat(w), v));
        mag += Math.abs(w) * f64x2.extract_lane(p, 1);
      }
      let cl = f64x2.extract_lane(c, 0);
      let ch = f64x2.extract_lane(c, 1);
      if (directed) {
        const e = widen * mag + TINY;
        cl -= e;
        ch += e;
      }
      store<f64>(cur + (<usize>i0 << 3), cl);
      store<f64>(curHi + (<usize>i0 << 3), ch);
    }
  }
}

/**
 * Scratch of `crownPair` (grown on demand, reused across calls): two λ vectors and the column sums
 * (λ·W[:, j] and Σ_i |λ_i W_ij|) as f64x2 per unit, and the indices of the rows of λ that are not zero.
 */
let pairBuf = new StaticArray<f64>(0);
let rowIdx = new StaticArray<i32>(0);

/** CROWN lower bounds of +z_{k,unit} and −z_{k,unit} from the last `crownPair`. */
let pairPlus: f64 = 0;
let pairMinus: f64 = 0;

/** Scratch of the CROWN passes: the columns (units of layer l − 1) a layer's pass visits. */
let colIdx = new StaticArray<i32>(0);
/**
 * True when no value of the current CROWN passes can overflow (set per ball from the network's
 * weights, the point and the radius). Then a unit of layer l − 1 that is always inactive (u ≤ 0)
 * contributes exactly nothing: its coefficient is 0 and its rounding term γ·Σ|λ_i W_ij|·max(u, 0)
 * is a finite number times +0; its column sum can be skipped.
 */
let crownSkip = false;
/** Growth bound of the prepared point without the radius (see `measureGrowth`); ∞: not measured. */
let pointGrowth: f64 = Infinity;

/**
 * Set `pointGrowth` for the prepared point: every bound and coefficient of IBP and CROWN is at most
 * Π_l (N_{l−1}·max|W_l| + max|b_l| + 1) · (max|x0| + 1) · (1 + eps) in magnitude (and a product of
 * two such numbers at most its square), so below 1e150 nothing overflows and nothing is NaN
 * (weights, biases and x0 are finite). It costs a pass over the parameters, so only the bisection
 * (~20 balls per point) and `outputBounds` measure it; a lone `certifyBall` sums every column.
 */
function measureGrowth(net: Net, x0: usize): void {
  let growth = 1.0;
  for (let l = 1; l <= net.L; l++) {
    const nOut = unchecked(net.dims[l]);
    const nIn = unchecked(net.dims[l - 1]);
    let maxB = 0.0;
    for (let i = 0; i < nOut; i++) {
      const b = Math.abs(net.b(l, i));
      maxB = b > maxB ? b : maxB;
    }
    const W = net.params + (<usize>unchecked(net.wOff[l - 1]) << 3);
    let maxW = 0.0;
    for (let q = 0; q < nOut * nIn; q++) {
      const w = Math.abs(load<f64>(W + (<usize>q << 3)));
      maxW = w > maxW ? w : maxW;
    }
    growth *= <f64>nIn * maxW + maxB + 1.0;
  }
  let maxX = 0.0;
  for (let j = 0; j < net.d; j++) {
    const x = Math.abs(load<f64>(x0 + (<usize>j << 3)));
    maxX = x > maxX ? x : maxX;
  }
  pointGrowth = growth * (maxX + 1.0);
}

/** Whether CROWN may skip always-inactive units at radius eps (see `crownSkip`, `measureGrowth`). */
@inline function skipAllowed(eps: f64): bool {
  return pointGrowth * (1.0 + eps) < 1e150;
}

/** The units j of layer l − 1 whose column of W_l a CROWN pass must sum, into `cols`; returns their number. */
@inline function liveColumns(net: Net, l: i32, cols: usize): i32 {
  const nIn = unchecked(net.dims[l - 1]);
  let n = 0;
  if (l >= 2 && crownSkip) {
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
 * the bounds of layers 1..k−1 currently in net.lo / net.hi; results in `pairPlus` / `pairMinus`.
 *
 * The two seeds run side by side, one per f64x2 lane, and each lane performs exactly the scalar
 * recursion of the straightforward one-λ backward pass: every sum runs over the units in increasing
 * order, lanes round like scalars (no fused multiply-add), and where a ReLU's relaxation depends on
 * the sign of its coefficient both candidates are computed and the lane picks its own. Terms that
 * the scalar pass would skip (rows of λ that are zero, constant terms of the other branch) are
 * either skipped for both lanes or added as +0, which leaves a sum that started at +0 unchanged
 * (such a sum is never −0, and weights and biases are finite), so both lanes are bit-identical to
 * two separate scalar passes.
 */
function crownPair(net: Net, k: i32, unit: i32, x0: usize, eps: f64, norm: i32, directed: bool): void {
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
  for (let l = k; l >= 1; l--) {
    const nOut = unchecked(net.dims[l]);
    const nIn = unchecked(net.dims[l - 1]);
    const W = params + (<usize>unchecked(net.wOff[l - 1]) << 3);
    const rowBytes = <usize>nIn << 3;
    const nCols = liveColumns(net, l, cols);
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
          const vPos = uj > -lj ? a : zero;
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
        slack = f64x2.add(slack, f64x2.mul(f64x2.mul(g1, aAbs), f64x2.splat(Math.abs(xj) + eps)));
        const t = f64x2.mul(a, f64x2.splat(xj));
        val = f64x2.add(val, t);
        mag = f64x2.add(mag, v128.and(absMask, t));
        if (norm == NORM_INF) dual = f64x2.add(dual, v128.and(absMask, a));
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
      const pen = f64x2.mul(f64x2.splat(eps), dual);
      let res = f64x2.sub(f64x2.add(val, cst), pen);
      if (directed) {
        const t0 = terms + <i32>f64x2.extract_lane(negs, 0);
        const t1 = terms + <i32>f64x2.extract_lane(negs, 1);
        const gv = f64x2(gam(2 * t0 + 2 * d + 16), gam(2 * t1 + 2 * d + 16));
        slack = f64x2.add(slack, f64x2.mul(gv, f64x2.add(mag, pen)));
        res = f64x2.sub(res, f64x2.add(f64x2.mul(slack, f64x2.splat(SAFE)), f64x2.splat(TINY)));
      }
      pairPlus = f64x2.extract_lane(res, 0);
      pairMinus = f64x2.extract_lane(res, 1);
    }
  }
}

/** Scratch of `crownPair2`: λ rows and column sums hold the two units' f64x2 side by side. */
let pair2Buf = new StaticArray<f64>(0);
let pair2Plus: f64 = 0;
let pair2Minus: f64 = 0;

/**
 * `crownPair` for two units of layer k at once (unitA's lanes in one f64x2, unitB's in another):
 * results of unitA in `pairPlus` / `pairMinus`, of unitB in `pair2Plus` / `pair2Minus`. The two
 * passes are independent chains that overlap in the pipeline; the row list is the union of both
 * units' non-zero rows (a row that is zero in one unit adds +0 there, which changes nothing), and
 * each lane is again exactly the scalar pass.
 */
function crownPair2(net: Net, k: i32, unitA: i32, unitB: i32, x0: usize, eps: f64, norm: i32, directed: bool): void {
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
    const nCols = liveColumns(net, l, cols);
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
        const xe = f64x2.splat(Math.abs(xj) + eps);
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
      const penA = f64x2.mul(ev, dualA);
      const penB = f64x2.mul(ev, dualB);
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
      pairPlus = f64x2.extract_lane(resA, 0);
      pairMinus = f64x2.extract_lane(resA, 1);
      pair2Plus = f64x2.extract_lane(resB, 0);
      pair2Minus = f64x2.extract_lane(resB, 1);
    }
  }
}

/**
 * Bounds of φ over B(x0, eps) with the methods in `method` (CERT_IBP, CERT_CROWN; CROWN bounds are
 * intersected with IBP's, which is always valid). Results in `boundLo` / `boundHi`.
 */
export function outputBounds(net: Net, x0: usize, eps: f64, norm: i32, method: i32, directed: bool): void {
  prepareLayer1(net, x0, norm);
  if ((method & CERT_CROWN) != 0) measureGrowth(net, x0);
  ibp(net, eps, directed);
  crownRefine(net, x0, eps, norm, method, directed);
}

/** With CERT_CROWN in `method`, tighten the IBP bounds in net.lo / net.hi by CROWN; sets boundLo/Hi. */
function crownRefine(net: Net, x0: usize, eps: f64, norm: i32, method: i32, directed: bool): void {
  const L = net.L;
  const lo = net.lo;
  const hi = net.hi;
  // Tighten hidden layers 2..L−1 (layer 1 is exact already), then the output.
  if ((method & CERT_CROWN) != 0) crownTighten(net, x0, eps, norm, directed, L);
  const o = unchecked(net.uOff[L - 1]);
  boundLo = unchecked(lo[o]);
  boundHi = unchecked(hi[o]);
}

/** Intersect unit u's bounds with the CROWN bounds [lb, ub]. */
@inline function tightenUnit(lo: StaticArray<f64>, hi: StaticArray<f64>, u: i32, lb: f64, ub: f64): void {
  if (lb > unchecked(lo[u])) unchecked((lo[u] = lb));
  if (ub < unchecked(hi[u])) unchecked((hi[u] = ub));
}

/** CROWN-tighten the bounds in net.lo / net.hi of layers 2..kMax in turn (both signs per unit). */
function crownTighten(net: Net, x0: usize, eps: f64, norm: i32, directed: bool, kMax: i32): void {
  crownSkip = skipAllowed(eps);
  const L = net.L;
  const lo = net.lo;
  const hi = net.hi;
  for (let k = 2; k <= kMax; k++) {
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
      crownPair2(net, k, pending, i, x0, eps, norm, directed);
      tightenUnit(lo, hi, off + pending, pairPlus, -pairMinus);
      tightenUnit(lo, hi, off + i, pair2Plus, -pair2Minus);
      pending = -1;
    }
    if (pending >= 0) {
      crownPair(net, k, pending, x0, eps, norm, directed);
      tightenUnit(lo, hi, off + pending, pairPlus, -pairMinus);
    }
  }
}

/** True when every point of B(x0, eps) provably has |φ − y| < 1/2 (f ≡ y on the ball). */
export function certifyBall(net: Net, x0: usize, y: i32, eps: f64, norm: i32, method: i32, directed: bool): bool {
  prepareLayer1(net, x0, norm);
  return certifyPrepared(net, x0, y, eps, norm, method, directed);
}

/** `certifyBall` for the point whose layer-1 data `prepareLayer1` last computed (with `norm`). */
function certifyPrepared(net: Net, x0: usize, y: i32, eps: f64, norm: i32, method: i32, directed: bool): bool {
  const fy = <f64>y;
  ibp(net, eps, directed);
  const o = unchecked(net.uOff[net.L - 1]);
  // IBP alone often suffices (small balls); CROWN only runs when it is needed.
  if (unchecked(net.lo[o]) > fy - 0.5 && unchecked(net.hi[o]) < fy + 0.5) return true;
  if ((method & CERT_CROWN) == 0) return false;
  // Hidden layers as in crownRefine; the output only on the side(s) IBP left open, failing side
  // first. The output's two passes read only the (final) hidden bounds and do not affect each
  // other, so the verdict is exactly that of crownRefine's intersected bounds.
  const L = net.L;
  if (L < 2) return false; // no hidden layer: CROWN has nothing to tighten beyond IBP (as in crownRefine)
  crownTighten(net, x0, eps, norm, directed, L - 1);
  let lb = unchecked(net.lo[o]);
  let ub = unchecked(net.hi[o]);
  // Both output passes run at once (one per lane); the second is only read when needed.
  crownPair(net, L, 0, x0, eps, norm, directed);
  if (!(lb > fy - 0.5)) {
    const c = pairPlus;
    if (c > lb) lb = c;
    if (!(lb > fy - 0.5)) return false;
  }
  if (!(ub < fy + 0.5)) {
    const c = -pairMinus;
    if (c < ub) ub = c;
  }
  return lb > fy - 0.5 && ub < fy + 0.5;
}

/**
 * Largest radius in [0, rMax] certified by bisection (`iters` halvings); 0 when even the centre is
 * not certified. The caller passes rMax strictly below the distance to f's nearest discontinuity,
 * so f ≡ y on every ball tried; no larger radius is ever needed because the true robustness radius
 * of a continuous φ never exceeds that distance (docs/theory.md, part I).
 * Every returned radius was certified itself, so the result is sound even where the method's
 * verdict is not monotone in the radius.
 */
export function certifiedRadius(net: Net, x0: usize, y: i32, rMax: f64, norm: i32, method: i32, directed: bool, iters: i32): f64 {
  prepareLayer1(net, x0, norm);
  if ((method & CERT_CROWN) != 0) measureGrowth(net, x0);
  if (!certifyPrepared(net, x0, y, 0.0, norm, method, directed)) return 0.0;
  if (certifyPrepared(net, x0, y, rMax, norm, method, directed)) return rMax;
  let a = 0.0;
  let b = rMax;
  for (let it = 0; it < iters; it++) {
    const mid = 0.5 * (a + b);
    if (certifyPrepared(net, x0, y, mid, norm, method, directed)) a = mid;
    else b = mid;
  }
  return a;
}
