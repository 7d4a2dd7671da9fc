// Two trials' plain full-batch trainings side by side, one trial per f64x2 lane.
//
// A batch of instability trials (inst_trials) trains many small networks of one architecture. The
// shared whole-training kernel (train/trainer.ts) vectorises one network over its points; here
// the two lanes of every f64x2 carry the same value of two different trials (weights, optimiser
// state, activations and deltas are interleaved), so no lane ever waits for a horizontal sum,
// no weight block is packed per layer call, and one loop serves both trials.
//
// Bit-identity with mlpTrain (full batch) is the contract: each lane performs exactly the scalar
// operations the shared kernel performs for its trial, in the same order and with the same
// operand order —
//   pre-activation   z = ((((0 + w_0·x_0) + w_1·x_1) + …) + b)            (b = +0 without bias)
//   ReLU             pmax(z, 0)                                         (nn/fm.ts relu0)
//   loss             total = Σ_b ℓ(φ_b, y_b) in b order from 0; loss = total · (1/n)
//   output delta     ℓ'(φ_b, y_b) · (1/n), 0 in the padding column of an odd n
//   ∂/∂W, ∂/∂b       0 + (E + O): E the sum over even points, O over odd points (padding
//                    included), each in point order from +0 — the two lanes of fm.ts's sums
//   deltas below     ((0 + Σ_r W_rk·δ_r) + 0) masked by a_k > 0, r in order
//   optimiser        train/optim.ts's element-wise formulas; ℓ2 and the ℓ1 prox as there.
// A trial whose loss stops being finite keeps the parameters it had at that step (as mlpTrain
// returns them) while its lane runs on unobserved; the other trial is unaffected.

import { dimAt, mlpMaxWidth, mlpParamCount, layerParamCount } from "../nn/mlp";
import { fmStride } from "../nn/fm";
import { lossValue, lossGrad, LOSS_MSE } from "../train/losses";
import { OPT_SGD, OPT_MOMENTUM } from "../train/optim";
import { effectiveBatch } from "../train/trainer";
import { at } from "./vec";
import { TrainOutcome } from "./training";
import {
  TRIAL_CONFIG_BATCH, TRIAL_CONFIG_BETA, TRIAL_CONFIG_BETA2, TRIAL_CONFIG_EPOCHS, TRIAL_CONFIG_EPS,
  TRIAL_CONFIG_L1, TRIAL_CONFIG_L2, TRIAL_CONFIG_LOSS, TRIAL_CONFIG_LR, TRIAL_CONFIG_OPT,
} from "./slots";

/** Layers at or above this many weights go through the packed GEMM in mlpTrain: not paired. */
const PAIR_MAX_WEIGHTS: i32 = 16384;

let pairedTraining = true;

/** Switch paired training off (tests prove both paths give the same bits). */
export function setPairedTraining(on: bool): void {
  pairedTraining = on;
}

/**
 * Whether two trials with architecture `dims` (L layers) on n training points can be trained
 * as a pair: plain full-batch training with only small (fm-kernel) layers.
 */
export function pairable(dims: usize, L: i32, n: i32, cfg: usize): bool {
  if (!pairedTraining) return false;
  if (effectiveBatch(n, <i32>at(cfg, TRIAL_CONFIG_BATCH)) != n) return false;
  for (let l = 1; l <= L; l++) if (dimAt(dims, l) * dimAt(dims, l - 1) >= PAIR_MAX_WEIGHTS) return false;
  return true;
}

