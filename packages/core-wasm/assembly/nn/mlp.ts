// MLP kernels on the flat parameter layout of docs/architecture.md:
//   dims = [N_0, …, N_L] (i32 array), for l = 1..L: W_l row-major [N_l][N_{l-1}], then b_l (N_l
//   values) when `bias`. ReLU on hidden layers, affine output.
//
// These kernels allocate nothing: the caller passes a work buffer of `mlpWorkSize` (single point)
// or `mlpBatchWorkSize` (batched forward) f64 values. Attacks and certification call them per point
// thousands of times inside one WASM call.
//
// Summation order (shared with fm.ts and the TS reference): z_i = (Σ_j, in order, W[i][j]·a_j) + b_i,
// so a point gives bit-identical results alone or inside a batch.

import { fmAffine, fmFromPointMajor, fmToPointMajor, fmStride } from "./fm";
import { ERR_ARG } from "../errors";

/** Points per chunk in `mlpForwardBatch` (its work buffer holds two chunks of activations). */
export const BATCH_CHUNK: i32 = 64;

/** N_l, read from the i32 dims array. */
// @ts-ignore: decorator
@inline
export function dimAt(dims: usize, l: i32): i32 {
  return load<i32>(dims + (<usize>l << 2));
}

/**
 * Second line of defence for raw exports: abort with E_ARG unless 1 ≤ L ≤ 64 and every width is
 * in [1, 4096] (the wrapper's LIMITS), so a wrapper bug becomes a CoreError instead of a trap.
 */
export function checkDims(dims: usize, L: i32): void {
  if (L < 1 || L > 64) abort(ERR_ARG);
  for (let l = 0; l <= L; l++) {
    const w = dimAt(dims, l);
    if (w < 1 || w > 4096) abort(ERR_ARG);
  }
}

/** Number of f64 parameters of layer l (weights, plus biases when `bias`). */
// @ts-ignore: decorator
@inline
export function layerParamCount(dims: usize, l: i32, bias: bool): i32 {
  const nout = dimAt(dims, l);
  return nout * dimAt(dims, l - 1) + (bias ? nout : 0);
}

/** Offset (in f64 elements) of W_l in the flat parameter array. */
export function layerOffset(dims: usize, l: i32, bias: bool): i32 {
  let off = 0;
  for (let k = 1; k < l; k++) off += layerParamCount(dims, k, bias);
  return off;
}

/** Total number of f64 parameters of the network. */
export function mlpParamCount(dims: usize, L: i32, bias: bool): i32 {
  return layerOffset(dims, L + 1, bias);
}

/** max_l N_l over l = 0..L. */
export function mlpMaxWidth(dims: usize, L: i32): i32 {
  let w = 0;
  for (let l = 0; l <= L; l++) w = max(w, dimAt(dims, l));
  return w;
}

/**
 * Size in f64 elements of the work buffer for `mlpForward` / `mlpBackward`:
 * Σ_{l=1..L} N_l (stored activations) + 2·max_l N_l (delta ping-pong).
 */
export function mlpWorkSize(dims: usize, L: i32): i32 {
  let s = 0;
  for (let l = 1; l <= L; l++) s += dimAt(dims, l);
  return s + 2 * mlpMaxWidth(dims, L);
}

// @ts-ignore: decorator
@inline
function dotSeq(a: usize, b: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let j = 0; j < n; j++) s += load<f64>(a + (<usize>j << 3)) * load<f64>(b + (<usize>j << 3));
  return s;
}

/**
 * Forward pass for one point x (N_0 values). Stores every layer's activations in `work` (needed
 * by `mlpBackward`), copies the N_L outputs to `out` when `out` ≠ 0, and returns output 0 (φ(x)
 * for the usual scalar-output network).
 */
export function mlpForward(dims: usize, L: i32, bias: bool, params: usize, x: usize, out: usize, work: usize): f64 {
  let inp = x;
  let p = params;
  let a = work;
  for (let l = 1; l <= L; l++) {
    const nin = dimAt(dims, l - 1);
    const nout = dimAt(dims, l);
    const bp = p + ((<usize>nout * nin) << 3);
    for (let i = 0; i < nout; i++) {
      let s = dotSeq(p + ((<usize>i * nin) << 3), inp, nin);
      if (bias) s += load<f64>(bp + (<usize>i << 3));
      if (l < L) s = max(s, 0.0);
      store<f64>(a + (<usize>i << 3), s);
    }
    p += <usize>layerParamCount(dims, l, bias) << 3;
    inp = a;
    a += <usize>nout << 3;
  }
  const nL = dimAt(dims, L);
  if (out != 0) memory.copy(out, inp, <usize>nL << 3);
  return load<f64>(inp);
}

