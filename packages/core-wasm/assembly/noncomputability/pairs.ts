// Many paired trials in one call: the two members of a hard pair (ι⁺ and ι⁻ of trial t) run in
// the two lanes of every f64x2, so the per-step arithmetic of W = 4, d = 2, r = 8 no longer needs
// horizontal sums, and a whole batch of trials crosses the WebAssembly boundary once.
//
// Both signs of trial t start from the same θ (one key, the paired design) and differ only by their
// data, which is why they pair up well: lane 0 holds the run on the ι⁺ data, lane 1 the run on the
// ι⁻ data. Every lane performs exactly the operations, in exactly the order, of the one-problem
// kernel (net.ts mseGrad + optimise.ts runProxGd / runAdam): the neuron-pair lanes there become
// the even/odd partial sums pe/po here, so each sign's result is bit-identical to optimise() on
// that sign alone (tested against it for every supported method, seed and shape).
//
// Layout: "pair arrays" hold one v128 per entry, lane 0 = ι⁺, lane 1 = ι⁻. T2[p] is internal
// parameter p of net.ts (T[k·Wp + i] = w_i,k, T[d·Wp + i] = v_i); xs[j·d + k], ys[j] the data.
// Supported: full-batch proximal gd (method 0) and Adam (method 2), with restarts from a random
// init; minibatch SGD and annealing draw different random numbers per sign path, and a given
// start θ is a one-off call: those stay on optimise().

import { Philox } from "../rng/philox";
import { ERR_ARG } from "../errors";
import { cost, internalCount, ld, padWidth, st, toShared } from "./net";
import {
  CFG_ADAM_EPS, CFG_BETA1, CFG_BETA2, CFG_INIT, CFG_INIT_SCALE, CFG_LAMBDA, CFG_LR, CFG_METHOD, CFG_RESTARTS, CFG_STEPS,
  OUT_BEST_RESTART, OUT_COST, OUT_DIVERGED, OUT_SIZE, OUT_STEPS, finiteAndBounded, initialise,
} from "./optimise";

// @ts-ignore: decorator
@inline
function at(p: usize, i: i32): usize {
  return p + (<usize>i << 4);
}

/**
 * The mean squared error of both lanes on all r samples and, in g2, its gradient (pair layout,
 * overwritten); hb2 is scratch for Wp pre-activations. Lane for lane the operations of
 * net.ts mseGrad with idx = 0, start = 0, count = r.
 */
function mseGradPairs(T2: usize, xs: usize, ys: usize, r: i32, d: i32, Wp: i32, g2: usize, hb2: usize): v128 {
  const zero = f64x2.splat(0.0);
  const vOff = d * Wp;
  memory.fill(g2, 0, <usize>internalCount(d, Wp) << 4);
  let loss = zero;
  const scale = f64x2.splat(2.0 / <f64>r);
  for (let j = 0; j < r; j++) {
    const xj = xs + (<usize>(j * d) << 4);
    let pe = zero;
    let po = zero;
    for (let i = 0; i < Wp; i++) {
      let h = zero;
      for (let k = 0; k < d; k++) h = f64x2.add(h, f64x2.mul(v128.load(at(T2, k * Wp + i)), v128.load(at(xj, k))));
      v128.store(at(hb2, i), h);
      const a = f64x2.mul(v128.load(at(T2, vOff + i)), f64x2.max(h, zero));
      if (i & 1) po = f64x2.add(po, a);
      else pe = f64x2.add(pe, a);
    }
    const e = f64x2.sub(f64x2.add(pe, po), v128.load(at(ys, j)));
    loss = f64x2.add(loss, f64x2.mul(e, e));
    const ge = f64x2.mul(scale, e);
    for (let i = 0; i < Wp; i++) {
      const h = v128.load(at(hb2, i));
      const active = f64x2.gt(h, zero);
      const pv = at(g2, vOff + i);
      v128.store(pv, f64x2.add(v128.load(pv), f64x2.mul(ge, v128.and(h, active))));
      const gv = v128.and(f64x2.mul(ge, v128.load(at(T2, vOff + i))), active);
      for (let k = 0; k < d; k++) {
        const p = at(g2, k * Wp + i);
        v128.store(p, f64x2.add(v128.load(p), f64x2.mul(gv, v128.load(at(xj, k)))));
      }
    }
  }
  return f64x2.div(loss, f64x2.splat(<f64>r));
}

/**
 * mseGradPairs for d = 2, W = 4 (the default cell): the same operations in the same order, with θ,
 * the gradient and the pre-activations held in locals instead of memory.
 */
