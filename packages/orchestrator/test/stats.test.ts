/**
 * Statistics against published values, an independent implementation, and coverage by simulation.
 */
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { clopperPearson, erfc, hoeffding, minInterval, normalQuantile, sumInterval, wilson } from '../src/stats/intervals.js';
import { moments, orderStatistics, Welford } from '../src/stats/moments.js';
import { confidenceSequence, lgamma, sprtDecision } from '../src/stats/sequential.js';
import { evaluateStop, initialStopState, isCheckpoint, nextCheckpoint, planBatches } from '../src/stats/stopping.js';

/** A small seeded generator (mulberry32) for simulations: independent of the code under test. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function binomial(n: number, p: number, u: () => number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (u() < p) k++;
  return k;
}

/** log C(n, k) p^k (1-p)^(n-k), by lgamma-free summation of logs (independent of the code under test). */
function logPmf(n: number, k: number, p: number): number {
  let lc = 0;
  for (let i = 1; i <= k; i++) lc += Math.log((n - k + i) / i);
  return lc + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

function cdf(n: number, k: number, p: number): number {
  let s = 0;
  for (let i = 0; i <= k; i++) s += Math.exp(logPmf(n, i, p));
  return Math.min(1, s);
}

/** Clopper–Pearson by bisection on the binomial tails: P(X ≥ k | lo) = α/2, P(X ≤ k | hi) = α/2. */
function cpReference(k: number, n: number, conf: number): [number, number] {
  const a = (1 - conf) / 2;
  const bisect = (f: (p: number) => number) => {
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 200; i++) {
      const m = (lo + hi) / 2;
      if (f(m) < 0) lo = m;
      else hi = m;
    }
    return (lo + hi) / 2;
  };
  const lower = k === 0 ? 0 : bisect((p) => 1 - cdf(n, k - 1, p) - a);
  const upper = k === n ? 1 : bisect((p) => a - cdf(n, k, p));
  return [lower, upper];
}

describe('Clopper–Pearson', () => {
  it('asked again, gives the same bits from its memory, in a fresh array the caller may change', () => {
    const betaQuantile = createRequire(import.meta.url)('@stdlib/stats-base-dists-beta-quantile') as (p: number, a: number, b: number) => number;
    for (const [k, n, c] of [[7, 23, 0.95], [7, 23, 0.975], [8, 23, 0.95], [0, 5, 0.9], [5, 5, 0.9]] as const) {
      const first = clopperPearson(k, n, c);
      const expected = [k === 0 ? 0 : betaQuantile((1 - c) / 2, k, n - k + 1), k === n ? 1 : betaQuantile(1 - (1 - c) / 2, k + 1, n - k)];
      expect(first).toEqual(expected);
      first[0] = -1;
      const again = clopperPearson(k, n, c);
      expect(again).not.toBe(first);
      expect(again).toEqual(expected);
    }
    // Keys that differ only in the level or in k do not share an answer.
    expect(clopperPearson(7, 23, 0.95)).not.toEqual(clopperPearson(7, 23, 0.975));
    expect(clopperPearson(7, 23, 0.95)).not.toEqual(clopperPearson(8, 23, 0.95));
  });

  it('matches published 95% intervals', () => {
    // Published values (e.g. Clopper & Pearson 1934 tables; R binom.test): 0/10, 5/10, 10/10.
    const [a0, b0] = clopperPearson(0, 10, 0.95);
    expect(a0).toBe(0);
    expect(b0).toBeCloseTo(1 - 0.025 ** (1 / 10), 12); // 0.30849710...
    expect(b0).toBeCloseTo(0.3084971, 7);
    const [a5, b5] = clopperPearson(5, 10, 0.95);
    expect(a5).toBeCloseTo(0.187086, 6);
    expect(b5).toBeCloseTo(0.812914, 6);
    const [a10, b10] = clopperPearson(10, 10, 0.95);
    expect(a10).toBeCloseTo(0.6915029, 7);
    expect(b10).toBe(1);
  });

  it('matches an independent tail-bisection implementation (incl. 517/1000)', () => {
    for (const [k, n] of [[517, 1000], [1, 10], [3, 7], [0, 1], [1, 1], [49, 50], [200, 20000]] as const) {
      const [lo, hi] = clopperPearson(k, n, 0.95);
      const [rl, rh] = cpReference(k, n, 0.95);
      expect(lo).toBeCloseTo(rl, 9);
      expect(hi).toBeCloseTo(rh, 9);
    }
    const [lo, hi] = clopperPearson(517, 1000, 0.95);
    expect(lo).toBeCloseTo(0.48552, 4);
    expect(hi).toBeCloseTo(0.54838, 4);
  });

  it('contains the point estimate and nests with the confidence level', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, f) => {
        const k = Math.min(n, Math.floor(f * (n + 1)));
        const [lo, hi] = clopperPearson(k, n, 0.95);
        const [lo2, hi2] = clopperPearson(k, n, 0.99);
        return lo <= k / n && k / n <= hi && lo2 <= lo + 1e-12 && hi2 >= hi - 1e-12 && lo >= 0 && hi <= 1;
      }),
    );
  });

  it('rejects impossible counts', () => {
    expect(() => clopperPearson(11, 10, 0.95)).toThrow(/0 ≤ k ≤ n/);
    expect(() => clopperPearson(-1, 10, 0.95)).toThrow(RangeError);
    expect(clopperPearson(0, 0, 0.95)).toEqual([0, 1]);
  });
});

