// The WASM certification kernels (IBP, CROWN, certified radius) are vectorised: lanes hold two
// units, two interval ends, or the two seeds ±e_i of a CROWN pass. Each lane must still run the
// plain scalar recursion, so the results must equal, bit for bit, those of the straightforward
// one-unit, one-pass algorithm below (a TS port of the scalar kernel: same terms, same summation
// order; JS doubles round like WASM f64 and never fuse a multiply-add). Random networks cover
// depths 1–3, widths 1–17 (odd widths leave a lone unit or column), ℓ∞ and ℓ2, directed rounding
// on and off, IBP and CROWN, exact zeros (skipped rows, signed zeros) and tiny weights (the scaled
// ℓ2 norms).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createNetwork, loadCore, paramCount, PhiloxStream, type Core, type Network } from '../src/index.js';
import { boundaryDistance, certifiedRadius, certify, stripesLabel, type NormName } from '../src/instability/index.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore(process.env.INSTABILITY_WASM ? { source: process.env.INSTABILITY_WASM } : {});
});

const U = 1.1102230246251565e-16;
const TINY = 1e-300;
const SAFE = 1.0 + 1e-10;
const gam = (n: number): number => (n * U) / (1 - n * U);

/** Scalar reference of the WASM certification (one unit, one λ at a time). */
class Ref {
  readonly L: number;
  readonly lo: number[][];
  readonly hi: number[][];
  constructor(
    readonly net: Network,
    readonly x: number[],
    readonly eps: number,
    readonly l2: boolean,
    readonly directed: boolean,
  ) {
    this.L = net.dims.length - 1;
    this.lo = net.dims.map((n) => new Array<number>(n).fill(0));
    this.hi = net.dims.map((n) => new Array<number>(n).fill(0));
  }

  w(l: number, i: number, j: number): number {
    const { dims, params } = this.net;
    let off = 0;
    for (let k = 1; k < l; k++) off += dims[k]! * dims[k - 1]! + (this.net.bias ? dims[k]! : 0);
    return params[off + i * dims[l - 1]! + j]!;
  }

  b(l: number, i: number): number {
    if (!this.net.bias) return 0;
    const { dims, params } = this.net;
    let off = 0;
    for (let k = 1; k < l; k++) off += dims[k]! * dims[k - 1]! + dims[k]!;
    return params[off + dims[l]! * dims[l - 1]! + i]!;
  }

  ibp(): void {
    const { dims } = this.net;
    const d = dims[0]!;
    for (let l = 1; l <= this.L; l++) {
      const nIn = dims[l - 1]!;
      const widen = gam(2 * nIn + 12) * SAFE;
      for (let i = 0; i < dims[l]!; i++) {
        const bi = this.b(l, i);
        let c = bi;
        let mag = Math.abs(bi);
        if (l === 1) {
          let r = 0;
          let big = 0;
          for (let j = 0; j < d; j++) {
            const w = this.w(1, i, j);
            const t = w * this.x[j]!;
            c += t;
            mag += Math.abs(t);
            if (!this.l2) r += Math.abs(w);
            else big = Math.max(big, Math.abs(w));
          }
          if (this.l2 && big > 0) {
            for (let j = 0; j < d; j++) {
              const w = this.w(1, i, j) / big;
              r += w * w;
            }
            r = big * Math.sqrt(r);
          }
          r *= this.eps;
          let lw = c - r;
          let hw = c + r;
          if (this.directed) {
            const e = widen * (mag + r) + TINY;
            lw -= e;
            hw += e;
          }
          this.lo[l]![i] = lw;
          this.hi[l]![i] = hw;
        } else {
          let cl = c;
          let ch = c;
          for (let j = 0; j < nIn; j++) {
            const w = this.w(l, i, j);
            const al = Math.max(this.lo[l - 1]![j]!, 0);
            const ah = Math.max(this.hi[l - 1]![j]!, 0);
            if (w >= 0) {
              cl += w * al;
              ch += w * ah;
            } else {
              cl += w * ah;
              ch += w * al;
            }
            mag += Math.abs(w) * ah;
          }
          if (this.directed) {
            const e = widen * mag + TINY;
            cl -= e;
            ch += e;
          }
          this.lo[l]![i] = cl;
          this.hi[l]![i] = ch;
        }
      }
    }
  }

