// The network class NN_(d,W,1) without biases, φ_θ(z) = Σ_i v_i ρ(w_i·z), and the cost
// C(θ) = (1/r) Σ_j (φ_θ(x^j) − y^j)² + λ‖θ‖_1 of SPEC §3.1.
//
// θ follows the shared flat layout (docs/architecture.md) for dims [d, W, 1] without biases:
// w_i at θ[i·d .. i·d + d) (W_1 row-major), then v_1..v_W at θ[W·d ..). Everything here is
// allocation-free and specialised for this one architecture: W, d and r are tiny, so generic MLP
// kernels would spend their time on bookkeeping.

// @ts-ignore: decorator
@inline
export function paramCount(d: i32, W: i32): i32 {
  return W * d + W;
}

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

/** φ_θ(x) for one point x (d values at `x`). */
export function forward(theta: usize, x: usize, d: i32, W: i32): f64 {
  let phi = 0.0;
  const vOff = W * d;
  for (let i = 0; i < W; i++) {
    let h = 0.0;
    const wi = theta + (<usize>(i * d) << 3);
    for (let k = 0; k < d; k++) h += ld(wi, k) * ld(x, k);
    if (h > 0.0) phi += ld(theta, vOff + i) * h;
  }
  return phi;
}

/** λ‖θ‖_1. */
export function penalty(theta: usize, P: i32, lambda: f64): f64 {
  let s = 0.0;
  for (let i = 0; i < P; i++) s += Math.abs(ld(theta, i));
  return lambda * s;
}

/**
 * Mean squared error over the samples `idx[start .. start+count)` (i32 indices; pass idx = 0 for
 * samples start..start+count in order). When `g` ≠ 0, writes its gradient with respect to θ into
 * `g` (overwritten, not accumulated). ReLU′(0) = 0, as in the MLP kernels.
 */
export function mseGrad(
  theta: usize, x: usize, y: usize, idx: usize, start: i32, count: i32, d: i32, W: i32, g: usize,
): f64 {
  const P = paramCount(d, W);
  const vOff = W * d;
  if (g != 0) memory.fill(g, 0, <usize>P << 3);
  let loss = 0.0;
  const scale = 2.0 / <f64>count;
  for (let c = 0; c < count; c++) {
    const j = idx == 0 ? start + c : load<i32>(idx + (<usize>(start + c) << 2));
    const xj = x + (<usize>(j * d) << 3);
    // Forward, keeping nothing: W is tiny, so the backward pass recomputes pre-activations.
    let phi = 0.0;
    for (let i = 0; i < W; i++) {
      let h = 0.0;
      const wi = theta + (<usize>(i * d) << 3);
      for (let k = 0; k < d; k++) h += ld(wi, k) * ld(xj, k);
      if (h > 0.0) phi += ld(theta, vOff + i) * h;
    }
    const e = phi - ld(y, j);
    loss += e * e;
    if (g != 0) {
      const ge = scale * e;
      for (let i = 0; i < W; i++) {
        let h = 0.0;
        const wi = theta + (<usize>(i * d) << 3);
        for (let k = 0; k < d; k++) h += ld(wi, k) * ld(xj, k);
        if (h > 0.0) {
          st(g, vOff + i, ld(g, vOff + i) + ge * h);
          const gv = ge * ld(theta, vOff + i);
          const gi = g + (<usize>(i * d) << 3);
          for (let k = 0; k < d; k++) st(gi, k, ld(gi, k) + gv * ld(xj, k));
        }
      }
    }
  }
  return loss / <f64>count;
}

/** The full cost C(θ) on all r samples. */
export function cost(theta: usize, x: usize, y: usize, r: i32, d: i32, W: i32, lambda: f64): f64 {
  return mseGrad(theta, x, y, 0, 0, r, d, W, 0) + penalty(theta, paramCount(d, W), lambda);
}

/** Soft-thresholding, the proximal map of τ|·|. */
// @ts-ignore: decorator
@inline
export function soft(z: f64, tau: f64): f64 {
  return z > tau ? z - tau : z < -tau ? z + tau : 0.0;
}
