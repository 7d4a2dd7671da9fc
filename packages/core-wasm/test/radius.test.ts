// exactRadius (src/verify/radius.ts) against an independent exact oracle (test/radius-oracle.ts:
// the activation regions of the square cut out in BigInt rational arithmetic, the ℓ∞ distance to
// each region's unsafe part computed exactly): on random d = 2 networks (test/helpers.ts
// reluCaseArb with ≤ 16 units per hidden layer: 1–2 hidden layers, biases, huge and tiny weights,
// points on kinks and on the decision boundary, both criteria) the bracket [lower, upper] holds the exact radius in exact arithmetic — lower < r ≤
// upper — whatever stopped the search, a converged bracket is within the requested tolerance, and
// every witness is adversarial in exact arithmetic (test/exact.ts) at distance ≤ upper.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { analyse, createNetwork, exactRadius, loadCore, CoreError, type Core } from '../src/index.js';
import { boundsDistance, cmp, exactlyUnsafe, exactOutputs } from './exact.js';
import { buildReluCase, reluCaseArb } from './helpers.js';
import { f64Vs, l2sqQ, linfQ, oracleRadius, qNum, qcmp, sqQ, type Q } from './radius-oracle.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

const caseArb = fc.record({
  net: reluCaseArb({ one: [1, 16], two: [[1, 10], [1, 6]] }),
  norm: fc.constantFrom('linf' as const, 'l2' as const),
  R: fc.constantFrom(0.5, 2, 8),
  tol: fc.constantFrom(1e-3, 1e-6),
  maxNodes: fc.constantFrom(20, 4000, 4000),
});

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
        const { net, x, y } = buildReluCase(c.net);
        const { criterion, kink } = c.net;
        const oracle = oracleRadius(net, x, y, criterion, c.R, c.norm);
        const r = exactRadius(core, net, x, y, criterion, { maxRadius: c.R, tol: c.tol, maxNodes: c.maxNodes, timeLimit: 1e9, norm: c.norm });
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
          expect(exactlyUnsafe(net, r.witness, y, criterion), msg).toBe(true);
          expect(boundsDistance(r.upper, x, r.witness, c.norm), msg).toBe(true);
          // The witness is at distance ≥ r (r is the minimum): a check of the oracle itself.
          if (exact) expect(qcmp(c.norm === 'linf' ? linfQ(x, r.witness) : l2sqQ(x, r.witness), exact), msg).toBeGreaterThanOrEqual(0);
        }
        if (r.status === 'converged') seen.converged++;
        else seen.stopped++;
        if (kink) seen.kink++;
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
