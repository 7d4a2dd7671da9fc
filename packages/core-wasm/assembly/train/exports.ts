// Raw exports of the training area for the TypeScript wrapper (src/train.ts, src/mlp.ts).

import { checkDims } from "../nn/mlp";
import { Philox } from "../rng/philox";
import { mlpInit } from "./init";
import { mlpTrain, trainWorkSize, mlpLossGrad, lossGradWorkSize } from "./trainer";

const initStream = new Philox(0, 0, 0, 0, 0);

/** Initialise `params` with init `kind` (INIT_*) and `scale` from stream (seed, substream, stream). */
export function train_init(
  dims: usize, L: i32, bias: bool, params: usize, kind: i32, scale: f64,
  seedLo: u32, seedHi: u32, substream: u32, streamLo: u32, streamHi: u32,
): void {
  checkDims(dims, L);
  initStream.reset(seedLo, seedHi, substream, streamLo, streamHi);
  mlpInit(dims, L, bias, params, kind, scale, initStream);
}

/** Work size (f64 elements) of `train_run`. */
export function train_work_size(dims: usize, L: i32, bias: bool, n: i32, batch: i32): i32 {
  checkDims(dims, L);
  return trainWorkSize(dims, L, bias, n, batch);
}

/** Whole training; see `mlpTrain`. */
export function train_run(
  dims: usize, L: i32, bias: bool, params: usize, X: usize, Y: usize, n: i32,
  config: usize, lossOut: usize, stepsOut: usize, work: usize,
): i32 {
  checkDims(dims, L);
  return mlpTrain(dims, L, bias, params, X, Y, n, config, lossOut, stepsOut, work);
}

/** Work size (f64 elements) of `train_loss_grad` for n points. */
export function train_loss_grad_work_size(dims: usize, L: i32, n: i32): i32 {
  checkDims(dims, L);
  return lossGradWorkSize(dims, L, n);
}

/** Mean loss over all n points and (when grad ≠ 0) its gradient; see `mlpLossGrad`. */
export function train_loss_grad(
  dims: usize, L: i32, bias: bool, params: usize, X: usize, Y: usize, n: i32, kind: i32, grad: usize, work: usize,
): f64 {
  checkDims(dims, L);
  return mlpLossGrad(dims, L, bias, params, X, Y, 0, n, kind, grad, work);
}
