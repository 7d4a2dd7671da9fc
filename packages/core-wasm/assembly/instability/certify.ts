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

/** Lower and upper bound of φ from the last `outputBounds` call. */
export let boundLo: f64 = 0;
export let boundHi: f64 = 0;

/** IBP bounds of every pre-activation over the ball B(x0, eps), into net.lo / net.hi. */
export function ibp(net: Net, x0: usize, eps: f64, norm: i32, directed: bool): void {
  const lo = net.lo;
  const hi = net.hi;
  const d = net.d;
  for (let l = 1; l <= net.L; l++) {
    const nOut = unchecked(net.dims[l]);
    const nIn = unchecked(net.dims[l - 1]);
    const cur = unchecked(net.uOff[l - 1]);
    const prev = l >= 2 ? unchecked(net.uOff[l - 2]) : 0;
    const widen = gam(2 * nIn + 12) * SAFE;
    // The previous layer's activation bounds [relu(lo), relu(hi)], computed once per layer.
    const actLo = net.va;
    const actHi = net.vb;
    if (l >= 2) {
      for (let j = 0; j < nIn; j++) {
        unchecked((actLo[j] = Math.max(unchecked(lo[prev + j]), 0.0)));
        unchecked((actHi[j] = Math.max(unchecked(hi[prev + j]), 0.0)));
      }
    }
    const W = net.params + (<usize>unchecked(net.wOff[l - 1]) << 3);
    let i0 = 0;
    if (l >= 2) {
      // Two units per f64x2: each lane runs exactly the scalar loop below for its own unit (same
      // terms, same order, no FMA; the interval end is chosen by a lane mask instead of a branch).
      const rowBytes = <usize>nIn << 3;
      const zero = f64x2.splat(0.0);
      for (; i0 + 1 < nOut; i0 += 2) {
        const r0 = W + (<usize>(i0 * nIn) << 3);
        const b2 = f64x2(net.b(l, i0), net.b(l, i0 + 1));
        let cl = b2;
        let ch = b2;
        let mag = f64x2.abs(b2);
        for (let j = 0; j < nIn; j++) {
          const o = <usize>j << 3;
          const w = v128.load64_lane(r0 + rowBytes + o, v128.load64_zero(r0 + o), 1);
          const al = f64x2.splat(unchecked(actLo[j]));
          const ah = f64x2.splat(unchecked(actHi[j]));
          const pos = f64x2.ge(w, zero);
          cl = f64x2.add(cl, f64x2.mul(w, v128.bitselect(al, ah, pos)));
          ch = f64x2.add(ch, f64x2.mul(w, v128.bitselect(ah, al, pos)));
          mag = f64x2.add(mag, f64x2.mul(f64x2.abs(w), ah));
        }
        let cl0 = f64x2.extract_lane(cl, 0);
        let ch0 = f64x2.extract_lane(ch, 0);
        let cl1 = f64x2.extract_lane(cl, 1);
        let ch1 = f64x2.extract_lane(ch, 1);
        if (directed) {
          const e0 = widen * f64x2.extract_lane(mag, 0) + TINY;
          const e1 = widen * f64x2.extract_lane(mag, 1) + TINY;
          cl0 -= e0;
          ch0 += e0;
          cl1 -= e1;
          ch1 += e1;
        }
        unchecked((lo[cur + i0] = cl0));
        unchecked((hi[cur + i0] = ch0));
        unchecked((lo[cur + i0 + 1] = cl1));
        unchecked((hi[cur + i0 + 1] = ch1));
      }
    }
    for (let i = i0; i < nOut; i++) {
      const row = W + (<usize>(i * nIn) << 3);
      const bi = net.b(l, i);
      let c = bi;
      let mag = Math.abs(bi);
      if (l == 1) {
        // The first layer is affine in x: exact centre ± eps·‖row‖_dual.
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
        r *= eps;
        let lw = c - r;
        let hw = c + r;
        if (directed) {
          const e = widen * (mag + r) + TINY;
          lw -= e;
          hw += e;
        }
        unchecked((lo[cur + i] = lw));
        unchecked((hi[cur + i] = hw));
      } else {
        let cl = c;
        let ch = c;
        let p = row;
        for (let j = 0; j < nIn; j++) {
          const w = load<f64>(p);
          p += 8;
          const al = unchecked(actLo[j]);
          const ah = unchecked(actHi[j]);
          if (w >= 0) {
            cl += w * al;
            ch += w * ah;
          } else {
            cl += w * ah;
            ch += w * al;
          }
          mag += Math.abs(w) * ah;
        }
        if (directed) {
          const e = widen * mag + TINY;
          cl -= e;
          ch += e;
        }
        unchecked((lo[cur + i] = cl));
        unchecked((hi[cur + i] = ch));
      }
    }
  }
}

