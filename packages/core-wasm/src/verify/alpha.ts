/**
 * Optimised lower slopes (α-CROWN style) for branch and bound (verify.ts): the gradient of a CROWN
 * lower bound with respect to the lower-relaxation slopes α of the unstable ReLUs, for projected
 * gradient ascent. Only the search direction comes from here (plain f64, not sound); every bound
 * the verifier uses is recomputed by the sound WebAssembly pass for the α found
 * (`cert_box_bounds_rows` with slopes), so a poor or even wrong gradient costs time, never a verdict.
 *
 * Why the gradient is a forward pass: CROWN's lower bound over a box is B(α) = min_x L(x; α), where
 * L is the network with every unstable ReLU replaced by the linear relaxation the backward pass
 * chose for it (α·z below when its coefficient a_u ≥ 0, the upper line s(z − l) when a_u < 0,
 * identity or 0 for stable units). By Danskin's theorem ∂B/∂α_u = ∂L/∂α_u at the minimiser x*,
 * which is a_u · ẑ_u(x*) — a_u the coefficient of unit u's activation in the output pass (what the
 * pass reports) and ẑ_u(x*) the unit's pre-activation in that relaxed network at x*. x* is the box
 * corner picked by the signs of the input coefficients.
 */
import { layerOffset, type Network } from '../network.js';

/**
 * Into `grad` (H values, hidden units in net.lo order): ∂B/∂α_u of the lower bound whose output
 * pass reported `coef` (H hidden coefficients then d input ones) over the box [lo, hi] with hidden
 * bounds `hid` (H lower then H upper) and slopes `alpha`; 0 for units whose α is not used (stable,
 * or coefficient < 0). With `zhat`, the relaxed pre-activations ẑ_u(x*) go there too: the
 * gradient in a split unit's β (β-CROWN, the pass bounds φ − Σ β_u s_u z_u) is −s_u·ẑ_u(x*).
 */
export function alphaGradient(
  net: Network, hid: Float64Array, coef: Float64Array, lo: ArrayLike<number>, hi: ArrayLike<number>, alpha: Float64Array, grad: Float64Array,
  zhat?: Float64Array,
): void {
  const { dims, params, bias } = net;
  const L = dims.length - 1;
  const d = dims[0]!;
  const H = grad.length;
  // x*: the corner minimising the input term a·x (a_j ≥ 0: lower end).
  let prev = new Float64Array(d);
  for (let j = 0; j < d; j++) prev[j] = coef[H + j]! >= 0 ? lo[j]! : hi[j]!;
  let u0 = 0;
  for (let l = 1; l < L; l++) {
    const nIn = dims[l - 1]!;
    const nOut = dims[l]!;
    const off = layerOffset(dims, bias, l);
    const next = new Float64Array(nOut);
    for (let i = 0; i < nOut; i++) {
      let z = bias ? params[off + nOut * nIn + i]! : 0;
      const r = off + i * nIn;
      for (let j = 0; j < nIn; j++) z += params[r + j]! * prev[j]!;
      const u = u0 + i;
      const lu = hid[u]!;
      const hu = hid[H + u]!;
      const a = coef[u]!;
      grad[u] = 0;
      if (zhat) zhat[u] = z;
      if (lu >= 0) next[i] = z;
      else if (hu <= 0) next[i] = 0;
      else if (a >= 0) {
        next[i] = alpha[u]! * z;
        grad[u] = a * z;
      } else next[i] = (hu / (hu - lu)) * (z - lu);
    }
    prev = next;
    u0 += nOut;
  }
}

/**
 * The starting slopes CROWN uses without optimisation (α = 1 where the unit's upper bound exceeds
 * −lower bound, else 0; stable units' entries are unused), H values.
 */
export function defaultAlpha(hid: Float64Array, H: number): Float64Array {
  const a = new Float64Array(H);
  for (let u = 0; u < H; u++) a[u] = hid[H + u]! > -hid[u]! ? 1 : 0;
  return a;
}
