import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CoreError, loadCore, type Core } from '../src/index.js';
import {
  BUILT_IN_ALGORITHMS,
  noncomputabilityConstants,
  runNoncomputabilityTrial,
  runNoncomputabilityTrials,
  type NoncomputabilityPairResult,
} from '../src/noncomputability/index.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** Wilson score interval at z = 3.29 (99.9%). */
function wilson(k: number, n: number, z = 3.29): [number, number] {
  const p = k / n;
  const den = 1 + (z * z) / n;
  const mid = (p + (z * z) / (2 * n)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / den;
  return [mid - half, mid + half];
}

const fast = { steps: 120, restarts: 3 };

describe('indistinguishability (SPEC §3.3), exactly', () => {
  it('for every built-in algorithm and n ≤ K, ι⁺ and ι⁻ give bit-identical outputs, so at most one succeeds below ε_B', () => {
    expect(BUILT_IN_ALGORITHMS).toEqual(['gd', 'sgd', 'adam', 'restarts', 'anneal', 'coin', 'hedge', 'exact-read', 'escalate']);
    for (const algorithm of BUILT_IN_ALGORITHMS) {
      for (const [K, readBits, d] of [[6, 6, 2], [12, 5, 3], [30, 1, 2]] as const) {
        const params = { algorithm, K, readBits, d, ...fast, epsilons: [0.01, 0.1, 0.3, 0.45, 0.6] };
        const { epsB } = noncomputabilityConstants(params, 1234);
        const res = runNoncomputabilityTrials(core, params, { seed: 1234, streamHi: 0xabcdef, tStart: 0, count: 12 });
        for (const r of res) {
          expect(r.identical).toBe(true);
          expect(r.plus.probes).toEqual(r.minus.probes);
          expect(r.plus.bitsRead).toBeLessThanOrEqual(K);
          params.epsilons.forEach((e, i) => {
            if (e < epsB) expect(r.plus.success[i]! && r.minus.success[i]!).toBe(false);
          });
        }
      }
    }
  });

  it('honest reads at n ≤ K do differ (the adversary, not the rounding, hides the sign)', () => {
    const res = runNoncomputabilityTrials(core, { algorithm: 'exact-read', K: 14, readBits: 14, oracle: 'honest' }, { seed: 1, streamHi: 0, tStart: 0, count: 20 });
    expect(res.every((r) => r.identical)).toBe(false);
  });
});

describe('the algorithm library against the theory', () => {
  const rate = (res: NoncomputabilityPairResult[], sign: 'plus' | 'minus', i: number): number => res.filter((r) => r[sign].success[i]).length;

  it('coin succeeds with probability 1/2 on both inputs (10 000 pairs, below and above K)', () => {
    for (const readBits of [8, 24]) {
      const params = { algorithm: 'coin', K: 10, readBits, epsilons: [0.05, 0.3] };
      const res = runNoncomputabilityTrials(core, params, { seed: 99, streamHi: 5, tStart: 0, count: 10_000 });
      for (const sign of ['plus', 'minus'] as const) {
        for (const i of [0, 1]) {
          const [lo, hi] = wilson(rate(res, sign, i), res.length);
          expect(lo).toBeLessThan(0.5);
          expect(hi).toBeGreaterThan(0.5);
        }
      }
      // Paired design: exactly one of the two succeeds for every seed (ε < ε_B).
      expect(res.every((r) => r.plus.success[0] !== r.minus.success[0])).toBe(true);
    }
  });

  it('hedge succeeds iff ε ≥ ε_B (read error far below the 2% margin)', () => {
    for (const [K, readBits] of [[16, 16], [16, 40], [20, 8]] as const) {
      const base = { algorithm: 'hedge', K, readBits };
      const { epsB } = noncomputabilityConstants(base, 3);
      const epsilons = [0.5 * epsB, 0.98 * epsB, 1.02 * epsB, 1.5 * epsB];
      const res = runNoncomputabilityTrials(core, { ...base, epsilons }, { seed: 3, streamHi: 1, tStart: 0, count: 5 });
      for (const r of res) for (const s of [r.plus, r.minus]) expect(s.success).toEqual([false, false, true, true]);
    }
  });

  it('exact-read always succeeds when n > K + 1 (also beyond f64 precision, K > 52)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 40, max: 300 })), fc.integer({ min: 2, max: 30 }), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1e9 }),
        (K, extra, d, samples, seed) => {
          const params = { algorithm: 'exact-read', K, readBits: K + extra, d, samples, epsilons: [0.02 + 2 ** -(K + 1)] };
          const res = runNoncomputabilityTrials(core, params, { seed, streamHi: 2, tStart: 0, count: 4 });
          for (const r of res) expect([r.plus.success[0], r.minus.success[0]]).toEqual([true, true]);
        }),
      { numRuns: 80 },
    );
  });

  it('exact-read succeeds with probability 1/2 when n ≤ K', () => {
    const res = runNoncomputabilityTrials(core, { algorithm: 'exact-read', K: 12, readBits: 12 }, { seed: 8, streamHi: 0, tStart: 0, count: 4000 });
    for (const sign of ['plus', 'minus'] as const) {
      const [lo, hi] = wilson(rate(res, sign, 0), res.length);
      expect(lo).toBeLessThan(0.5);
      expect(hi).toBeGreaterThan(0.5);
    }
  });

  it('escalate always succeeds when K + 2 ≤ budget, reading 8, 16, 32, … then the budget', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 100, max: 400 })), fc.integer({ min: 2, max: 40 }), fc.integer({ min: 0, max: 1e9 }), (K, extra, seed) => {
        const params = { algorithm: 'escalate', K, readBits: K + extra, epsilons: [0.02 + 2 ** -(K + 1)] };
        const res = runNoncomputabilityTrials(core, params, { seed, streamHi: 3, tStart: 0, count: 3 });
        for (const r of res) {
          expect([r.plus.success[0], r.minus.success[0]]).toEqual([true, true]);
          expect(r.plus.bitsRead).toBeLessThanOrEqual(K + extra);
        }
      }),
      { numRuns: 80 },
    );
    const one = runNoncomputabilityTrial(core, { algorithm: 'escalate', K: 40, readBits: 50 }, 1, { seed: 1 });
    // 8, 16, 32 cannot certify at K = 40; the budget 50 ≥ K + 2 can.
    expect([one.reads, one.bitsRead, one.bitsTotal]).toEqual([4, 50, (8 + 16 + 32 + 50) * (8 * 2 + 8)]);
  });

  it('escalate falls back to coin (1/2) when its budget is ≤ K', () => {
    const res = runNoncomputabilityTrials(core, { algorithm: 'escalate', K: 30, readBits: 20 }, { seed: 4, streamHi: 0, tStart: 0, count: 3000 });
    expect(res[0]!.plus.bitsRead).toBe(20);
    expect(res[0]!.plus.reads).toBe(3); // 8, 16, 20
    for (const sign of ['plus', 'minus'] as const) {
      const [lo, hi] = wilson(rate(res, sign, 0), res.length);
      expect(lo).toBeLessThan(0.5);
      expect(hi).toBeGreaterThan(0.5);
    }
  });

  it('optimisers reach the minimiser once the data reveal the sign (restarts, n > K)', () => {
    const res = runNoncomputabilityTrials(core, { algorithm: 'restarts', K: 4, readBits: 30, restarts: 8, steps: 400 }, { seed: 2, streamHi: 0, tStart: 0, count: 20 });
    expect(res.filter((r) => r.plus.success[0] && r.minus.success[0]).length).toBeGreaterThan(14);
    for (const r of res) expect(r.plus.costGap).toBeGreaterThanOrEqual(-1e-9);
  });
});