function mseGradPairsD2W4(T2: usize, xs: usize, ys: usize, r: i32, g2: usize): v128 {
  const zero = f64x2.splat(0.0);
  // internal layout for d = 2, Wp = 4: w_i,0 at i, w_i,1 at 4 + i, v_i at 8 + i
  const w00 = v128.load(T2, 0); const w10 = v128.load(T2, 16); const w20 = v128.load(T2, 32); const w30 = v128.load(T2, 48);
  const w01 = v128.load(T2, 64); const w11 = v128.load(T2, 80); const w21 = v128.load(T2, 96); const w31 = v128.load(T2, 112);
  const v0 = v128.load(T2, 128); const v1 = v128.load(T2, 144); const v2 = v128.load(T2, 160); const v3 = v128.load(T2, 176);
  let a00 = zero; let a10 = zero; let a20 = zero; let a30 = zero;
  let a01 = zero; let a11 = zero; let a21 = zero; let a31 = zero;
  let b0 = zero; let b1 = zero; let b2 = zero; let b3 = zero;
  let loss = zero;
  const scale = f64x2.splat(2.0 / <f64>r);
  for (let j = 0; j < r; j++) {
    const xj = xs + (<usize>j << 5);
    const x0 = v128.load(xj, 0);
    const x1 = v128.load(xj, 16);
    const h0 = f64x2.add(f64x2.add(zero, f64x2.mul(w00, x0)), f64x2.mul(w01, x1));
    const h1 = f64x2.add(f64x2.add(zero, f64x2.mul(w10, x0)), f64x2.mul(w11, x1));
    const h2 = f64x2.add(f64x2.add(zero, f64x2.mul(w20, x0)), f64x2.mul(w21, x1));
    const h3 = f64x2.add(f64x2.add(zero, f64x2.mul(w30, x0)), f64x2.mul(w31, x1));
    const pe = f64x2.add(f64x2.add(zero, f64x2.mul(v0, f64x2.max(h0, zero))), f64x2.mul(v2, f64x2.max(h2, zero)));
    const po = f64x2.add(f64x2.add(zero, f64x2.mul(v1, f64x2.max(h1, zero))), f64x2.mul(v3, f64x2.max(h3, zero)));
    const e = f64x2.sub(f64x2.add(pe, po), v128.load(ys + (<usize>j << 4)));
    loss = f64x2.add(loss, f64x2.mul(e, e));
    const ge = f64x2.mul(scale, e);
    const m0 = f64x2.gt(h0, zero);
    const m1 = f64x2.gt(h1, zero);
    const m2 = f64x2.gt(h2, zero);
    const m3 = f64x2.gt(h3, zero);
    b0 = f64x2.add(b0, f64x2.mul(ge, v128.and(h0, m0)));
    b1 = f64x2.add(b1, f64x2.mul(ge, v128.and(h1, m1)));
    b2 = f64x2.add(b2, f64x2.mul(ge, v128.and(h2, m2)));
    b3 = f64x2.add(b3, f64x2.mul(ge, v128.and(h3, m3)));
    const g0 = v128.and(f64x2.mul(ge, v0), m0);
    const g1 = v128.and(f64x2.mul(ge, v1), m1);
    const g2_ = v128.and(f64x2.mul(ge, v2), m2);
    const g3 = v128.and(f64x2.mul(ge, v3), m3);
    a00 = f64x2.add(a00, f64x2.mul(g0, x0));
    a01 = f64x2.add(a01, f64x2.mul(g0, x1));
    a10 = f64x2.add(a10, f64x2.mul(g1, x0));
    a11 = f64x2.add(a11, f64x2.mul(g1, x1));
    a20 = f64x2.add(a20, f64x2.mul(g2_, x0));
    a21 = f64x2.add(a21, f64x2.mul(g2_, x1));
    a30 = f64x2.add(a30, f64x2.mul(g3, x0));
    a31 = f64x2.add(a31, f64x2.mul(g3, x1));
  }
  v128.store(g2, a00, 0); v128.store(g2, a10, 16); v128.store(g2, a20, 32); v128.store(g2, a30, 48);
  v128.store(g2, a01, 64); v128.store(g2, a11, 80); v128.store(g2, a21, 96); v128.store(g2, a31, 112);
  v128.store(g2, b0, 128); v128.store(g2, b1, 144); v128.store(g2, b2, 160); v128.store(g2, b3, 176);
  return f64x2.div(loss, f64x2.splat(<f64>r));
}

/**
 * soft2 / softPair rewritten as z − clamp(z, −τ, τ), three instructions instead of eight: for
 * |z| > τ it is the one rounding z ∓ τ of soft2 (rounding to nearest is symmetric), for |z| ≤ τ it
 * is z − z = +0 as soft2 gives, ±∞ stay ±∞ and NaN stays NaN. pmin/pmax are single instructions
 * where min/max need several (their ±0/NaN rules do not matter here for the same reasons).
 */
// @ts-ignore: decorator
@inline
function softClamp(z: v128, tau: v128, ntau: v128): v128 {
  return f64x2.sub(z, f64x2.pmin(f64x2.pmax(z, ntau), tau));
}

/**
 * runPairs' Adam update of one parameter pair θ (gradient gi, moments at mp and vp, updated in
 * place), in the same operations and order; returns the new θ. c1, c2 are the bias corrections
 * 1/(1 − β^t).
 */
