// Complete verification (src/verify/): VNN-LIB reading, verdicts that are never wrong in exact
// arithmetic (falsified ⇒ the witness's exact outputs are unsafe; verified ⇒ no exactly unsafe
// point on a dense grid of the box), the exact radius by bisection, and a small ACAS Xu subset.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
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

  it('reads an OR of input boxes (ACAS Xu property 6) as a union of boxes, and verify decides over the union, not its bounding box', () => {
    const p6 = parseVnnlib(readFileSync(new URL('acasxu-props/prop_6.vnnlib', FIX), 'utf8'), 5, 5);
    expect(p6.boxes).toHaveLength(2);
    expect(p6.boxes![0]!.lo[1]).toBeLessThanOrEqual(0.11140846);
    expect(p6.boxes![1]!.hi[1]).toBeGreaterThanOrEqual(-0.11140846);
    expect(p6.lo[1]).toBe(p6.boxes![1]!.lo[1]);
    expect(p6.hi[1]).toBe(p6.boxes![0]!.hi[1]);
    // y = x on [−2, −1] ∪ [1, 2]: |y| ≤ 1/2 is unreachable (it is reachable on the bounding box).
    const net = createNetwork([1, 2, 1], true, [1, -1, 0, 0, 1, -1, 0]);
    const head = '(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (or (and (>= X_0 -2) (<= X_0 -1)) (and (>= X_0 1) (<= X_0 2))))\n';
    const small = parseVnnlib(`${head}(assert (<= Y_0 0.5))\n(assert (>= Y_0 -0.5))`, 1, 1);
    expect(verify(core, net, small).verdict).toBe('verified');
    const big = parseVnnlib(`${head}(assert (>= Y_0 1.5))`, 1, 1);
    const r = verify(core, net, big);
    expect(r.verdict).toBe('falsified');
    expect(r.witness!.x[0]).toBeGreaterThanOrEqual(1.5);
    expect(exactlyUnsafe(net, big, r.witness!.x)).toBe(true);
    // Every box of the union must bound every input.
    expect(() => parseVnnlib(`(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (or (and (>= X_0 -2) (<= X_0 -1)) (and (>= X_0 1))))\n(assert (>= Y_0 1.5))`, 1, 1))
      .toThrow(/X_0 needs both a lower and an upper bound \(input case 2 of 2\)/);
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

/** Whether x is exactly inside the ℓ2 ball of the property (BigInt dyadics). */
const inBallExactly = (p: BoxProperty, x: ArrayLike<number>): boolean => !p.ball || boundsDistance(p.ball.radius, p.ball.centre, x, 'l2');

describe('verify: ℓ2 balls (the domain is the box ∩ the ball)', () => {
  it('random d = 2 networks, binary and multiclass: witnesses exactly unsafe and exactly in the ball; verified balls have no exactly unsafe point on a grid of the ball', () => {
    const seen = { verified: 0, falsified: 0, unknown: 0 };
    fc.assert(
      fc.property(netArb, (c) => {
        const net = build(c);
        const x = [c.x[0], c.x[1]];
        const label = labelOf(net, x);
        const p = ballProperty(x, c.eps, label, c.nOut, c.nOut === 1 ? 'binary' : 'multiclass', 'l2');
        const r = verify(core, net, p, { maxNodes: 4000, timeLimit: 30 });
        seen[r.verdict]++;
        if (r.verdict === 'falsified') {
          expect(inside(p, r.witness!.x)).toBe(true);
          expect(inBallExactly(p, r.witness!.x)).toBe(true);
          expect(exactlyUnsafe(net, p, r.witness!.x)).toBe(true);
        } else if (r.verdict === 'verified') {
          const G = 16;
          for (let i = 0; i <= G; i++) {
            for (let j = 0; j <= G; j++) {
              const z = [x[0]! - c.eps + (2 * c.eps * i) / G, x[1]! - c.eps + (2 * c.eps * j) / G];
              if (inside(p, z) && inBallExactly(p, z)) expect(exactlyUnsafe(net, p, z)).toBe(false);
            }
          }
        }
        // The ℓ2 ball is inside the ℓ∞ ball: verified there means verified here (never falsified).
        const rInf = verify(core, net, ballProperty(x, c.eps, label, c.nOut, c.nOut === 1 ? 'binary' : 'multiclass'), { maxNodes: 4000, timeLimit: 30 });
        if (rInf.verdict === 'verified') expect(r.verdict).not.toBe('falsified');
        if (r.verdict === 'falsified') expect(rInf.verdict).not.toBe('verified');
      }),
      { numRuns: 30 },
    );
    expect(seen.verified).toBeGreaterThan(3);
    expect(seen.falsified).toBeGreaterThan(3);
  });

  it('y = x₀ + x₁ around 0 with radius 0.5: max y is 0.5·√2 ≈ 0.7071 on the ℓ2 ball and 1 on the ℓ∞ ball', () => {
    // relu(s) − relu(−s) = s = x₀ + x₁; unsafe: y ≥ t.
    const net = createNetwork([2, 2, 1], true, [1, 1, -1, -1, 0, 0, 1, -1, 0]);
    const prop = (t: number, norm: 'linf' | 'l2'): BoxProperty => ({ ...ballProperty([0, 0], 0.5, 0, 1, 'binary', norm), unsafe: [[{ c: [-1], dLo: -t, dHi: -t }]] });
    expect(verify(core, net, prop(0.72, 'l2')).verdict).toBe('verified');
    const inf = verify(core, net, prop(0.72, 'linf'));
    expect(inf.verdict).toBe('falsified');
    const l2 = verify(core, net, prop(0.7, 'l2'));
    expect(l2.verdict).toBe('falsified');
    expect(inBallExactly(prop(0.7, 'l2'), l2.witness!.x)).toBe(true);
    expect(exactlyUnsafe(net, prop(0.7, 'l2'), l2.witness!.x)).toBe(true);
  });

  it('measures its time limit on the caller\'s clock (a fake clock that advances 1 s per reading stops it at once)', () => {
    const net = loadOnnx(readFileSync(new URL('acasxu/ACASXU_run2a_1_1_batch_2000.onnx', FIX)));
    const p = parseVnnlib(readFileSync(new URL('acasxu-props/prop_3.vnnlib', FIX), 'utf8'), 5, 5);
    let t = 0;
    const r = verify(core, net, p, { timeLimit: 5, clock: () => t++ });
    expect(r.verdict).toBe('unknown');
    expect(r.reason).toBe('time');
    expect(r.seconds).toBeGreaterThan(5);
    expect(r.nodes).toBeLessThan(50);
    expect(() => verify(core, net, p, { clock: 3 as unknown as () => number })).toThrow(/limits.clock: expected a function/);
  });

  it('refuses a ball whose centre or radius is not usable', () => {
    const net = createNetwork([2, 2, 1], true, [1, 0, 0, 1, 0, 0, 1, 1, 0]);
    const p = ballProperty([0, 0], 0.1, 0, 1, 'binary', 'l2');
    expect(() => verify(core, net, { ...p, ball: { centre: [0], radius: 0.1 } })).toThrow(/ball.centre: expected 2 values/);
    expect(() => verify(core, net, { ...p, ball: { centre: [0, 0], radius: Number.NaN } })).toThrow(/ball.radius/);
    expect(() => ballProperty([0, 0], 0.1, 0, 1, 'binary', 'l3' as 'l2')).toThrow(/norm: expected linf or l2, got l3/);
  });
});

/** A random network on d = 2..5 inputs, a random box and random linear output constraints. */
const boxArb = fc.record({
  d: fc.integer({ min: 2, max: 5 }),
  hidden: fc.array(fc.integer({ min: 2, max: 10 }), { minLength: 1, maxLength: 3 }),
  nOut: fc.integer({ min: 1, max: 3 }),
  w: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 200, maxLength: 200 }),
  centre: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
  width: fc.constantFrom(0.02, 0.2, 0.6),
  cons: fc.array(fc.record({ c: fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 3, maxLength: 3 }), d: fc.double({ min: -1, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 3 }),
  disj: fc.integer({ min: 1, max: 2 }),
});

describe('verify: random boxes and linear constraints, d = 2..5', () => {
  it('verdicts agree with a dense exact search (no exactly unsafe sample in a verified box; witnesses exactly unsafe in the box), and IBP and CROWN never contradict each other', () => {
    const seen = { verified: 0, falsified: 0, unknown: 0 };
    fc.assert(
      fc.property(boxArb, (c) => {
        const dims = [c.d, ...c.hidden, c.nOut];
        let n = 0;
        for (let l = 1; l < dims.length; l++) n += dims[l]! * dims[l - 1]! + dims[l]!;
        const net = createNetwork(dims, true, Array.from({ length: n }, (_, i) => c.w[i % 200]! * (i % 5 === 4 ? 0.5 : 1)));
        const lo = c.centre.slice(0, c.d).map((v) => v - c.width / 2);
        const hi = c.centre.slice(0, c.d).map((v) => v + c.width / 2);
        const k = c.cons.map((q) => ({ c: q.c.slice(0, c.nOut).concat(Array(Math.max(0, c.nOut - 3)).fill(0)), dLo: q.d, dHi: q.d }))
          .filter((q) => q.c.some((v) => v !== 0));
        if (k.length === 0) return;
        // Split the constraints into `disj` conjunctions (an OR of ANDs, as VNN-LIB allows).
        const unsafe = c.disj === 1 || k.length === 1 ? [k] : [k.slice(0, 1), k.slice(1)];
        const p: BoxProperty = { lo, hi, innerLo: lo, innerHi: hi, unsafe };
        const r = verify(core, net, p, { maxNodes: 3000, timeLimit: 30 });
        const rIbp = verify(core, net, p, { maxNodes: 3000, timeLimit: 30, method: 'ibp', seed: 5 });
        seen[r.verdict]++;
        expect([r.verdict, rIbp.verdict].sort().join()).not.toBe('falsified,verified');
        for (const res of [r, rIbp]) {
          if (res.verdict === 'falsified') {
            expect(inside(p, res.witness!.x)).toBe(true);
            expect(exactlyUnsafe(net, p, res.witness!.x)).toBe(true);
          }
        }
        if (r.verdict === 'verified' || rIbp.verdict === 'verified') {
          // Corners, centre and 200 seeded points, decided exactly.
          const pts: number[][] = [];
          for (let m = 0; m < 1 << c.d; m++) pts.push(lo.map((a, j) => ((m >> j) & 1 ? hi[j]! : a)));
          pts.push(lo.map((a, j) => 0.5 * a + 0.5 * hi[j]!));
          let seed = 12345;
          const u = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
          for (let t = 0; t < 200; t++) pts.push(lo.map((a, j) => a + (hi[j]! - a) * u()));
          for (const z of pts) expect(exactlyUnsafe(net, p, z)).toBe(false);
        }
      }),
      { numRuns: 40 },
    );
    expect(seen.verified).toBeGreaterThan(3);
    expect(seen.falsified).toBeGreaterThan(3);
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

describe('MNIST fully connected (VNN-COMP 2021 mnistfc), a small subset', () => {
  const mnist = (prop: string, arch = '256x2'): { net: Network; p: BoxProperty } => {
    const net = loadOnnx(readFileSync(new URL(`mnistfc/mnist-net_${arch}.onnx`, FIX)));
    const text = gunzipSync(readFileSync(new URL(`mnistfc-props/${prop}.vnnlib.gz`, FIX))).toString('utf8');
    return { net, p: parseVnnlib(text, 784, 10) };
  };

  it('network 256x2, image 4 at eps 0.03 is verified (VNN-COMP: unsat)', () => {
    const { net, p } = mnist('prop_4_0.03');
    expect(p.unsafe).toHaveLength(9);
    expect(verify(core, net, p, { maxNodes: 200, timeLimit: 120 }).verdict).toBe('verified');
  });

  it('network 256x2, image 7 at eps 0.03 is falsified (VNN-COMP: sat): the witness is in the box and its exact outputs are unsafe', () => {
    const { net, p } = mnist('prop_7_0.03');
    const r = verify(core, net, p, { maxNodes: 200, timeLimit: 120 });
    expect(r.verdict).toBe('falsified');
    expect(inside(p, r.witness!.x)).toBe(true);
    expect(exactlyUnsafe(net, p, r.witness!.x)).toBe(true);
  });

  it('network 256x2, image 0 at eps 0.03 (VNN-COMP: unsat) needs ReLU splits: open at the root, verified after splitting ReLUs only', () => {
    const { net, p } = mnist('prop_0_0.03');
    expect(verify(core, net, p, { maxNodes: 1, timeLimit: 120 }).verdict).toBe('unknown');
    const r = verify(core, net, p, { maxNodes: 400, timeLimit: 120 });
    expect(r.verdict).toBe('verified');
    expect(r.splits.relu).toBeGreaterThan(0);
    expect(r.splits.input).toBe(0);
  });

  it('network 256x4, image 2 at eps 0.03 (VNN-COMP: sat) is falsified at the root (one attack start per class): the witness is in the box and its exact outputs are unsafe', () => {
    const { net, p } = mnist('prop_2_0.03', '256x4');
    const r = verify(core, net, p, { maxNodes: 1, timeLimit: 120 });
    expect(r.verdict).toBe('falsified');
    expect(inside(p, r.witness!.x)).toBe(true);
    expect(exactlyUnsafe(net, p, r.witness!.x)).toBe(true);
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
