// Raw exports of the MLP area for the TypeScript wrapper (src/mlp.ts). Work buffers are
// allocated by the wrapper (whoever allocates frees) with the sizes these functions report.

import { checkDims, mlpParamCount, mlpWorkSize, mlpBatchWorkSize, mlpForward, mlpBackward, mlpForwardBatch, dimAt } from "./mlp";

/** Number of parameters of the network `dims[0..L]`. */
export function nn_param_count(dims: usize, L: i32, bias: bool): i32 {
  checkDims(dims, L);
  return mlpParamCount(dims, L, bias);
}

/** Work size (f64 elements) of `nn_forward_batch`. */
export function nn_forward_batch_work(dims: usize, L: i32): i32 {
  checkDims(dims, L);
  return mlpBatchWorkSize(dims, L);
}

/** Batched forward, point-major X (n×N_0) → out (n×N_L). */
export function nn_forward_batch(dims: usize, L: i32, bias: bool, params: usize, X: usize, n: i32, out: usize, work: usize): void {
  checkDims(dims, L);
  mlpForwardBatch(dims, L, bias, params, X, n, out, work);
}

/** Work size (f64 elements) of `nn_backward_points`. */
export function nn_backward_work(dims: usize, L: i32): i32 {
  checkDims(dims, L);
  return mlpWorkSize(dims, L);
}

/**
 * For each of n points: forward, then backward with upstream gradient gOut[b] (N_L values).
 * Parameter gradients are summed over points into gParams (overwritten, zeroed first; skipped
 * when 0); input gradients go to gX[b] (n×N_0; skipped when 0); outputs to out (n×N_L).
 */
export function nn_backward_points(
  dims: usize, L: i32, bias: bool, params: usize, X: usize, n: i32, gOut: usize, out: usize, gParams: usize, gX: usize, work: usize,
): void {
  checkDims(dims, L);
  const d = dimAt(dims, 0);
  const nL = dimAt(dims, L);
  if (gParams != 0) memory.fill(gParams, 0, <usize>mlpParamCount(dims, L, bias) << 3);
  for (let b = 0; b < n; b++) {
    const x = X + ((<usize>b * d) << 3);
    mlpForward(dims, L, bias, params, x, out + ((<usize>b * nL) << 3), work);
    mlpBackward(dims, L, bias, params, x, gOut + ((<usize>b * nL) << 3), gParams, gX == 0 ? 0 : gX + ((<usize>b * d) << 3), work);
  }
}
