// The batched paired-trial kernel (assembly/noncomputability/pairs.ts) and the runner's batched
// path must give exactly — bit for bit — what one optimisation per sign gives, for every supported
// method, seed, shape and batch size, divergent runs included.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PhiloxStream, loadCore, type Core } from '../src/index.js';
import {
  runNoncomputabilityTrialColumns,
  runNoncomputabilityTrials,
  type NoncomputabilityPairResult,
  type NoncomputabilityParams,
  type NoncomputabilityTrialColumns,
  type NoncomputabilityTrialRange,
} from '../src/noncomputability/index.js';
import { builtInAlgorithm } from '../src/noncomputability/algorithms.js';
import { optimiseConfig, optimiseInCore, optimisePairsInCore, type ProblemShape } from '../src/noncomputability/kernel.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** Data of one sign; `mixed` adds negative values and exact zeros (so that −0 products occur). */
function data(seed: number, sub: number, d: number, r: number, mixed = false): { x: Float64Array; y: Float64Array } {
  const g = new PhiloxStream({ seed, substream: sub });
  const v = (base: number): number => {
    if (!mixed) return base + g.uniform() * 1.5;
    const u = g.uniform();
    return u < 0.2 ? 0 : u < 0.3 ? -0 : (u - 0.6) * 3;
  };
  return { x: Float64Array.from({ length: r * d }, () => v(0)), y: Float64Array.from({ length: r }, () => v(0.5)) };
}

