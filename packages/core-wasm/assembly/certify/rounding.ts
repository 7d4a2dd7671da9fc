// Soundness in floating point without rounding-mode control, shared by every bound of the
// certification kernels (ibp.ts, crown.ts, radius.ts) and the sound evaluations built on them.
//
// WebAssembly has no rounding-mode control, so directed rounding is obtained by widening instead:
// every bound that is a computed sum of n terms is moved outward by a rigorous a-priori error bound
// γ_k·Σ|terms| (γ_k = k·u/(1 − k·u), u = 2⁻⁵³, Higham's bound for recursive summation, with k taken
// generously), plus TINY for underflow, times SAFE for the rounding of the widening itself.

/** Unit roundoff of f64. */
export const U: f64 = 1.1102230246251565e-16;
/** Absolute floor for the widening: covers underflow of products into subnormals. */
export const TINY: f64 = 1e-300;
/** Relative safety factor on the computed widening (its own rounding). */
export const SAFE: f64 = 1.0 + 1e-10;

/** Ball norms. */
export const NORM_INF: i32 = 0;
export const NORM_L2: i32 = 1;
/**
 * An axis-aligned box: the centre x0 plus per-coordinate half-widths ρ_j (`Centre.rho`), scaled by
 * the radius (branch and bound uses radius 1: the box itself).
 */
export const NORM_BOX: i32 = 2;

/** Certification methods (bit mask). */
export const CERT_IBP: i32 = 1;
export const CERT_CROWN: i32 = 2;

/** γ_n = n·u / (1 − n·u): relative error bound of a recursive sum of n terms (Higham). */
@inline export function gam(n: i32): f64 {
  const nu = <f64>n * U;
  return nu / (1.0 - nu);
}

/**
 * max(x, 0) exactly as `Math.max(x, 0.0)` (NaN stays NaN, −0 becomes +0), written as a compare and
 * a select plus +0 because WebAssembly's f64.max compiles to a long NaN/zero-handling sequence.
 */
@inline export function relu(x: f64): f64 {
  return select<f64>(0.0, x, x < 0.0) + 0.0;
}

/** `relu` on both lanes (`f64x2.pmax` is a single max instruction; +0 turns −0 into +0). */
@inline export function relu2(x: v128): v128 {
  return f64x2.add(f64x2.pmax(x, f64x2.splat(0.0)), f64x2.splat(0.0));
}
