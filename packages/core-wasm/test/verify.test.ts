// Complete verification (src/verify/): VNN-LIB reading, verdicts that are never wrong in exact
// arithmetic (falsified ⇒ the witness's exact outputs are unsafe; verified ⇒ no exactly unsafe
// point on a dense grid of the box), the exact radius by bisection, and a small ACAS Xu subset.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ballProperty, createNetwork, exactRadius, loadCore, parseVnnlib, verify, CoreError,
  type BoxProperty, type Core, type Network,
} from '../src/index.js';
import { loadOnnx } from '../src/io/onnx.js';
import { boundsDistance, cmp, dy, exactOutputs, sub, type Dyadic } from './exact.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

const FIX = new URL('./fixtures/vnncomp2021/', import.meta.url);

/** Whether the exact outputs at x lie in the property's unsafe region (decimal d taken as dLo..dHi: use dLo). */
function exactlyUnsafe(net: Network, p: BoxProperty, x: ArrayLike<number>): boolean {
  const y = exactOutputs(net, x);
  return p.unsafe.some((conj) =>
    conj.every((k) => {
      let s: Dyadic = { n: 0n, e: 0 };
      k.c.forEach((c, i) => {
        if (c !== 0) s = { ...sub(s, { n: -(dy(c).n * y[i]!.n), e: dy(c).e + y[i]!.e }) };
      });
      return cmp(s, dy(k.dLo)) <= 0;
    }),
  );
}

/** Whether x is inside the property's inner box. */
const inside = (p: BoxProperty, x: ArrayLike<number>): boolean => Array.from(x).every((v, j) => v >= p.innerLo[j]! && v <= p.innerHi[j]!);

describe('VNN-LIB', () => {
  it('reads the ACAS Xu properties: input boxes, and the unsafe outputs as OR of ANDs of c·y ≤ d', () => {
    const p1 = parseVnnlib(readFileSync(new URL('acasxu-props/prop_1.vnnlib', FIX), 'utf8'), 5, 5);
    expect(p1.unsafe).toHaveLength(1);
    expect(p1.unsafe[0]).toHaveLength(1);
    // (assert (>= Y_0 3.991125645861615)): −Y_0 ≤ −3.99…, the decimal enclosed by two f64.
    const k = p1.unsafe[0]![0]!;
    expect(k.c).toEqual([-1, 0, 0, 0, 0]);
    expect(k.dLo).toBeLessThan(-3.991125645861615);
    expect(k.dHi).toBeGreaterThan(-3.991125645861615);
    expect(p1.lo[0]).toBeLessThanOrEqual(0.6);
    expect(p1.innerLo[0]).toBeGreaterThanOrEqual(0.6);
    const p2 = parseVnnlib(readFileSync(new URL('acasxu-props/prop_2.vnnlib', FIX), 'utf8'), 5, 5);
    expect(p2.unsafe).toHaveLength(1);
    expect(p2.unsafe[0]!.map((c) => c.c)).toEqual([[-1, 1, 0, 0, 0], [-1, 0, 1, 0, 0], [-1, 0, 0, 1, 0], [-1, 0, 0, 0, 1]]);
    // An or of ands becomes several conjunctions.
    const p = parseVnnlib('(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n(assert (<= X_0 1))\n(assert (>= X_0 0))\n(assert (or (and (<= Y_0 Y_1) (>= Y_0 0.5)) (<= (+ Y_0 (* 2 Y_1)) 1)))', 1, 2);
    expect(p.unsafe.map((c) => c.map((k) => [k.c, k.dLo]))).toEqual([[[[1, -1], 0], [[-1, 0], -0.5]], [[[[1, 2], 1]]][0]]);
  });

  it('refuses what it does not read, naming the line', () => {
    const bad = (t: string, re: RegExp) => {
      try {
        parseVnnlib(t, 1, 1);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(CoreError);
        expect((e as CoreError).code).toBe('E_FORMAT');
        expect((e as Error).message).toMatch(re);
      }
    };
    bad('(declare-const X_0 Real)\n(assert (<= X_0 1))\n(assert (>= X_0 0))\n(assert (< Y_0 1))', /line 4: unsupported formula '<'/);
    bad('(assert (<= X_0 1))\n(assert (>= Y_0 0))', /X_0 needs both a lower and an upper bound/);
    bad('(assert (<= X_3 1))', /line 1: X_3 does not exist/);
    bad('(assert (<= X_0 1)', /never closed/);
    bad('(assert (<= X_0 abc))', /line 1: expected a number, got 'abc'/);
  });
});

/** A random network on d = 2 inputs. */
const netArb = fc.record({
  hidden: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 2 }),
  nOut: fc.integer({ min: 1, max: 3 }),
  w: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 120, maxLength: 120 }),
  x: fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })),
  eps: fc.constantFrom(0.01, 0.1, 0.4),
});

function build(c: { hidden: number[]; nOut: number; w: number[] }): Network {
  const dims = [2, ...c.hidden, c.nOut];
  let n = 0;
  for (let l = 1; l < dims.length; l++) n += dims[l]! * dims[l - 1]! + dims[l]!;
  return createNetwork(dims, true, Array.from({ length: n }, (_, i) => c.w[i % 120]! * (i % 7 === 6 ? 0.3 : 1)));
}