describe('trial results and determinism', () => {
  const params = { algorithm: 'adam', K: 8, readBits: 16, steps: 150 };

  it('reports success per ε, dist, cost, steps, bits read and probes consistently', () => {
    const r = runNoncomputabilityTrial(core, params, -1, { seed: 7, trial: 3, streamHi: 9 });
    const c = noncomputabilityConstants(params, 7);
    expect(r.sign).toBe(-1);
    expect(r.dist).toBeCloseTo(Math.max(Math.abs(r.probes[0]!), Math.abs(r.probes[1]! - c.sStar)), 14);
    expect(r.success).toEqual([0.05, 0.1, 0.25, 0.45, 0.5].map((e) => r.dist <= e));
    expect(r.costGap).toBeCloseTo(r.cost - c.hStar, 14);
    expect([r.steps, r.bitsRead, r.reads]).toEqual([150, 16, 1]);
    // Same stream as trial 3 of the batch runner.
    const pair = runNoncomputabilityTrials(core, params, { seed: 7, streamHi: 9, tStart: 3, count: 1 })[0]!;
    expect(pair.minus).toEqual(r);
  });

  it('a seed gives bit-identical results however the trials are batched', () => {
    const whole = runNoncomputabilityTrials(core, params, { seed: 11, streamHi: 77, tStart: 0, count: 10 });
    const parts = [
      ...runNoncomputabilityTrials(core, params, { seed: 11, streamHi: 77, tStart: 0, count: 3 }),
      ...runNoncomputabilityTrials(core, params, { seed: 11, streamHi: 77, tStart: 3, count: 7 }),
    ];
    expect(parts).toEqual(whole);
    const other = runNoncomputabilityTrials(core, params, { seed: 11, streamHi: 78, tStart: 0, count: 10 });
    expect(other).not.toEqual(whole);
  });

  it('the debug build (asserts on) gives the same trials as the release build', async () => {
    const debug = await loadCore({ target: 'debug' });
    for (const algorithm of ['sgd', 'restarts', 'anneal']) {
      const p = { algorithm, K: 6, readBits: 12, width: 3, steps: 80, restarts: 2 };
      const range = { seed: 3, streamHi: 1, tStart: 0, count: 4 };
      expect(runNoncomputabilityTrials(debug, p, range)).toEqual(runNoncomputabilityTrials(core, p, range));
    }
  });
});

