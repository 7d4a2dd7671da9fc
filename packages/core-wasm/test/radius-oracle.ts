// An independent exact oracle for the ℓ∞ robustness radius of a point for a ReLU network on d = 2
// inputs, in rational arithmetic (BigInt fractions), sharing no code with src/verify/: the input
// square x + [−R, R]² is cut into convex polygons on which the network is affine (split by each
// hidden unit's pre-activation in turn, layer by layer: on a polygon of the previous layer's
// subdivision every pre-activation is affine, so its zero set is a line). On each polygon the
// unsafe set of the criterion is a union of convex pieces {h ≥ 0} ∩ polygon (h affine), and the
// ℓ∞ distance from x to a convex polygon is attained on its boundary (when x is outside), where
// ‖z − x‖∞ is convex and piecewise linear along each edge with kinks only on the diagonals
// z − x ∈ {t(1, 1), t(1, −1)}: the minimum over an edge is at an end or on a diagonal.
// The radius r = min ‖z − x‖∞ over unsafe z is therefore an exact minimum over finitely many points.
import type { Network } from '../src/index.js';
import { dy } from './exact.js';

/** A fraction n/d (d > 0, lowest terms). */
export interface Q {
  n: bigint;
  d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
}

function q(n: bigint, d: bigint = 1n): Q {
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d);
  return g > 1n ? { n: n / g, d: d / g } : { n, d };
}

/** The exact value of a finite f64 as a fraction. */
export function qOf(x: number): Q {
  const v = dy(x);
  return v.e >= 0 ? q(v.n << BigInt(v.e)) : q(v.n, 1n << BigInt(-v.e));
}

const Z: Q = { n: 0n, d: 1n };
// Sums and products are not reduced (gcd dominates the cost); values that are stored — vertices and
// affine coefficients — are reduced once with `red`.
const qa = (a: Q, b: Q): Q => (a.d === b.d ? { n: a.n + b.n, d: a.d } : { n: a.n * b.d + b.n * a.d, d: a.d * b.d });
const qs = (a: Q, b: Q): Q => (a.d === b.d ? { n: a.n - b.n, d: a.d } : { n: a.n * b.d - b.n * a.d, d: a.d * b.d });
const qm = (a: Q, b: Q): Q => ({ n: a.n * b.n, d: a.d * b.d });
const qd = (a: Q, b: Q): Q => q(a.n * b.d, a.d * b.n);
const red = (a: Q): Q => q(a.n, a.d);
/** Sign of a − b. */
export const qcmp = (a: Q, b: Q): number => {
  const s = a.n * b.d - b.n * a.d;
  return s > 0n ? 1 : s < 0n ? -1 : 0;
};
const qabs = (a: Q): Q => (a.n < 0n ? { n: -a.n, d: a.d } : a);
const qsign = (a: Q): number => (a.n > 0n ? 1 : a.n < 0n ? -1 : 0);

/** z ↦ a·z + b on the plane: [a1, a2, b]. */
type Aff = [Q, Q, Q];
type Pt = [Q, Q];

const at = (h: Aff, p: Pt): Q => qa(qa(qm(h[0], p[0]), qm(h[1], p[1])), h[2]);

/** The closed half {h ≥ 0} of a convex polygon (counter-clockwise vertices; may come out degenerate). */
function clip(poly: Pt[], h: Aff): Pt[] {
  const hv = poly.map((p) => at(h, p));
  const v = hv.map(qsign);
  const out: Pt[] = [];
  for (let i = 0; i < poly.length; i++) {
    const j = (i + 1) % poly.length;
    if (v[i]! >= 0) out.push(poly[i]!);
    if (v[i]! * v[j]! < 0) {
      const t = qd(hv[i]!, qs(hv[i]!, hv[j]!));
      const [u, w] = [poly[i]!, poly[j]!];
      out.push([red(qa(u[0], qm(t, qs(w[0], u[0])))), red(qa(u[1], qm(t, qs(w[1], u[1]))))]);
    }
  }
  return out;
}

/** Twice the signed area (> 0 for a counter-clockwise polygon of positive area). */
function area2(poly: Pt[]): Q {
  let s = Z;
  for (let i = 0; i < poly.length; i++) {
    const [a, b] = [poly[i]!, poly[(i + 1) % poly.length]!];
    s = qa(s, qs(qm(a[0], b[1]), qm(a[1], b[0])));
  }
  return s;
}

const linf = (p: Pt, x: Pt): Q => {
  const a = qabs(qs(p[0], x[0]));
  const b = qabs(qs(p[1], x[1]));
  return qcmp(a, b) >= 0 ? a : b;
};