/** Label of x: round(φ) for one output (clamped to 0/1), argmax otherwise (f64 is fine: any label is a valid property). */
function labelOf(net: Network, x: number[]): number {
  const num = (v: Dyadic): number => {
    let { n, e } = v;
    while (n > 2n ** 900n || n < -(2n ** 900n)) {
      n >>= 64n;
      e += 64;
    }
    return Number(n) * 2 ** e;
  };
  const y = exactOutputs(net, x).map(num);
  if (y.length === 1) return y[0]! > 0.5 ? 1 : 0;
  return y.indexOf(Math.max(...y));
}

describe('verify: never a wrong verdict (exact arithmetic)', () => {
  it('random d = 2 networks, ℓ∞ balls, binary and multiclass', () => {
    const seen = { verified: 0, falsified: 0, unknown: 0 };
    fc.assert(
      fc.property(netArb, (c) => {
        const net = build(c);
        const x = [c.x[0], c.x[1]];
        const label = labelOf(net, x);
        const p = ballProperty(x, c.eps, label, c.nOut, c.nOut === 1 ? 'binary' : 'multiclass');
        const r = verify(core, net, p, { maxNodes: 4000, timeLimit: 30 });
        seen[r.verdict]++;
        if (r.verdict === 'falsified') {
          expect(inside(p, r.witness!.x)).toBe(true);
          expect(exactlyUnsafe(net, p, r.witness!.x)).toBe(true);
        } else if (r.verdict === 'verified') {
          const G = 16;
          for (let i = 0; i <= G; i++) {
            for (let j = 0; j <= G; j++) {
              const z = [x[0]! - c.eps + (2 * c.eps * i) / G, x[1]! - c.eps + (2 * c.eps * j) / G];
              if (inside(p, z)) expect(exactlyUnsafe(net, p, z)).toBe(false);
            }
          }
        }
      }),
      { numRuns: 40 },
    );
    expect(seen.verified).toBeGreaterThan(5);
    expect(seen.falsified).toBeGreaterThan(5);
  });
});

describe('exact radius by bisection over the verifier', () => {
  it('random d = 2 networks: lower ≤ upper within the tolerance, the witness exactly adversarial at distance ≤ upper, no exactly adversarial grid point closer than lower', () => {
    let converged = 0;
    fc.assert(
      fc.property(netArb, (c0) => {
        // Multiclass (argmax labels keep x correct; binary labels of random nets mostly do not).
        const c = { ...c0, nOut: Math.max(2, c0.nOut) };
        const net = build(c);
        const x = [c.x[0], c.x[1]];
        const label = labelOf(net, x);
        const crit = 'multiclass';
        const r = exactRadius(core, net, x, label, crit, { maxRadius: 4, tol: 1e-4, maxNodes: 3000 });
        expect(r.lower).toBeLessThanOrEqual(r.upper);
        if (r.witness) {
          const p = ballProperty(x, 0, label, c.nOut, crit);
          expect(exactlyUnsafe(net, p, r.witness)).toBe(true);
          expect(boundsDistance(r.upper, x, r.witness, 'linf')).toBe(true);
        }
        if (r.status === 'converged' && Number.isFinite(r.upper)) {
          converged++;
          expect(r.upper - r.lower).toBeLessThanOrEqual(1e-4 * r.upper);
        }
        // No grid point strictly inside the lower radius is exactly adversarial.
        const p0 = ballProperty(x, 0, label, c.nOut, crit);
        if (r.lower === 0) return;
        const G = 16;
        for (let i = 0; i <= G; i++) {
          for (let j = 0; j <= G; j++) {
            const z = [x[0]! + r.lower * (2 * i / G - 1) * 0.999, x[1]! + r.lower * (2 * j / G - 1) * 0.999];
            expect(exactlyUnsafe(net, p0, z)).toBe(false);
          }
        }
      }),
      { numRuns: 30 },
    );
    expect(converged).toBeGreaterThan(4);
  });
});

describe('ACAS Xu (VNN-COMP 2021), a small subset', () => {
  it('network 1_1, property 1 is verified (VNN-COMP: unsat)', () => {
    const net = loadOnnx(readFileSync(new URL('acasxu/ACASXU_run2a_1_1_batch_2000.onnx', FIX)));
    const p = parseVnnlib(readFileSync(new URL('acasxu-props/prop_1.vnnlib', FIX), 'utf8'), 5, 5);
    const r = verify(core, net, p, { maxNodes: 5000, timeLimit: 120 });
    expect(r.verdict).toBe('verified');
  });

  it('network 2_1, property 2 is falsified (VNN-COMP: sat): the witness is in the box and its exact outputs are unsafe', () => {
    const net = loadOnnx(readFileSync(new URL('acasxu/ACASXU_run2a_2_1_batch_2000.onnx', FIX)));
    const p = parseVnnlib(readFileSync(new URL('acasxu-props/prop_2.vnnlib', FIX), 'utf8'), 5, 5);
    const r = verify(core, net, p, { maxNodes: 5000, timeLimit: 120 });
    expect(r.verdict).toBe('falsified');
    expect(inside(p, r.witness!.x)).toBe(true);
    expect(exactlyUnsafe(net, p, r.witness!.x)).toBe(true);
    // COC (Y_0) is the largest score at the witness: what property 2 forbids.
    const y = Array.from(r.witness!.y);
    expect(y.indexOf(Math.max(...y))).toBe(0);
  });
});