// @ts-ignore: decorator
@inline
function adamParam(
  theta: v128, gi: v128, mp: usize, vp: usize, B1: v128, B1c: v128, B2: v128, B2c: v128,
  c1: v128, c2: v128, EPS: v128, LR: v128, LRL: v128,
): v128 {
  const mi = f64x2.add(f64x2.mul(B1, v128.load(mp)), f64x2.mul(B1c, gi));
  const vi = f64x2.add(f64x2.mul(B2, v128.load(vp)), f64x2.mul(B2c, f64x2.mul(gi, gi)));
  v128.store(mp, mi);
  v128.store(vp, vi);
  const denom = f64x2.add(f64x2.sqrt(f64x2.mul(vi, c2)), EPS);
  return softPair(f64x2.sub(theta, f64x2.div(f64x2.mul(LR, f64x2.mul(mi, c1)), denom)), f64x2.div(LRL, denom));
}

/**
 * The register-resident step loop for d = 2, W = 4, the one body of gdD2W4 and adamD2W4 (their
 * doc comments give the rewrites and the contract): θ in locals across steps, the step's gradient
 * in locals too (its ∂w sums in a second pass over the samples), then the proximal gd update
 * (`adam` false) or Adam's (`adam` true; moments in memory at mp, vp, β^t stored at bt on return).
 * Inlined into each wrapper with `adam` a constant, so each compiles to its own loop with no
 * branch on the method: the release WebAssembly of both kernels is instruction for instruction
 * that of the two hand-written copies this replaced.
 */
