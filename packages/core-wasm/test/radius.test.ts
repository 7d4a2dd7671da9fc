// exactRadius (src/verify/radius.ts) against an independent exact oracle (test/radius-oracle.ts:
// the activation regions of the square cut out in BigInt rational arithmetic, the ℓ∞ distance to
// each region's unsafe part computed exactly): on random d = 2 networks (1–2 hidden layers, ≤ 16
// hidden units, biases, huge and tiny weights, points on kinks and on the decision boundary, both
// criteria) the bracket [lower, upper] holds the exact radius in exact arithmetic — lower < r ≤
// upper — whatever stopped the search, a converged bracket is within the requested tolerance, and
// every witness is adversarial in exact arithmetic (test/exact.ts) at distance ≤ upper.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyse, createNetwork, exactRadius, loadCore, CoreError, type Core, type Network } from '../src/index.js';
import { boundsDistance, cmp, dy, exactOutputs, sub, type Dyadic } from './exact.js';
import { f64Vs, l2sqQ, linfQ, oracleRadius, qNum, qcmp, sqQ, type Q } from './radius-oracle.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

const num = (v: Dyadic): number => qNum(v.e >= 0 ? { n: v.n << BigInt(v.e), d: 1n } : { n: v.n, d: 1n << BigInt(-v.e) });

/** Whether the exact outputs at z violate the criterion for label y. */
function exactlyUnsafe(net: Network, z: ArrayLike<number>, y: number, criterion: 'binary' | 'multiclass'): boolean {
  const o = exactOutputs(net, z);
  if (criterion === 'binary') return cmp(o[0]!, dy(y - 0.5)) <= 0 || cmp(o[0]!, dy(y + 0.5)) >= 0;
  return o.some((v, j) => j !== y && sub(v, o[y]!).n >= 0n);
}

/** f64 values spread uniformly over [−m, m) with 53 significant bits (m a power of two or not). */
const f53 = (m: number): fc.Arbitrary<number> =>
  fc.tuple(fc.integer({ min: -(2 ** 29), max: 2 ** 29 - 1 }), fc.integer({ min: 0, max: 2 ** 23 - 1 }))
    .map(([a, b]) => (a * 2 ** 23 + b) * 2 ** -52 * m);

const caseArb = fc.record({
  criterion: fc.constantFrom('binary' as const, 'multiclass' as const),
  norm: fc.constantFrom('linf' as const, 'l2' as const),
  hidden: fc.oneof(
    fc.tuple(fc.integer({ min: 1, max: 16 })).map((h) => [...h]),
    fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 6 })).map((h) => [...h]),
  ),
  nOut: fc.integer({ min: 2, max: 3 }),
  // Uniform in [−2, 2] with full 53-bit mantissas (a double generator picks tiny magnitudes far too
  // often; tiny and huge weights come from the scales below instead).
  w: fc.array(f53(2), { minLength: 200, maxLength: 200 }),
  // Per-layer scale 2^s: compensated (the same function, other rounding) or not (sharp or flat nets).
  scale: fc.constantFrom(0, 0, 0, 30, -30, 60, -60),
  compensate: fc.boolean(),
  tinyUnit: fc.boolean(),
  // x on a grid of 1/16 with a first-layer kink through it, or anywhere.
  kink: fc.boolean(),
  xg: fc.tuple(fc.integer({ min: -16, max: 16 }), fc.integer({ min: -16, max: 16 })),
  xr: fc.tuple(f53(1), f53(1)),
  // Binary: φ(x) moved to y + δ (δ = ±1/2: on the decision boundary up to rounding).
  y: fc.integer({ min: 0, max: 1 }),
  delta: fc.oneof({ arbitrary: f53(0.45), weight: 6 }, { arbitrary: fc.constantFrom(0.5, -0.5), weight: 1 }),
  R: fc.constantFrom(0.5, 2, 8),
  tol: fc.constantFrom(1e-3, 1e-6),
  maxNodes: fc.constantFrom(20, 4000, 4000),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function build(c: Case): { net: Network; x: [number, number]; y: number } {
  const nOut = c.criterion === 'binary' ? 1 : c.nOut;
  const dims = [2, ...c.hidden, nOut];
  const params: number[] = [];
  let k = 0;
  const x: [number, number] = c.kink ? [c.xg[0] / 16, c.xg[1] / 16] : [c.xr[0], c.xr[1]];
  for (let l = 1; l < dims.length; l++) {
    const [nIn, nO] = [dims[l - 1]!, dims[l]!];
    const s = l === 1 ? c.scale : l === 2 && c.compensate ? -c.scale : 0;
    const W: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < nO * nIn; i++) W.push(c.w[k++ % 200]! * 2 ** s);
    for (let i = 0; i < nO; i++) b.push(c.w[k++ % 200]! * 0.5 * 2 ** s);
    if (l === 1 && c.tinyUnit && nO > 1) {
      W[nIn] = W[nIn]! * 2 ** -40;
      W[nIn + 1] = W[nIn + 1]! * 2 ** -40;
    }
    if (l === 1 && c.kink) {
      // Unit 0's line passes exactly through x: weights on a grid of 1/64 (times 2^s), so w·x is exact.
      W[0] = (Math.round(W[0]! * 2 ** -s * 64) / 64) * 2 ** s;
      W[1] = (Math.round(W[1]! * 2 ** -s * 64) / 64) * 2 ** s;
      b[0] = -(W[0] * x[0] + W[1] * x[1]);
    }
    params.push(...W, ...b);
  }
  let net = createNetwork(dims, true, params);
  let y: number;
  if (c.criterion === 'binary') {
    y = c.y;
    const phi = num(exactOutputs(net, x)[0]!);
    params[params.length - 1] = params[params.length - 1]! + (y + c.delta - phi);
    net = createNetwork(dims, true, params);
  } else {
    const o = exactOutputs(net, x);
    y = 0;
    o.forEach((v, j) => {
      if (cmp(v, o[y]!) > 0) y = j;
    });
  }
  return { net, x, y };
}

