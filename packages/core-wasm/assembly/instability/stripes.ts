// The hidden-margin stripes problem of SPEC §2: the true classifier f, distances to its
// discontinuities, and the support of the data distribution. f is extended outside [0,1]^d by
// clamping the stripe index, so an attack that leaves the unit cube is still judged against a
// well-defined label (the stripes next to x_1 = 0 and x_1 = 1 simply continue).

import { Philox } from "../rng/philox";

/** Parameters of one stripes problem (validated by the TypeScript wrapper). */
export class Stripes {
  constructor(
    public d: i32,
    public m: i32,
    public delta: f64,
    public mu: f64,
    /** 0 = continuous support, otherwise the number M of fixed points per stripe. */
    public finiteM: i32,
  ) {}
}

/** Stripe index of x_1: clamp(⌊m·x_1⌋, 0, m − 1). */
@inline export function stripeOf(x1: f64, m: i32): i32 {
  const k = Math.floor(x1 * <f64>m);
  if (!(k >= 0)) return 0; // also catches NaN
  if (k >= <f64>(m - 1)) return m - 1;
  return <i32>k;
}

/**
 * The error a·b − fl(a·b) of a product, exactly (Dekker's two-product with Veltkamp's split; exact
 * when nothing overflows or underflows).
 */
@inline function productError(a: f64, b: f64, p: f64): f64 {
  const SPLIT: f64 = 134217729.0; // 2^27 + 1
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/**
 * Stripe index of x_1 decided exactly: clamp(⌊m·x_1⌋, 0, m − 1) for the real product m·x_1, where
 * `stripeOf` floors the rounded product (which can land on the integer j when m·x_1 is just below
 * it, putting a point left of j/m into stripe j). fl(m·x_1) is not an integer ⇒ it has the same
 * floor as the exact product (integers near it are doubles); it is an integer k ⇒ the exact product
 * is below k iff the product's rounding error is negative.
 */
export function stripeExact(x1: f64, m: i32): i32 {
  if (!(x1 >= 0)) return 0; // negative (or NaN): stripe 0 after clamping
  if (x1 >= 1.0) return m - 1;
  const fm = <f64>m;
  const p = x1 * fm;
  let k = Math.floor(p);
  if (p == k && productError(x1, fm, p) < 0) k -= 1.0;
  if (!(k >= 0)) return 0;
  if (k >= <f64>(m - 1)) return m - 1;
  return <i32>k;
}

/** f(x) decided exactly (`stripeExact` mod 2). */
@inline export function labelExact(x1: f64, m: i32): i32 {
  return stripeExact(x1, m) & 1;
}

/** f(x) = stripe(x_1) mod 2. */
@inline export function labelOf(x1: f64, m: i32): i32 {
  return stripeOf(x1, m) & 1;
}

/**
 * Distance (in x_1, which is the ℓ∞ and the ℓ2 distance) from x_1 to the nearest discontinuity
 * j/m (1 ≤ j ≤ m − 1) of f. Inside a ball of smaller radius f is constant.
 */
export function boundaryDistance(x1: f64, m: i32): f64 {
  const k = stripeOf(x1, m);
  const fm = <f64>m;
  let dist = Infinity;
  if (k > 0) dist = Math.abs(x1 - <f64>k / fm);
  if (k < m - 1) dist = Math.min(dist, Math.abs(<f64>(k + 1) / fm - x1));
  return dist;
}

/**
 * An upper bound of the exact distance from x_1 to the nearest discontinuity j/m (1 ≤ j ≤ m − 1)
 * of f, on the stripe `stripeExact` assigns: with q = fl(j/m) (error ≤ u·q) and t = fl(|x_1 − q|)
 * (error ≤ u·t), the exact distance is at most t + u·(t + q), returned with a margin for the
 * rounding of that sum. By Lemma B this bounds every robustness radius of a continuous φ at x.
 */
export function boundaryUpper(x1: f64, m: i32): f64 {
  const k = stripeExact(x1, m);
  const fm = <f64>m;
  const u4: f64 = 4.440892098500626e-16; // 4u
  let dist = Infinity;
  if (k > 0) {
    const q = <f64>k / fm;
    const t = Math.abs(x1 - q);
    dist = t + u4 * (t + q);
  }
  if (k < m - 1) {
    const q = <f64>(k + 1) / fm;
    const t = Math.abs(q - x1);
    dist = Math.min(dist, t + u4 * (t + q));
  }
  return dist;
}

/** Lower end of the support of x_1 in stripe k: k/m + 2δ. */
@inline export function supportLo(s: Stripes, k: i32): f64 {
  return <f64>k / <f64>s.m + 2.0 * s.delta;
}

/** Upper end of the support of x_1 in stripe k: (k+1)/m − 2δ. */
@inline export function supportHi(s: Stripes, k: i32): f64 {
  return <f64>(k + 1) / <f64>s.m - 2.0 * s.delta;
}

/** x_1 of the i-th of the M fixed support points of stripe k (evenly spaced, ends included). */
export function gridPoint(s: Stripes, k: i32, i: i32): f64 {
  const lo = supportLo(s, k);
  const hi = supportHi(s, k);
  if (s.finiteM == 1) return 0.5 * (lo + hi);
  return lo + (hi - lo) * (<f64>i / <f64>(s.finiteM - 1));
}

/** Write the data point of stripe k with first coordinate x1 to `out` (d values). */
export function writePoint(s: Stripes, k: i32, x1: f64, out: usize): void {
  store<f64>(out, x1);
  const y = k & 1;
  store<f64>(out + 8, 0.5 + s.mu * <f64>(2 * y - 1));
  for (let j = 2; j < s.d; j++) store<f64>(out + (<usize>j << 3), 0.5);
}

/**
 * Draw n points of D from `rng` into X (n×d, point-major) and their labels into Y (n values, as
 * f64 0/1): per point one `below(m)` for the stripe, then `below(M)` (finite support) or one
 * `uniform()` (continuous) for x_1.
 */
export function samplePoints(s: Stripes, rng: Philox, n: i32, X: usize, Y: usize): void {
  for (let i = 0; i < n; i++) {
    const k = <i32>rng.below(<u32>s.m);
    let x1: f64;
    if (s.finiteM > 0) {
      x1 = gridPoint(s, k, <i32>rng.below(<u32>s.finiteM));
    } else {
      const lo = supportLo(s, k);
      x1 = lo + (supportHi(s, k) - lo) * rng.uniform();
    }
    writePoint(s, k, x1, X + (<usize>(i * s.d) << 3));
    if (Y != 0) store<f64>(Y + (<usize>i << 3), <f64>(k & 1));
  }
}

/**
 * Largest radius to certify against the single label f(x) for a point at distance b from the
 * nearest discontinuity: strictly inside, with a relative margin for the rounding of x_1·m.
 */
export function safeRadius(b: f64): f64 {
  const r = b * (1.0 - 1e-9) - 1e-15;
  return r > 0 ? r : 0.0;
}
