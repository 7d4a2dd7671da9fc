// Whole-training kernels: one call runs every epoch and step, so the boundary is crossed once.
//
// Layout of the training work buffer (f64 elements, `trainWorkSize`), with S = fmRowStride(batch):
//   grad P | s1 P | s2 P (each P rounded up to even, for 16-byte alignment)
//   | acts Σ_{l=0..L} N_l·S (feature-major, layer 0 = the batch inputs)
//   | deltas 2·maxW·S | index n i32 (rounded up to f64 slots)
// Everything is vectorised over the batch (see nn/fm.ts).

import { Philox } from "../rng/philox";
import { dimAt, mlpMaxWidth, mlpParamCount } from "../nn/mlp";
import { fmAffine, relu0, fmGather, fmOuterAcc, fmBackOne, fmStride, fmRowStride, fmRowStrideMax, fmFromPointMajor } from "../nn/fm";
import { lossValue, lossGrad, LOSS_MSE, LOSS_HINGE } from "./losses";
import { gemmStrided } from "../linalg/gemm";
import { OptimState, optimStep, addL2Grad, proxL1 } from "./optim";
import {
  TRAIN_CONFIG_BATCH, TRAIN_CONFIG_BETA, TRAIN_CONFIG_BETA2, TRAIN_CONFIG_EPOCHS, TRAIN_CONFIG_EPS,
  TRAIN_CONFIG_L1, TRAIN_CONFIG_L2, TRAIN_CONFIG_LOSS, TRAIN_CONFIG_LR, TRAIN_CONFIG_OPT,
  TRAIN_CONFIG_SEED_HI, TRAIN_CONFIG_SEED_LO, TRAIN_CONFIG_SHUFFLE, TRAIN_CONFIG_SIZE,
  TRAIN_CONFIG_STREAM_HI, TRAIN_CONFIG_STREAM_LO, TRAIN_CONFIG_SUBSTREAM,
} from "./slots";


/** Training outcomes returned by `mlpTrain`. */
export const TRAIN_OK: i32 = 0;
export const TRAIN_DIVERGED: i32 = 1;

// @ts-ignore: decorator
@inline
function cfg(c: usize, i: i32): f64 {
  return load<f64>(c + (<usize>i << 3));
}

/**
 * Layers with at least this many weights (N_out·N_in) go through the packed, blocked GEMM
 * (linalg/gemm.ts) in `lossGradFM`; smaller ones through the fm kernels, for which packing
 * costs more than it saves (measured: 64×64 layers got slower, 256×256 ones +26 %).
 */
const GEMM_MIN_WEIGHTS: i32 = 16384;

/** Effective batch size for n points and a requested size (0 or ≥ n → n). */
export function effectiveBatch(n: i32, batch: i32): i32 {
  return batch <= 0 || batch >= n ? n : batch;
}

/** Σ_{l=0..L} N_l. */
function sumDims(dims: usize, L: i32): i32 {
  let s = 0;
  for (let l = 0; l <= L; l++) s += dimAt(dims, l);
  return s;
}

/** f64 elements of the buffer `mlpLossGrad` needs for batches of up to `batch` points. */
export function lossGradWorkSize(dims: usize, L: i32, batch: i32): i32 {
  // Callers reuse the buffer for smaller last batches, whose fmRowStride may be larger.
  const S = fmRowStrideMax(batch);
  return sumDims(dims, L) * S + 2 * mlpMaxWidth(dims, L) * S;
}

// n rounded up to even: keeps every region of the work buffer 16-byte aligned (with an odd
// parameter count the feature-major rows would start 8 bytes off and every fourth f64x2 load
// would straddle two cache lines).
// @ts-ignore: decorator
@inline
function evenUp(n: i32): i32 {
  return (n + 1) & ~1;
}

/** f64 elements of the buffer `mlpTrain` needs (see the layout at the top of this file). */
export function trainWorkSize(dims: usize, L: i32, bias: bool, n: i32, batch: i32): i32 {
  return 3 * evenUp(mlpParamCount(dims, L, bias)) + lossGradWorkSize(dims, L, effectiveBatch(n, batch)) + ((n + 1) >> 1);
}

/**
 * Mean loss over a batch whose inputs are already in layer 0 of `acts` (feature-major, stride S),
 * and, when `grad` ≠ 0, its gradient (overwritten). `yIdx` ≠ 0 maps batch position b to the row
 * of Y (point-major n×N_L); otherwise row b. Returns the mean data loss (no penalty).
 */
