// Exact number of linear pieces of a network along a segment x(t) = p + t(q − p), t ∈ [0, 1].
//
// The segment is pushed through the hidden layers one at a time. Before layer l, the layer's input
// is affine in t between consecutive breakpoints, so each pre-activation z_i is affine there too
// and changes sign at most once per interval: at s = z_i(t_k)/(z_i(t_k) − z_i(t_{k+1})). Those
// crossings become new breakpoints (with every z interpolated there, exactly affine, and the
// crossing neuron set to exactly 0), then ReLU is applied. After the last hidden layer φ is affine
// on every interval. Adjacent intervals whose output slopes differ (a neuron whose kink something
// downstream sees) are kept apart, the others merged, so the count is the number of maximal
// intervals on which φ is affine. Each hidden layer can at most multiply the number of intervals by
// N_l + 1, which is why the count never exceeds P(N) = Π (N_l + 1).
//
// Decisions are certified, not guessed with a tolerance: each interval's output slope is computed
// with a rigorous bound of its rounding error (the activation pattern at the interval's midpoint
// is certified too: no pre-activation there within its own error bound of 0 unless its derivative
// is exactly 0), and two slopes count as different only when they differ by more than both error
// bounds. When some decision cannot be certified (slopes within rounding of each other, or an
// uncertain pattern) the kernel merges, as before, and reports the count as ambiguous; the
// TypeScript wrapper then recounts in exact rational arithmetic (src/pieces-exact.ts).

import { dimAt, mlpMaxWidth, layerParamCount } from "../nn/mlp";

/** Unit roundoff of f64 and γ_n = n·u/(1 − n·u) (Higham's bound for a sum of n products). */
const U: f64 = 1.1102230246251565e-16;
@inline function gam(n: i32): f64 {
  const nu = <f64>n * U;
  return nu / (1.0 - nu);
}

/** f64 elements of the work buffer for `countPiecesSegment` with room for `cap` breakpoints. */
export function piecesWorkSize(dims: usize, L: i32, cap: i32): i32 {
  const W = mlpMaxWidth(dims, L);
  // two value tables (cap × W), two t arrays, crossing scratch (2W), derivative scratch (4W) and
  // its magnitudes (4W), slope of the previous interval and of the current one with their error
  // bounds (4 × N_L).
  // Three sign tables of the hidden units (left end, midpoint, right end of an interval).
  let hidden = 0;
  for (let l = 1; l < L; l++) hidden += dimAt(dims, l);
  return 2 * cap * W + 2 * cap + 2 * W + 8 * W + 4 * dimAt(dims, L) + 3 * hidden;
}

