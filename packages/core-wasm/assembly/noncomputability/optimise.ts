// The optimisation part of the noncomputability algorithms (SPEC §3.4): proximal gradient
// descent, minibatch proximal SGD, Adam with a proximal ℓ1 step, simulated annealing, and random
// restarts of any of them, on the cost of net.ts. One call runs a whole optimisation; nothing
// crosses the WebAssembly boundary per step and nothing is allocated per step.

import { Philox } from "../rng/philox";
import { ERR_ARG } from "../errors";
import { cost, internalCount, ld, mseGrad, padWidth, penalty, soft2, st, toInternal, toShared } from "./net";

// Layout of the f64 configuration block passed by the wrapper (src/noncomputability/kernel.ts).
export const CFG_METHOD = 0; // 0 gd, 1 sgd, 2 adam, 3 anneal
export const CFG_STEPS = 1;
export const CFG_LR = 2;
export const CFG_LAMBDA = 3;
export const CFG_INIT = 4; // 0 he, 1 xavier, 2 uniform, 3 normal, -1 start from the given θ
export const CFG_INIT_SCALE = 5;
export const CFG_BATCH = 6;
export const CFG_BETA1 = 7;
export const CFG_BETA2 = 8;
export const CFG_ADAM_EPS = 9;
export const CFG_T0 = 10;
export const CFG_T1 = 11;
export const CFG_SIGMA = 12;
export const CFG_RESTARTS = 13;
export const CFG_KEY_LO = 14;
export const CFG_KEY_HI = 15;
export const CFG_SIZE = 16;

// Layout of the f64 result block.
export const OUT_COST = 0; // final cost of the returned θ on the data given (Infinity if diverged)
export const OUT_STEPS = 1; // optimisation steps taken, summed over restarts
export const OUT_DIVERGED = 2; // 1 when every restart diverged (θ then holds the last iterate)
export const OUT_BEST_RESTART = 3;
export const OUT_SIZE = 4;

// Substreams of the kernel's key: restart `i` uses 3i (init), 3i + 1 (minibatch order) and
// 3i + 2 (annealing moves).
const SUB_INIT: u32 = 0;
const SUB_BATCH: u32 = 1;
const SUB_ANNEAL: u32 = 2;

/** Iterates whose size exceeds this count as diverged (the cost is then meaningless anyway). */
const DIVERGE_LIMIT: f64 = 1e100;

// Every loop below works on the internal layout of net.ts (T[k·Wp + i] = w_i,k, T[d·Wp + i] = v_i).

/** Random init of the real (non-padding) entries, in the shared layout's order w_1, …, w_W, v. */
export function initialise(rng: Philox, T: usize, d: i32, W: i32, scheme: i32, scale: f64): void {
  const Wp = padWidth(W);
  memory.fill(T, 0, <usize>internalCount(d, Wp) << 3);
  for (let n = 0; n < W * d + W; n++) {
    const isV = n >= W * d;
    const idx = isV ? d * Wp + (n - W * d) : (n % d) * Wp + n / d;
    let v: f64;
    if (scheme == 2) {
      v = (2.0 * rng.uniform() - 1.0) * scale;
    } else {
      let sd: f64;
      if (scheme == 0) sd = Math.sqrt(2.0 / <f64>(isV ? W : d)); // He: fan-in of the layer
      else if (scheme == 1) sd = Math.sqrt(2.0 / <f64>(isV ? W + 1 : d + W)); // Xavier (Glorot normal)
      else sd = scale;
      v = sd * rng.normal();
    }
    st(T, idx, v);
  }
}

/** True when every entry is finite and at most DIVERGE_LIMIT in size. */
export function finiteAndBounded(T: usize, Pp: i32): bool {
  for (let i = 0; i < Pp; i++) {
    if (!(Math.abs(ld(T, i)) <= DIVERGE_LIMIT)) return false;
  }
  return true;
}

/** Proximal gradient descent (full batch or minibatch). Returns steps taken (< steps if diverged). */
function runProxGd(
  rng: Philox, T: usize, x: usize, y: usize, r: i32, d: i32, Wp: i32,
  steps: i32, lr: f64, lambda: f64, batch: i32, perm: usize, g: usize, hb: usize,
): i32 {
  const Pp = internalCount(d, Wp);
  const tau = f64x2.splat(lr * lambda);
  const lr2 = f64x2.splat(lr);
  const full = batch >= r;
  let pos = r; // forces a shuffle before the first minibatch
  for (let s = 0; s < steps; s++) {
    let loss: f64;
    if (full) {
      loss = mseGrad(T, x, y, 0, 0, r, d, Wp, g, hb);
    } else {
      if (pos >= r) {
        rng.shuffleI32(perm, r); // each epoch reshuffles the previous order in place
        pos = 0;
      }
      const count = min(batch, r - pos);
      loss = mseGrad(T, x, y, perm, pos, count, d, Wp, g, hb);
      pos += count;
    }
    if (!isFinite(loss)) return s;
    for (let i = 0; i < Pp; i += 2) {
      const p = T + (<usize>i << 3);
      v128.store(p, soft2(f64x2.sub(v128.load(p), f64x2.mul(lr2, v128.load(g + (<usize>i << 3)))), tau));
    }
  }
  return steps;
}