export function lossGradFM(
  dims: usize, L: i32, bias: bool, params: usize, acts: usize, S: i32,
  Y: usize, yIdx: usize, nb: i32, kind: i32, grad: usize, deltas: usize,
): f64 {
  const sb = <usize>S << 3;
  // Forward, keeping every layer.
  let p = params;
  let a = acts;
  for (let l = 1; l <= L; l++) {
    const nin = dimAt(dims, l - 1);
    const nout = dimAt(dims, l);
    const next = a + <usize>nin * sb;
    if (nout * nin >= GEMM_MIN_WEIGHTS) {
      // Same order as fmAffine: z = (Σ_k in k order, from 0, no FMA) + b, then ReLU.
      gemmStrided(false, false, nout, fmStride(nb), nin, p, nin, a, S, next, S, false);
      biasRelu(next, nout, S, nb, bias ? p + ((<usize>nout * nin) << 3) : 0, l < L);
    } else {
      fmAffine(p, nin, 1, nout, nin, a, next, S, nb, bias ? p + ((<usize>nout * nin) << 3) : 0, l < L, 0);
    }
    p += <usize>(nout * nin + (bias ? nout : 0)) << 3;
    a = next;
  }
  // Loss and ∂L/∂φ (scaled by 1/nb) into the first delta buffer; padding columns get 0.
  const nL = dimAt(dims, L);
  const maxW = mlpMaxWidth(dims, L);
  let cur = deltas;
  let nxt = deltas + <usize>maxW * sb;
  const inv = 1.0 / <f64>nb;
  let total: f64 = 0;
  for (let k = 0; k < nL; k++) {
    const orow = a + <usize>k * sb;
    const drow = cur + <usize>k * sb;
    if (kind == LOSS_MSE) {
      // mse and hinge get loops of their own: the generic one holds the logistic loss's exp/log1p
      // calls, around which the engine keeps every loop value in memory even when not taken
      // (measured: the W3 step 2.93 -> 2.81 us).
      for (let b = 0; b < nb; b++) {
        const row = yIdx != 0 ? <usize>load<i32>(yIdx + (<usize>b << 2)) : <usize>b;
        const y = load<f64>(Y + ((row * nL + k) << 3));
        const phi = load<f64>(orow + (<usize>b << 3));
        total += lossValue(LOSS_MSE, phi, y);
        store<f64>(drow + (<usize>b << 3), lossGrad(LOSS_MSE, phi, y) * inv);
      }
    } else if (kind == LOSS_HINGE) {
      for (let b = 0; b < nb; b++) {
        const row = yIdx != 0 ? <usize>load<i32>(yIdx + (<usize>b << 2)) : <usize>b;
        const y = load<f64>(Y + ((row * nL + k) << 3));
        const phi = load<f64>(orow + (<usize>b << 3));
        total += lossValue(LOSS_HINGE, phi, y);
        store<f64>(drow + (<usize>b << 3), lossGrad(LOSS_HINGE, phi, y) * inv);
      }
    } else {
      for (let b = 0; b < nb; b++) {
        const row = yIdx != 0 ? <usize>load<i32>(yIdx + (<usize>b << 2)) : <usize>b;
        const y = load<f64>(Y + ((row * nL + k) << 3));
        const phi = load<f64>(orow + (<usize>b << 3));
        total += lossValue(kind, phi, y);
        store<f64>(drow + (<usize>b << 3), lossGrad(kind, phi, y) * inv);
      }
    }
    for (let b = nb; b < S; b++) store<f64>(drow + (<usize>b << 3), 0.0);
  }
  if (grad == 0) return total * inv;
  // Backward: layer l's delta is in `cur`; the layer-(l−1) activations sit just below `a`.
  memory.fill(grad, 0, <usize>mlpParamCount(dims, L, bias) << 3);
  let pOff = mlpParamCount(dims, L, bias);
  // Whether the current layer's bias gradient was already summed by the pass that wrote its
  // deltas (the small-layer kernels below do that; the output layer's and GEMM ones do not).
  let biasDone = false;
  for (let l = L; l >= 1; l--) {
    const nin = dimAt(dims, l - 1);
    const nout = dimAt(dims, l);
    pOff -= nout * nin + (bias ? nout : 0);
    const aPrev = a - <usize>nin * sb;
    const gW = grad + (<usize>pOff << 3);
    const gb = bias && !biasDone ? gW + ((<usize>nout * nin) << 3) : 0;
    // Bias gradient of layer l − 1 (it ends where layer l starts), summed with its deltas.
    const gbBelow = bias && l > 1 ? grad + (<usize>(pOff - nin) << 3) : 0;
    const big = nout * nin >= GEMM_MIN_WEIGHTS;
    biasDone = false;
    if (big) {
      // ∂/∂W = δ_l a_{l−1}ᵀ summed over the batch in order b = 0, 1, … (fmOuterAcc sums even
      // and odd points in two lanes: the last bits differ, both are deterministic).
      gemmStrided(false, true, nout, nin, fmStride(nb), cur, S, aPrev, S, gW, nin, false);
      if (gb != 0) fmOuterAcc(0, gb, cur, aPrev, nout, 0, S, nb);
    } else if (nout == 1) {
      // A single output: weight and bias gradients and the deltas below in one pass.
      fmBackOne(gW, gb, cur, aPrev, params + (<usize>pOff << 3), nin, l > 1 ? nxt : 0, S, nb, gbBelow);
      biasDone = gbBelow != 0;
    } else {
      fmOuterAcc(gW, gb, cur, aPrev, nout, nin, S, nb);
    }
    if (l > 1) {
      // δ_{l−1} = (W_lᵀ δ_l) ⊙ [a_{l−1} > 0] (already written by fmBackOne for one output)
      const w = params + (<usize>pOff << 3);
      if (big) {
        gemmStrided(true, false, nin, fmStride(nb), nout, w, nin, cur, S, nxt, S, false);
        reluMask(nxt, aPrev, nin, S, nb);
      } else if (nout != 1) {
        fmAffine(w, 1, nin, nin, nout, cur, nxt, S, nb, 0, false, aPrev, gbBelow);
        biasDone = gbBelow != 0;
      }
      const t = cur;
      cur = nxt;
      nxt = t;
    }
    a = aPrev;
  }
  return total * inv;
}

