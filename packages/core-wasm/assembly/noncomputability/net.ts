// The network class NN_(d,W,1) without biases, φ_θ(z) = Σ_i v_i ρ(w_i·z), and the cost
// C(θ) = (1/r) Σ_j (φ_θ(x^j) − y^j)² + λ‖θ‖_1 of SPEC §3.1, specialised for tiny W, d and r.
//
// Two layouts. The shared one (docs/architecture.md) for dims [d, W, 1] without biases is what
// crosses the boundary: w_i at θ[i·d .. i·d + d) (W_1 row-major), then v_1..v_W at θ[W·d ..).
// Inside a kernel θ lives "neuron-pair major" so that f64x2 lanes hold two neurons:
//   T[k·Wp + i] = w_i,k   (k < d, i < Wp)      T[d·Wp + i] = v_i
// with Wp = W rounded up to even. A padding neuron (W odd) has all-zero weights: its gradient is
// zero (it is never active) and the proximal step keeps it at zero, so it never changes φ or C.
// Nothing here allocates.

// @ts-ignore: decorator
@inline
export function padWidth(W: i32): i32 {
  return (W + 1) & ~1;
}

/** Number of internal parameters d·Wp + Wp. */
// @ts-ignore: decorator
@inline
export function internalCount(d: i32, Wp: i32): i32 {
  return d * Wp + Wp;
}

/** f64 element `i` of the array at `p` (shared with optimise.ts). */
// @ts-ignore: decorator
@inline
export function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/** Set f64 element `i` of the array at `p` (shared with optimise.ts). */
// @ts-ignore: decorator
@inline
export function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** Shared layout θ (W·d + W) → internal layout T (d·Wp + Wp), zero padding. */
export function toInternal(theta: usize, T: usize, d: i32, W: i32): void {
  const Wp = padWidth(W);
  memory.fill(T, 0, <usize>internalCount(d, Wp) << 3);
  for (let i = 0; i < W; i++) {
    for (let k = 0; k < d; k++) st(T, k * Wp + i, ld(theta, i * d + k));
    st(T, d * Wp + i, ld(theta, W * d + i));
  }
}

/** Internal layout T → shared layout θ (padding dropped). */
export function toShared(T: usize, theta: usize, d: i32, W: i32): void {
  const Wp = padWidth(W);
  for (let i = 0; i < W; i++) {
    for (let k = 0; k < d; k++) st(theta, i * d + k, ld(T, k * Wp + i));
    st(theta, W * d + i, ld(T, d * Wp + i));
  }
}

/** λ‖T‖_1 (padding entries are zero). */
export function penalty(T: usize, Pp: i32, lambda: f64): f64 {
  let acc = f64x2.splat(0.0);
  for (let i = 0; i < Pp; i += 2) acc = f64x2.add(acc, f64x2.abs(v128.load(T + (<usize>i << 3))));
  return lambda * (f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1));
}

/**
 * Mean squared error over the samples `idx[start .. start+count)` (i32 indices; idx = 0 means
 * samples start..start+count in order), and when `g` ≠ 0 its gradient with respect to T written
 * into `g` (internal layout, overwritten). `hb` is scratch for Wp pre-activations. ReLU′(0) = 0.
 */
export function mseGrad(
  T: usize, x: usize, y: usize, idx: usize, start: i32, count: i32, d: i32, Wp: i32, g: usize, hb: usize,
): f64 {
  const vOff = <usize>(d * Wp) << 3;
  const rowBytes = <usize>Wp << 3;
  const zero = f64x2.splat(0.0);
  if (g != 0) memory.fill(g, 0, <usize>internalCount(d, Wp) << 3);
  let loss = 0.0;
  const scale = 2.0 / <f64>count;
  for (let c = 0; c < count; c++) {
    const j = idx == 0 ? start + c : load<i32>(idx + (<usize>(start + c) << 2));
    const xj = x + (<usize>(j * d) << 3);
    // Forward once, keeping the pre-activations for the backward pass.
    let phi2 = zero;
    for (let q = 0; q < Wp; q += 2) {
      const off = <usize>q << 3;
      let h = zero;
      for (let k = 0; k < d; k++) {
        h = f64x2.add(h, f64x2.mul(v128.load(T + <usize>k * rowBytes + off), f64x2.splat(ld(xj, k))));
      }
      v128.store(hb + off, h);
      phi2 = f64x2.add(phi2, f64x2.mul(v128.load(T + vOff + off), f64x2.max(h, zero)));
    }
    const e = f64x2.extract_lane(phi2, 0) + f64x2.extract_lane(phi2, 1) - ld(y, j);
    loss += e * e;
    if (g != 0) {
      const ge = f64x2.splat(scale * e);
      for (let q = 0; q < Wp; q += 2) {
        const off = <usize>q << 3;
        const h = v128.load(hb + off);
        const active = f64x2.gt(h, zero);
        v128.store(g + vOff + off, f64x2.add(v128.load(g + vOff + off), f64x2.mul(ge, v128.and(h, active))));
        const gv = v128.and(f64x2.mul(ge, v128.load(T + vOff + off)), active);
        for (let k = 0; k < d; k++) {
          const p = g + <usize>k * rowBytes + off;
          v128.store(p, f64x2.add(v128.load(p), f64x2.mul(gv, f64x2.splat(ld(xj, k)))));
        }
      }
    }
  }
  return loss / <f64>count;
}

/** The full cost C(T) on all r samples. */
export function cost(T: usize, x: usize, y: usize, r: i32, d: i32, Wp: i32, lambda: f64, hb: usize): f64 {
  return mseGrad(T, x, y, 0, 0, r, d, Wp, 0, hb) + penalty(T, internalCount(d, Wp), lambda);
}

/**
 * Soft-thresholding, the proximal map of τ|·|, on two lanes: sign(z)·max(|z| − τ, 0), with +0
 * (not −0) where the result vanishes so that a zeroed weight is the same bits whatever its history.
 */
// @ts-ignore: decorator
@inline
export function soft2(z: v128, tau: v128): v128 {
  const mag = f64x2.max(f64x2.sub(f64x2.abs(z), tau), f64x2.splat(0.0));
  const sign = v128.and(v128.and(z, f64x2.splat(-0.0)), f64x2.gt(mag, f64x2.splat(0.0)));
  return v128.or(mag, sign);
}