/**
 * Adam with a proximal ℓ1 step in Adam's own diagonal metric: the step z = θ − lr·m̂/(√v̂ + ε) is
 * followed by soft-thresholding at lr·λ/(√v̂ + ε), the exact proximal map of λ|·| in the metric
 * that scales coordinate i by (√v̂_i + ε)/lr.
 */
function runAdam(
  T: usize, x: usize, y: usize, r: i32, d: i32, Wp: i32,
  steps: i32, lr: f64, lambda: f64, b1: f64, b2: f64, eps: f64, g: usize, m: usize, v: usize, hb: usize,
): i32 {
  const Pp = internalCount(d, Wp);
  memory.fill(m, 0, <usize>Pp << 3);
  memory.fill(v, 0, <usize>Pp << 3);
  const B1 = f64x2.splat(b1);
  const B2 = f64x2.splat(b2);
  const B1c = f64x2.splat(1.0 - b1);
  const B2c = f64x2.splat(1.0 - b2);
  const EPS = f64x2.splat(eps);
  const LR = f64x2.splat(lr);
  const LRL = f64x2.splat(lr * lambda);
  let b1t = 1.0;
  let b2t = 1.0;
  for (let s = 0; s < steps; s++) {
    const loss = mseGrad(T, x, y, 0, 0, r, d, Wp, g, hb);
    if (!isFinite(loss)) return s;
    b1t *= b1;
    b2t *= b2;
    const c1 = f64x2.splat(1.0 / (1.0 - b1t));
    const c2 = f64x2.splat(1.0 / (1.0 - b2t));
    for (let i = 0; i < Pp; i += 2) {
      const off = <usize>i << 3;
      const gi = v128.load(g + off);
      const mi = f64x2.add(f64x2.mul(B1, v128.load(m + off)), f64x2.mul(B1c, gi));
      const vi = f64x2.add(f64x2.mul(B2, v128.load(v + off)), f64x2.mul(B2c, f64x2.mul(gi, gi)));
      v128.store(m + off, mi);
      v128.store(v + off, vi);
      const denom = f64x2.add(f64x2.sqrt(f64x2.mul(vi, c2)), EPS);
      const z = f64x2.sub(v128.load(T + off), f64x2.div(f64x2.mul(LR, f64x2.mul(mi, c1)), denom));
      v128.store(T + off, soft2(z, f64x2.div(LRL, denom)));
    }
  }
  return steps;
}

/**
 * Simulated annealing over θ: Gaussian proposals of scale σ·√(T/T0) on every real coordinate,
 * Metropolis acceptance at temperature T, geometric cooling T0 → T1; `T` ends at the best point
 * visited. Returns the best cost.
 */
function runAnneal(
  rng: Philox, T: usize, x: usize, y: usize, r: i32, d: i32, W: i32,
  steps: i32, lambda: f64, T0: f64, T1: f64, sigma: f64, cur: usize, prop: usize, hb: usize,
): f64 {
  const Wp = padWidth(W);
  const bytes = <usize>internalCount(d, Wp) << 3;
  memory.copy(cur, T, bytes);
  memory.copy(prop, T, bytes); // padding entries stay zero in every proposal
  let cCur = cost(cur, x, y, r, d, Wp, lambda, hb);
  let cBest = cCur;
  const ratio = T1 / T0;
  const denom = steps > 1 ? <f64>(steps - 1) : 1.0;
  for (let s = 0; s < steps; s++) {
    const temp = T0 * Math.pow(ratio, <f64>s / denom);
    const scale = sigma * Math.sqrt(temp / T0);
    for (let row = 0; row <= d; row++) {
      for (let i = 0; i < W; i++) {
        const at = row * Wp + i;
        st(prop, at, ld(cur, at) + scale * rng.normal());
      }
    }
    const cProp = cost(prop, x, y, r, d, Wp, lambda, hb);
    const u = rng.uniform();
    if (cProp <= cCur || u < Math.exp(-(cProp - cCur) / temp)) {
      memory.copy(cur, prop, bytes);
      cCur = cProp;
      if (cCur < cBest) {
        cBest = cCur;
        memory.copy(T, cur, bytes);
      }
    }
  }
  return cBest;
}

/**
 * Run the configured optimiser `R` times (restarts) and leave the lowest-cost θ in `theta`
 * (shared layout). `x` (r×d, row-major) and `y` (r) are the data the algorithm read; `cfg` and
 * `out` follow the CFG_* and OUT_* layouts above.
 */