// out[r][b] += bias[r] (when `bias` ≠ 0), then max(·, 0) when `relu`, for r < R, b < fmStride(nb):
// the epilogue of fmAffine (relu0 keeps NaN, so divergence still shows).
function biasRelu(out: usize, R: i32, S: i32, nb: i32, bias: usize, relu: bool): void {
  const end = <usize>fmStride(nb) << 3;
  const zero = f64x2.splat(0.0);
  for (let r = 0; r < R; r++) {
    const row = out + ((<usize>r * S) << 3);
    const bv = bias != 0 ? f64x2.splat(load<f64>(bias + (<usize>r << 3))) : zero;
    for (let o: usize = 0; o < end; o += 16) {
      let z = v128.load(row + o);
      if (bias != 0) z = f64x2.add(z, bv);
      if (relu) z = relu0(z);
      v128.store(row + o, z);
    }
  }
}

// out[r][b] = mask[r][b] > 0 ? out[r][b] : 0 for r < R, b < fmStride(nb) (as fmAffine's mask).
function reluMask(out: usize, mask: usize, R: i32, S: i32, nb: i32): void {
  const end = <usize>fmStride(nb) << 3;
  const zero = f64x2.splat(0.0);
  for (let r = 0; r < R; r++) {
    const row = out + ((<usize>r * S) << 3);
    const mrow = mask + ((<usize>r * S) << 3);
    for (let o: usize = 0; o < end; o += 16) {
      v128.store(row + o, v128.and(v128.load(row + o), f64x2.gt(v128.load(mrow + o), zero)));
    }
  }
}

/**
 * Mean loss (and gradient when `grad` ≠ 0) of the network on the points `idx[0..nb)` (or 0..nb-1
 * when `idx` = 0) of point-major X (n×N_0) and Y (n×N_L). `work`: `lossGradWorkSize(dims, L, nb)`.
 * Kernel authors (adversarial training) can call this per step with their own optimiser loop.
 */
export function mlpLossGrad(
  dims: usize, L: i32, bias: bool, params: usize, X: usize, Y: usize, idx: usize, nb: i32,
  kind: i32, grad: usize, work: usize,
): f64 {
  const S = fmRowStride(nb);
  const d = dimAt(dims, 0);
  if (idx != 0) fmGather(work, X, idx, nb, d, S);
  else fmFromPointMajor(work, X, nb, d, S);
  const deltas = work + ((<usize>sumDims(dims, L) * S) << 3);
  return lossGradFM(dims, L, bias, params, work, S, Y, idx, nb, kind, grad, deltas);
}

function allFinite(p: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    const v = load<f64>(p + (<usize>i << 3));
    if (!isFinite(v)) return false;
  }
  return true;
}

