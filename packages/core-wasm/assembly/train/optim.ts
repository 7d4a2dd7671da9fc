// Optimiser steps and penalties on the flat parameter vector. Penalties act on weights only,
// never on biases (a bias does not change the complexity of the function the network computes).
//
//   objective = data loss + λ2 Σ w² + λ1 Σ |w|
//   ℓ2 enters the gradient (g += 2 λ2 w); ℓ1 is applied proximally after the step
//   (soft-threshold w ← sign(w) · max(|w| − lr·λ1, 0)), so weights can become exactly 0.
//
//   sgd       θ ← θ − lr g
//   momentum  v ← β v + g;  θ ← θ − lr v                      (heavy ball, v₀ = 0)
//   adam      m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;  β1ᵗ, β2ᵗ kept as running products
//             θ ← θ − lr (m / (1 − β1ᵗ)) / (sqrt(v / (1 − β2ᵗ)) + ε)

import { dimAt, layerParamCount } from "../nn/mlp";

/** Optimiser codes shared with the TypeScript wrapper. */
export const OPT_SGD: i32 = 0;
export const OPT_MOMENTUM: i32 = 1;
export const OPT_ADAM: i32 = 2;

/** Add the ℓ2 penalty gradient 2·λ2·w to `grad` for every weight (not bias). */
export function addL2Grad(dims: usize, L: i32, bias: bool, params: usize, grad: usize, l2: f64): void {
  if (l2 == 0) return;
  let off: usize = 0;
  for (let l = 1; l <= L; l++) {
    const nw = dimAt(dims, l - 1) * dimAt(dims, l);
    for (let k = 0; k < nw; k++) {
      const q = (off + <usize>k) << 3;
      store<f64>(grad + q, load<f64>(grad + q) + 2.0 * l2 * load<f64>(params + q));
    }
    off += <usize>layerParamCount(dims, l, bias);
  }
}

/** λ2 Σ w² + λ1 Σ |w| over the weights (not biases). */
export function penaltyValue(dims: usize, L: i32, bias: bool, params: usize, l1: f64, l2: f64): f64 {
  if (l1 == 0 && l2 == 0) return 0;
  let s1: f64 = 0;
  let s2: f64 = 0;
  let off: usize = 0;
  for (let l = 1; l <= L; l++) {
    const nw = dimAt(dims, l - 1) * dimAt(dims, l);
    for (let k = 0; k < nw; k++) {
      const w = load<f64>(params + ((off + <usize>k) << 3));
      s1 += Math.abs(w);
      s2 += w * w;
    }
    off += <usize>layerParamCount(dims, l, bias);
  }
  return l1 * s1 + l2 * s2;
}

/** Soft-threshold every weight (not bias) by `t` = lr·λ1 (the ℓ1 proximal step). */
export function proxL1(dims: usize, L: i32, bias: bool, params: usize, t: f64): void {
  if (t == 0) return;
  let off: usize = 0;
  for (let l = 1; l <= L; l++) {
    const nw = dimAt(dims, l - 1) * dimAt(dims, l);
    for (let k = 0; k < nw; k++) {
      const q = params + ((off + <usize>k) << 3);
      const w = load<f64>(q);
      const a = Math.abs(w) - t;
      store<f64>(q, a > 0 ? (w > 0 ? a : -a) : 0.0);
    }
    off += <usize>layerParamCount(dims, l, bias);
  }
}

/**
 * State of one optimiser run: the caller provides `s1`, `s2` (P f64 each, zeroed before the first
 * step; `s1` is the velocity or first moment, `s2` the second moment; unused ones may be 0).
 */
@final
export class OptimState {
  /** β1ᵗ (adam bias correction, running product so it is exact and reproducible). */
  b1t: f64 = 1;
  /** β2ᵗ. */
  b2t: f64 = 1;
}

/**
 * One optimiser step θ ← step(θ, g) for `n` parameters with optimiser `kind` and hyper-parameters
 * (lr, beta = momentum β or adam β1, beta2, eps). `st` carries adam's bias-correction products.
 */
export function optimStep(
  kind: i32, n: i32, params: usize, grad: usize, s1: usize, s2: usize,
  lr: f64, beta: f64, beta2: f64, eps: f64, st: OptimState,
): void {
  // Two parameters per f64x2, then a scalar tail. Lane-wise f64x2 add/mul/div/sqrt are the
  // IEEE operations of the scalar code, in the same order, so results are bit-identical.
  const end = <usize>(n & ~1) << 3;
  const nb = <usize>n << 3;
  if (kind == OPT_SGD) {
    const lrv = f64x2.splat(lr);
    let q: usize = 0;
    for (; q < end; q += 16) {
      v128.store(params + q, f64x2.sub(v128.load(params + q), f64x2.mul(lrv, v128.load(grad + q))));
    }
    if (q < nb) store<f64>(params + q, load<f64>(params + q) - lr * load<f64>(grad + q));
  } else if (kind == OPT_MOMENTUM) {
    const lrv = f64x2.splat(lr);
    const bv = f64x2.splat(beta);
    let q: usize = 0;
    for (; q < end; q += 16) {
      const v = f64x2.add(f64x2.mul(bv, v128.load(s1 + q)), v128.load(grad + q));
      v128.store(s1 + q, v);
      v128.store(params + q, f64x2.sub(v128.load(params + q), f64x2.mul(lrv, v)));
    }
    if (q < nb) {
      const v = beta * load<f64>(s1 + q) + load<f64>(grad + q);
      store<f64>(s1 + q, v);
      store<f64>(params + q, load<f64>(params + q) - lr * v);
    }
  } else {
    st.b1t *= beta;
    st.b2t *= beta2;
    const c1 = 1.0 - st.b1t;
    const c2 = 1.0 - st.b2t;
    const ob1 = 1.0 - beta;
    const ob2 = 1.0 - beta2;
    const b1v = f64x2.splat(beta), b2v = f64x2.splat(beta2);
    const ob1v = f64x2.splat(ob1), ob2v = f64x2.splat(ob2);
    const c1v = f64x2.splat(c1), c2v = f64x2.splat(c2);
    const lrv = f64x2.splat(lr), epsv = f64x2.splat(eps);
    let q: usize = 0;
    for (; q < end; q += 16) {
      const g = v128.load(grad + q);
      const m = f64x2.add(f64x2.mul(b1v, v128.load(s1 + q)), f64x2.mul(ob1v, g));
      const v = f64x2.add(f64x2.mul(b2v, v128.load(s2 + q)), f64x2.mul(f64x2.mul(ob2v, g), g));
      v128.store(s1 + q, m);
      v128.store(s2 + q, v);
      const step = f64x2.div(f64x2.mul(lrv, f64x2.div(m, c1v)), f64x2.add(f64x2.sqrt(f64x2.div(v, c2v)), epsv));
      v128.store(params + q, f64x2.sub(v128.load(params + q), step));
    }
    if (q < nb) {
      const g = load<f64>(grad + q);
      const m = beta * load<f64>(s1 + q) + ob1 * g;
      const v = beta2 * load<f64>(s2 + q) + ob2 * g * g;
      store<f64>(s1 + q, m);
      store<f64>(s2 + q, v);
      store<f64>(params + q, load<f64>(params + q) - lr * (m / c1) / (Math.sqrt(v / c2) + eps));
    }
  }
}