// @ts-ignore: decorator
@inline
function stepsD2W4(adam: bool, T2: usize, mp: usize, vp: usize, xs: usize, ys: usize, r: i32, steps: i32, lr: f64, lambda: f64, beta1: f64, beta2: f64, eps: f64, bt: usize, gb: usize): i32 {
  const zero = f64x2.splat(0.0);
  const LR = f64x2.splat(lr);
  const LRL = f64x2.splat(lr * lambda);
  const tau = f64x2.splat(lr * lambda);
  const ntau = f64x2.neg(tau);
  const B1 = f64x2.splat(beta1);
  const B2 = f64x2.splat(beta2);
  const B1c = f64x2.splat(1.0 - beta1);
  const B2c = f64x2.splat(1.0 - beta2);
  const EPS = f64x2.splat(eps);
  const scale = f64x2.splat(2.0 / <f64>r);
  const rr = f64x2.splat(<f64>r);
  let w00 = v128.load(T2, 0); let w10 = v128.load(T2, 16); let w20 = v128.load(T2, 32); let w30 = v128.load(T2, 48);
  let w01 = v128.load(T2, 64); let w11 = v128.load(T2, 80); let w21 = v128.load(T2, 96); let w31 = v128.load(T2, 112);
  let v0 = v128.load(T2, 128); let v1 = v128.load(T2, 144); let v2 = v128.load(T2, 160); let v3 = v128.load(T2, 176);
  let b1t = 1.0;
  let b2t = 1.0;
  let s = 0;
  for (; s < steps; s++) {
    let a00 = zero; let a10 = zero; let a20 = zero; let a30 = zero;
    let a01 = zero; let a11 = zero; let a21 = zero; let a31 = zero;
    let b0 = zero; let b1 = zero; let b2 = zero; let b3 = zero;
    let loss = zero;
    for (let j = 0; j < r; j++) {
      const xj = xs + (<usize>j << 5);
      const x0 = v128.load(xj, 0);
      const x1 = v128.load(xj, 16);
      const h0 = f64x2.add(f64x2.mul(w00, x0), f64x2.mul(w01, x1));
      const h1 = f64x2.add(f64x2.mul(w10, x0), f64x2.mul(w11, x1));
      const h2 = f64x2.add(f64x2.mul(w20, x0), f64x2.mul(w21, x1));
      const h3 = f64x2.add(f64x2.mul(w30, x0), f64x2.mul(w31, x1));
      const r0 = f64x2.pmax(h0, zero);
      const r1 = f64x2.pmax(h1, zero);
      const r2 = f64x2.pmax(h2, zero);
      const r3 = f64x2.pmax(h3, zero);
      const pe = f64x2.add(f64x2.mul(v0, r0), f64x2.mul(v2, r2));
      const po = f64x2.add(f64x2.mul(v1, r1), f64x2.mul(v3, r3));
      const e = f64x2.sub(f64x2.add(pe, po), v128.load(ys + (<usize>j << 4)));
      loss = f64x2.add(loss, f64x2.mul(e, e));
      const ge = f64x2.mul(scale, e);
      const m0 = f64x2.gt(h0, zero);
      const m1 = f64x2.gt(h1, zero);
      const m2 = f64x2.gt(h2, zero);
      const m3 = f64x2.gt(h3, zero);
      b0 = f64x2.add(b0, f64x2.mul(ge, r0));
      b1 = f64x2.add(b1, f64x2.mul(ge, r1));
      b2 = f64x2.add(b2, f64x2.mul(ge, r2));
      b3 = f64x2.add(b3, f64x2.mul(ge, r3));
      const gj = gb + (<usize>j << 6);
      v128.store(gj, v128.and(f64x2.mul(ge, v0), m0), 0);
      v128.store(gj, v128.and(f64x2.mul(ge, v1), m1), 16);
      v128.store(gj, v128.and(f64x2.mul(ge, v2), m2), 32);
      v128.store(gj, v128.and(f64x2.mul(ge, v3), m3), 48);
    }
    // ∂w in a second pass, as gdD2W4
    for (let j = 0; j < r; j++) {
      const xj = xs + (<usize>j << 5);
      const x0 = v128.load(xj, 0);
      const x1 = v128.load(xj, 16);
      const gj = gb + (<usize>j << 6);
      const g0 = v128.load(gj, 0);
      const g1 = v128.load(gj, 16);
      const g2 = v128.load(gj, 32);
      const g3 = v128.load(gj, 48);
      a00 = f64x2.add(a00, f64x2.mul(g0, x0));
      a01 = f64x2.add(a01, f64x2.mul(g0, x1));
      a10 = f64x2.add(a10, f64x2.mul(g1, x0));
      a11 = f64x2.add(a11, f64x2.mul(g1, x1));
      a20 = f64x2.add(a20, f64x2.mul(g2, x0));
      a21 = f64x2.add(a21, f64x2.mul(g2, x1));
      a30 = f64x2.add(a30, f64x2.mul(g3, x0));
      a31 = f64x2.add(a31, f64x2.mul(g3, x1));
    }
    if (!v128.all_true<i64>(finiteMask(f64x2.div(loss, rr)))) break;
    if (adam) {
      b1t *= beta1;
      b2t *= beta2;
      const c1 = f64x2.splat(1.0 / (1.0 - b1t));
      const c2 = f64x2.splat(1.0 / (1.0 - b2t));
      w00 = adamParam(w00, a00, mp + 0, vp + 0, B1, B1c, B2, B2c, c1, c2, EPS, LR, LRL);
      w10 = adamParam(w10, a10, mp + 16, vp + 16, B1, B1c, B2, B2c, c1, c2, EPS, LR, LRL);
      w20 = adamParam(w20, a20, mp + 32, vp + 32, B1, B1c, B2, B2c, c1, c2, EPS, LR, LRL);
      w30 = adamParam(w30, a30, mp + 48, vp + 48, B1, B1c, B2, B2c, c1, c2, EPS, LR, LRL);
      w01 = adamParam(w01, a01, mp + 64, vp + 64, B1, B1c, B2, B2c, c1, c2, EPS, LR, LRL);
      w11 = adamParam(w11, a11, mp + 80, vp + 80, B1, B1c, B2, B2c, c1, c2, EPS, LR, LRL);
      w21 = adamParam(w21, a21, mp + 96, vp + 96, B1, B1c, B2, B2c, c1, c2, EPS, LR, LRL);
      w31 = adamParam(w31, a31, mp + 112, vp + 112, B1, B1c, B2, B2c, c1, c2, EPS, LR, LRL);
      v0 = adamParam(v0, b0, mp + 128, vp + 128, B1, B1c, B2, B2c, c1, c2, EPS, LR, LRL);
      v1 = adamParam(v1, b1, mp + 144, vp + 144, B1, B1c, B2, B2c, c1, c2, EPS, LR, LRL);
      v2 = adamParam(v2, b2, mp + 160, vp + 160, B1, B1c, B2, B2c, c1, c2, EPS, LR, LRL);
      v3 = adamParam(v3, b3, mp + 176, vp + 176, B1, B1c, B2, B2c, c1, c2, EPS, LR, LRL);
    } else {
      w00 = softClamp(f64x2.sub(w00, f64x2.mul(LR, a00)), tau, ntau);
      w10 = softClamp(f64x2.sub(w10, f64x2.mul(LR, a10)), tau, ntau);
      w20 = softClamp(f64x2.sub(w20, f64x2.mul(LR, a20)), tau, ntau);
      w30 = softClamp(f64x2.sub(w30, f64x2.mul(LR, a30)), tau, ntau);
      w01 = softClamp(f64x2.sub(w01, f64x2.mul(LR, a01)), tau, ntau);
      w11 = softClamp(f64x2.sub(w11, f64x2.mul(LR, a11)), tau, ntau);
      w21 = softClamp(f64x2.sub(w21, f64x2.mul(LR, a21)), tau, ntau);
      w31 = softClamp(f64x2.sub(w31, f64x2.mul(LR, a31)), tau, ntau);
      v0 = softClamp(f64x2.sub(v0, f64x2.mul(LR, b0)), tau, ntau);
      v1 = softClamp(f64x2.sub(v1, f64x2.mul(LR, b1)), tau, ntau);
      v2 = softClamp(f64x2.sub(v2, f64x2.mul(LR, b2)), tau, ntau);
      v3 = softClamp(f64x2.sub(v3, f64x2.mul(LR, b3)), tau, ntau);
    }
  }
  v128.store(T2, w00, 0); v128.store(T2, w10, 16); v128.store(T2, w20, 32); v128.store(T2, w30, 48);
  v128.store(T2, w01, 64); v128.store(T2, w11, 80); v128.store(T2, w21, 96); v128.store(T2, w31, 112);
  v128.store(T2, v0, 128); v128.store(T2, v1, 144); v128.store(T2, v2, 160); v128.store(T2, v3, 176);
  if (adam) {
    store<f64>(bt, b1t);
    store<f64>(bt, b2t, 8);
  }
  return s;
}

