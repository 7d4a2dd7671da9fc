// Losses on the network output φ(x) with target y. For the experiments (SPEC §2) N_L = 1 and
// y ∈ {0, 1}; φ is correct at x iff |φ(x) − y| < 1/2. Every loss is applied to each output k with
// its own target and averaged over the batch: L = (1/n) Σ_b Σ_k ℓ(φ_k(x_b), y_bk).
//
//   mse       ℓ = (φ − y)²                       ∂ℓ/∂φ = 2(φ − y)
//   logistic  z = (2y − 1)(2φ − 1)  (signed margin around the decision level 1/2; z = 1 at φ = y)
//             ℓ = log(1 + e^{−z})                ∂ℓ/∂φ = −2(2y − 1) / (1 + e^{z})
//   hinge     ℓ = max(0, 1 − z)                  ∂ℓ/∂φ = −2(2y − 1) if z < 1, else 0
//
// logistic and hinge read y as a class (y ≥ 1/2 → class 1); only mse pulls φ onto y itself.

/** Loss codes shared with the TypeScript wrapper. */
export const LOSS_MSE: i32 = 0;
export const LOSS_LOGISTIC: i32 = 1;
export const LOSS_HINGE: i32 = 2;

/** ℓ(φ, y) for loss `kind`. */
// @ts-ignore: decorator
@inline
export function lossValue(kind: i32, phi: f64, y: f64): f64 {
  if (kind == LOSS_MSE) {
    const e = phi - y;
    return e * e;
  }
  const s: f64 = y >= 0.5 ? 1.0 : -1.0;
  const z = s * (2.0 * phi - 1.0);
  if (kind == LOSS_LOGISTIC) {
    // softplus(−z) without overflow: max(−z, 0) + log1p(e^{−|z|}).
    return max(-z, 0.0) + Math.log1p(Math.exp(-Math.abs(z)));
  }
  return max(0.0, 1.0 - z);
}

/** ∂ℓ/∂φ for loss `kind`. */
// @ts-ignore: decorator
@inline
export function lossGrad(kind: i32, phi: f64, y: f64): f64 {
  if (kind == LOSS_MSE) return 2.0 * (phi - y);
  const s: f64 = y >= 0.5 ? 1.0 : -1.0;
  const z = s * (2.0 * phi - 1.0);
  if (kind == LOSS_LOGISTIC) {
    // 1/(1+e^{z}) written so that e^{±z} never overflows to inf/inf.
    const sig = z >= 0 ? Math.exp(-z) / (1.0 + Math.exp(-z)) : 1.0 / (1.0 + Math.exp(z));
    return -2.0 * s * sig;
  }
  return z < 1.0 ? -2.0 * s : 0.0;
}
