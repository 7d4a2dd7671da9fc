// Parameter initialisation from a Philox stream. Weights are drawn layer by layer in the flat
// parameter order (W_1 row-major, W_2, …); biases start at 0 and consume no random numbers.

import { Philox } from "../rng/philox";
import { dimAt, layerParamCount } from "../nn/mlp";

/** Init codes shared with the TypeScript wrapper. */
export const INIT_HE: i32 = 0;
export const INIT_XAVIER: i32 = 1;
export const INIT_UNIFORM: i32 = 2;
export const INIT_NORMAL: i32 = 3;

/**
 * Fill `params` for the network (dims, L, bias):
 *   he       w ~ N(0, 2/N_{l-1})                         (normal(), scaled)
 *   xavier   w ~ U(−a, a), a = sqrt(6/(N_{l-1} + N_l))   (Glorot uniform: (2·uniform() − 1)·a)
 *   uniform  w ~ U(−scale, scale)
 *   normal   w ~ N(0, scale²)
 */
export function mlpInit(dims: usize, L: i32, bias: bool, params: usize, kind: i32, scale: f64, rng: Philox): void {
  let p = params;
  for (let l = 1; l <= L; l++) {
    const nin = dimAt(dims, l - 1);
    const nout = dimAt(dims, l);
    const nw = nin * nout;
    for (let k = 0; k < nw; k++) {
      let w: f64;
      if (kind == INIT_HE) w = rng.normal() * Math.sqrt(2.0 / <f64>nin);
      else if (kind == INIT_XAVIER) w = (2.0 * rng.uniform() - 1.0) * Math.sqrt(6.0 / <f64>(nin + nout));
      else if (kind == INIT_UNIFORM) w = (2.0 * rng.uniform() - 1.0) * scale;
      else w = rng.normal() * scale;
      store<f64>(p + (<usize>k << 3), w);
    }
    if (bias) memory.fill(p + (<usize>nw << 3), 0, <usize>nout << 3);
    p += <usize>layerParamCount(dims, l, bias) << 3;
  }
}