describe('bad parameters', () => {
  const run = (p: object, range: object = { seed: 1, streamHi: 0, tStart: 0, count: 1 }) => () => runNoncomputabilityTrials(core, p, range as never);
  it('name the parameter, the value and what is allowed', () => {
    const base = { algorithm: 'gd', K: 8, readBits: 8 };
    const cases: [object, RegExp][] = [
      [{ ...base, K: 0 }, /params.K: expected an integer in \[1, 1000\], got 0/],
      [{ ...base, readBits: 2.5 }, /params.readBits: expected an integer in \[1, 2048\], got 2.5/],
      [{ ...base, d: 1 }, /params.d: expected an integer in \[2, 64\], got 1/],
      [{ ...base, width: 0 }, /params.width/],
      [{ ...base, lambda: -1 }, /params.lambda: expected a finite number > 0, got -1/],
      [{ ...base, lambda: 5 }, /params.lambda: expected a value below [0-9.]+ .*the minimiser would be the zero network \(t\* = 0\)/],
      [{ ...base, d: 3, alpha: [0.7] }, /params.alpha\[0\]: expected a dyadic number in \[0, 1\/2\]/],
      [{ ...base, d: 3, alpha: [0.1] }, /params.alpha\[0\]: expected a dyadic number/],
      [{ ...base, d: 3, alpha: [] }, /params.alpha: expected an array of d − 2 = 1/],
      [{ ...base, epsilons: [] }, /params.epsilons: expected a non-empty array/],
      [{ ...base, epsilons: [0.1, 0] }, /params.epsilons\[1\]: expected a finite number > 0, got 0/],
      [{ ...base, oracle: 'lazy' }, /params.oracle: expected one of "adversarial", "honest", got "lazy"/],
      [{ ...base, algorithm: 'newton' }, /params.algorithm: expected one of "gd", .* got "newton"/],
      [{ ...base, algorithm: 'plugin' }, /params.plugin: expected a module path \(required when algorithm is "plugin"\)/],
      [{ ...base, annealT1: 1 }, /params.annealT1: expected a finite number in \(0, annealT0/],
    ];
    for (const [p, re] of cases) {
      expect(run(p)).toThrow(CoreError);
      expect(run(p)).toThrow(re);
    }
    expect(run(base, { seed: -1, streamHi: 0, tStart: 0, count: 1 })).toThrow(/range.seed: expected an integer in \[0, 2\^53\)/);
    expect(run(base, { seed: 1, streamHi: 2 ** 32, tStart: 0, count: 1 })).toThrow(/range.streamHi/);
    expect(() => runNoncomputabilityTrial(core, base, 0 as never, { seed: 1 })).toThrow(/sign: expected 1 \(ι⁺_K\) or -1/);
  });
});