describe('normal quantile, Wilson, Hoeffding', () => {
  it('normal quantile and erfc hit known values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 14);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489, 12);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 12);
    expect(erfc(0)).toBeCloseTo(1, 15);
    expect(erfc(1)).toBeCloseTo(0.15729920705028513, 14);
    expect(erfc(-0.3)).toBeCloseTo(1.3286267594591274, 14);
  });

  it('Wilson 5/10 at 95% is [0.2366, 0.7634]', () => {
    const [lo, hi] = wilson(5, 10, 0.95);
    expect(lo).toBeCloseTo(0.236593, 5);
    expect(hi).toBeCloseTo(0.763407, 5);
    expect(wilson(0, 10, 0.95)[0]).toBe(0);
  });

  it('Hoeffding is p̂ ± sqrt(ln(2/α)/2n)', () => {
    const [lo, hi] = hoeffding(30, 100, 0.95);
    const h = Math.sqrt(Math.log(40) / 200);
    expect(lo).toBeCloseTo(0.3 - h, 14);
    expect(hi).toBeCloseTo(0.3 + h, 14);
  });
});

describe('coverage by simulation', () => {
  const reps = 2000;
  for (const p of [0.05, 0.3, 0.5]) {
    it(`Clopper–Pearson, Hoeffding, Wilson at p = ${p}, n = 60`, () => {
      const u = rng(1234 + p * 1000);
      let cp = 0;
      let hf = 0;
      let wi = 0;
      for (let r = 0; r < reps; r++) {
        const k = binomial(60, p, u);
        const [a, b] = clopperPearson(k, 60, 0.95);
        if (a <= p && p <= b) cp++;
        const [c, d] = hoeffding(k, 60, 0.95);
        if (c <= p && p <= d) hf++;
        const [e, f] = wilson(k, 60, 0.95);
        if (e <= p && p <= f) wi++;
      }
      // CP and Hoeffding guarantee ≥ 95% for every p; 3 Monte Carlo standard errors ≈ 1.5%.
      expect(cp / reps).toBeGreaterThan(0.935);
      expect(hf / reps).toBeGreaterThan(0.935);
      // Wilson is only approximately nominal.
      expect(wi / reps).toBeGreaterThan(0.9);
    });
  }

  it('Bonferroni intervals for min(p⁺,p⁻) and p⁺+p⁻ cover', () => {
    const u = rng(99);
    for (const [pp, pm] of [[0.5, 0.5], [0.2, 0.7], [0.05, 0.9]] as const) {
      let cmin = 0;
      let csum = 0;
      for (let r = 0; r < reps; r++) {
        const kp = binomial(40, pp, u);
        const km = binomial(40, pm, u);
        const [a, b] = minInterval(kp, 40, km, 40, 0.95);
        if (a <= Math.min(pp, pm) && Math.min(pp, pm) <= b) cmin++;
        const [c, d] = sumInterval(kp, 40, km, 40, 0.95);
        if (c <= pp + pm && pp + pm <= d) csum++;
      }
      expect(cmin / reps).toBeGreaterThan(0.935);
      expect(csum / reps).toBeGreaterThan(0.935);
    }
  });

  it('the confidence sequence covers at every checkpoint simultaneously', () => {
    const u = rng(7);
    const paths = 400;
    let ok = 0;
    for (const p of [0.1, 0.5]) {
      for (let r = 0; r < paths; r++) {
        let k = 0;
        let covered = true;
        for (let n = 1; n <= 600; n++) {
          if (u() < p) k++;
          if (n % 20 === 0) {
            const [a, b] = confidenceSequence(k, n, 0.95);
            if (!(a <= p && p <= b)) covered = false;
          }
        }
        if (covered) ok++;
      }
    }
    expect(ok / (2 * paths)).toBeGreaterThan(0.94);
  });

  it('SPRT error rates stay below α and β', () => {
    const u = rng(2024);
    const runs = 400;
    const decide = (p: number) => {
      let k = 0;
      for (let n = 1; n <= 3000; n++) {
        if (u() < p) k++;
        const d = sprtDecision(k, n, 0.1, 0.05, 0.05);
        if (d !== 'undecided') return d;
      }
      return 'undecided';
    };
    let falseH1 = 0;
    let falseH0 = 0;
    for (let r = 0; r < runs; r++) {
      if (decide(0.6) === 'H1') falseH1++;
      if (decide(0.5) === 'H0') falseH0++;
    }
    expect(falseH1 / runs).toBeLessThan(0.05 + 0.03);
    expect(falseH0 / runs).toBeLessThan(0.05 + 0.03);
  });
});