  /** CROWN lower bound of λ·z_k (λ over layer k's units) with the bounds of layers < k. */
  crownLower(k: number, lambda: number[]): number {
    const { dims } = this.net;
    let cur = lambda.slice();
    let cst = 0;
    let mag = 0;
    let slack = 0;
    let terms = 0;
    for (let l = k; l >= 1; l--) {
      const nOut = dims[l]!;
      const nIn = dims[l - 1]!;
      if (this.net.bias) {
        for (let i = 0; i < nOut; i++) {
          const t = cur[i]! * this.b(l, i);
          cst += t;
          mag += Math.abs(t);
        }
        terms += nOut;
      }
      // λ·W_l column by column, rows in increasing order, zero rows of λ skipped.
      const a: number[] = [];
      const aAbs: number[] = [];
      for (let j = 0; j < nIn; j++) {
        let s = 0;
        let sa = 0;
        for (let i = 0; i < nOut; i++) {
          if (cur[i] === 0) continue;
          const t = cur[i]! * this.w(l, i, j);
          s += t;
          sa += Math.abs(t);
        }
        a.push(s);
        aAbs.push(sa);
      }
      if (l >= 2) {
        const g = gam(nOut + 2);
        const nxt: number[] = [];
        for (let j = 0; j < nIn; j++) {
          const aj = a[j]!;
          const lj = this.lo[l - 1]![j]!;
          const uj = this.hi[l - 1]![j]!;
          slack += g * aAbs[j]! * Math.max(uj, 0);
          let v = 0;
          if (lj >= 0) v = aj;
          else if (uj <= 0) v = 0;
          else if (aj >= 0) v = uj > -lj ? aj : 0;
          else {
            const s = (uj / (uj - lj)) * (1 + 4 * U);
            v = aj * s;
            const t = -v * lj;
            cst += t;
            mag += Math.abs(t);
            terms++;
            slack += 2 * U * Math.abs(v) * Math.max(-lj, uj);
          }
          nxt.push(v);
        }
        cur = nxt;
      } else {
        const g1 = gam(nOut + 2);
        let val = 0;
        let dual = 0;
        let big = 0;
        for (let j = 0; j < nIn; j++) {
          const xj = this.x[j]!;
          slack += g1 * aAbs[j]! * (Math.abs(xj) + this.eps);
          const t = a[j]! * xj;
          val += t;
          mag += Math.abs(t);
          if (!this.l2) dual += Math.abs(a[j]!);
          else big = Math.max(big, Math.abs(a[j]!));
        }
        terms += nIn;
        if (this.l2 && big > 0) {
          for (let j = 0; j < nIn; j++) {
            const q = a[j]! / big;
            dual += q * q;
          }
          dual = big * Math.sqrt(dual);
        }
        const pen = this.eps * dual;
        let res = val + cst - pen;
        if (this.directed) {
          slack += gam(2 * terms + 2 * nIn + 16) * (mag + pen);
          res -= slack * SAFE + TINY;
        }
        return res;
      }
    }
    throw new Error('unreachable');
  }

  /** CROWN-tighten layers 2..kMax, both signs per unit, skipping IBP-stable hidden units. */
  tighten(kMax: number): void {
    const { dims } = this.net;
    for (let k = 2; k <= kMax; k++) {
      for (let i = 0; i < dims[k]!; i++) {
        if (k < this.L && (this.lo[k]![i]! >= 0 || this.hi[k]![i]! <= 0)) continue;
        const e = new Array<number>(dims[k]!).fill(0);
        e[i] = 1;
        const lb = this.crownLower(k, e);
        e[i] = -1;
        const ub = -this.crownLower(k, e);
        if (lb > this.lo[k]![i]!) this.lo[k]![i] = lb;
        if (ub < this.hi[k]![i]!) this.hi[k]![i] = ub;
      }
    }
  }

  bounds(crown: boolean): [number, number] {
    this.ibp();
    if (crown) this.tighten(this.L);
    return [this.lo[this.L]![0]!, this.hi[this.L]![0]!];
  }

  certifies(y: number, crown: boolean): boolean {
    const [lb, ub] = this.bounds(crown && this.L >= 2);
    return lb > y - 0.5 && ub < y + 0.5;
  }
}

function refRadius(net: Network, x: number[], m: number, l2: boolean, crown: boolean, directed: boolean, iters: number): number {
  const b = boundaryDistance(x[0]!, m);
  const r = b * (1 - 1e-9) - 1e-15;
  const rMax = r > 0 ? r : 0;
  const y = stripesLabel(x[0]!, m);
  const ok = (eps: number): boolean => new Ref(net, x, eps, l2, directed).certifies(y, crown);
  if (!ok(0)) return 0;
  if (ok(rMax)) return rMax;
  let a = 0;
  let hi = rMax;
  for (let it = 0; it < iters; it++) {
    const mid = 0.5 * (a + hi);
    if (ok(mid)) a = mid;
    else hi = mid;
  }
  return a;
}

/**
 * A random network and point. Weights are full-precision normals from a seeded stream (values with
 * few significant bits would make most sums exact and hide a change of summation order), with a
 * share of them replaced by exact signed zeros or tiny values; the scale makes some networks huge or
 * tiny (underflow in the ℓ2 norms).
 */