/**
 * Proximal GD for d = 2, W = 4 with θ in locals across steps (no memory traffic per step): the
 * operations of mseGradPairsD2W4 followed by runPairs' gd update, in the same order, except for
 * three rewrites that cannot change a bit of any result: the pre-activations and the even/odd sums
 * start from their first product instead of 0 + product, and ReLU is pmax(h, 0) instead of
 * max(h, 0). Each only changes the sign of a zero (−0 for +0), and such a zero only ever meets
 * max/pmax, a > 0 test, an and-mask, a product that is again a zero, or a sum with a non-zero or with
 * an accumulator that started at +0 (+0 + −0 = +0), so no value, step count or divergence differs;
 * NaN stays NaN. The ∂v sums take the ReLU values pmax(h, 0) instead of h masked by h > 0: the two
 * differ only for h = −0 (−0 against +0, so the product added is a zero of the other sign, and an
 * accumulator that starts at +0 is never −0, so the sum is the same) and h = NaN (then e, ge and
 * the sum are NaN either way, and the step is not taken). The update is softClamp. Tested bit for
 * bit against optimise(). The sums of ∂w run in a second pass over the samples from the masked
 * ∂h stored per sample at `gb` (each sum still adds in sample order, so the bits are the same):
 * one pass holding θ, the ∂w and ∂v sums and the loss needs more vectors than x64's 16 registers
 * (V8 spills them every sample), two passes need fewer (+22 % on W4). Returns at
 * the first step whose loss is not finite in some lane — θ (stored back to T2) is then the iterate
 * that step started from, and runPairs carries on from there with its general loop — or after
 * `steps` steps.
 */
function gdD2W4(T2: usize, xs: usize, ys: usize, r: i32, steps: i32, lr: f64, lambda: f64, gb: usize): i32 {
  return stepsD2W4(false, T2, 0, 0, xs, ys, r, steps, lr, lambda, 0.0, 0.0, 0.0, 0, gb);
}

/**
 * Adam for d = 2, W = 4 with θ and the gradient in locals (the moments stay in memory at mp, vp,
 * zero on entry): the gradient of gdD2W4 (same rewrites) and runPairs' Adam update with soft2, in
 * the same order. Same contract as gdD2W4: returns the first step whose loss is not finite in some
 * lane (θ, the moments and β^t — stored at bt — are then those that step started from), or `steps`.
 */
function adamD2W4(T2: usize, mp: usize, vp: usize, xs: usize, ys: usize, r: i32, steps: i32, lr: f64, lambda: f64, beta1: f64, beta2: f64, eps: f64, bt: usize, gb: usize): i32 {
  return stepsD2W4(true, T2, mp, vp, xs, ys, r, steps, lr, lambda, beta1, beta2, eps, bt, gb);
}

/** All-ones in the lanes whose value is finite (x − x = 0 exactly when x is finite). */
// @ts-ignore: decorator
@inline
function finiteMask(x: v128): v128 {
  return f64x2.eq(f64x2.sub(x, x), f64x2.splat(0.0));
}

/**
 * Proximal full-batch GD (method 0) or Adam (method 2) on both lanes for `steps` steps. A lane whose
 * loss is not finite stops there, as the one-problem kernel returns at that step: its θ is kept and
 * its step count recorded in `done` (f64 per lane); the other lane goes on.
 */