/**
 * acc[j] = Σ_i λ_i W[i, j] and accAbs[j] = Σ_i |λ_i W[i, j]| for j < nIn, W row-major nOut × nIn.
 * Rows are walked contiguously (two columns per f64x2), but every column is still summed over i in
 * increasing order with the terms of zero λ_i skipped, and lanes round like scalars (no fused
 * multiply-add), so each sum is bit-identical to the column-by-column loop it replaces.
 */
@inline function colSums(cur: StaticArray<f64>, nOut: i32, W: usize, nIn: i32, acc: StaticArray<f64>, accAbs: StaticArray<f64>): void {
  const pa = changetype<usize>(acc);
  const pb = changetype<usize>(accAbs);
  for (let j = 0; j < nIn; j++) {
    unchecked((acc[j] = 0.0));
    unchecked((accAbs[j] = 0.0));
  }
  const n2 = nIn & ~1;
  const rowBytes = <usize>nIn << 3;
  let row = W;
  for (let i = 0; i < nOut; i++, row += rowBytes) {
    const ci = unchecked(cur[i]);
    if (ci == 0) continue;
    const cv = f64x2.splat(ci);
    let j = 0;
    for (; j < n2; j += 2) {
      const o = <usize>j << 3;
      const t = f64x2.mul(cv, v128.load(row + o));
      v128.store(pa + o, f64x2.add(v128.load(pa + o), t));
      v128.store(pb + o, f64x2.add(v128.load(pb + o), f64x2.abs(t)));
    }
    if (j < nIn) {
      const t = ci * load<f64>(row + (<usize>j << 3));
      unchecked((acc[j] += t));
      unchecked((accAbs[j] += Math.abs(t)));
    }
  }
}

/**
 * CROWN lower bound of λ·z_k over B(x0, eps), λ given in net.va (N_k values, clobbered), using the
 * bounds of layers 1..k−1 currently in net.lo / net.hi.
 */
function crownLower(net: Net, k: i32, x0: usize, eps: f64, norm: i32, directed: bool): f64 {
  let cur = net.va;
  let nxt = net.vb;
  let cst = 0.0;
  let mag = 0.0;
  let slack = 0.0;
  let terms = 0;
  const lo = net.lo;
  const hi = net.hi;
  const sa = net.sa;
  const sb = net.sb;
  for (let l = k; l >= 2; l--) {
    const nOut = unchecked(net.dims[l]);
    const nIn = unchecked(net.dims[l - 1]);
    const prev = unchecked(net.uOff[l - 2]);
    const g = gam(nOut + 2);
    if (net.bias) {
      for (let i = 0; i < nOut; i++) {
        const t = unchecked(cur[i]) * net.b(l, i);
        cst += t;
        mag += Math.abs(t);
      }
      terms += nOut;
    }
    const W = net.params + (<usize>unchecked(net.wOff[l - 1]) << 3);
    // λ·W_l column by column; λ is sparse (unit seeds, inactive units), so zero rows are skipped.
    colSums(cur, nOut, W, nIn, sa, sb);
    for (let j = 0; j < nIn; j++) {
      const a = unchecked(sa[j]);
      const aAbs = unchecked(sb[j]);
      const lj = unchecked(lo[prev + j]);
      const uj = unchecked(hi[prev + j]);
      // The rounding error of a = λ·W[:, j] multiplies the activation, which lies in [0, max(u, 0)].
      slack += g * aAbs * Math.max(uj, 0.0);
      let v = 0.0;
      if (lj >= 0) {
        v = a; // always active: relu is the identity on [l, u]
      } else if (uj <= 0) {
        v = 0.0; // always inactive
      } else if (a >= 0) {
        // Lower relaxation relu(z) ≥ α z with α ∈ {0, 1}, the one with the smaller area.
        v = uj > -lj ? a : 0.0;
      } else {
        // Upper relaxation relu(z) ≤ s (z − l), s ≥ u/(u − l) (rounded up keeps it valid).
        const s = (uj / (uj - lj)) * (1.0 + 4.0 * U);
        v = a * s;
        const t = -v * lj;
        cst += t;
        mag += Math.abs(t);
        terms++;
        // v and t are rounded products: each is off by ≤ u|v|·max|z|.
        slack += 2.0 * U * Math.abs(v) * Math.max(-lj, uj);
      }
      unchecked((nxt[j] = v));
    }
    const tmp = cur;
    cur = nxt;
    nxt = tmp;
  }
  // Layer 1: λ·(W_1 x + b_1), minimised over the ball in closed form (dual norm).
  const n1 = unchecked(net.dims[1]);
  const d = net.d;
  if (net.bias) {
    for (let i = 0; i < n1; i++) {
      const t = unchecked(cur[i]) * net.b(1, i);
      cst += t;
      mag += Math.abs(t);
    }
    terms += n1;
  }
  const g1 = gam(n1 + 2);
  let val = 0.0;
  let dual = 0.0;
  let big = 0.0;
  const coef = net.vc;
  const W1 = net.params + (<usize>unchecked(net.wOff[0]) << 3);
  colSums(cur, n1, W1, d, sa, sb);
  for (let j = 0; j < d; j++) {
    const a = unchecked(sa[j]);
    const aAbs = unchecked(sb[j]);
    const xj = load<f64>(x0 + (<usize>j << 3));
    slack += g1 * aAbs * (Math.abs(xj) + eps);
    const t = a * xj;
    val += t;
    mag += Math.abs(t);
    if (norm == NORM_INF) dual += Math.abs(a);
    else big = Math.max(big, Math.abs(a));
    unchecked((coef[j] = a));
  }
  terms += d;
  if (norm == NORM_L2 && big > 0) {
    // Scaled, so that squares of tiny coefficients do not underflow to 0.
    for (let j = 0; j < d; j++) {
      const a = unchecked(coef[j]) / big;
      dual += a * a;
    }
    dual = big * Math.sqrt(dual);
  }
  const pen = eps * dual;
  let res = val + cst - pen;
  if (directed) {
    slack += gam(2 * terms + 2 * d + 16) * (mag + pen);
    res -= slack * SAFE + TINY;
  }
  return res;
}