/**
 * Train in place. X point-major n×N_0, Y point-major n×N_L, `config` an f64 array of TRAIN_CONFIG_SIZE
 * entries (indices CFG_*), `lossOut` receives the mean data loss of every epoch (TRAIN_CONFIG_EPOCHS
 * values; the loss of each step is measured before its update), `work` holds
 * `trainWorkSize(dims, L, bias, n, batch)` f64 values.
 *
 * Each epoch: when minibatching with shuffle, the index array (identity at the start) is shuffled
 * in place by Fisher–Yates from the stream in the config (continuing the same stream epoch after
 * epoch); then consecutive slices of `batch` indices (the last one may be shorter) each make one
 * step. Full batch: one step per epoch on all points in order.
 *
 * Returns TRAIN_OK, or TRAIN_DIVERGED as soon as a step's loss is not finite (or the final
 * parameters are not), with the number of completed steps written to `stepsOut` (i32).
 */
export function mlpTrain(
  dims: usize, L: i32, bias: bool, params: usize, X: usize, Y: usize, n: i32,
  config: usize, lossOut: usize, stepsOut: usize, work: usize,
): i32 {
  const kind = <i32>cfg(config, TRAIN_CONFIG_LOSS);
  const opt = <i32>cfg(config, TRAIN_CONFIG_OPT);
  const lr = cfg(config, TRAIN_CONFIG_LR);
  const beta = cfg(config, TRAIN_CONFIG_BETA);
  const beta2 = cfg(config, TRAIN_CONFIG_BETA2);
  const eps = cfg(config, TRAIN_CONFIG_EPS);
  const l1 = cfg(config, TRAIN_CONFIG_L1);
  const l2 = cfg(config, TRAIN_CONFIG_L2);
  const epochs = <i32>cfg(config, TRAIN_CONFIG_EPOCHS);
  const batch = effectiveBatch(n, <i32>cfg(config, TRAIN_CONFIG_BATCH));
  const shuffle = cfg(config, TRAIN_CONFIG_SHUFFLE) != 0 && batch < n;
  const P = mlpParamCount(dims, L, bias);
  const d = dimAt(dims, 0);
  const S = fmRowStride(batch);

  const Pa = <usize>evenUp(P) << 3;
  const grad = work;
  const s1 = grad + Pa;
  const s2 = s1 + Pa;
  const acts = s2 + Pa;
  const deltas = acts + ((<usize>sumDims(dims, L) * S) << 3);
  const idx = deltas + ((<usize>(2 * mlpMaxWidth(dims, L) * S)) << 3);
  memory.fill(s1, 0, 2 * Pa);
  for (let i = 0; i < n; i++) store<i32>(idx + (<usize>i << 2), i);

  const rng = new Philox(
    <u32>cfg(config, TRAIN_CONFIG_SEED_LO), <u32>cfg(config, TRAIN_CONFIG_SEED_HI), <u32>cfg(config, TRAIN_CONFIG_SUBSTREAM),
    <u32>cfg(config, TRAIN_CONFIG_STREAM_LO), <u32>cfg(config, TRAIN_CONFIG_STREAM_HI),
  );
  const st = new OptimState();
  const fullBatch = batch == n;
  // Full batch: the inputs never change, so they are laid out once.
  if (fullBatch) fmFromPointMajor(acts, X, n, d, S);
  let steps = 0;
  for (let e = 0; e < epochs; e++) {
    if (shuffle) rng.shuffleI32(idx, n);
    let epochLoss: f64 = 0;
    for (let start = 0; start < n; start += batch) {
      const nb = min(batch, n - start);
      const bIdx = idx + (<usize>start << 2);
      if (!fullBatch) fmGather(acts, X, bIdx, nb, d, S);
      const loss = lossGradFM(dims, L, bias, params, acts, S, Y, fullBatch ? 0 : bIdx, nb, kind, grad, deltas);
      if (!isFinite(loss)) {
        store<i32>(stepsOut, steps);
        return TRAIN_DIVERGED;
      }
      epochLoss += loss * <f64>nb;
      addL2Grad(dims, L, bias, params, grad, l2);
      optimStep(opt, P, params, grad, s1, s2, lr, beta, beta2, eps, st);
      proxL1(dims, L, bias, params, lr * l1);
      steps++;
    }
    store<f64>(lossOut + (<usize>e << 3), epochLoss / <f64>n);
  }
  store<i32>(stepsOut, steps);
  return allFinite(params, P) ? TRAIN_OK : TRAIN_DIVERGED;
}