describe('sequential helpers', () => {
  it('lgamma hits known values', () => {
    expect(lgamma(0.5)).toBeCloseTo(0.5723649429247001, 13);
    expect(lgamma(1)).toBeCloseTo(0, 14);
    expect(lgamma(10)).toBeCloseTo(12.801827480081469, 12);
    expect(lgamma(100)).toBeCloseTo(359.1342053695754, 10);
    expect(lgamma(0.1)).toBeCloseTo(2.252712651734206, 12);
  });

  it('the confidence sequence is wider than Clopper–Pearson and contains p̂', () => {
    for (const [k, n] of [[5, 10], [517, 1000], [0, 50], [50, 50]] as const) {
      const [a, b] = confidenceSequence(k, n, 0.95);
      const [c, d] = clopperPearson(k, n, 0.95);
      expect(a).toBeLessThanOrEqual(k / n);
      expect(b).toBeGreaterThanOrEqual(k / n);
      expect(a).toBeLessThanOrEqual(c + 1e-12);
      expect(b).toBeGreaterThanOrEqual(d - 1e-12);
    }
  });

  it('SPRT decides H1 for p̂ far below 1/2 + δ and H0 for p̂ near 1', () => {
    expect(sprtDecision(500, 1000, 0.1, 0.05, 0.05)).toBe('H1');
    expect(sprtDecision(990, 1000, 0.1, 0.05, 0.05)).toBe('H0');
    expect(sprtDecision(3, 5, 0.1, 0.05, 0.05)).toBe('undecided');
  });
});

function chunked(values: number[], cuts: number[]): () => Iterable<Float64Array> {
  return function* () {
    let i = 0;
    for (const c of cuts) {
      yield Float64Array.from(values.slice(i, i + c));
      i += c;
    }
    yield Float64Array.from(values.slice(i));
  };
}