function runPairs(
  method: i32, T2: usize, xs: usize, ys: usize, r: i32, d: i32, Wp: i32, steps: i32,
  lr: f64, lambda: f64, b1: f64, b2: f64, eps: f64, g2: usize, m2: usize, v2: usize, hb2: usize, done: usize, gb: usize,
): void {
  const Pp = internalCount(d, Wp);
  let live = f64x2.eq(f64x2.splat(0.0), f64x2.splat(0.0)); // all ones
  let doneV = f64x2.splat(<f64>steps);
  if (method == 2) {
    memory.fill(m2, 0, <usize>Pp << 4);
    memory.fill(v2, 0, <usize>Pp << 4);
  }
  const tau = f64x2.splat(lr * lambda);
  const LR = f64x2.splat(lr);
  const B1 = f64x2.splat(b1);
  const B2 = f64x2.splat(b2);
  const B1c = f64x2.splat(1.0 - b1);
  const B2c = f64x2.splat(1.0 - b2);
  const EPS = f64x2.splat(eps);
  const LRL = f64x2.splat(lr * lambda);
  let b1t = 1.0;
  let b2t = 1.0;
  // the default cell's gd and Adam run in registers until a lane stops (usually: never)
  let s0 = 0;
  if (d == 2 && Wp == 4) {
    if (method == 0) {
      s0 = gdD2W4(T2, xs, ys, r, steps, lr, lambda, gb);
    } else {
      s0 = adamD2W4(T2, m2, v2, xs, ys, r, steps, lr, lambda, b1, b2, eps, hb2, gb);
      b1t = load<f64>(hb2);
      b2t = load<f64>(hb2, 8);
    }
  }
  for (let s = s0; s < steps; s++) {
    const loss = d == 2 && Wp == 4 ? mseGradPairsD2W4(T2, xs, ys, r, g2) : mseGradPairs(T2, xs, ys, r, d, Wp, g2, hb2);
    const fin = finiteMask(loss);
    const stopping = v128.andnot(live, fin);
    if (v128.any_true(stopping)) {
      // a lane just stopped: record its step count, freeze it
      doneV = v128.bitselect(f64x2.splat(<f64>s), doneV, stopping);
      live = v128.and(live, fin);
      if (!v128.any_true(live)) break;
    }
    if (method == 2) {
      b1t *= b1;
      b2t *= b2;
      const c1 = f64x2.splat(1.0 / (1.0 - b1t));
      const c2 = f64x2.splat(1.0 / (1.0 - b2t));
      for (let i = 0; i < Pp; i++) {
        const old = v128.load(at(T2, i));
        const nv = adamParam(old, v128.load(at(g2, i)), at(m2, i), at(v2, i), B1, B1c, B2, B2c, c1, c2, EPS, LR, LRL);
        v128.store(at(T2, i), v128.bitselect(nv, old, live));
      }
    } else {
      for (let i = 0; i < Pp; i++) {
        const old = v128.load(at(T2, i));
        const nv = softPair(f64x2.sub(old, f64x2.mul(LR, v128.load(at(g2, i)))), tau);
        v128.store(at(T2, i), v128.bitselect(nv, old, live));
      }
    }
  }
  v128.store(done, doneV);
}

/** net.ts soft2 (kept here inline so both kernels stay independent of each other's inlining). */
// @ts-ignore: decorator
@inline
function softPair(z: v128, tau: v128): v128 {
  const mag = f64x2.max(f64x2.sub(f64x2.abs(z), tau), f64x2.splat(0.0));
  const sign = v128.and(v128.and(z, f64x2.splat(-0.0)), f64x2.gt(mag, f64x2.splat(0.0)));
  return v128.or(mag, sign);
}

/**
 * `n` jobs of two lanes each. `x` (r×d) and `y` (r) hold first the lane-0 data, then the lane-1
 * data (2·r·d and 2·r f64); `keys` holds 4n u32: (keyLo, keyHi) of job i's lane 0 at 4i, 4i + 1
 * and of its lane 1 at 4i + 2, 4i + 3 — the key optimise() would get from CFG_KEY_LO/HI; `cfg`
 * is optimise()'s block (its key words are ignored). Paired trials give both lanes trial i's key
 * and the ι⁺ / ι⁻ data (the lanes then share one initialisation); when both signs read the same
 * data (hidden reads) a job can instead run two trials on it, one per lane. Writes, for job i and
 * lane s, θ in the shared layout at theta + ((2i + s)·P)·8 and the result block (OUT_*) at
 * out + ((2i + s)·OUT_SIZE)·8 — each equal to what optimise() returns for that lane's data and
 * key alone.
 */
