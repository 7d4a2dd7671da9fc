// Raw exports of the noncomputability area (typed wrapper: src/noncomputability/kernel.ts).

import { costAndGrad, optimise } from "./optimise";
import { evaluatePairs, optimisePairs, trialKeys } from "./pairs";

/** Whole optimisation (gd/sgd/adam/anneal with restarts) on the data read; see optimise.ts. */
export function nc_optimise(x: usize, y: usize, r: i32, d: i32, W: i32, cfg: usize, theta: usize, out: usize): void {
  optimise(x, y, r, d, W, cfg, theta, out);
}

/** C(θ) and the mean-squared-error gradient in `g` (for tests against finite differences). */
export function nc_cost_grad(x: usize, y: usize, r: i32, d: i32, W: i32, lambda: f64, theta: usize, g: usize): f64 {
  return costAndGrad(x, y, r, d, W, lambda, theta, g);
}

/** `n` paired trials (both signs of each in the two f64x2 lanes) in one call; see pairs.ts. */
export function nc_optimise_pairs(x: usize, y: usize, r: i32, d: i32, W: i32, cfg: usize, keys: usize, n: i32, theta: usize, out: usize): void {
  optimisePairs(x, y, r, d, W, cfg, keys, n, theta, out);
}

/** Kernel keys of n consecutive trials (the first two words of each trial's stream); see pairs.ts. */
export function nc_trial_keys(seedLo: u32, seedHi: u32, substream: u32, tStart: u32, streamHi: u32, n: i32, keys: usize): void {
  trialKeys(seedLo, seedHi, substream, tStart, streamHi, n, keys);
}

/** Evaluation (probes, dist, true cost, success at every ε, identical) of paired trials; see pairs.ts. */
export function nc_evaluate_pairs(
  theta: usize, out: usize, n: i32, shared: i32, d: i32, W: i32, r: i32, xs: usize, ys: usize,
  lambda: f64, sStar: f64, hStar: f64, eps: usize, E: i32, res: usize, succ: usize, probes: usize, ident: usize,
): void {
  evaluatePairs(theta, out, n, shared, d, W, r, xs, ys, lambda, sStar, hStar, eps, E, res, succ, probes, ident);
}