/**
 * Bounds of φ over B(x0, eps) with the methods in `method` (CERT_IBP, CERT_CROWN; CROWN bounds are
 * intersected with IBP's, which is always valid). Results in `boundLo` / `boundHi`.
 */
export function outputBounds(net: Net, x0: usize, eps: f64, norm: i32, method: i32, directed: bool): void {
  ibp(net, x0, eps, norm, directed);
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

/** CROWN-tighten the bounds in net.lo / net.hi of layers 2..kMax in turn (both signs per unit). */
function crownTighten(net: Net, x0: usize, eps: f64, norm: i32, directed: bool, kMax: i32): void {
  const L = net.L;
  const lo = net.lo;
  const hi = net.hi;
  const va = net.va;
  for (let k = 2; k <= kMax; k++) {
    const nk = unchecked(net.dims[k]);
    const off = unchecked(net.uOff[k - 1]);
    for (let i = 0; i < nk; i++) {
      // A hidden unit that IBP already proves stable is relaxed exactly: tightening it is useless.
      if (k < L && (unchecked(lo[off + i]) >= 0 || unchecked(hi[off + i]) <= 0)) continue;
      for (let q = 0; q < nk; q++) unchecked((va[q] = 0.0));
      unchecked((va[i] = 1.0));
      const lb = crownLower(net, k, x0, eps, norm, directed);
      for (let q = 0; q < nk; q++) unchecked((va[q] = 0.0));
      unchecked((va[i] = -1.0));
      const ub = -crownLower(net, k, x0, eps, norm, directed);
      if (lb > unchecked(lo[off + i])) unchecked((lo[off + i] = lb));
      if (ub < unchecked(hi[off + i])) unchecked((hi[off + i] = ub));
    }
  }
}

/** True when every point of B(x0, eps) provably has |φ − y| < 1/2 (f ≡ y on the ball). */
export function certifyBall(net: Net, x0: usize, y: i32, eps: f64, norm: i32, method: i32, directed: bool): bool {
  const fy = <f64>y;
  ibp(net, x0, eps, norm, directed);
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
  const va = net.va;
  if (!(lb > fy - 0.5)) {
    unchecked((va[0] = 1.0));
    const c = crownLower(net, L, x0, eps, norm, directed);
    if (c > lb) lb = c;
    if (!(lb > fy - 0.5)) return false;
  }
  if (!(ub < fy + 0.5)) {
    unchecked((va[0] = -1.0));
    const c = -crownLower(net, L, x0, eps, norm, directed);
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
  if (!certifyBall(net, x0, y, 0.0, norm, method, directed)) return 0.0;
  if (certifyBall(net, x0, y, rMax, norm, method, directed)) return rMax;
  let a = 0.0;
  let b = rMax;
  for (let it = 0; it < iters; it++) {
    const mid = 0.5 * (a + b);
    if (certifyBall(net, x0, y, mid, norm, method, directed)) a = mid;
    else b = mid;
  }
  return a;
}