export function optimisePairs(x: usize, y: usize, r: i32, d: i32, W: i32, cfg: usize, keys: usize, n: i32, theta: usize, out: usize): void {
  if (r < 1 || d < 1 || W < 1 || n < 0) abort(ERR_ARG);
  const method = <i32>ld(cfg, CFG_METHOD);
  const steps = <i32>ld(cfg, CFG_STEPS);
  const init = <i32>ld(cfg, CFG_INIT);
  const R = <i32>ld(cfg, CFG_RESTARTS);
  if ((method != 0 && method != 2) || steps < 0 || R < 1 || init < 0) abort(ERR_ARG);
  const lr = ld(cfg, CFG_LR);
  const lambda = ld(cfg, CFG_LAMBDA);
  const initScale = ld(cfg, CFG_INIT_SCALE);
  const b1 = ld(cfg, CFG_BETA1);
  const b2 = ld(cfg, CFG_BETA2);
  const eps = ld(cfg, CFG_ADAM_EPS);
  const Wp = padWidth(W);
  const Pp = internalCount(d, Wp);
  const P = W * d + W;
  const b1x = <usize>Pp << 3;
  const b2x = <usize>Pp << 4;
  // scratch: T2, g2, m2, v2 (pair arrays), hb2 (Wp pairs), xs, ys (pair data), done (1 pair),
  // cur, cur1, best0, best1 (scalar internal), hb (Wp scalars)
  const scratch = heap.alloc(b2x * 4 + (<usize>Wp << 4) + (<usize>(r * d + r) << 4) + 16 + b1x * 4 + (<usize>Wp << 3) + (<usize>r << 6));
  const T2 = scratch;
  const g2 = T2 + b2x;
  const m2 = g2 + b2x;
  const v2 = m2 + b2x;
  const hb2 = v2 + b2x;
  const xs = hb2 + (<usize>Wp << 4);
  const ys = xs + (<usize>(r * d) << 4);
  const done = ys + (<usize>r << 4);
  const cur = done + 16;
  const cur1 = cur + b1x;
  const best0 = cur1 + b1x;
  const best1 = best0 + b1x;
  const hb = best1 + b1x;
  const gb = hb + (<usize>Wp << 3); // r × 4 pairs: the masked ∂h of gdD2W4
  const xM = x + (<usize>(r * d) << 3);
  const yM = y + (<usize>r << 3);
  for (let i = 0; i < r * d; i++) v128.store(at(xs, i), f64x2.replace_lane(f64x2.splat(ld(x, i)), 1, ld(xM, i)));
  for (let j = 0; j < r; j++) v128.store(at(ys, j), f64x2.replace_lane(f64x2.splat(ld(y, j)), 1, ld(yM, j)));
  const rng = new Philox(0, 0, 0, 0, 0);
  const rng1 = new Philox(0, 0, 0, 0, 0);
  for (let t = 0; t < n; t++) {
    const kp = keys + (<usize>t << 4);
    const lo0 = load<u32>(kp);
    const hi0 = load<u32>(kp, 4);
    const lo1 = load<u32>(kp, 8);
    const hi1 = load<u32>(kp, 12);
    const oneKey = lo0 == lo1 && hi0 == hi1;
    rng.reset(lo0, hi0, 0, 0, 0);
    if (!oneKey) rng1.reset(lo1, hi1, 0, 0, 0);
    let bestCost0 = Infinity;
    let bestCost1 = Infinity;
    let bestR0 = -1;
    let bestR1 = -1;
    let total0 = 0.0;
    let total1 = 0.0;
    for (let rr = 0; rr < R; rr++) {
      rng.setSubstream(<u32>(3 * rr));
      initialise(rng, cur, d, W, init, initScale);
      if (oneKey) {
        for (let i = 0; i < Pp; i++) v128.store(at(T2, i), f64x2.splat(ld(cur, i)));
      } else {
        rng1.setSubstream(<u32>(3 * rr));
        initialise(rng1, cur1, d, W, init, initScale);
        for (let i = 0; i < Pp; i++) v128.store(at(T2, i), f64x2.replace_lane(f64x2.splat(ld(cur, i)), 1, ld(cur1, i)));
      }
      runPairs(method, T2, xs, ys, r, d, Wp, steps, lr, lambda, b1, b2, eps, g2, m2, v2, hb2, done, gb);
      total0 += load<f64>(done);
      total1 += load<f64>(done + 8);
      for (let s = 0; s < 2; s++) {
        for (let i = 0; i < Pp; i++) st(cur, i, load<f64>(at(T2, i) + (<usize>s << 3)));
        let c = finiteAndBounded(cur, Pp) ? cost(cur, s == 0 ? x : xM, s == 0 ? y : yM, r, d, Wp, lambda, hb) : Infinity;
        if (!isFinite(c)) c = Infinity;
        if (s == 0) {
          if (bestR0 < 0 || c < bestCost0) {
            bestCost0 = c;
            bestR0 = rr;
            memory.copy(best0, cur, b1x);
          }
        } else if (bestR1 < 0 || c < bestCost1) {
          bestCost1 = c;
          bestR1 = rr;
          memory.copy(best1, cur, b1x);
        }
      }
    }
    for (let s = 0; s < 2; s++) {
      const k = 2 * t + s;
      const o = out + (<usize>(k * OUT_SIZE) << 3);
      const bc = s == 0 ? bestCost0 : bestCost1;
      toShared(s == 0 ? best0 : best1, theta + (<usize>(k * P) << 3), d, W);
      st(o, OUT_COST, bc);
      st(o, OUT_STEPS, s == 0 ? total0 : total1);
      st(o, OUT_DIVERGED, isFinite(bc) ? 0.0 : 1.0);
      st(o, OUT_BEST_RESTART, <f64>(s == 0 ? bestR0 : bestR1));
    }
  }
  heap.free(scratch);
}

/**
 * The kernel keys of trials tStart … tStart + n − 1: the first two u32 of each trial's algorithm
 * stream Philox(seed; substream, t, streamHi) — what a built-in optimiser's one `tools.optimise`
 * call draws — written at keys + 8i, keys + 8i + 4.
 */
export function trialKeys(seedLo: u32, seedHi: u32, substream: u32, tStart: u32, streamHi: u32, n: i32, keys: usize): void {
  if (n < 0) abort(ERR_ARG);
  const rng = new Philox(0, 0, 0, 0, 0);
  for (let i = 0; i < n; i++) {
    rng.reset(seedLo, seedHi, substream, tStart + <u32>i, streamHi);
    store<u32>(keys + (<usize>i << 3), rng.nextU32());
    store<u32>(keys + (<usize>i << 3), rng.nextU32(), 4);
  }
}