/** Whether x lies in the convex polygon (positive area, counter-clockwise: x left of or on every edge). */
function inside(poly: Pt[], x: Pt): boolean {
  if (poly.length < 3 || qsign(area2(poly)) <= 0) return false;
  for (let i = 0; i < poly.length; i++) {
    const [a, b] = [poly[i]!, poly[(i + 1) % poly.length]!];
    const cr = qs(qm(qs(b[0], a[0]), qs(x[1], a[1])), qm(qs(b[1], a[1]), qs(x[0], a[0])));
    if (qsign(cr) < 0) return false;
  }
  return true;
}

/**
 * min ‖z − x‖₂² over the convex polygon: 0 inside, else the least squared distance to an edge
 * (the projection of x on the edge's line, clamped to the edge: a rational point).
 */
function polyDist2(poly: Pt[], x: Pt): Q {
  if (inside(poly, x)) return Z;
  let best: Q | null = null;
  for (let i = 0; i < poly.length; i++) {
    const [u, w] = [poly[i]!, poly[(i + 1) % poly.length]!];
    const d0 = qs(w[0], u[0]);
    const d1 = qs(w[1], u[1]);
    const len2 = qa(qm(d0, d0), qm(d1, d1));
    let t = Z;
    if (len2.n !== 0n) {
      t = qd(qa(qm(qs(x[0], u[0]), d0), qm(qs(x[1], u[1]), d1)), len2);
      if (qsign(t) < 0) t = Z;
      if (qcmp(t, q(1n)) > 0) t = q(1n);
    }
    const e0 = qs(qa(u[0], qm(t, d0)), x[0]);
    const e1 = qs(qa(u[1], qm(t, d1)), x[1]);
    const v = qa(qm(e0, e0), qm(e1, e1));
    if (best === null || qcmp(v, best) < 0) best = v;
  }
  return best!;
}

/** min ‖z − x‖∞ over the convex polygon (any number of vertices ≥ 1; degenerate ones too). */
function polyDist(poly: Pt[], x: Pt): Q {
  if (inside(poly, x)) return Z;
  let best: Q | null = null;
  const see = (p: Pt): void => {
    const v = linf(p, x);
    if (best === null || qcmp(v, best) < 0) best = v;
  };
  for (let i = 0; i < poly.length; i++) {
    const [u, w] = [poly[i]!, poly[(i + 1) % poly.length]!];
    see(u);
    const d0 = qs(w[0], u[0]);
    const d1 = qs(w[1], u[1]);
    const e0 = qs(u[0], x[0]);
    const e1 = qs(u[1], x[1]);
    for (const s of [1n, -1n]) {
      // e0 + t·d0 = s·(e1 + t·d1)
      const den = qs(d0, qm(q(s), d1));
      if (den.n === 0n) continue;
      const t = qd(qs(qm(q(s), e1), e0), den);
      if (qsign(t) >= 0 && qcmp(t, q(1n)) <= 0) see([qa(u[0], qm(t, d0)), qa(u[1], qm(t, d1))]);
    }
  }
  return best!;
}

/**
 * The exact radius (ℓ∞), or its square (ℓ2), or null when no unsafe point lies in the ball of
 * radius R (radius > R).
 */
export interface OracleResult {
  radius: Q | null;
  /** Convex polygons the square was cut into (for reporting). */
  regions: number;
}

/**
 * The exact ℓ∞ radius of the f64 point x for `net` (d = 2) with label y: binary (one output;
 * unsafe φ ≤ y − 1/2 or φ ≥ y + 1/2) or multiclass (unsafe φ_j ≥ φ_y for some j ≠ y), searched in
 * the square of half-width R (an f64); with `l2`, the squared ℓ2 radius, searched in the disc of radius R.
 */