describe('the oracle itself, on radii known by hand', () => {
  it('φ = ReLU(z₁ + 10) − 10, label 0 at the origin: unsafe φ ≥ 1/2, radius exactly 1/2', () => {
    const net = createNetwork([2, 1, 1], true, [1, 0, 10, 1, -10]);
    expect(oracleRadius(net, [0, 0], 0, 'binary', 4).radius).toEqual({ n: 1n, d: 2n });
    expect(oracleRadius(net, [0, 0], 0, 'binary', 0.25).radius).toBeNull();
  });
  it('φ = ReLU(z₁) + ReLU(z₂) from (−1, −1): the nearest unsafe point is on the diagonal, radius 5/4 (not 3/2 along an axis)', () => {
    const net = createNetwork([2, 2, 1], true, [1, 0, 0, 1, 0, 0, 1, 1, 0]);
    expect(oracleRadius(net, [-1, -1], 0, 'binary', 4).radius).toEqual({ n: 5n, d: 4n });
  });
  it('the same in ℓ2: the nearest unsafe point is (1/2, −1), squared radius 9/4 (not 25/8 on the diagonal)', () => {
    const net = createNetwork([2, 2, 1], true, [1, 0, 0, 1, 0, 0, 1, 1, 0]);
    expect(oracleRadius(net, [-1, -1], 0, 'binary', 4, 'l2').radius).toEqual({ n: 9n, d: 4n });
    expect(oracleRadius(net, [-1, -1], 0, 'binary', 1.49, 'l2').radius).toBeNull();
  });
  it('multiclass: outputs (z₁, z₂ + 1/4), label 1 at the origin: radius 1/8 (where z₁ = z₂ + 1/4)', () => {
    const net = createNetwork([2, 2, 2], true, [1, 0, 0, 1, 8, 8, 1, 0, 0, 1, -8, -7.75]);
    expect(oracleRadius(net, [0, 0], 1, 'multiclass', 1).radius).toEqual({ n: 1n, d: 8n });
  });
});

describe('exactRadius against an independent exact oracle (d = 2, rational arithmetic)', () => {
  it('lower < r ≤ upper exactly (ℓ∞ and ℓ2), converged brackets within the tolerance, witnesses exactly adversarial', () => {
    const seen = { converged: 0, stopped: 0, zero: 0, beyond: 0, kink: 0, regions: 0, l2: 0 };
    fc.assert(
      fc.property(caseArb, (c) => {
        const { net, x, y } = build(c);
        const oracle = oracleRadius(net, x, y, c.criterion, c.R, c.norm);
        const r = exactRadius(core, net, x, y, c.criterion, { maxRadius: c.R, tol: c.tol, maxNodes: c.maxNodes, timeLimit: 1e9, norm: c.norm });
        // The oracle gives r (ℓ∞) or r² (ℓ2): compare an f64 v with r exactly (sign of v − r, v ≥ 0).
        const vs = (v: number, e: Q): number => (c.norm === 'linf' ? f64Vs(v, e) : qcmp(sqQ(v), e));
        seen.regions = Math.max(seen.regions, oracle.regions);
        const exact = oracle.radius;
        const msg = `${c.norm}: oracle r${c.norm === 'l2' ? '²' : ''} = ${exact ? qNum(exact) : `> ${c.R}`}, got [${r.lower}, ${r.upper}] (${r.status})`;
        // Lower end: every ball of radius ≤ lower is safe, so lower < r (or both 0).
        if (exact === null) {
          expect(r.upper, msg).toBe(Infinity);
          expect(r.witness, msg).toBeNull();
          expect(r.lower, msg).toBeLessThanOrEqual(c.R);
          if (r.status === 'converged') expect(r.lower, msg).toBe(c.R);
          seen.beyond++;
        } else {
          if (exact.n === 0n) {
            seen.zero++;
            expect(r.lower, msg).toBe(0);
          } else {
            expect(vs(r.lower, exact), msg).toBe(-1);
          }
          // Upper end: r ≤ upper in exact arithmetic.
          if (r.upper !== Infinity) expect(vs(r.upper, exact), msg).toBeGreaterThanOrEqual(0);
          if (r.status === 'converged') {
            expect(r.upper, msg).toBeLessThan(Infinity);
            expect(r.upper - r.lower, msg).toBeLessThanOrEqual(c.tol * r.upper);
          }
        }
        if (r.witness) {
          expect(exactlyUnsafe(net, r.witness, y, c.criterion), msg).toBe(true);
          expect(boundsDistance(r.upper, x, r.witness, c.norm), msg).toBe(true);
          // The witness is at distance ≥ r (r is the minimum): a check of the oracle itself.
          if (exact) expect(qcmp(c.norm === 'linf' ? linfQ(x, r.witness) : l2sqQ(x, r.witness), exact), msg).toBeGreaterThanOrEqual(0);
        }
        if (r.status === 'converged') seen.converged++;
        else seen.stopped++;
        if (c.kink) seen.kink++;
        if (c.norm === 'l2' && exact !== null && exact.n !== 0n) seen.l2++;
      }),
      { numRuns: 100 },
    );
    // The generator reaches every case the claim is about.
    expect(seen.converged).toBeGreaterThan(40);
    expect(seen.stopped).toBeGreaterThan(0);
    expect(seen.zero).toBeGreaterThan(0);
    expect(seen.beyond).toBeGreaterThan(0);
    expect(seen.kink).toBeGreaterThan(20);
    expect(seen.l2).toBeGreaterThan(15);
  });
});