// Result fields of evaluatePairs, each a block of 2n f64 (sign-major: ι⁺ trials 0..n−1, then ι⁻).
const EV_DIST: usize = 0;
const EV_COST: usize = 1;
const EV_GAP: usize = 2;
const EV_STEPS: usize = 3;
const EV_DIVERGED: usize = 4;
/** Number of f64 blocks of 2n values evaluatePairs writes at `res`. */
export const EV_FIELDS = 5;

/**
 * The evaluation of SPEC §3.5 for n paired trials whose optimisations optimisePairs left at theta /
 * out, operation for operation what the TypeScript runner's `evaluate` does (probes φ(e_k), dist to
 * φ* = s*·z_{k*}, the true cost C on the exact data, success at every ε, bit-identity of the two
 * signs' networks), so the results are the same bits. `shared` = 0: trial t's ι⁺ / ι⁻ runs are
 * jobs' rows 2t / 2t + 1; `shared` = 1 (both signs read the same data): both signs of trial t are
 * row t. `xs`, `ys`: the true data of ι⁺ then ι⁻ (2·r·d, 2·r f64); `eps`: E accuracies. Writes:
 * `res` EV_FIELDS blocks of 2n f64 (index s·n + t, s = 0 for ι⁺): dist, cost, cost − h*, steps,
 * diverged (0/1); `succ` 2n·E bytes (index (s·n + t)·E + e); `probes` 2n·d f64 (index
 * (s·n + t)·d + k; NaN when diverged); `ident` n bytes.
 */
export function evaluatePairs(
  theta: usize, out: usize, n: i32, shared: i32, d: i32, W: i32, r: i32, xs: usize, ys: usize,
  lambda: f64, sStar: f64, hStar: f64, eps: usize, E: i32, res: usize, succ: usize, probes: usize, ident: usize,
): void {
  if (r < 1 || d < 1 || W < 1 || n < 0 || E < 0) abort(ERR_ARG);
  const P = W * d + W;
  const vOff = W * d;
  const block = <usize>(2 * n) << 3;
  for (let t = 0; t < n; t++) {
    for (let s = 0; s < 2; s++) {
      const row = shared ? t : 2 * t + s;
      const th = theta + (<usize>(row * P) << 3);
      const o = out + (<usize>(row * OUT_SIZE) << 3);
      const at_ = s * n + t;
      const pr = probes + (<usize>(at_ * d) << 3);
      let diverged = false;
      for (let i = 0; i < P; i++) if (!isFinite(ld(th, i))) diverged = true;
      let dist = Infinity;
      let c = Infinity;
      if (diverged) {
        for (let k = 0; k < d; k++) st(pr, k, NaN);
      } else {
        const kStar = s; // φ* = s*·z_1 for ι⁺, s*·z_2 for ι⁻ (0-based k* = 0, 1)
        dist = 0.0;
        for (let k = 0; k < d; k++) {
          let phi = 0.0;
          for (let i = 0; i < W; i++) {
            const h = ld(th, i * d + k);
            if (h > 0) phi += ld(th, vOff + i) * h;
          }
          st(pr, k, phi);
          dist = Math.max(dist, Math.abs(phi - (k == kStar ? sStar : 0.0)));
        }
        // C(θ) on the exact data of this sign, as kernel.ts costTs
        const x = xs + (<usize>(s * r * d) << 3);
        const y = ys + (<usize>(s * r) << 3);
        let loss = 0.0;
        for (let j = 0; j < r; j++) {
          let phi = 0.0;
          for (let i = 0; i < W; i++) {
            let h = 0.0;
            for (let k = 0; k < d; k++) h += ld(th, i * d + k) * ld(x, j * d + k);
            if (h > 0) phi += ld(th, vOff + i) * h;
          }
          const e = phi - ld(y, j);
          loss += e * e;
        }
        let pen = 0.0;
        for (let i = 0; i < P; i++) pen += Math.abs(ld(th, i));
        c = loss / <f64>r + lambda * pen;
        if (!isFinite(dist) || !isFinite(c)) {
          dist = Infinity;
          c = Infinity;
        }
      }
      const f = res + (<usize>at_ << 3);
      store<f64>(f + EV_DIST * block, dist);
      store<f64>(f + EV_COST * block, c);
      store<f64>(f + EV_GAP * block, c - hStar);
      store<f64>(f + EV_STEPS * block, ld(o, OUT_STEPS));
      store<f64>(f + EV_DIVERGED * block, diverged || !isFinite(c) ? 1.0 : 0.0);
      const sp = succ + <usize>(at_ * E);
      for (let e = 0; e < E; e++) store<u8>(sp + <usize>e, dist <= ld(eps, e) ? 1 : 0);
    }
    let same: u8 = 1;
    if (!shared) {
      const a = theta + (<usize>(2 * t * P) << 3);
      const b = a + (<usize>P << 3);
      for (let i = 0; i < P; i++) if (load<u64>(a + (<usize>i << 3)) != load<u64>(b + (<usize>i << 3))) same = 0;
    }
    store<u8>(ident + <usize>t, same);
  }
}