/**
 * Backward pass for the point of the most recent `mlpForward` call with the same `work` (the
 * stored activations are reused, so call `mlpForward(…, x, …, work)` first).
 * `gOut` holds ∂ℓ/∂φ_k for the N_L outputs. When `gParams` ≠ 0, ∂ℓ/∂θ is ADDED to it (same
 * layout as the parameters, so several points accumulate). When `gX` ≠ 0, ∂ℓ/∂x (N_0 values) is
 * written to it. ReLU'(0) is taken as 0.
 */
export function mlpBackward(
  dims: usize, L: i32, bias: bool, params: usize, x: usize, gOut: usize, gParams: usize, gX: usize, work: usize,
): void {
  let sumN = 0;
  for (let l = 1; l <= L; l++) sumN += dimAt(dims, l);
  const maxW = mlpMaxWidth(dims, L);
  let cur = work + (<usize>sumN << 3);
  let nxt = cur + (<usize>maxW << 3);
  memory.copy(cur, gOut, <usize>dimAt(dims, L) << 3);
  let pOff = mlpParamCount(dims, L, bias);
  let aOff = sumN;
  for (let l = L; l >= 1; l--) {
    const nin = dimAt(dims, l - 1);
    const nout = dimAt(dims, l);
    pOff -= layerParamCount(dims, l, bias);
    aOff -= nout;
    const W = params + (<usize>pOff << 3);
    const aPrev = l > 1 ? work + (<usize>(aOff - nin) << 3) : x;
    if (gParams != 0) {
      const gW = gParams + (<usize>pOff << 3);
      for (let i = 0; i < nout; i++) {
        const d = load<f64>(cur + (<usize>i << 3));
        const row = gW + ((<usize>i * nin) << 3);
        for (let j = 0; j < nin; j++) {
          const q = row + (<usize>j << 3);
          store<f64>(q, load<f64>(q) + d * load<f64>(aPrev + (<usize>j << 3)));
        }
      }
      if (bias) {
        const gb = gW + ((<usize>nout * nin) << 3);
        for (let i = 0; i < nout; i++) {
          const q = gb + (<usize>i << 3);
          store<f64>(q, load<f64>(q) + load<f64>(cur + (<usize>i << 3)));
        }
      }
    }
    if (l > 1 || gX != 0) {
      const dst = l > 1 ? nxt : gX;
      for (let j = 0; j < nin; j++) {
        let s: f64 = 0;
        for (let i = 0; i < nout; i++) {
          s += load<f64>(W + ((<usize>i * nin + j) << 3)) * load<f64>(cur + (<usize>i << 3));
        }
        if (l > 1 && !(load<f64>(aPrev + (<usize>j << 3)) > 0)) s = 0;
        store<f64>(dst + (<usize>j << 3), s);
      }
    }
    const t = cur;
    cur = nxt;
    nxt = t;
  }
}

/** Size in f64 elements of the work buffer for `mlpForwardBatch`: 2·max_l N_l·BATCH_CHUNK. */
export function mlpBatchWorkSize(dims: usize, L: i32): i32 {
  return 2 * mlpMaxWidth(dims, L) * BATCH_CHUNK;
}

/**
 * Batched forward: X is point-major n×N_0 (X[b*N_0 + k]), `out` point-major n×N_L. Runs the SIMD
 * feature-major kernels on chunks of BATCH_CHUNK points; bit-identical to calling `mlpForward` on
 * each point. `work` must hold `mlpBatchWorkSize` f64 values (16-byte aligned is fastest).
 */
export function mlpForwardBatch(dims: usize, L: i32, bias: bool, params: usize, X: usize, n: i32, out: usize, work: usize): void {
  const maxW = mlpMaxWidth(dims, L);
  const bufA = work;
  const bufB = work + ((<usize>maxW * BATCH_CHUNK) << 3);
  const d = dimAt(dims, 0);
  const nL = dimAt(dims, L);
  for (let start = 0; start < n; start += BATCH_CHUNK) {
    const nb = min(BATCH_CHUNK, n - start);
    const stride = fmStride(nb);
    fmFromPointMajor(bufA, X + ((<usize>start * d) << 3), nb, d, stride);
    let src = bufA;
    let dst = bufB;
    let p = params;
    for (let l = 1; l <= L; l++) {
      const nin = dimAt(dims, l - 1);
      const nout = dimAt(dims, l);
      const bp = bias ? p + ((<usize>nout * nin) << 3) : 0;
      fmAffine(p, nin, 1, nout, nin, src, dst, stride, nb, bp, l < L, 0);
      p += <usize>layerParamCount(dims, l, bias) << 3;
      const t = src;
      src = dst;
      dst = t;
    }
    fmToPointMajor(out + ((<usize>start * nL) << 3), src, nb, nL, stride);
  }
}