const netArb = fc
  .record({
    d: fc.integer({ min: 1, max: 5 }),
    hidden: fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 3 }),
    bias: fc.boolean(),
    scale: fc.constantFrom(1, 1, 1, 4, 1e-150, 1e100),
    special: fc.constantFrom(0, 0.05, 0.3),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .map(({ d, hidden, bias, scale, special, seed }) => {
    const dims = [d, ...hidden, 1];
    const s = new PhiloxStream({ seed, substream: 7 });
    const p: number[] = [];
    for (let l = 1; l < dims.length; l++) {
      const nIn = dims[l - 1]!;
      for (let k = 0; k < dims[l]! * nIn + (bias ? dims[l]! : 0); k++) {
        const u = s.uniform();
        const v = (s.normal() * scale) / Math.sqrt(nIn);
        p.push(u < special / 3 ? 0 : u < (2 * special) / 3 ? -0 : u < special ? v * 1e-200 : v);
      }
    }
    expect(p.length).toBe(paramCount(dims, bias));
    return { net: createNetwork(dims, bias, p), x: Array.from({ length: d }, () => s.uniform()) };
  });

const same = (a: number, b: number): boolean => Object.is(a, b);

describe('vectorised certification equals the scalar reference bit for bit', () => {
  it('outputBounds (certify): IBP and CROWN bounds at several radii', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        netArb,
        fc.constantFrom<NormName>('linf', 'l2'),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ net, x }, norm, directed, epsFree) => {
          for (const eps of [0, 1e-3, 0.02, 0.1, 0.5, epsFree]) {
            for (const method of ['ibp', 'crown'] as const) {
              const got = certify(core, net, x, eps, { norm, directed, method });
              const [lo, hi] = new Ref(net, x, eps, norm === 'l2', directed).bounds(method === 'crown');
              if (!same(got.lower, lo) || !same(got.upper, hi)) {
                throw new Error(`${method} ${norm} directed=${directed} eps=${eps} dims=${net.dims.join(',')}: [${got.lower}, ${got.upper}] vs [${lo}, ${hi}]`);
              }
              checked++;
            }
          }
        },
      ),
      { numRuns: 300, seed: 9091 },
    );
    expect(checked).toBe(3600);
  });

  it('an always-inactive unit whose CROWN column sum overflows still counts (its rounding term is NaN)', () => {
    // Layer 1: unit 0 is constantly 1, unit 1 constantly −1 (inactive); the huge weights make
    // λ·W of the inactive column overflow in the output pass, so skipping it would change the bound.
    const net = createNetwork([1, 2, 1, 1], true, [0, 0, 1, -1, 1, 1e200, 0, 1e200, 0]);
    for (const directed of [true, false]) {
      for (const eps of [0, 0.1]) {
        const got = certify(core, net, [0.5], eps, { directed, method: 'crown' });
        const [lo, hi] = new Ref(net, [0.5], eps, false, directed).bounds(true);
        expect([got.lower, got.upper]).toEqual([lo, hi]);
      }
    }
  });

  it('a bias of −0 keeps the ±0 terms of inactive inputs (they decide the sign of a zero bound)', () => {
    // The hidden unit is constantly −1 (inactive); the output is −0 + 1·0 = +0, not −0.
    const net = createNetwork([1, 1, 1], true, [0, -1, 1, -0]);
    for (const method of ['ibp', 'crown'] as const) {
      const got = certify(core, net, [0.5], 0.1, { directed: false, method });
      const [lo, hi] = new Ref(net, [0.5], 0.1, false, false).bounds(method === 'crown');
      expect(Object.is(got.lower, lo) && Object.is(got.upper, hi)).toBe(true);
      expect(Object.is(lo, 0)).toBe(true);
    }
  });

  it('certifiedRadius: the same radius by bisection (IBP and CROWN verdicts at every step)', () => {
    let positive = 0;
    fc.assert(
      fc.property(netArb, fc.constantFrom<NormName>('linf', 'l2'), fc.boolean(), fc.integer({ min: 2, max: 8 }), ({ net, x }, norm, directed, m) => {
        for (const method of ['ibp', 'crown'] as const) {
          const got = certifiedRadius(core, net, x, m, { norm, directed, method, iters: 12 });
          const want = refRadius(net, x, m, norm === 'l2', method === 'crown', directed, 12);
          if (!same(got, want)) throw new Error(`${method} ${norm} directed=${directed} m=${m} dims=${net.dims.join(',')}: ${got} vs ${want}`);
          if (got > 0) positive++;
        }
      }),
      { numRuns: 120, seed: 9092 },
    );
    // The property must see real certificates, not only the trivial radius 0.
    expect(positive).toBeGreaterThan(20);
  });
});
