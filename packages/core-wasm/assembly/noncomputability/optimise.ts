// The optimisation part of the noncomputability algorithms (SPEC §3.4): proximal gradient
// descent, minibatch proximal SGD, Adam with a proximal ℓ1 step, simulated annealing, and random
// restarts of any of them, on the cost of net.ts. One call runs a whole optimisation; nothing
// crosses the WebAssembly boundary per step and nothing is allocated per step.

import { Philox } from "../rng/philox";
import { ERR_ARG } from "../errors";
import { cost, mseGrad, paramCount, penalty, soft } from "./net";

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

// @ts-ignore: decorator
@inline
function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline
function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

function initialise(rng: Philox, theta: usize, d: i32, W: i32, scheme: i32, scale: f64): void {
  const nW = W * d;
  for (let i = 0; i < nW + W; i++) {
    const isV = i >= nW;
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
    st(theta, i, v);
  }
}

function finiteAndBounded(theta: usize, P: i32): bool {
  for (let i = 0; i < P; i++) {
    const v = ld(theta, i);
    if (!(Math.abs(v) <= DIVERGE_LIMIT)) return false;
  }
  return true;
}

/** Proximal gradient descent (full batch or minibatch). Returns steps taken (< steps if diverged). */
function runProxGd(
  rng: Philox, theta: usize, x: usize, y: usize, r: i32, d: i32, W: i32,
  steps: i32, lr: f64, lambda: f64, batch: i32, perm: usize, g: usize,
): i32 {
  const P = paramCount(d, W);
  const tau = lr * lambda;
  const full = batch >= r;
  let pos = r; // forces a shuffle before the first minibatch
  for (let s = 0; s < steps; s++) {
    let loss: f64;
    if (full) {
      loss = mseGrad(theta, x, y, 0, 0, r, d, W, g);
    } else {
      if (pos >= r) {
        rng.shuffleI32(perm, r);
        pos = 0;
      }
      const count = min(batch, r - pos);
      loss = mseGrad(theta, x, y, perm, pos, count, d, W, g);
      pos += count;
    }
    if (!isFinite(loss)) return s;
    for (let i = 0; i < P; i++) st(theta, i, soft(ld(theta, i) - lr * ld(g, i), tau));
  }
  return steps;
}

/**
 * Adam with a proximal ℓ1 step in Adam's own diagonal metric: the step z = θ − lr·m̂/(√v̂ + ε) is
 * followed by soft-thresholding at lr·λ/(√v̂ + ε), the exact proximal map of λ|·| in the metric
 * that scales coordinate i by (√v̂_i + ε)/lr.
 */
function runAdam(
  theta: usize, x: usize, y: usize, r: i32, d: i32, W: i32,
  steps: i32, lr: f64, lambda: f64, b1: f64, b2: f64, eps: f64, g: usize, m: usize, v: usize,
): i32 {
  const P = paramCount(d, W);
  memory.fill(m, 0, <usize>P << 3);
  memory.fill(v, 0, <usize>P << 3);
  let b1t = 1.0;
  let b2t = 1.0;
  for (let s = 0; s < steps; s++) {
    const loss = mseGrad(theta, x, y, 0, 0, r, d, W, g);
    if (!isFinite(loss)) return s;
    b1t *= b1;
    b2t *= b2;
    const c1 = 1.0 / (1.0 - b1t);
    const c2 = 1.0 / (1.0 - b2t);
    for (let i = 0; i < P; i++) {
      const gi = ld(g, i);
      const mi = b1 * ld(m, i) + (1.0 - b1) * gi;
      const vi = b2 * ld(v, i) + (1.0 - b2) * gi * gi;
      st(m, i, mi);
      st(v, i, vi);
      const denom = Math.sqrt(vi * c2) + eps;
      st(theta, i, soft(ld(theta, i) - (lr * mi * c1) / denom, (lr * lambda) / denom));
    }
  }
  return steps;
}

/**
 * Simulated annealing over θ: Gaussian proposals of scale σ·√(T/T0) on every coordinate,
 * Metropolis acceptance at temperature T, geometric cooling T0 → T1; `theta` ends at the best
 * point visited. Returns the best cost.
 */