function type7(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

describe('moments and exact quantiles', () => {
  it('order statistics equal sorting, for any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1, -1, 0.5)), { minLength: 1, maxLength: 300 }),
        fc.array(fc.nat(40), { maxLength: 8 }),
        (values, cuts) => {
          const sorted = values.map((v) => (v === 0 ? 0 : v)).sort((a, b) => a - b);
          const ranks = [0, Math.floor((values.length - 1) / 2), values.length - 1];
          const got = orderStatistics(chunked(values, cuts), ranks, values.length);
          return got.every((g, i) => Object.is(g, sorted[ranks[i] as number]));
        },
      ),
    );
  });

  it('exact quantiles through the histogram path (many values, many ties)', () => {
    const u = rng(5);
    // Continuous values (far more than the counting shortcut's 4096 distinct) with a block of ties.
    const values = Array.from({ length: 150_000 }, (_, i) => (i % 3 === 0 ? 0.25 : u() * 1000 - 50));
    const sorted = [...values].sort((a, b) => a - b);
    const m = moments(chunked(values, [1000, 33333, 7]));
    expect(m.n).toBe(values.length);
    expect(m.median).toBe(type7(sorted, 0.5));
    expect(m.q25).toBe(type7(sorted, 0.25));
    expect(m.q75).toBe(type7(sorted, 0.75));
    expect(m.min).toBe(sorted[0]);
    expect(m.max).toBe(sorted[sorted.length - 1]);
    const allSame = moments(chunked(new Array(80_000).fill(3.5), [10]));
    expect(allSame.median).toBe(3.5);
    expect(allSame.sd).toBe(0);
    // More ties than the collection limit: the search must fix all 64 key bits.
    const ties = [...new Array(100_000).fill(-3.5), ...Array.from({ length: 10_000 }, () => u() - 0.5)];
    const tieSorted = [...ties].sort((a, b) => a - b);
    const mt = moments(chunked(ties, [999]));
    expect(mt.median).toBe(-3.5);
    expect(mt.q75).toBe(type7(tieSorted, 0.75));
    expect(orderStatistics(chunked(ties, []), [0, 99_999, 100_000, 109_999], ties.length)).toEqual([tieSorted[0], tieSorted[99_999], tieSorted[100_000], tieSorted[109_999]]);
  });

  it('Welford matches the two-pass mean and variance; non-finite values are skipped', () => {
    const values = [1, 2, NaN, 4, Infinity, 10, -3];
    const finite = [1, 2, 4, 10, -3];
    const mean = finite.reduce((a, b) => a + b) / finite.length;
    const variance = finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (finite.length - 1);
    const m = moments(chunked(values, [2]));
    expect(m.n).toBe(5);
    expect(m.mean).toBeCloseTo(mean, 14);
    expect(m.sd).toBeCloseTo(Math.sqrt(variance), 14);
    const w = new Welford();
    w.push(3);
    expect(w.variance).toBe(0);
    expect(moments(chunked([NaN], []))).toEqual({ n: 0, mean: 0, sd: 0, min: 0, q25: 0, median: 0, q75: 0, max: 0 });
  });

  it('moments do not depend on the chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), fc.array(fc.nat(30), { maxLength: 6 }), (values, cuts) => {
        const a = moments(chunked(values, []));
        const b = moments(chunked(values, cuts));
        return JSON.stringify(a) === JSON.stringify(b);
      }),
    );
  });
});

