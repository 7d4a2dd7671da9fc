// Exact arithmetic for checking floating-point results: every finite f64 is a dyadic rational
// n·2^e, and sums and products of dyadics are dyadic, so a ReLU network with f64 weights evaluated
// at an f64 point has an exact dyadic value. BigInt numerators; no rounding anywhere.
import type { Network } from '../src/index.js';

/** The dyadic rational n·2^e. */
export interface Dyadic {
  n: bigint;
  e: number;
}

const view = new DataView(new ArrayBuffer(8));

/** The exact value of a finite f64. */
export function dy(x: number): Dyadic {
  if (!Number.isFinite(x)) throw new Error(`dy: ${x} is not finite`);
  if (x === 0) return { n: 0n, e: 0 };
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const bexp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (bexp === 0) return { n: sign * frac, e: -1074 };
  return { n: sign * ((1n << 52n) | frac), e: bexp - 1075 };
}

/** a + b, exactly. */
export function add(a: Dyadic, b: Dyadic): Dyadic {
  if (a.n === 0n) return b;
  if (b.n === 0n) return a;
  const e = Math.min(a.e, b.e);
  return { n: (a.n << BigInt(a.e - e)) + (b.n << BigInt(b.e - e)), e };
}

/** a − b, exactly. */
export function sub(a: Dyadic, b: Dyadic): Dyadic {
  return add(a, { n: -b.n, e: b.e });
}

/** a · b, exactly. */
export function mul(a: Dyadic, b: Dyadic): Dyadic {
  return { n: a.n * b.n, e: a.e + b.e };
}

/** Sign of a − b (−1, 0, 1). */
export function cmp(a: Dyadic, b: Dyadic): number {
  const d = sub(a, b).n;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** ⌊a⌋ as a BigInt. */
export function floor(a: Dyadic): bigint {
  if (a.e >= 0) return a.n << BigInt(a.e);
  return a.n >> BigInt(-a.e); // arithmetic shift: rounds toward −∞
}

/** The exact output of a one-output `net` (ReLU on hidden layers) at the f64 point z. */
export function exactPhi(net: Network, z: ArrayLike<number>): Dyadic {
  return exactOutputs(net, z)[0]!;
}

/** The exact outputs of `net` (ReLU on hidden layers) at the f64 point z. */
export function exactOutputs(net: Network, z: ArrayLike<number>): Dyadic[] {
  const { dims, params, bias } = net;
  let a: Dyadic[] = Array.from(z, dy);
  let off = 0;
  for (let l = 1; l < dims.length; l++) {
    const nIn = dims[l - 1]!;
    const nOut = dims[l]!;
    const next: Dyadic[] = [];
    for (let i = 0; i < nOut; i++) {
      let s: Dyadic = { n: 0n, e: 0 };
      for (let j = 0; j < nIn; j++) s = add(s, mul(dy(params[off + i * nIn + j]!), a[j]!));
      if (bias) s = add(s, dy(params[off + nOut * nIn + i]!));
      next.push(l < dims.length - 1 && s.n < 0n ? { n: 0n, e: 0 } : s);
    }
    off += nOut * nIn + (bias ? nOut : 0);
    a = next;
  }
  return a;
}

/** The stripes label f(z) = clamp(⌊m·z_1⌋, 0, m − 1) mod 2, decided exactly. */
export function exactLabel(z1: number, m: number): number {
  let k = floor(mul(dy(z1), dy(m)));
  if (k < 0n) k = 0n;
  if (k > BigInt(m - 1)) k = BigInt(m - 1);
  return Number(k & 1n);
}

/** Whether the f64 point z is misclassified by `net` in exact arithmetic: |φ(z) − f(z)| ≥ 1/2. */
export function exactlyAdversarial(net: Network, z: ArrayLike<number>, m: number): boolean {
  const phi = exactPhi(net, z);
  const y = exactLabel(z[0]!, m);
  // |φ − y| ≥ 1/2  ⟺  φ ≤ y − 1/2 or φ ≥ y + 1/2
  return cmp(phi, dy(y - 0.5)) <= 0 || cmp(phi, dy(y + 0.5)) >= 0;
}

/**
 * Whether the exact outputs of `net` at the f64 point z violate the criterion for label y: binary,
 * |φ(z) − y| ≥ 1/2; multiclass, some other output ≥ output y.
 */
export function exactlyUnsafe(net: Network, z: ArrayLike<number>, y: number, criterion: 'binary' | 'multiclass'): boolean {
  const o = exactOutputs(net, z);
  if (criterion === 'binary') return cmp(o[0]!, dy(y - 0.5)) <= 0 || cmp(o[0]!, dy(y + 0.5)) >= 0;
  return o.some((v, j) => j !== y && sub(v, o[y]!).n >= 0n);
}

/** Whether r ≥ the exact ‖z − x‖ (ℓ∞ or ℓ2) of two f64 points. */
export function boundsDistance(r: number, x: ArrayLike<number>, z: ArrayLike<number>, norm: 'linf' | 'l2'): boolean {
  const R = dy(r);
  if (norm === 'linf') {
    for (let j = 0; j < x.length; j++) {
      const d = sub(dy(z[j]!), dy(x[j]!));
      if (cmp(d.n < 0n ? { n: -d.n, e: d.e } : d, R) > 0) return false;
    }
    return true;
  }
  let s: Dyadic = { n: 0n, e: 0 };
  for (let j = 0; j < x.length; j++) {
    const d = sub(dy(z[j]!), dy(x[j]!));
    s = add(s, mul(d, d));
  }
  return cmp(s, mul(R, R)) <= 0;
}

/** Whether r ≥ the exact distance from z_1 to the nearest discontinuity j/m (1 ≤ j ≤ m − 1) of f. */
export function boundsBoundaryDistance(r: number, z1: number, m: number): boolean {
  // |z_1 − j/m| ≤ r  ⟺  |m·z_1 − j| ≤ m·r, for some j in 1..m−1
  const mz = mul(dy(z1), dy(m));
  const mr = mul(dy(r), dy(m));
  for (let j = 1; j < m; j++) {
    const d = sub(mz, dy(j));
    if (cmp(d.n < 0n ? { n: -d.n, e: d.e } : d, mr) <= 0) return true;
  }
  return false;
}