export function oracleRadius(
  net: Network, x: [number, number], y: number, criterion: 'binary' | 'multiclass', R: number, norm: 'linf' | 'l2' = 'linf',
): OracleResult {
  const { dims, params, bias } = net;
  if (dims[0] !== 2) throw new Error('oracleRadius: d = 2 only');
  const X: Pt = [qOf(x[0]), qOf(x[1])];
  const r = qOf(R);
  const [x0, x1] = X;
  const sq: Pt[] = [
    [qs(x0, r), qs(x1, r)], [qa(x0, r), qs(x1, r)], [qa(x0, r), qa(x1, r)], [qs(x0, r), qa(x1, r)],
  ];
  // Each piece: a polygon and the affine maps of the current layer's values on it.
  let pieces: { poly: Pt[]; act: Aff[] }[] = [{ poly: sq, act: [[q(1n), Z, Z], [Z, q(1n), Z]] }];
  let off = 0;
  const L = dims.length - 1;
  for (let l = 1; l <= L; l++) {
    const nIn = dims[l - 1]!;
    const nOut = dims[l]!;
    const Wq = Array.from({ length: nOut * nIn }, (_, k) => qOf(params[off + k]!));
    const Bq = Array.from({ length: nOut }, (_, i) => (bias ? qOf(params[off + nOut * nIn + i]!) : Z));
    const W = (i: number, j: number): Q => Wq[i * nIn + j]!;
    const B = (i: number): Q => Bq[i]!;
    const pre = (act: Aff[]): Aff[] => {
      const out: Aff[] = [];
      for (let i = 0; i < nOut; i++) {
        const h: Aff = [Z, Z, B(i)];
        for (let j = 0; j < nIn; j++) for (let k = 0; k < 3; k++) h[k] = qa(h[k]!, qm(W(i, j), act[j]![k]!));
        out.push([red(h[0]), red(h[1]), red(h[2])]);
      }
      return out;
    };
    pieces = pieces.map((p) => ({ poly: p.poly, act: pre(p.act) }));
    if (l < L) {
      for (let i = 0; i < nOut; i++) {
        const next: typeof pieces = [];
        for (const p of pieces) {
          const h = p.act[i]!;
          if (h[0].n === 0n && h[1].n === 0n && h[2].n === 0n) {
            next.push(p); // zero on the whole plane: either side gives 0
            continue;
          }
          const neg: Aff = [q(-h[0].n, h[0].d), q(-h[1].n, h[1].d), q(-h[2].n, h[2].d)];
          const on = clip(p.poly, h);
          if (on.length >= 3 && qsign(area2(on)) > 0) next.push({ poly: on, act: p.act });
          const off0 = clip(p.poly, neg);
          if (off0.length >= 3 && qsign(area2(off0)) > 0) next.push({ poly: off0, act: p.act.map((a, k) => (k === i ? [Z, Z, Z] : a)) });
        }
        pieces = next;
      }
    }
    off += nOut * nIn + (bias ? nOut : 0);
  }
  let best: Q | null = null;
  const half = q(1n, 2n);
  for (const p of pieces) {
    const unsafe: Aff[] = [];
    if (criterion === 'binary') {
      const o = p.act[0]!;
      const lo = qs(q(BigInt(y)), half);
      const hi = qa(q(BigInt(y)), half);
      unsafe.push([q(-o[0].n, o[0].d), q(-o[1].n, o[1].d), qs(lo, o[2])]); // y − 1/2 − φ ≥ 0
      unsafe.push([o[0], o[1], qs(o[2], hi)]); // φ − (y + 1/2) ≥ 0
    } else {
      const oy = p.act[y]!;
      p.act.forEach((o, j) => {
        if (j !== y) unsafe.push([qs(o[0], oy[0]), qs(o[1], oy[1]), qs(o[2], oy[2])]);
      });
    }
    for (const h of unsafe) {
      const c = clip(p.poly, h);
      if (c.length === 0) continue;
      const dist = norm === 'linf' ? polyDist(c, X) : polyDist2(c, X);
      if (best === null || qcmp(dist, best) < 0) best = dist;
    }
  }
  // The square x + [−R, R]² holds the ℓ2 ball of radius R; beyond R counts as none.
  if (best !== null && norm === 'l2' && qcmp(best, qm(r, r)) > 0) best = null;
  return { radius: best ? red(best) : null, regions: pieces.length };
}

/** Whether the f64 v is ≤ (side −1), ≥ (side 1) the fraction a. */
export function f64Vs(v: number, a: Q): number {
  return qcmp(qOf(v), a);
}

/** The exact ‖z − x‖₂² of two f64 points of the plane. */
export function l2sqQ(x: ArrayLike<number>, z: ArrayLike<number>): Q {
  const a = qs(qOf(z[0]!), qOf(x[0]!));
  const b = qs(qOf(z[1]!), qOf(x[1]!));
  return red(qa(qm(a, a), qm(b, b)));
}

/** The square of an f64, exactly. */
export function sqQ(v: number): Q {
  const a = qOf(v);
  return red(qm(a, a));
}

/** The exact ‖z − x‖∞ of two f64 points of the plane. */
export function linfQ(x: ArrayLike<number>, z: ArrayLike<number>): Q {
  return linf([qOf(z[0]!), qOf(z[1]!)], [qOf(x[0]!), qOf(x[1]!)]);
}

/** The fraction as an f64 (for messages only). */
export function qNum(a: Q): number {
  const s = 200n;
  return Number((a.n << s) / a.d) / 2 ** 200;
}