describe('batch plans and stopping rules', () => {
  const ci = { rule: 'ci-halfwidth', halfWidth: 0.1, minTrials: 20, maxTrials: 95, checkEvery: 20 } as const;

  it('ci-halfwidth: the verdict is every proportion\'s interval narrow enough, in any order of testing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 400 })), { minLength: 1, maxLength: 12 }),
        fc.constantFrom(0.02, 0.05, 0.1),
        (pairs, halfWidth) => {
          const tracked = pairs.map(([a, b], i) => ({ name: `p${i}`, k: Math.min(a, b), n: Math.max(a, b) }));
          const rule = { rule: 'ci-halfwidth', halfWidth, minTrials: 1, maxTrials: 10_000, checkEvery: 1 } as const;
          const informative = tracked.filter((t) => t.n > 0);
          const want =
            informative.length > 0 &&
            informative.every((t) => {
              const [lo, hi] = clopperPearson(t.k, t.n, 0.95);
              return (hi - lo) / 2 <= halfWidth;
            });
          const v = evaluateStop(rule, tracked, 500, 0.95, initialStopState());
          expect(v.stop).toBe(want);
          if (want) expect(v.reason).toBe('ci-halfwidth');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('batches never straddle a checkpoint and cover every trial once', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 4 }), fc.integer({ min: 1, max: 40 }), (ramp, size) => {
        const plan = planBatches(ci, { ramp, size });
        let t = 0;
        for (const b of plan) {
          if (b.start !== t || b.count < 1) return false;
          if (nextCheckpoint(ci, b.start) < b.start + b.count) return false;
          t += b.count;
        }
        return t === 95;
      }),
    );
    expect(planBatches(ci, { ramp: [8, 64], size: null })).toEqual([{ start: 0, count: 8 }, { start: 8, count: 12 }]);
    expect(isCheckpoint(ci, 40)).toBe(true);
    expect(isCheckpoint(ci, 95)).toBe(true);
    expect(isCheckpoint(ci, 41)).toBe(false);
    expect(planBatches({ rule: 'fixed', trials: 10 }, { ramp: [], size: 4 }).map((b) => b.count)).toEqual([4, 4, 2]);
  });

  it('rules decide at checkpoints from counts only', () => {
    const s0 = initialStopState();
    expect(evaluateStop(ci, [{ name: 'a', k: 5, n: 10 }], 10, 0.95, s0).stop).toBe(false); // before minTrials
    expect(evaluateStop(ci, [{ name: 'a', k: 100, n: 200 }], 60, 0.95, s0)).toMatchObject({ stop: true, reason: 'ci-halfwidth' });
    expect(evaluateStop(ci, [{ name: 'a', k: 20, n: 40 }], 95, 0.95, s0)).toMatchObject({ stop: true, reason: 'max-trials' });
    const sprt = { rule: 'sprt', delta: 0.1, alpha: 0.05, beta: 0.05, minTrials: 10, maxTrials: 10_000, checkEvery: 10 } as const;
    let st = initialStopState();
    const v1 = evaluateStop(sprt, [{ name: 'a', k: 500, n: 1000 }, { name: 'b', k: 30, n: 50 }], 1000, 0.95, st);
    expect(v1.stop).toBe(false);
    st = v1.state;
    expect(st.sprt.a).toBe('H1');
    // A decision is final: later counts do not revisit it.
    const v2 = evaluateStop(sprt, [{ name: 'a', k: 1000, n: 1010 }, { name: 'b', k: 990, n: 1000 }], 1010, 0.95, st);
    expect(v2).toMatchObject({ stop: true, reason: 'sprt' });
    expect(v2.state.sprt).toEqual({ a: 'H1', b: 'H0' });
    const cs = { rule: 'confidence-sequence', halfWidth: 0.05, minTrials: 10, maxTrials: 100_000, checkEvery: 10 } as const;
    expect(evaluateStop(cs, [{ name: 'a', k: 50, n: 100 }], 100, 0.95, s0).stop).toBe(false);
    expect(evaluateStop(cs, [{ name: 'a', k: 5000, n: 10000 }], 10000, 0.95, s0)).toMatchObject({ stop: true, reason: 'confidence-sequence' });
    expect(evaluateStop({ rule: 'fixed', trials: 7 }, [], 7, 0.95, s0)).toMatchObject({ stop: true, reason: 'fixed' });
  });
});