function runAnneal(
  rng: Philox, theta: usize, x: usize, y: usize, r: i32, d: i32, W: i32,
  steps: i32, lambda: f64, T0: f64, T1: f64, sigma: f64, cur: usize, prop: usize,
): f64 {
  const P = paramCount(d, W);
  memory.copy(cur, theta, <usize>P << 3);
  let cCur = cost(cur, x, y, r, d, W, lambda);
  let cBest = cCur;
  const ratio = T1 / T0;
  const denom = steps > 1 ? <f64>(steps - 1) : 1.0;
  for (let s = 0; s < steps; s++) {
    const T = T0 * Math.pow(ratio, <f64>s / denom);
    const scale = sigma * Math.sqrt(T / T0);
    for (let i = 0; i < P; i++) st(prop, i, ld(cur, i) + scale * rng.normal());
    const cProp = cost(prop, x, y, r, d, W, lambda);
    const u = rng.uniform();
    if (cProp <= cCur || u < Math.exp(-(cProp - cCur) / T)) {
      memory.copy(cur, prop, <usize>P << 3);
      cCur = cProp;
      if (cCur < cBest) {
        cBest = cCur;
        memory.copy(theta, cur, <usize>P << 3);
      }
    }
  }
  return cBest;
}

/**
 * Run the configured optimiser `R` times (restarts) and leave the lowest-cost θ in `theta`.
 * `x` (r×d, row-major) and `y` (r) are the data the algorithm read; `cfg` and `out` follow the
 * CFG_* and OUT_* layouts above.
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
  const P = paramCount(d, W);
  const bytes = <usize>P << 3;
  // One scratch block per call (freed below): g, m, v, cur, prop, best (P each) + perm (r i32).
  const scratch = heap.alloc(bytes * 6 + (<usize>r << 2));
  const g = scratch;
  const m = g + bytes;
  const v = m + bytes;
  const cur = v + bytes;
  const prop = cur + bytes;
  const best = prop + bytes;
  const perm = best + bytes;
  for (let j = 0; j < r; j++) store<i32>(perm + (<usize>j << 2), j);
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
      memory.copy(cur, theta, bytes);
    }
    let c: f64;
    if (method == 3) {
      rng.setSubstream(base + SUB_ANNEAL);
      c = runAnneal(rng, cur, x, y, r, d, W, steps, lambda, ld(cfg, CFG_T0), ld(cfg, CFG_T1), ld(cfg, CFG_SIGMA), m, prop);
      totalSteps += steps;
    } else {
      let done: i32;
      if (method == 2) {
        done = runAdam(cur, x, y, r, d, W, steps, lr, lambda, ld(cfg, CFG_BETA1), ld(cfg, CFG_BETA2), ld(cfg, CFG_ADAM_EPS), g, m, v);
      } else {
        rng.setSubstream(base + SUB_BATCH);
        // Re-identity the order so every restart's shuffles depend only on its own substream.
        for (let j = 0; j < r; j++) store<i32>(perm + (<usize>j << 2), j);
        done = runProxGd(rng, cur, x, y, r, d, W, steps, lr, lambda, method == 1 ? batch : r, perm, g);
      }
      totalSteps += done;
      c = finiteAndBounded(cur, P) ? cost(cur, x, y, r, d, W, lambda) : Infinity;
    }
    if (!isFinite(c)) c = Infinity;
    if (bestRestart < 0 || c < bestCost) {
      bestCost = c;
      bestRestart = rr;
      memory.copy(best, cur, bytes);
    }
  }
  memory.copy(theta, best, bytes);
  st(out, OUT_COST, bestCost);
  st(out, OUT_STEPS, <f64>totalSteps);
  st(out, OUT_DIVERGED, isFinite(bestCost) ? 0.0 : 1.0);
  st(out, OUT_BEST_RESTART, <f64>bestRestart);
  heap.free(scratch);
}

/** The cost C(θ) and, in `g`, the gradient of its smooth part (the mean squared error). */
export function costAndGrad(x: usize, y: usize, r: i32, d: i32, W: i32, lambda: f64, theta: usize, g: usize): f64 {
  const loss = mseGrad(theta, x, y, 0, 0, r, d, W, g);
  return loss + penalty(theta, paramCount(d, W), lambda);
}