export function optimise(x: usize, y: usize, r: i32, d: i32, W: i32, cfg: usize, theta: usize, out: usize): void {
  if (r < 1 || d < 1 || W < 1) abort(ERR_ARG);
  const method = <i32>ld(cfg, CFG_METHOD);
  const steps = <i32>ld(cfg, CFG_STEPS);
  const lr = ld(cfg, CFG_LR);
  const lambda = ld(cfg, CFG_LAMBDA);
  const init = <i32>ld(cfg, CFG_INIT);
  const initScale = ld(cfg, CFG_INIT_SCALE);
  const batch = <i32>ld(cfg, CFG_BATCH);
  const R = <i32>ld(cfg, CFG_RESTARTS);
  if (method < 0 || method > 3 || steps < 0 || R < 1 || (init < 0 && R != 1) || batch < 1) abort(ERR_ARG);
  const Wp = padWidth(W);
  const Pp = internalCount(d, Wp);
  const bytes = <usize>Pp << 3;
  // One scratch block per call (freed below): g, m, v, cur, prop, best (Pp each), hb (Wp), perm (r i32).
  const scratch = heap.alloc(bytes * 6 + (<usize>Wp << 3) + (<usize>r << 2));
  const g = scratch;
  const m = g + bytes;
  const v = m + bytes;
  const cur = v + bytes;
  const prop = cur + bytes;
  const best = prop + bytes;
  const hb = best + bytes;
  const perm = hb + (<usize>Wp << 3);
  const rng = new Philox(<u32>ld(cfg, CFG_KEY_LO), <u32>ld(cfg, CFG_KEY_HI), 0, 0, 0);
  let bestCost = Infinity;
  let bestRestart = -1;
  let totalSteps = 0;
  for (let rr = 0; rr < R; rr++) {
    const base = <u32>(3 * rr);
    if (init >= 0) {
      rng.setSubstream(base + SUB_INIT);
      initialise(rng, cur, d, W, init, initScale);
    } else {
      toInternal(theta, cur, d, W);
    }
    let c: f64;
    if (method == 3) {
      rng.setSubstream(base + SUB_ANNEAL);
      c = runAnneal(rng, cur, x, y, r, d, W, steps, lambda, ld(cfg, CFG_T0), ld(cfg, CFG_T1), ld(cfg, CFG_SIGMA), m, prop, hb);
      totalSteps += steps;
    } else {
      let done: i32;
      if (method == 2) {
        done = runAdam(cur, x, y, r, d, Wp, steps, lr, lambda, ld(cfg, CFG_BETA1), ld(cfg, CFG_BETA2), ld(cfg, CFG_ADAM_EPS), g, m, v, hb);
      } else {
        rng.setSubstream(base + SUB_BATCH);
        // Restart from the identity order so each restart's shuffles depend only on its substream.
        for (let j = 0; j < r; j++) store<i32>(perm + (<usize>j << 2), j);
        done = runProxGd(rng, cur, x, y, r, d, Wp, steps, lr, lambda, method == 1 ? batch : r, perm, g, hb);
      }
      totalSteps += done;
      c = finiteAndBounded(cur, Pp) ? cost(cur, x, y, r, d, Wp, lambda, hb) : Infinity;
    }
    if (!isFinite(c)) c = Infinity;
    if (bestRestart < 0 || c < bestCost) {
      bestCost = c;
      bestRestart = rr;
      memory.copy(best, cur, bytes);
    }
  }
  toShared(best, theta, d, W);
  st(out, OUT_COST, bestCost);
  st(out, OUT_STEPS, <f64>totalSteps);
  st(out, OUT_DIVERGED, isFinite(bestCost) ? 0.0 : 1.0);
  st(out, OUT_BEST_RESTART, <f64>bestRestart);
  heap.free(scratch);
}

/**
 * C(θ) and, in `g` (shared layout), the gradient of its smooth part (the mean squared error).
 * Allocates its own scratch (tests and tools only; not a hot path).
 */
export function costAndGrad(x: usize, y: usize, r: i32, d: i32, W: i32, lambda: f64, theta: usize, g: usize): f64 {
  const Wp = padWidth(W);
  const bytes = <usize>internalCount(d, Wp) << 3;
  const scratch = heap.alloc(bytes * 2 + (<usize>Wp << 3));
  const T = scratch;
  const gi = T + bytes;
  const hb = gi + bytes;
  toInternal(theta, T, d, W);
  const loss = mseGrad(T, x, y, 0, 0, r, d, Wp, gi, hb);
  const c = loss + penalty(T, internalCount(d, Wp), lambda);
  toShared(gi, g, d, W);
  heap.free(scratch);
  return c;
}