// @ts-ignore: decorator
@inline
function vat(p: usize, i: i32): v128 {
  return v128.load(p + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline
function vput(p: usize, i: i32, v: v128): void {
  v128.store(p + (<usize>i << 4), v);
}

// Lane `lane` of the interleaved vector at p (P values) into the plain vector at dst.
function deinterleave(dst: usize, p: usize, P: i32, lane: i32): void {
  const off = <usize>lane << 3;
  for (let i = 0; i < P; i++) store<f64>(dst + (<usize>i << 3), load<f64>(p + (<usize>i << 4) + off));
}

function lanesFinite(p: usize, P: i32, lane: i32): bool {
  const off = <usize>lane << 3;
  for (let i = 0; i < P; i++) if (!isFinite(load<f64>(p + (<usize>i << 4) + off))) return false;
  return true;
}

// out[r][b] = act((Σ_k W[r][k]·in[k][b]) + bias[r]) for r < R, b < nbE (interleaved rows of nbE).
// Two rows × four points per tile: eight independent sums, each in k order.
function forwardLayer(W: usize, bias: usize, R: i32, K: i32, inp: usize, out: usize, nbE: i32, relu: bool): void {
  if (K == 2) {
    forwardK2(W, bias, R, inp, out, nbE, relu);
    return;
  }
  let r = 0;
  for (; r + 2 <= R; r += 2) forwardRows2(W, bias, r, K, inp, out, nbE, relu);
  if (r < R) forwardRow(W, bias, r, K, inp, out, nbE, relu);
}

// K = 2 (a first layer on 2-D inputs): the points stream past two rows whose weights and biases
// stay in registers; z = ((0 + w_0·x_0) + w_1·x_1) + b as in every other path.
function forwardK2(W: usize, bias: usize, R: i32, inp: usize, out: usize, nbE: i32, relu: bool): void {
  const zero = f64x2.splat(0.0);
  const rowB = <usize>nbE << 4;
  const end = <usize>nbE << 4;
  const in1 = inp + rowB;
  for (let r = 0; r < R; r += 2) {
    const r1 = r + 1 < R ? r + 1 : r;
    const u0 = vat(W, 2 * r), u1 = vat(W, 2 * r + 1);
    const v0 = vat(W, 2 * r1), v1 = vat(W, 2 * r1 + 1);
    const bu = bias != 0 ? vat(bias, r) : zero;
    const bv = bias != 0 ? vat(bias, r1) : zero;
    const or0 = out + <usize>r * rowB;
    const or1 = out + <usize>r1 * rowB;
    for (let o: usize = 0; o < end; o += 16) {
      const x0 = v128.load(inp + o);
      const x1 = v128.load(in1 + o);
      v128.store(or0 + o, act(f64x2.add(f64x2.add(zero, f64x2.mul(u0, x0)), f64x2.mul(u1, x1)), bu, relu));
      v128.store(or1 + o, act(f64x2.add(f64x2.add(zero, f64x2.mul(v0, x0)), f64x2.mul(v1, x1)), bv, relu));
    }
  }
}

// @ts-ignore: decorator
@inline
function act(z: v128, bv: v128, relu: bool): v128 {
  z = f64x2.add(z, bv);
  return relu ? f64x2.pmax(z, f64x2.splat(0.0)) : z;
}

function forwardRows2(W: usize, bias: usize, r: i32, K: i32, inp: usize, out: usize, nbE: i32, relu: bool): void {
  const zero = f64x2.splat(0.0);
  const rowB = <usize>nbE << 4;
  const w0 = W + ((<usize>r * K) << 4);
  const w1 = w0 + (<usize>K << 4);
  const bv0 = bias != 0 ? vat(bias, r) : zero;
  const bv1 = bias != 0 ? vat(bias, r + 1) : zero;
  const or0 = out + <usize>r * rowB;
  const or1 = or0 + rowB;
  let b = 0;
  for (; b + 4 <= nbE; b += 4) {
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    let c0 = zero, c1 = zero, c2 = zero, c3 = zero;
    let ip = inp + (<usize>b << 4);
    for (let k = 0; k < K; k++) {
      const u = vat(w0, k);
      const v = vat(w1, k);
      const x0 = v128.load(ip), x1 = v128.load(ip, 16), x2 = v128.load(ip, 32), x3 = v128.load(ip, 48);
      a0 = f64x2.add(a0, f64x2.mul(u, x0));
      a1 = f64x2.add(a1, f64x2.mul(u, x1));
      a2 = f64x2.add(a2, f64x2.mul(u, x2));
      a3 = f64x2.add(a3, f64x2.mul(u, x3));
      c0 = f64x2.add(c0, f64x2.mul(v, x0));
      c1 = f64x2.add(c1, f64x2.mul(v, x1));
      c2 = f64x2.add(c2, f64x2.mul(v, x2));
      c3 = f64x2.add(c3, f64x2.mul(v, x3));
      ip += rowB;
    }
    const o = <usize>b << 4;
    v128.store(or0 + o, act(a0, bv0, relu));
    v128.store(or0 + o, act(a1, bv0, relu), 16);
    v128.store(or0 + o, act(a2, bv0, relu), 32);
    v128.store(or0 + o, act(a3, bv0, relu), 48);
    v128.store(or1 + o, act(c0, bv1, relu));
    v128.store(or1 + o, act(c1, bv1, relu), 16);
    v128.store(or1 + o, act(c2, bv1, relu), 32);
    v128.store(or1 + o, act(c3, bv1, relu), 48);
  }
  for (; b < nbE; b++) {
    let a = zero, c = zero;
    let ip = inp + (<usize>b << 4);
    for (let k = 0; k < K; k++) {
      const x = v128.load(ip);
      a = f64x2.add(a, f64x2.mul(vat(w0, k), x));
      c = f64x2.add(c, f64x2.mul(vat(w1, k), x));
      ip += rowB;
    }
    v128.store(or0 + (<usize>b << 4), act(a, bv0, relu));
    v128.store(or1 + (<usize>b << 4), act(c, bv1, relu));
  }
}

function forwardRow(W: usize, bias: usize, r: i32, K: i32, inp: usize, out: usize, nbE: i32, relu: bool): void {
  const zero = f64x2.splat(0.0);
  const rowB = <usize>nbE << 4;
  const wr = W + ((<usize>r * K) << 4);
  const bv = bias != 0 ? vat(bias, r) : zero;
  const orow = out + <usize>r * rowB;
  let b = 0;
  for (; b + 8 <= nbE; b += 8) {
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
    let ip = inp + (<usize>b << 4);
    for (let k = 0; k < K; k++) {
      const w = vat(wr, k);
      a0 = f64x2.add(a0, f64x2.mul(w, v128.load(ip)));
      a1 = f64x2.add(a1, f64x2.mul(w, v128.load(ip, 16)));
      a2 = f64x2.add(a2, f64x2.mul(w, v128.load(ip, 32)));
      a3 = f64x2.add(a3, f64x2.mul(w, v128.load(ip, 48)));
      a4 = f64x2.add(a4, f64x2.mul(w, v128.load(ip, 64)));
      a5 = f64x2.add(a5, f64x2.mul(w, v128.load(ip, 80)));
      a6 = f64x2.add(a6, f64x2.mul(w, v128.load(ip, 96)));
      a7 = f64x2.add(a7, f64x2.mul(w, v128.load(ip, 112)));
      ip += rowB;
    }
    const o = orow + (<usize>b << 4);
    v128.store(o, act(a0, bv, relu));
    v128.store(o, act(a1, bv, relu), 16);
    v128.store(o, act(a2, bv, relu), 32);
    v128.store(o, act(a3, bv, relu), 48);
    v128.store(o, act(a4, bv, relu), 64);
    v128.store(o, act(a5, bv, relu), 80);
    v128.store(o, act(a6, bv, relu), 96);
    v128.store(o, act(a7, bv, relu), 112);
  }
  for (; b < nbE; b++) {
    let a = zero;
    let ip = inp + (<usize>b << 4);
    for (let k = 0; k < K; k++) {
      a = f64x2.add(a, f64x2.mul(vat(wr, k), v128.load(ip)));
      ip += rowB;
    }
    v128.store(orow + (<usize>b << 4), act(a, bv, relu));
  }
}

// g[r][k] = 0 + (E + O) of Σ_b D[r][b]·A[k][b] (even / odd points), and gb[r] likewise of Σ_b D[r][b].
function gradLayer(g: usize, gb: usize, D: usize, A: usize, R: i32, K: i32, nbE: i32): void {
  const rowB = <usize>nbE << 4;
  let r = 0;
  for (; r + 2 <= R; r += 2) {
    let k = 0;
    for (; k + 2 <= K; k += 2) grad2x2(g, D, A, r, k, K, rowB, nbE);
    for (; k < K; k++) {
      grad1x1(g, D, A, r, k, K, rowB, nbE);
      grad1x1(g, D, A, r + 1, k, K, rowB, nbE);
    }
  }
  for (; r < R; r++) {
    let k = 0;
    for (; k + 4 <= K; k += 4) grad1x4(g, D, A, r, k, K, rowB, nbE);
    for (; k < K; k++) grad1x1(g, D, A, r, k, K, rowB, nbE);
  }
  if (gb != 0) {
    const zero = f64x2.splat(0.0);
    const end = <usize>nbE << 4;
    for (r = 0; r + 4 <= R; r += 4) {
      const d0 = D + <usize>r * rowB, d1 = d0 + rowB, d2 = d1 + rowB, d3 = d2 + rowB;
      let e0 = zero, o0 = zero, e1 = zero, o1 = zero, e2 = zero, o2 = zero, e3 = zero, o3 = zero;
      for (let o: usize = 0; o < end; o += 32) {
        e0 = f64x2.add(e0, v128.load(d0 + o));
        o0 = f64x2.add(o0, v128.load(d0 + o, 16));
        e1 = f64x2.add(e1, v128.load(d1 + o));
        o1 = f64x2.add(o1, v128.load(d1 + o, 16));
        e2 = f64x2.add(e2, v128.load(d2 + o));
        o2 = f64x2.add(o2, v128.load(d2 + o, 16));
        e3 = f64x2.add(e3, v128.load(d3 + o));
        o3 = f64x2.add(o3, v128.load(d3 + o, 16));
      }
      vput(gb, r, f64x2.add(zero, f64x2.add(e0, o0)));
      vput(gb, r + 1, f64x2.add(zero, f64x2.add(e1, o1)));
      vput(gb, r + 2, f64x2.add(zero, f64x2.add(e2, o2)));
      vput(gb, r + 3, f64x2.add(zero, f64x2.add(e3, o3)));
    }
    for (; r < R; r++) {
      const dr = D + <usize>r * rowB;
      let e = zero, od = zero;
      for (let o: usize = 0; o < end; o += 32) {
        e = f64x2.add(e, v128.load(dr + o));
        od = f64x2.add(od, v128.load(dr + o, 16));
      }
      vput(gb, r, f64x2.add(zero, f64x2.add(e, od)));
    }
  }
}

// Rows r, r + 1 × columns k, k + 1 of the weight gradient: eight chains (two entries per
// (row, column): even and odd points).
function grad2x2(g: usize, D: usize, A: usize, r: i32, k: i32, K: i32, rowB: usize, nbE: i32): void {
  const zero = f64x2.splat(0.0);
  const end = <usize>nbE << 4;
  const d0 = D + <usize>r * rowB, d1 = d0 + rowB;
  const a0 = A + <usize>k * rowB, a1 = a0 + rowB;
  let e00 = zero, o00 = zero, e01 = zero, o01 = zero, e10 = zero, o10 = zero, e11 = zero, o11 = zero;
  for (let o: usize = 0; o < end; o += 32) {
    const p0 = v128.load(d0 + o), q0 = v128.load(d0 + o, 16);
    const p1 = v128.load(d1 + o), q1 = v128.load(d1 + o, 16);
    const x0 = v128.load(a0 + o), y0 = v128.load(a0 + o, 16);
    const x1 = v128.load(a1 + o), y1 = v128.load(a1 + o, 16);
    e00 = f64x2.add(e00, f64x2.mul(p0, x0));
    o00 = f64x2.add(o00, f64x2.mul(q0, y0));
    e01 = f64x2.add(e01, f64x2.mul(p0, x1));
    o01 = f64x2.add(o01, f64x2.mul(q0, y1));
    e10 = f64x2.add(e10, f64x2.mul(p1, x0));
    o10 = f64x2.add(o10, f64x2.mul(q1, y0));
    e11 = f64x2.add(e11, f64x2.mul(p1, x1));
    o11 = f64x2.add(o11, f64x2.mul(q1, y1));
  }
  const g0 = g + ((<usize>r * K + k) << 4);
  const g1 = g0 + (<usize>K << 4);
  v128.store(g0, f64x2.add(zero, f64x2.add(e00, o00)));
  v128.store(g0, f64x2.add(zero, f64x2.add(e01, o01)), 16);
  v128.store(g1, f64x2.add(zero, f64x2.add(e10, o10)));
  v128.store(g1, f64x2.add(zero, f64x2.add(e11, o11)), 16);
}

// Row r × columns k … k + 3 (a single-output layer): eight chains.
function grad1x4(g: usize, D: usize, A: usize, r: i32, k: i32, K: i32, rowB: usize, nbE: i32): void {
  const zero = f64x2.splat(0.0);
  const end = <usize>nbE << 4;
  const dr = D + <usize>r * rowB;
  const a0 = A + <usize>k * rowB, a1 = a0 + rowB, a2 = a1 + rowB, a3 = a2 + rowB;
  let e0 = zero, o0 = zero, e1 = zero, o1 = zero, e2 = zero, o2 = zero, e3 = zero, o3 = zero;
  for (let o: usize = 0; o < end; o += 32) {
    const p = v128.load(dr + o), q = v128.load(dr + o, 16);
    e0 = f64x2.add(e0, f64x2.mul(p, v128.load(a0 + o)));
    o0 = f64x2.add(o0, f64x2.mul(q, v128.load(a0 + o, 16)));
    e1 = f64x2.add(e1, f64x2.mul(p, v128.load(a1 + o)));
    o1 = f64x2.add(o1, f64x2.mul(q, v128.load(a1 + o, 16)));
    e2 = f64x2.add(e2, f64x2.mul(p, v128.load(a2 + o)));
    o2 = f64x2.add(o2, f64x2.mul(q, v128.load(a2 + o, 16)));
    e3 = f64x2.add(e3, f64x2.mul(p, v128.load(a3 + o)));
    o3 = f64x2.add(o3, f64x2.mul(q, v128.load(a3 + o, 16)));
  }
  const gr = g + ((<usize>r * K + k) << 4);
  v128.store(gr, f64x2.add(zero, f64x2.add(e0, o0)));
  v128.store(gr, f64x2.add(zero, f64x2.add(e1, o1)), 16);
  v128.store(gr, f64x2.add(zero, f64x2.add(e2, o2)), 32);
  v128.store(gr, f64x2.add(zero, f64x2.add(e3, o3)), 48);
}

function grad1x1(g: usize, D: usize, A: usize, r: i32, k: i32, K: i32, rowB: usize, nbE: i32): void {
  const zero = f64x2.splat(0.0);
  const end = <usize>nbE << 4;
  const dr = D + <usize>r * rowB;
  const ak = A + <usize>k * rowB;
  let e = zero, od = zero;
  for (let o: usize = 0; o < end; o += 32) {
    e = f64x2.add(e, f64x2.mul(v128.load(dr + o), v128.load(ak + o)));
    od = f64x2.add(od, f64x2.mul(v128.load(dr + o, 16), v128.load(ak + o, 16)));
  }
  vput(g + ((<usize>r * K + k) << 4), 0, f64x2.add(zero, f64x2.add(e, od)));
}

// out[k][b] = A[k][b] > 0 ? (0 + Σ_r W[r][k]·D[r][b]) + 0 : 0 for k < K, b < nbE (W is R×K).
// Two columns × four points per tile: eight independent sums, each in r order.
function backLayer(W: usize, D: usize, A: usize, out: usize, R: i32, K: i32, nbE: i32): void {
  const zero = f64x2.splat(0.0);
  const rowB = <usize>nbE << 4;
  const kB = <usize>K << 4;
  if (R == 1) {
    // A single-output layer: out[k][b] = (0 + W_k·D[b]) + 0 masked, four columns per pass.
    const end = <usize>nbE << 4;
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const w0 = vat(W, k), w1 = vat(W, k + 1), w2 = vat(W, k + 2), w3 = vat(W, k + 3);
      const a0 = A + <usize>k * rowB, a1 = a0 + rowB, a2 = a1 + rowB, a3 = a2 + rowB;
      const q0 = out + <usize>k * rowB, q1 = q0 + rowB, q2 = q1 + rowB, q3 = q2 + rowB;
      for (let o: usize = 0; o < end; o += 16) {
        const dv = v128.load(D + o);
        v128.store(q0 + o, masked(f64x2.add(zero, f64x2.mul(w0, dv)), v128.load(a0 + o)));
        v128.store(q1 + o, masked(f64x2.add(zero, f64x2.mul(w1, dv)), v128.load(a1 + o)));
        v128.store(q2 + o, masked(f64x2.add(zero, f64x2.mul(w2, dv)), v128.load(a2 + o)));
        v128.store(q3 + o, masked(f64x2.add(zero, f64x2.mul(w3, dv)), v128.load(a3 + o)));
      }
    }
    for (; k < K; k++) for (let b = 0; b < nbE; b++) backOne(W, D, A, out, R, k, b, rowB, kB);
    return;
  }
  let k = 0;
  for (; k + 2 <= K; k += 2) {
    const wk = W + (<usize>k << 4);
    const ak0 = A + <usize>k * rowB, ak1 = ak0 + rowB;
    const ok0 = out + <usize>k * rowB, ok1 = ok0 + rowB;
    let b = 0;
    for (; b + 4 <= nbE; b += 4) {
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      let c0 = zero, c1 = zero, c2 = zero, c3 = zero;
      let dp = D + (<usize>b << 4);
      let wp = wk;
      for (let r = 0; r < R; r++) {
        const u = v128.load(wp), v = v128.load(wp, 16);
        const x0 = v128.load(dp), x1 = v128.load(dp, 16), x2 = v128.load(dp, 32), x3 = v128.load(dp, 48);
        a0 = f64x2.add(a0, f64x2.mul(u, x0));
        a1 = f64x2.add(a1, f64x2.mul(u, x1));
        a2 = f64x2.add(a2, f64x2.mul(u, x2));
        a3 = f64x2.add(a3, f64x2.mul(u, x3));
        c0 = f64x2.add(c0, f64x2.mul(v, x0));
        c1 = f64x2.add(c1, f64x2.mul(v, x1));
        c2 = f64x2.add(c2, f64x2.mul(v, x2));
        c3 = f64x2.add(c3, f64x2.mul(v, x3));
        dp += rowB;
        wp += kB;
      }
      const o = <usize>b << 4;
      v128.store(ok0 + o, masked(a0, v128.load(ak0 + o)));
      v128.store(ok0 + o, masked(a1, v128.load(ak0 + o, 16)), 16);
      v128.store(ok0 + o, masked(a2, v128.load(ak0 + o, 32)), 32);
      v128.store(ok0 + o, masked(a3, v128.load(ak0 + o, 48)), 48);
      v128.store(ok1 + o, masked(c0, v128.load(ak1 + o)));
      v128.store(ok1 + o, masked(c1, v128.load(ak1 + o, 16)), 16);
      v128.store(ok1 + o, masked(c2, v128.load(ak1 + o, 32)), 32);
      v128.store(ok1 + o, masked(c3, v128.load(ak1 + o, 48)), 48);
    }
    for (; b < nbE; b++) {
      backOne(W, D, A, out, R, k, b, rowB, kB);
      backOne(W, D, A, out, R, k + 1, b, rowB, kB);
    }
  }
  for (; k < K; k++) for (let b = 0; b < nbE; b++) backOne(W, D, A, out, R, k, b, rowB, kB);
}

// (z + 0) where the activation below is positive, else +0.
// @ts-ignore: decorator
@inline
function masked(z: v128, a: v128): v128 {
  const zero = f64x2.splat(0.0);
  return v128.and(f64x2.add(z, zero), f64x2.gt(a, zero));
}

// One delta: column k, point b.
// @ts-ignore: decorator
@inline
function backOne(W: usize, D: usize, A: usize, out: usize, R: i32, k: i32, b: i32, rowB: usize, kB: usize): void {
  let a = f64x2.splat(0.0);
  let dp = D + (<usize>b << 4);
  let wp = W + (<usize>k << 4);
  for (let r = 0; r < R; r++) {
    a = f64x2.add(a, f64x2.mul(v128.load(wp), v128.load(dp)));
    dp += rowB;
    wp += kB;
  }
  const o = <usize>k * rowB + (<usize>b << 4);
  v128.store(out + o, masked(a, v128.load(A + o)));
}

/**
 * Train two networks of architecture `dims` (L layers, `bias`) in place — parameters at pA and
 * pB (already initialised), data XA/YA and XB/YB (n points each, point-major) — with the trial
 * configuration `cfg` (plain full-batch training; see `pairable`). Writes each trial's outcome
 * exactly as `plainTrain` would: the same parameters, `ok` and final loss, bit for bit.
 */
export function trainPair(
  dims: usize, L: i32, bias: bool, pA: usize, pB: usize, XA: usize, YA: usize, XB: usize, YB: usize, n: i32,
  cfg: usize, outA: TrainOutcome, outB: TrainOutcome,
): void {
  const kind = <i32>at(cfg, TRIAL_CONFIG_LOSS);
  const opt = <i32>at(cfg, TRIAL_CONFIG_OPT);
  const lr = at(cfg, TRIAL_CONFIG_LR);
  const beta = at(cfg, TRIAL_CONFIG_BETA);
  const beta2 = at(cfg, TRIAL_CONFIG_BETA2);
  const eps = at(cfg, TRIAL_CONFIG_EPS);
  const l1 = at(cfg, TRIAL_CONFIG_L1);
  const l2 = at(cfg, TRIAL_CONFIG_L2);
  const epochs = <i32>at(cfg, TRIAL_CONFIG_EPOCHS);
  const P = mlpParamCount(dims, L, bias);
  const d = dimAt(dims, 0);
  const nL = dimAt(dims, L);
  const maxW = mlpMaxWidth(dims, L);
  const nbE = fmStride(n);
  const rowB = <usize>nbE << 4;
  let sumN = 0;
  for (let l = 0; l <= L; l++) sumN += dimAt(dims, l);

  const pb = <usize>P << 4;
  const buf = heap.alloc(4 * pb + <usize>(sumN + 2 * maxW) * rowB + 16);
  const base = (buf + 15) & ~(<usize>15);
  const prm = base;
  const grad = prm + pb;
  const s1 = grad + pb;
  const s2 = s1 + pb;
  const acts = s2 + pb;
  const deltas = acts + <usize>sumN * rowB;
  memory.fill(s1, 0, 2 * pb);
  for (let i = 0; i < P; i++) {
    const q = <usize>i << 3;
    vput(prm, i, f64x2.replace_lane(f64x2.splat(load<f64>(pA + q)), 1, load<f64>(pB + q)));
  }
  // Layer 0: the inputs, feature-major, both trials interleaved; the padding column of an odd n is 0.
  for (let k = 0; k < d; k++) {
    const row = acts + <usize>k * rowB;
    for (let b = 0; b < n; b++) {
      const q = (<usize>(b * d + k)) << 3;
      vput(row, b, f64x2.replace_lane(f64x2.splat(load<f64>(XA + q)), 1, load<f64>(XB + q)));
    }
    for (let b = n; b < nbE; b++) vput(row, b, f64x2.splat(0.0));
  }

  // Targets interleaved, output-major (yI[k·n + b] = (Y_A[b][k], Y_B[b][k])), for the mse loop.
  const yBuf = heap.alloc((<usize>(nL * n) << 4) + 16);
  const yI = (yBuf + 15) & ~(<usize>15);
  for (let k = 0; k < nL; k++) {
    for (let b = 0; b < n; b++) {
      const q = <usize>(b * nL + k) << 3;
      vput(yI, k * n + b, f64x2.replace_lane(f64x2.splat(load<f64>(YA + q)), 1, load<f64>(YB + q)));
    }
  }
  let aliveA = true;
  let aliveB = true;
  let lastA: f64 = NaN;
  let lastB: f64 = NaN;
  let b1t: f64 = 1;
  let b2t: f64 = 1;
  const inv = 1.0 / <f64>n;
  const zero = f64x2.splat(0.0);
  for (let e = 0; e < epochs; e++) {
    // ---- forward ----
    let p = prm;
    let a = acts;
    for (let l = 1; l <= L; l++) {
      const nin = dimAt(dims, l - 1);
      const nout = dimAt(dims, l);
      const next = a + <usize>nin * rowB;
      forwardLayer(p, bias ? p + ((<usize>nout * nin) << 4) : 0, nout, nin, a, next, nbE, l < L);
      p += <usize>layerParamCount(dims, l, bias) << 4;
      a = next;
    }
    // ---- loss and output deltas, per lane in the shared kernel's order ----
    let cur = deltas;
    let nxt = deltas + <usize>maxW * rowB;
    let totA: f64 = 0;
    let totB: f64 = 0;
    for (let k = 0; k < nL; k++) {
      const orow = a + <usize>k * rowB;
      const drow = cur + <usize>k * rowB;
      if (kind == LOSS_MSE) {
        // ℓ = e², ℓ' = 2e with e = φ − y, per lane exactly as losses.ts; the per-trial sum over
        // points is sequential in each lane.
        let tot = f64x2.replace_lane(f64x2.splat(totA), 1, totB);
        const ip = f64x2.splat(inv);
        const two = f64x2.splat(2.0);
        const yk = yI + ((<usize>k * n) << 4);
        for (let b = 0; b < n; b++) {
          const e = f64x2.sub(vat(orow, b), vat(yk, b));
          tot = f64x2.add(tot, f64x2.mul(e, e));
          vput(drow, b, f64x2.mul(f64x2.mul(two, e), ip));
        }
        totA = f64x2.extract_lane(tot, 0);
        totB = f64x2.extract_lane(tot, 1);
      } else {
        for (let b = 0; b < n; b++) {
          const phi = vat(orow, b);
          const pa = f64x2.extract_lane(phi, 0);
          const pbv = f64x2.extract_lane(phi, 1);
          const ya = load<f64>(YA + (<usize>(b * nL + k) << 3));
          const yb = load<f64>(YB + (<usize>(b * nL + k) << 3));
          totA += lossValue(kind, pa, ya);
          totB += lossValue(kind, pbv, yb);
          vput(drow, b, f64x2.replace_lane(f64x2.splat(lossGrad(kind, pa, ya) * inv), 1, lossGrad(kind, pbv, yb) * inv));
        }
      }
      for (let b = n; b < nbE; b++) vput(drow, b, zero);
    }
    const lossA = totA * inv;
    const lossB = totB * inv;
    // A trial whose loss is not finite stops here with the parameters it has (mlpTrain returns
    // TRAIN_DIVERGED before the update; its last epoch's loss slot was never written: 0).
    if (aliveA && !isFinite(lossA)) {
      aliveA = false;
      deinterleave(pA, prm, P, 0);
      outA.ok = false;
      outA.finalLoss = 0.0;
    }
    if (aliveB && !isFinite(lossB)) {
      aliveB = false;
      deinterleave(pB, prm, P, 1);
      outB.ok = false;
      outB.finalLoss = 0.0;
    }
    if (!aliveA && !aliveB) break;
    lastA = (0.0 + lossA * <f64>n) / <f64>n;
    lastB = (0.0 + lossB * <f64>n) / <f64>n;
    // ---- backward ----
    let pOff = P;
    for (let l = L; l >= 1; l--) {
      const nin = dimAt(dims, l - 1);
      const nout = dimAt(dims, l);
      pOff -= layerParamCount(dims, l, bias);
      const aPrev = a - <usize>nin * rowB;
      const wl = prm + (<usize>pOff << 4);
      const gW = grad + (<usize>pOff << 4);
      gradLayer(gW, bias ? gW + ((<usize>nout * nin) << 4) : 0, cur, aPrev, nout, nin, nbE);
      if (l > 1) {
        backLayer(wl, cur, aPrev, nxt, nout, nin, nbE);
        const t = cur;
        cur = nxt;
        nxt = t;
      }
      a = aPrev;
    }
    // ---- ℓ2, the optimiser step, the ℓ1 prox ----
    if (l2 != 0) {
      const c = f64x2.splat(2.0 * l2);
      let off = 0;
      for (let l = 1; l <= L; l++) {
        const nw = dimAt(dims, l - 1) * dimAt(dims, l);
        for (let k = off; k < off + nw; k++) vput(grad, k, f64x2.add(vat(grad, k), f64x2.mul(c, vat(prm, k))));
        off += layerParamCount(dims, l, bias);
      }
    }
    const lrv = f64x2.splat(lr);
    if (opt == OPT_SGD) {
      for (let i = 0; i < P; i++) vput(prm, i, f64x2.sub(vat(prm, i), f64x2.mul(lrv, vat(grad, i))));
    } else if (opt == OPT_MOMENTUM) {
      const bv = f64x2.splat(beta);
      for (let i = 0; i < P; i++) {
        const v = f64x2.add(f64x2.mul(bv, vat(s1, i)), vat(grad, i));
        vput(s1, i, v);
        vput(prm, i, f64x2.sub(vat(prm, i), f64x2.mul(lrv, v)));
      }
    } else {
      b1t *= beta;
      b2t *= beta2;
      const b1v = f64x2.splat(beta), b2v = f64x2.splat(beta2);
      const ob1v = f64x2.splat(1.0 - beta), ob2v = f64x2.splat(1.0 - beta2);
      const c1v = f64x2.splat(1.0 - b1t), c2v = f64x2.splat(1.0 - b2t);
      const epsv = f64x2.splat(eps);
      for (let i = 0; i < P; i++) {
        const g = vat(grad, i);
        const m = f64x2.add(f64x2.mul(b1v, vat(s1, i)), f64x2.mul(ob1v, g));
        const v = f64x2.add(f64x2.mul(b2v, vat(s2, i)), f64x2.mul(f64x2.mul(ob2v, g), g));
        vput(s1, i, m);
        vput(s2, i, v);
        const step = f64x2.div(f64x2.mul(lrv, f64x2.div(m, c1v)), f64x2.add(f64x2.sqrt(f64x2.div(v, c2v)), epsv));
        vput(prm, i, f64x2.sub(vat(prm, i), step));
      }
    }
    const t = lr * l1;
    if (t != 0) {
      let off = 0;
      for (let l = 1; l <= L; l++) {
        const nw = dimAt(dims, l - 1) * dimAt(dims, l);
        for (let k = off; k < off + nw; k++) {
          for (let lane = 0; lane < 2; lane++) {
            const q = prm + (<usize>k << 4) + (<usize>lane << 3);
            const w = load<f64>(q);
            const aw = Math.abs(w) - t;
            store<f64>(q, aw > 0 ? (w > 0 ? aw : -aw) : 0.0);
          }
        }
        off += layerParamCount(dims, l, bias);
      }
    }
  }
  if (aliveA) {
    deinterleave(pA, prm, P, 0);
    outA.ok = lanesFinite(prm, P, 0);
    outA.finalLoss = at(cfg, TRIAL_CONFIG_EPOCHS) >= 1 ? lastA : NaN;
  }
  if (aliveB) {
    deinterleave(pB, prm, P, 1);
    outB.ok = lanesFinite(prm, P, 1);
    outB.finalLoss = at(cfg, TRIAL_CONFIG_EPOCHS) >= 1 ? lastB : NaN;
  }
  heap.free(buf);
  heap.free(yBuf);
}
