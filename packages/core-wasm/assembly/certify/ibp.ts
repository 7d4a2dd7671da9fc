// Interval bound propagation (IBP) of a ReLU network over an ℓ∞ or ℓ2 ball, sound in floating point
// (rounding.ts), and the per-centre data it and CROWN (crown.ts) share. Problem-agnostic: the
// network is a `Net` view and the ball a centre plus a radius; no labels are involved.

import { Net } from "../instability/net";
import { gam, relu2, NORM_BOX, NORM_INF, NORM_L2, SAFE, TINY } from "./rounding";

/**
 * The data of one ball centre x0 that does not depend on the radius, filled by `prepareCentre`
 * and read by `ibp` and the CROWN passes for every radius tried around that centre (a certified
 * radius bisects ~20 radii around one point). Everything here is computed from (net, x0, norm).
 */
export class Centre {
  /** The centre's address (d values); its values must not change while the Centre is in use. */
  x0: usize = 0;
  /** Ball norm (NORM_INF, NORM_L2, or NORM_BOX with half-widths at `rho`). */
  norm: i32 = NORM_INF;
  /** For NORM_BOX: the box's half-widths ρ_j (d values); the ball of radius eps is x0 ± eps·ρ. */
  rho: usize = 0;
  /**
   * Layer-1 data: for every first-layer unit i its centre c_i = b_i + Σ_j W_ij x0_j, the magnitude
   * |b_i| + Σ_j |W_ij x0_j| of that sum, and the dual norm ‖W_i‖_* (ℓ1 for ℓ∞ balls, ℓ2 for ℓ2
   * balls). Laid out as three runs of N_1 values.
   */
  layer1: StaticArray<f64> = new StaticArray<f64>(0);
  /**
   * Per layer l (index l), 1 when some bias of the layer is −0. IBP may skip the inputs whose
   * activation bounds are both exactly 0 (their terms are ±0, which cannot change a running sum
   * that is not −0); a sum that starts at a bias of −0 could be moved to +0 by such a term, so
   * those layers add every term.
   */
  negZeroBias: StaticArray<i32> = new StaticArray<i32>(0);
  /**
   * Growth bound of the centre without the radius (see `measureGrowth`); ∞ until measured, which
   * disables CROWN's skipping of always-inactive columns.
   */
  growth: f64 = Infinity;
}

/** IBP scratch: the previous layer's activation bounds (relu(lo_j), relu(hi_j)) as f64x2 per unit. */
let actPair = new StaticArray<f64>(0);
/** IBP scratch: the inputs of the current layer whose activation bounds are not both 0. */
let liveIn = new StaticArray<i32>(0);

/** Fill `ctr` for the centre x0 and `norm` (its growth bound is reset to ∞: not measured). */
export function prepareCentre(net: Net, ctr: Centre, x0: usize, norm: i32, rho: usize = 0): void {
  const n1 = unchecked(net.dims[1]);
  const d = net.d;
  ctr.x0 = x0;
  ctr.norm = norm;
  ctr.rho = rho;
  if (ctr.layer1.length < 3 * n1) ctr.layer1 = new StaticArray<f64>(3 * n1);
  if (ctr.negZeroBias.length < net.L + 1) ctr.negZeroBias = new StaticArray<i32>(net.L + 1);
  const negZeroBias = ctr.negZeroBias;
  for (let l = 1; l <= net.L; l++) {
    let neg = 0;
    for (let i = 0; i < unchecked(net.dims[l]); i++) {
      const bi = net.b(l, i);
      if (bi == 0 && 1.0 / bi < 0) neg = 1;
    }
    unchecked((negZeroBias[l] = neg));
  }
  ctr.growth = Infinity; // no skipping unless `measureGrowth` runs for this centre
  const buf = ctr.layer1;
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
      else if (norm == NORM_BOX) r += Math.abs(w) * load<f64>(rho + (<usize>j << 3));
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
 * IBP bounds of every pre-activation over the ball B(ctr.x0, eps), into net.lo / net.hi. Lanes of
 * f64x2 hold either two units or the two ends of one unit's interval; each lane runs exactly the
 * scalar recursion (same terms, same order, no fused multiply-add, interval ends chosen by a mask
 * or `select` instead of a branch).
 *
 * With `clamp` ≠ 0 (branch and bound: the bounds of an enclosing domain, valid here too), the
 * bounds of every hidden layer are intersected with clamp's (lo of the N_1 + … + N_{L−1} hidden
 * units, then their hi) as soon as the layer is computed, so the next layer starts from them.
 */
export function ibp(net: Net, ctr: Centre, eps: f64, directed: bool, clamp: usize = 0): void {
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
    const cB = changetype<usize>(ctr.layer1);
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
  if (clamp != 0 && net.L >= 2) clampLayer(net, 1, clamp);
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
    const all = unchecked(ctr.negZeroBias[l]) != 0;
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
    if (clamp != 0 && l < net.L) clampLayer(net, l, clamp);
  }
}

/**
 * Intersect layer l's bounds in net.lo / net.hi with those at `clamp` (hidden units' lo, then their
 * hi, in the layout of net.lo). Both enclose the unit's exact range over the (non-empty) domain,
 * so the intersection does too.
 */
export function clampLayer(net: Net, l: i32, clamp: usize): void {
  const H = <usize>unchecked(net.uOff[net.L - 1]);
  const off = unchecked(net.uOff[l - 1]);
  const lo = net.lo;
  const hi = net.hi;
  for (let i = 0; i < unchecked(net.dims[l]); i++) {
    const u = off + i;
    const a = load<f64>(clamp + (<usize>u << 3));
    const b = load<f64>(clamp + ((H + <usize>u) << 3));
    if (a > unchecked(lo[u])) unchecked((lo[u] = a));
    if (b < unchecked(hi[u])) unchecked((hi[u] = b));
  }
}

/**
 * Measure `ctr.growth` for the prepared centre: every bound and coefficient of IBP and CROWN is at most
 * Π_l (N_{l−1}·max|W_l| + max|b_l| + 1) · (max|x0| + 1) · (1 + eps) in magnitude (and a product of
 * two such numbers at most its square), so below 1e150 nothing overflows and nothing is NaN
 * (weights, biases and x0 are finite). It costs a pass over the parameters, so only the bisection
 * (~20 balls per point) and `outputBounds` measure it; a lone ball check sums every column.
 */
export function measureGrowth(net: Net, ctr: Centre): void {
  const x0 = ctr.x0;
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
  ctr.growth = growth * (maxX + 1.0);
}

/**
 * Whether no value of the CROWN passes over B(ctr.x0, eps) can overflow (`measureGrowth`), so that
 * they may skip the columns of always-inactive units (see crown.ts).
 */
@inline export function skipAllowed(ctr: Centre, eps: f64): bool {
  return ctr.growth * (1.0 + eps) < 1e150;
}
