/**
 * Exact piece counting in rational arithmetic: the number of maximal intervals of [0, 1] on which
 * t ↦ φ(p + t(q − p)) is affine, for the real-valued network with the f64 weights (every f64 is a
 * dyadic rational, so every value below is an exact BigInt fraction). The same layer-by-layer
 * algorithm as the WASM kernel (assembly/pieces/pieces.ts), with every decision exact: sign
 * changes of each pre-activation between breakpoints, crossing positions, and the merge of
 * neighbouring intervals, which compares the output's exact difference quotients (φ is affine on
 * each interval, so the quotient of its end values is its slope). `countPieces` uses it when the
 * kernel reports a decision it could not certify in floating point.
 */
import type { Network } from './network.js';
import { dyadic } from './verify/exact.js';

/** A fraction n/d with d > 0, in lowest terms. */
interface Q {
  n: bigint;
  d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t < 0n ? -t : t;
  }
  return a;
}

function q(n: bigint, d: bigint): Q {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  if (n === 0n) return { n: 0n, d: 1n };
  const g = gcd(n, d);
  return g === 1n ? { n, d } : { n: n / g, d: d / g };
}

const ZERO: Q = { n: 0n, d: 1n };
const ONE: Q = { n: 1n, d: 1n };
const add = (a: Q, b: Q): Q => (a.d === b.d ? q(a.n + b.n, a.d) : q(a.n * b.d + b.n * a.d, a.d * b.d));
const sub = (a: Q, b: Q): Q => add(a, { n: -b.n, d: b.d });
const mul = (a: Q, b: Q): Q => (a.n === 0n || b.n === 0n ? ZERO : q(a.n * b.n, a.d * b.d));
const div = (a: Q, b: Q): Q => q(a.n * b.d, a.d * b.n);
const sign = (a: Q): number => (a.n > 0n ? 1 : a.n < 0n ? -1 : 0);
const eq = (a: Q, b: Q): boolean => a.n === b.n && a.d === b.d;

/** The exact value of a finite f64 (its dyadic value from verify/exact.ts, as a fraction). */
function fromF64(x: number): Q {
  const { n, e } = dyadic(x);
  return e >= 0 ? q(n << BigInt(e), 1n) : q(n, 1n << BigInt(-e));
}

/** The f64 nearest to a fraction (for reporting breakpoints). */
function toF64(a: Q): number {
  // Scale so the quotient carries ≥ 64 significant bits, then one final rounding (close enough
  // for a reported breakpoint; the count itself is exact).
  const shift = 80n;
  return Number((a.n << shift) / a.d) / 2 ** 80;
}

/** Result of `countPiecesExact`. */
export interface ExactPieces {
  pieces: number;
  intervals: number;
  breakpoints: Float64Array;
}

/**
 * Exact number of linear pieces of `net` on the segment from p to q (finite f64 coordinates; the
 * caller validates). Cost grows with the number of breakpoints and the size of the fractions;
 * meant for small networks and as the refinement of the floating-point kernel.
 */
export function countPiecesExact(net: Network, p: ArrayLike<number>, qv: ArrayLike<number>): ExactPieces {
  const { dims, params, bias } = net;
  const L = dims.length - 1;
  const d = dims[0]!;
  const P = Array.from({ length: d }, (_, j) => fromF64(p[j]!));
  const D = Array.from({ length: d }, (_, j) => sub(fromF64(qv[j]!), P[j]!));
  let ts: Q[] = [ZERO, ONE];
  let rows: Q[][] = [P, P.map((pj, j) => add(pj, D[j]!))];
  let off = 0;
  const affine = (l: number, a: Q[], W: Q[][], b: Q[] | null): Q[] => {
    const out: Q[] = [];
    for (let i = 0; i < dims[l]!; i++) {
      let s = b ? b[i]! : ZERO;
      for (let j = 0; j < a.length; j++) s = add(s, mul(W[i]![j]!, a[j]!));
      out.push(s);
    }
    return out;
  };
  const layer = (l: number): { W: Q[][]; b: Q[] | null } => {
    const nIn = dims[l - 1]!;
    const nOut = dims[l]!;
    const W = Array.from({ length: nOut }, (_, i) => Array.from({ length: nIn }, (_, j) => fromF64(params[off + i * nIn + j]!)));
    const b = bias ? Array.from({ length: nOut }, (_, i) => fromF64(params[off + nOut * nIn + i]!)) : null;
    off += nOut * nIn + (bias ? nOut : 0);
    return { W, b };
  };
  for (let l = 1; l < L; l++) {
    const { W, b } = layer(l);
    const z = rows.map((a) => affine(l, a, W, b));
    const nts: Q[] = [];
    const nz: Q[][] = [];
    for (let k = 0; k < ts.length; k++) {
      nts.push(ts[k]!);
      nz.push(z[k]!);
      if (k === ts.length - 1) break;
      const z0 = z[k]!;
      const z1 = z[k + 1]!;
      // Crossings strictly inside: s = a / (a − b) for each unit changing sign, grouped by s.
      const cross: Q[] = [];
      for (let i = 0; i < z0.length; i++) {
        const sa = sign(z0[i]!);
        const sb = sign(z1[i]!);
        if (sa * sb < 0) cross.push(div(z0[i]!, sub(z0[i]!, z1[i]!)));
      }
      cross.sort((x, y) => sign(sub(x, y)));
      let last: Q | null = null;
      for (const s of cross) {
        if (last && eq(s, last)) continue;
        last = s;
        nts.push(add(ts[k]!, mul(s, sub(ts[k + 1]!, ts[k]!))));
        nz.push(z0.map((a, i) => add(a, mul(s, sub(z1[i]!, a)))));
      }
    }
    ts = nts;
    rows = nz.map((r) => r.map((v) => (sign(v) > 0 ? v : ZERO)));
  }
  const { W, b } = layer(L);
  const out = rows.map((a) => affine(L, a, W, b));
  const intervals = ts.length - 1;
  const breakpoints: number[] = [];
  let prev: Q[] | null = null;
  for (let k = 0; k < intervals; k++) {
    const dt = sub(ts[k + 1]!, ts[k]!);
    const slope = out[k]!.map((v, o) => div(sub(out[k + 1]![o]!, v), dt));
    if (prev && slope.some((s, o) => !eq(s, prev![o]!))) breakpoints.push(toF64(ts[k]!));
    prev = slope;
  }
  return { pieces: breakpoints.length + 1, intervals, breakpoints: Float64Array.from(breakpoints) };
}