const bits = (a: Float64Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

describe('optimisePairsInCore', () => {
  it('equals optimiseInCore on each sign, bit for bit (gd, adam, restarts, divergence)', () => {
    fc.assert(
      fc.property(
        fc.record({
          // d = 2 with W = 3 or 4 takes the register kernel of the default cell
          d: fc.oneof(fc.constant(2), fc.integer({ min: 1, max: 4 })),
          W: fc.oneof(fc.constantFrom(3, 4), fc.integer({ min: 1, max: 6 })),
          r: fc.integer({ min: 1, max: 9 }),
          method: fc.constantFrom('gd' as const, 'adam' as const),
          restarts: fc.integer({ min: 1, max: 3 }),
          steps: fc.integer({ min: 0, max: 60 }),
          lr: fc.constantFrom(0.01, 0.1, 0.5, 40, 1e200),
          init: fc.constantFrom('he' as const, 'xavier' as const, 'uniform' as const, 'normal' as const),
          n: fc.integer({ min: 0, max: 5 }),
          seed: fc.integer({ min: 0, max: 1e6 }),
          mixed: fc.boolean(),
        }),
        ({ d, W, r, method, restarts, steps, lr, init, n, seed, mixed }) => {
          const shape: ProblemShape = { d, width: W, samples: r, lambda: 0.05 };
          const plus = data(seed, 1, d, r, mixed);
          const minus = data(seed, 2, d, r, mixed);
          const options = { method, restarts, steps, lr, init, initScale: 2 };
          const g = new PhiloxStream({ seed, substream: 3 });
          const keys = Uint32Array.from({ length: 2 * n }, () => g.nextU32());
          const got = optimisePairsInCore(core, shape, plus, minus, optimiseConfig('test', shape, options), keys);
          const P = W * d + W;
          for (let i = 0; i < n; i++) {
            [plus, minus].forEach((dat, lane) => {
              const ref = optimiseInCore(core, shape, dat, options, keys[2 * i]!, keys[2 * i + 1]!);
              const k = 2 * i + lane;
              const theta = new Float64Array(P);
              theta.set(ref.network.w);
              theta.set(ref.network.v, W * d);
              expect(bits(got.theta.slice(k * P, (k + 1) * P))).toBe(bits(theta));
              expect(Object.is(got.out[4 * k + 1], ref.steps)).toBe(true);
              expect(got.out[4 * k + 2] === 1).toBe(ref.diverged);
              if (!ref.diverged) expect(Object.is(got.out[4 * k], ref.cost)).toBe(true);
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each(['gd', 'adam'] as const)('covers divergence (%s): a lane whose loss overflows stops there, the other lane goes on', (method) => {
    const shape: ProblemShape = { d: 2, width: 4, samples: 8, lambda: 1e-300 };
    const plus = data(5, 1, 2, 8);
    const minus = data(5, 2, 2, 8);
    const options = { method, steps: 400, lr: 1e200, init: 'normal' as const, initScale: 1 };
    const keys = Uint32Array.from([0, 9, 1, 9, 2, 9, 3, 9]);
    const got = optimisePairsInCore(core, shape, plus, minus, optimiseConfig('test', shape, options), keys);
    const steps: number[] = [];
    for (let i = 0; i < 4; i++) {
      [plus, minus].forEach((dat, lane) => {
        const ref = optimiseInCore(core, shape, dat, options, keys[2 * i]!, 9);
        const k = 2 * i + lane;
        const theta = new Float64Array(12);
        theta.set(ref.network.w);
        theta.set(ref.network.v, 8);
        expect(bits(got.theta.slice(k * 12, (k + 1) * 12))).toBe(bits(theta));
        expect(got.out[4 * k + 1]).toBe(ref.steps);
        expect(got.out[4 * k + 2] === 1).toBe(ref.diverged);
        steps.push(ref.steps);
      });
    }
    // the cases exercised: runs stopped early and runs that went the whole way
    expect(Math.min(...steps)).toBeLessThan(400);
    expect(Math.max(...steps)).toBe(400);
  });
});

/**
 * The batched path of `params` over `range` against one context per run (the built-in algorithm
 * passed as a plugin object): the same results bit for bit, also when the range is cut in two at
 * `split` (clamped to the count), and the columns hold the same values.
 */
function expectBatchedPath(params: Partial<NoncomputabilityParams> & { algorithm: string }, range: NoncomputabilityTrialRange, split: number): void {
  const general = runNoncomputabilityTrials(core, params, { ...range, algorithm: builtInAlgorithm(params.algorithm)! });
  expect(runNoncomputabilityTrials(core, params, range)).toStrictEqual(general);
  const cut = Math.min(split, range.count);
  const parts = [
    ...runNoncomputabilityTrials(core, params, { ...range, count: cut }),
    ...runNoncomputabilityTrials(core, params, { ...range, tStart: range.tStart + cut, count: range.count - cut }),
  ];
  expect(parts).toStrictEqual(general);
  expectColumns(runNoncomputabilityTrialColumns(core, params, range), general);
}

describe('runNoncomputabilityTrials: batched path = one context per run', () => {
  it('bit-identical results for gd, adam and restarts at any batch size and oracle regime', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('gd', 'adam', 'restarts'),
        fc.constantFrom('gd', 'adam', 'sgd'),
        fc.constantFrom([6, 4], [6, 6], [10, 24], [12, 8], [4, 40]),
        fc.constantFrom('adversarial', 'honest'),
        fc.integer({ min: 0, max: 2 ** 32 - 100 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom(0.1, 0.1, 1e200),
        (algorithm, inner, [K, readBits], oracle, tStart, count, split, lr) => {
          // lr 1e200 makes some runs diverge (non-finite θ or cost: infinite dist and cost)
          const params = { algorithm, inner, K, readBits, oracle, lr, steps: 40, restarts: 2, width: 3, epsilons: [0.05, 0.25, 0.45, 0.5] };
          expectBatchedPath(params, { seed: 77, streamHi: 0x1234, tStart, count }, split);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('runNoncomputabilityTrials: closed-form batched path = one context per run', () => {
  it('bit-identical results for coin, hedge and exact-read at any batch cut, shape and oracle regime (ties drawn by the trial stream)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('coin', 'hedge', 'exact-read'),
        fc.constantFrom([6, 4], [6, 6], [10, 24], [12, 8], [4, 40], [8, 60]),
        fc.constantFrom('adversarial', 'honest'),
        fc.constantFrom(2, 3),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 2 ** 32 - 400 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 300 }),
        (algorithm, [K, readBits], oracle, d, width, tStart, count, split) => {
          const params = { algorithm, K, readBits, oracle, d, width, epsilons: [0.05, 0.25, 0.45, 0.48, 0.5, 0.7] };
          expectBatchedPath(params, { seed: 31, streamHi: 0x5151, tStart, count }, split);
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** The columns hold exactly (Object.is) the values of the pair results, in order. */
function expectColumns(cols: NoncomputabilityTrialColumns, results: NoncomputabilityPairResult[]): void {
  expect(cols.count).toBe(results.length);
  const E = cols.epsilons;
  const d = cols.d;
  results.forEach((r, i) => {
    expect(cols.tStart + i).toBe(r.trial);
    expect(cols.identical[i]).toBe(r.identical ? 1 : 0);
    for (const [side, res] of [[cols.plus, r.plus], [cols.minus, r.minus]] as const) {
      const got = {
        dist: side.dist[i],
        cost: side.cost[i],
        costGap: side.costGap[i],
        steps: side.steps[i],
        bitsRead: side.bitsRead[i],
        reads: side.reads[i],
        bitsTotal: side.bitsTotal[i],
        diverged: side.diverged[i] === 1,
        success: Array.from(side.success.subarray(i * E, (i + 1) * E), (b) => b === 1),
        probes: Array.from(side.probes.subarray(i * d, (i + 1) * d)),
      };
      const { sign: _sign, ...want } = res;
      expect(got).toStrictEqual(want);
    }
  });
}

describe('runNoncomputabilityTrialColumns', () => {
  it('holds the values of runNoncomputabilityTrials bit for bit, for every algorithm (batched or not), shape and oracle regime', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('gd', 'adam', 'restarts', 'sgd', 'anneal', 'coin', 'hedge', 'exact-read', 'escalate'),
        fc.constantFrom([6, 4], [10, 24], [4, 40]),
        fc.constantFrom('adversarial', 'honest'),
        fc.constantFrom(2, 3),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 2 ** 32 - 100 }),
        fc.constantFrom(0.1, 1e200),
        (algorithm, [K, readBits], oracle, d, width, count, tStart, lr) => {
          const params = { algorithm, K, readBits, oracle, d, width, lr, steps: 30, restarts: 2, epsilons: [0.1, 0.3, 0.45, 0.5, 0.7] };
          const range = { seed: 5, streamHi: 0x77, tStart, count };
          const want = runNoncomputabilityTrials(core, params, { ...range, algorithm: builtInAlgorithm(algorithm)! });
          expectColumns(runNoncomputabilityTrialColumns(core, params, range), want);
        },
      ),
      { numRuns: 60 },
    );
  });
});