// @ts-ignore: decorator
@inline
function f(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline
function setf(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/**
 * Output slopes dφ/dt at the point x(t) along direction q − p, with the activation pattern of
 * that point: a forward pass carrying (value, derivative) pairs. Writes N_L slopes to `slope` and
 * a bound of each one's rounding error (for that pattern) to `slopeErr`. Returns the number of
 * hidden units whose side is not certain: a pre-activation with a non-zero derivative within its
 * rounding error bound of 0 (the point may sit on that unit's kink, or on either side of it).
 * When `signs` ≠ 0, each hidden unit's side goes there as an f64: 1 (certainly active), −1
 * (certainly inactive), 0 (uncertain), 2 (constant along the segment: no kink to find).
 *
 * Error bounds: a computed value is Σ products of a row with the previous layer's computed values;
 * carrying alongside each value the magnitude Σ|w|·|magnitude| (+|b|), every value of layer l is
 * within γ_{K_l}·magnitude of the exact one for its pattern, K_l = Σ_{k ≤ l}(N_{k−1} + 2) + 4 (the
 * standard bound for products of matrices and a vector, with the input's own rounding).
 */
function slopeAt(
  dims: usize, L: i32, bias: bool, params: usize, p: usize, q: usize, t: f64, scratch: usize, slope: usize, slopeErr: usize,
  signs: usize,
): i32 {
  const W = mlpMaxWidth(dims, L);
  let va = scratch;
  let da = va + (<usize>W << 3);
  let vb = da + (<usize>W << 3);
  let db = vb + (<usize>W << 3);
  // Magnitudes of the values and derivatives (same layout, after the four value rows).
  let ma = db + (<usize>W << 3);
  let mda = ma + (<usize>W << 3);
  let mb = mda + (<usize>W << 3);
  let mdb = mb + (<usize>W << 3);
  const d = dimAt(dims, 0);
  for (let j = 0; j < d; j++) {
    const pj = f(p, j);
    const dj = f(q, j) - pj;
    setf(va, j, pj + t * dj);
    setf(da, j, dj);
    setf(ma, j, Math.abs(pj) + Math.abs(t) * Math.abs(dj) * 2.0);
    setf(mda, j, Math.abs(dj));
  }
  let uncertain = 0;
  let unit = 0;
  let K = 4;
  let w = params;
  for (let l = 1; l <= L; l++) {
    const nin = dimAt(dims, l - 1);
    const nout = dimAt(dims, l);
    K += nin + 2;
    const g = gam(K) * (1.0 + 1e-10);
    for (let i = 0; i < nout; i++) {
      let z: f64 = 0;
      let dz: f64 = 0;
      let mz: f64 = 0;
      let mdz: f64 = 0;
      const row = w + ((<usize>i * nin) << 3);
      for (let j = 0; j < nin; j++) {
        const wij = load<f64>(row + (<usize>j << 3));
        z += wij * f(va, j);
        dz += wij * f(da, j);
        mz += Math.abs(wij) * f(ma, j);
        mdz += Math.abs(wij) * f(mda, j);
      }
      if (bias) {
        const bi = load<f64>(w + ((<usize>(nout * nin + i)) << 3));
        z += bi;
        mz += Math.abs(bi);
      }
      // The pattern is certain where |z| exceeds its error bound, or where the unit's derivative
      // is exactly 0 along the segment (then either side gives the same slope).
      if (l < L) {
        const e = g * mz + 1e-300;
        let side: f64 = mdz == 0 ? 2.0 : z > e ? 1.0 : z < -e ? -1.0 : 0.0;
        if (side == 0) uncertain++;
        if (signs != 0) setf(signs, unit, side);
        unit++;
      }
      if (l < L && !(z > 0)) {
        z = 0;
        dz = 0;
        mz = 0;
        mdz = 0;
      }
      setf(vb, i, z);
      setf(db, i, dz);
      setf(mb, i, mz);
      setf(mdb, i, mdz);
    }
    w += <usize>layerParamCount(dims, l, bias) << 3;
    let tmp = va;
    va = vb;
    vb = tmp;
    tmp = da;
    da = db;
    db = tmp;
    tmp = ma;
    ma = mb;
    mb = tmp;
    tmp = mda;
    mda = mdb;
    mdb = tmp;
  }
  const nL = dimAt(dims, L);
  memory.copy(slope, da, <usize>nL << 3);
  const g = gam(K) * (1.0 + 1e-10);
  for (let o = 0; o < nL; o++) setf(slopeErr, o, g * f(mda, o) + 1e-300);
  return uncertain;
}

/**
 * Count the linear pieces of φ along [p, q] (p, q: N_0 values each). `cap` bounds the number of
 * breakpoints held at once (endpoints included). Returns the number of pieces (≥ 1), or -1 when
 * more than `cap` breakpoints were needed (call again with a larger buffer). When `breaks` ≠ 0,
 * the interior breakpoints t ∈ (0, 1) of the maximal pieces are written there in increasing
 * order (pieces − 1 values). `intervalsOut` (i32) receives the number of intervals before merging
 * (activation-pattern changes, including kinks invisible in φ); `ambiguousOut` (i32, 0: not
 * wanted) receives 1 when some merge decision could not be certified (see the file comment).
 */
export function countPiecesSegment(
  dims: usize, L: i32, bias: bool, params: usize, p: usize, q: usize,
  cap: i32, breaks: usize, intervalsOut: usize, work: usize, ambiguousOut: usize = 0,
): i32 {
  const W = mlpMaxWidth(dims, L);
  const rowB = <usize>W << 3;
  let vIn = work;
  let vOut = vIn + <usize>cap * rowB;
  let tIn = vOut + <usize>cap * rowB;
  let tOut = tIn + (<usize>cap << 3);
  const cs = tOut + (<usize>cap << 3); // crossing positions s
  const ci = cs + rowB; // crossing neuron indices (stored as f64)
  const scratch = ci + rowB;
  const slopePrev = scratch + 8 * rowB;
  const slopeCur = slopePrev + (<usize>dimAt(dims, L) << 3);
  const errPrev = slopeCur + (<usize>dimAt(dims, L) << 3);
  const errCur = errPrev + (<usize>dimAt(dims, L) << 3);
  let hidden = 0;
  for (let l = 1; l < L; l++) hidden += dimAt(dims, l);
  let sLeft = errCur + (<usize>dimAt(dims, L) << 3);
  const sMid = sLeft + (<usize>hidden << 3);
  let sRight = sMid + (<usize>hidden << 3);

  // Breakpoints 0 and 1 with the input values at the segment's ends.
  const d = dimAt(dims, 0);
  let K = 2;
  setf(tIn, 0, 0.0);
  setf(tIn, 1, 1.0);
  for (let j = 0; j < d; j++) {
    setf(vIn, j, f(p, j));
    setf(vIn + rowB, j, f(q, j));
  }
  let w = params;
  for (let l = 1; l < L; l++) {
    const nin = dimAt(dims, l - 1);
    const nout = dimAt(dims, l);
    const bp = w + ((<usize>nout * nin) << 3);
    // Pre-activations at every current breakpoint, in place in vOut (used as a z table first).
    for (let k = 0; k < K; k++) {
      const a = vIn + <usize>k * rowB;
      const z = vOut + <usize>k * rowB;
      for (let i = 0; i < nout; i++) {
        let s: f64 = 0;
        const row = w + ((<usize>i * nin) << 3);
        for (let j = 0; j < nin; j++) s += load<f64>(row + (<usize>j << 3)) * f(a, j);
        if (bias) s += f(bp, i);
        setf(z, i, s);
      }
    }
    // Rebuild the breakpoint list with the crossings of this layer; vIn is free now and holds
    // the new z rows, tOut the new t values.
    let K2 = 0;
    for (let k = 0; k < K; k++) {
      const z0 = vOut + <usize>k * rowB;
      if (K2 >= cap) return -1;
      memory.copy(vIn + <usize>K2 * rowB, z0, <usize>nout << 3);
      setf(tOut, K2, f(tIn, k));
      K2++;
      if (k == K - 1) break;
      const z1 = z0 + rowB;
      // Collect sign changes strictly inside the interval, sorted by position (insertion sort:
      // an interval rarely has more than a few).
      let nc = 0;
      for (let i = 0; i < nout; i++) {
        const a = f(z0, i);
        const b = f(z1, i);
        if ((a < 0 && b > 0) || (a > 0 && b < 0)) {
          const s = a / (a - b);
          let m = nc;
          while (m > 0 && f(cs, m - 1) > s) {
            setf(cs, m, f(cs, m - 1));
            setf(ci, m, f(ci, m - 1));
            m--;
          }
          setf(cs, m, s);
          setf(ci, m, <f64>i);
          nc++;
        }
      }
      const t0 = f(tIn, k);
      const t1 = f(tIn, k + 1);
      for (let c = 0; c < nc; c++) {
        const s = f(cs, c);
        const t = t0 + s * (t1 - t0);
        // Crossings at the same position (or so close that t rounds to an existing breakpoint)
        // share one breakpoint.
        if (t <= f(tOut, K2 - 1) || t >= t1) {
          if (t <= f(tOut, K2 - 1)) setf(vIn + <usize>(K2 - 1) * rowB, <i32>f(ci, c), 0.0);
          continue;
        }
        if (K2 >= cap) return -1;
        const zr = vIn + <usize>K2 * rowB;
        for (let i = 0; i < nout; i++) {
          const a = f(z0, i);
          setf(zr, i, a + s * (f(z1, i) - a));
        }
        setf(zr, <i32>f(ci, c), 0.0);
        setf(tOut, K2, t);
        K2++;
      }
    }
    // ReLU on the new table; it becomes the next layer's input.
    for (let k = 0; k < K2; k++) {
      const r = vIn + <usize>k * rowB;
      for (let i = 0; i < nout; i++) setf(r, i, max(f(r, i), 0.0));
    }
    const tt = tIn;
    tIn = tOut;
    tOut = tt;
    K = K2;
    w += <usize>layerParamCount(dims, l, bias) << 3;
  }
  // φ is affine on each of the K − 1 intervals; merge neighbours with equal output slopes.
  store<i32>(intervalsOut, K - 1);
  const nL = dimAt(dims, L);
  let pieces = 1;
  let ambiguous = false;
  // Sides of the hidden units at t = 0 (the slope written here is not used).
  slopeAt(dims, L, bias, params, p, q, f(tIn, 0), scratch, slopeCur, errCur, sLeft);
  for (let k = 0; k < K - 1; k++) {
    // At an interior breakpoint exactly one unit (the one crossing there) may be undecided; a
    // second one could cross in a sliver next to it that f64 cannot see.
    const nb = slopeAt(dims, L, bias, params, p, q, f(tIn, k + 1), scratch, slopeCur, errCur, sRight);
    if (k + 1 < K - 1 && nb > 1) ambiguous = true;
    const mid = 0.5 * (f(tIn, k) + f(tIn, k + 1));
    if (slopeAt(dims, L, bias, params, p, q, mid, scratch, slopeCur, errCur, sMid) > 0) ambiguous = true;
    // A unit certainly on one side at an end and certainly on the other at the midpoint crosses
    // inside the interval: a kink the f64 breakpoints missed.
    for (let u = 0; u < hidden; u++) {
      const m = f(sMid, u);
      if (m == 2.0) continue;
      const a = f(sLeft, u);
      const b = f(sRight, u);
      if ((a != 0 && a != 2.0 && a != m) || (b != 0 && b != 2.0 && b != m)) ambiguous = true;
    }
    const tmp = sLeft;
    sLeft = sRight;
    sRight = tmp;
    if (k > 0) {
      // Different when some output's slopes are further apart than both error bounds (with the
      // rounding of the comparison itself); equal in f64 and error-free (both bounds at the floor)
      // is certainly equal; anything else is undecided here.
      let differ = false;
      let undecided = false;
      for (let o = 0; o < nL; o++) {
        const a = f(slopePrev, o);
        const b = f(slopeCur, o);
        const e = (f(errPrev, o) + f(errCur, o)) * (1.0 + 4.0 * U) + 2.0 * U * Math.abs(a - b);
        if (Math.abs(a - b) > e) differ = true;
        else if (a != b || e > 4e-300) undecided = true;
      }
      if (!differ && undecided) ambiguous = true;
      if (differ) {
        if (breaks != 0) setf(breaks, pieces - 1, f(tIn, k));
        pieces++;
      }
    }
    memory.copy(slopePrev, slopeCur, <usize>nL << 3);
    memory.copy(errPrev, errCur, <usize>nL << 3);
  }
  if (ambiguousOut != 0) store<i32>(ambiguousOut, ambiguous ? 1 : 0);
  return pieces;
}