describe('analyse with exactRadius', () => {
  it('each point\'s exact bracket holds the oracle radius, inside [certified, attacked]; the summary medians bracket the median radius', () => {
    // A 2 → 8 → 4 → 3 network and 24 points labelled by its own argmax (every point correct).
    const dims = [2, 8, 4, 3];
    let n = 0;
    for (let l = 1; l < dims.length; l++) n += dims[l]! * (dims[l - 1]! + 1);
    const w = Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + 0.3) * 1.3);
    const net = createNetwork(dims, true, w);
    const N = 24;
    const x = Float64Array.from({ length: 2 * N }, (_, i) => Math.cos(2.3 * i) * 0.9);
    const y = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const o = exactOutputs(net, x.subarray(2 * i, 2 * i + 2));
      let best = 0;
      o.forEach((v, j) => {
        if (cmp(v, o[best]!) > 0) best = j;
      });
      y[i] = best;
    }
    const R = 0.5;
    const res = analyse(core, net, { x, y }, { maxRadius: R, exactRadius: { tol: 1e-5, maxNodes: 5000 }, certIters: 8, attackIters: 4, queries: 20 });
    let finite = 0;
    const exact: number[] = [];
    for (const p of res.points) {
      const e = p.exact!;
      const o = oracleRadius(net, [x[2 * p.index]!, x[2 * p.index + 1]!], p.label, 'multiclass', R).radius;
      exact.push(o === null ? Infinity : qNum(o));
      if (o === null) {
        expect(e.upper).toBe(Infinity);
      } else {
        finite++;
        expect(o.n === 0n ? e.lower === 0 : f64Vs(e.lower, o) < 0).toBe(true);
        expect(f64Vs(e.upper, o)).toBeGreaterThanOrEqual(0);
      }
      if (e.status === 'converged' && Number.isFinite(e.upper)) expect(e.upper - e.lower).toBeLessThanOrEqual(1e-5 * e.upper);
      // Sound ends on both sides of the certified/attacked bracket.
      expect(e.lower).toBeLessThanOrEqual(p.attacked);
      expect(p.certified).toBeLessThanOrEqual(e.upper);
    }
    expect(finite).toBeGreaterThan(5);
    const s = res.exactRadius!;
    expect(s.points).toBe(N);
    const sorted = [...exact].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const med = (sorted[N / 2 - 1]! + sorted[N / 2]!) / 2;
    expect(s.medianLower).toBeLessThanOrEqual(med * (1 + 1e-12));
    expect(s.medianUpper).toBeGreaterThanOrEqual(med * (1 - 1e-12));
  });

  it('refuses ℓ2, an input box and a bad tolerance, naming the option', () => {
    const net = createNetwork([2, 2, 1], true, [1, 0, 0, 1, 0, 0, 1, 1, 0]);
    const data = { x: Float64Array.from([0.1, 0.1]), y: Float64Array.from([0]) };
    const err = (o: Record<string, unknown>) => {
      try {
        analyse(core, net, data, o);
      } catch (e) {
        expect(e).toBeInstanceOf(CoreError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err({ exactRadius: {}, norm: 'l2' })).toMatch(/^exactRadius: the exact radius is an ℓ∞ radius; got norm l2/);
    expect(err({ exactRadius: {}, box: { lo: [0, 0], hi: [1, 1] } })).toMatch(/^exactRadius: not with an input box/);
    expect(err({ exactRadius: { tol: 0 } })).toMatch(/^exactRadius\.tol: expected a relative tolerance in \[1e-12, 1\), got 0/);
    expect(err({ exactRadius: { maxNodes: 1.5 } })).toMatch(/^exactRadius\.maxNodes: expected an integer/);
    expect(analyse(core, net, data, {}).exactRadius).toBeUndefined();
  });
});
