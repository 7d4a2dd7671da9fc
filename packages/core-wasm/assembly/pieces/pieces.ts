// Exact number of linear pieces of a network along a segment x(t) = p + t(q − p), t ∈ [0, 1].
//
// The segment is pushed through the hidden layers one at a time. Before layer l, the layer's input
// is affine in t between consecutive breakpoints, so each pre-activation z_i is affine there too
// and changes sign at most once per interval: at s = z_i(t_k)/(z_i(t_k) − z_i(t_{k+1})). Those
// crossings become new breakpoints (with every z interpolated there, exactly affine, and the
// crossing neuron set to exactly 0), then ReLU is applied. After the last hidden layer φ is affine
// on every interval. Adjacent intervals whose output slopes agree (the kink of a neuron that
// nothing downstream sees) are then merged, so the count is the number of maximal intervals on
// which φ is affine. Each hidden layer can at most multiply the number of intervals by N_l + 1,
// which is why the count never exceeds P(N) = Π (N_l + 1).

import { dimAt, mlpMaxWidth, layerParamCount } from "../nn/mlp";

/** Relative tolerance under which two output slopes count as equal (rounding-level differences). */
const SLOPE_RTOL: f64 = 1e-9;

/** f64 elements of the work buffer for `countPiecesSegment` with room for `cap` breakpoints. */
export function piecesWorkSize(dims: usize, L: i32, cap: i32): i32 {
  const W = mlpMaxWidth(dims, L);
  // two value tables (cap × W), two t arrays, crossing scratch (2W), derivative scratch (4W),
  // slope of the previous interval and of the current one (2 × N_L).
  return 2 * cap * W + 2 * cap + 2 * W + 4 * W + 2 * dimAt(dims, L);
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
 * that point: a forward pass carrying (value, derivative) pairs. Writes N_L slopes to `slope`.
 */
function slopeAt(dims: usize, L: i32, bias: bool, params: usize, p: usize, q: usize, t: f64, scratch: usize, slope: usize): void {
  const W = mlpMaxWidth(dims, L);
  let va = scratch;
  let da = va + (<usize>W << 3);
  let vb = da + (<usize>W << 3);
  let db = vb + (<usize>W << 3);
  const d = dimAt(dims, 0);
  for (let j = 0; j < d; j++) {
    const pj = f(p, j);
    const dj = f(q, j) - pj;
    setf(va, j, pj + t * dj);
    setf(da, j, dj);
  }
  let w = params;
  for (let l = 1; l <= L; l++) {
    const nin = dimAt(dims, l - 1);
    const nout = dimAt(dims, l);
    for (let i = 0; i < nout; i++) {
      let z: f64 = 0;
      let dz: f64 = 0;
      const row = w + ((<usize>i * nin) << 3);
      for (let j = 0; j < nin; j++) {
        const wij = load<f64>(row + (<usize>j << 3));
        z += wij * f(va, j);
        dz += wij * f(da, j);
      }
      if (bias) z += load<f64>(w + ((<usize>(nout * nin + i)) << 3));
      if (l < L && !(z > 0)) {
        z = 0;
        dz = 0;
      }
      setf(vb, i, z);
      setf(db, i, dz);
    }
    w += <usize>layerParamCount(dims, l, bias) << 3;
    let tmp = va;
    va = vb;
    vb = tmp;
    tmp = da;
    da = db;
    db = tmp;
  }
  memory.copy(slope, da, <usize>dimAt(dims, L) << 3);
}

/**
 * Count the linear pieces of φ along [p, q] (p, q: N_0 values each). `cap` bounds the number of
 * breakpoints held at once (endpoints included). Returns the number of pieces (≥ 1), or -1 when
 * more than `cap` breakpoints were needed (call again with a larger buffer). When `breaks` ≠ 0,
 * the interior breakpoints t ∈ (0, 1) of the maximal pieces are written there in increasing
 * order (pieces − 1 values). `intervalsOut` (i32) receives the number of intervals before merging
 * (activation-pattern changes, including kinks invisible in φ).
 */
export function countPiecesSegment(
  dims: usize, L: i32, bias: bool, params: usize, p: usize, q: usize,
  cap: i32, breaks: usize, intervalsOut: usize, work: usize,
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
  const slopePrev = scratch + 4 * rowB;
  const slopeCur = slopePrev + (<usize>dimAt(dims, L) << 3);

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
  for (let k = 0; k < K - 1; k++) {
    const mid = 0.5 * (f(tIn, k) + f(tIn, k + 1));
    slopeAt(dims, L, bias, params, p, q, mid, scratch, slopeCur);
    if (k > 0) {
      let same = true;
      for (let o = 0; o < nL; o++) {
        const a = f(slopePrev, o);
        const b = f(slopeCur, o);
        if (Math.abs(a - b) > SLOPE_RTOL * max(Math.abs(a), Math.abs(b))) same = false;
      }
      if (!same) {
        if (breaks != 0) setf(breaks, pieces - 1, f(tIn, k));
        pieces++;
      }
    }
    memory.copy(slopePrev, slopeCur, <usize>nL << 3);
  }
  return pieces;
}
