/**
 * Exact evaluation at a point for the verifier's last resort: when a box cannot be split further
 * in f64 (a single point, or bounds one ulp apart) and the floating-point enclosures cannot decide
 * it (an exact tie such as two equal output rows), the outputs at the point are computed exactly
 * (every f64 is a dyadic rational n·2^e; BigInt numerators) and the constraints decided exactly.
 *
 * This is the one production copy of exact f64 arithmetic for networks (pieces-exact.ts reads f64
 * values through `dyadic`). test/exact.ts deliberately keeps a second, separately written copy: it
 * is the oracle the tests check this code (and verify/radius) against, and an oracle that imports
 * what it checks would share its bugs.
 */
import type { Network } from '../network.js';
import type { LinearConstraint } from './property.js';

/** The dyadic rational n·2^e. */
export interface Dy {
  n: bigint;
  e: number;
}

const view = new DataView(new ArrayBuffer(8));

/** The exact value of a finite f64 as a dyadic rational. */
export function dyadic(x: number): Dy {
  if (x === 0) return { n: 0n, e: 0 };
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  const mant = bexp === 0 ? frac : (1n << 52n) | frac;
  return { n: hi >>> 31 ? -mant : mant, e: (bexp === 0 ? 1 : bexp) - 1075 };
}

function add(a: Dy, b: Dy): Dy {
  if (a.n === 0n) return b;
  if (b.n === 0n) return a;
  const e = Math.min(a.e, b.e);
  return { n: (a.n << BigInt(a.e - e)) + (b.n << BigInt(b.e - e)), e };
}

const mul = (a: Dy, b: Dy): Dy => ({ n: a.n * b.n, e: a.e + b.e });

/** The exact outputs of `net` at the f64 point x. */
function outputs(net: Network, x: ArrayLike<number>): Dy[] {
  const { dims, params, bias } = net;
  let a = Array.from(x, dyadic);
  let off = 0;
  for (let l = 1; l < dims.length; l++) {
    const nIn = dims[l - 1]!;
    const nOut = dims[l]!;
    const next: Dy[] = [];
    for (let i = 0; i < nOut; i++) {
      let s: Dy = { n: 0n, e: 0 };
      for (let j = 0; j < nIn; j++) s = add(s, mul(dyadic(params[off + i * nIn + j]!), a[j]!));
      if (bias) s = add(s, dyadic(params[off + nOut * nIn + i]!));
      next.push(l < dims.length - 1 && s.n < 0n ? { n: 0n, e: 0 } : s);
    }
    off += nOut * nIn + (bias ? nOut : 0);
    a = next;
  }
  return a;
}

/** Sign of c·y − d at the point for each constraint (exact), d taken at `dLo` or `dHi`. */
function margins(net: Network, x: ArrayLike<number>, cs: readonly LinearConstraint[], side: 'dLo' | 'dHi'): number[] {
  const y = outputs(net, x);
  return cs.map((k) => {
    let s: Dy = { n: 0n, e: 0 };
    k.c.forEach((c, i) => {
      if (c !== 0) s = add(s, mul(dyadic(c), y[i]!));
    });
    const v = add(s, { n: -dyadic(k[side]).n, e: dyadic(k[side]).e });
    return v.n > 0n ? 1 : v.n < 0n ? -1 : 0;
  });
}

/** Whether the exact outputs at x meet every constraint of the conjunction (c·y ≤ dLo for all). */
export function exactlyMeets(net: Network, x: ArrayLike<number>, conj: readonly LinearConstraint[]): boolean {
  return margins(net, x, conj, 'dLo').every((s) => s <= 0);
}

/** Whether the exact outputs at x violate some constraint of the conjunction (c·y > dHi for one). */
export function exactlyAvoids(net: Network, x: ArrayLike<number>, conj: readonly LinearConstraint[]): boolean {
  return margins(net, x, conj, 'dHi').some((s) => s > 0);
}
