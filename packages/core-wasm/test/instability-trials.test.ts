// Whole instability trials: determinism, the single-trial detail API, the reference methods,
// adversarial training against the F4 prediction, divergence as an outcome, clear errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { trialStream } from '../src/index.js';
import { CoreError, loadCore, paramCount, type Core } from '../src/index.js';
import { referenceForward } from '../src/reference/index.js';
import { theoremCheck } from '../src/instability/trial.js';
import {
  normaliseInstabilityParams, runInstabilityTrial, runInstabilityTrials, sampleStripes, stripesLabel, type InstabilityTrialResult,
} from '../src/instability/index.js';

let core: Core;
beforeAll(async () => {
  // INSTABILITY_WASM: test another build of the module (e.g. a local one while the shared build is broken).
  core = await loadCore(process.env.INSTABILITY_WASM ? { source: process.env.INSTABILITY_WASM } : {});
});

const small = { m: 6, r: 32, s: 16, hidden: [4, 4], epochs: 80, pgdSteps: 10, fmnSteps: 20, randomQueries: 30 };

describe('determinism', () => {
  it('a trial depends only on (seed, streamHi, t): batch splits and repeats give identical results', () => {
    for (const method of ['train', 'adversarial-train', 'train-variable'] as const) {
      const p = { ...small, method };
      const all = runInstabilityTrials(core, p, { seed: 2 ** 40 + 17, streamHi: 123, tStart: 5, count: 4 });
      const a = runInstabilityTrials(core, p, { seed: 2 ** 40 + 17, streamHi: 123, tStart: 5, count: 1 });
      const b = runInstabilityTrials(core, p, { seed: 2 ** 40 + 17, streamHi: 123, tStart: 6, count: 3 });
      expect([...a, ...b]).toEqual(all);
      expect(all.map((r) => r.trial)).toEqual([5, 6, 7, 8]);
      // Different trials, seeds and cells differ.
      expect(all[0]).not.toEqual(all[1]);
      const other = runInstabilityTrials(core, p, { seed: 2 ** 40 + 17, streamHi: 124, tStart: 5, count: 1 });
      expect(other[0]).not.toEqual(all[0]);
    }
  });

  it('the single-trial API returns the same measurements plus the network, data and perturbations', () => {
    const p = { ...small, method: 'train' as const };
    const [batch] = runInstabilityTrials(core, p, { seed: 9, streamHi: 1, tStart: 3, count: 1 });
    const t = runInstabilityTrial(core, p, { seed: 9, streamHi: 1, trial: 3 });
    const { network, train, val, points, ...measured } = t;
    expect(measured).toEqual(batch);
    expect(network.dims).toEqual([2, 4, 4, 1]);
    expect(network.params.length).toBe(paramCount([2, 4, 4, 1], true));
    expect(train.y.length).toBe(32);
    expect(val.y.length).toBe(16);
    const X = [...train.x, ...val.x];
    const y = [...train.y, ...val.y];
    let correct = 0;
    for (let i = 0; i < 48; i++) {
      const x = X.slice(2 * i, 2 * i + 2);
      expect(y[i]).toBe(stripesLabel(x[0]!, 6));
      const phi = referenceForward(network, x)[0]!;
      if (Math.abs(phi - y[i]!) < 0.5) {
        if (i < 32) correct++;
        // The recorded perturbation replays to an adversarial point at the recorded radius.
        const eta = points.eta.slice(2 * i, 2 * i + 2);
        const z = [x[0]! + eta[0]!, x[1]! + eta[1]!];
        expect(Math.abs(referenceForward(network, z)[0]! - stripesLabel(z[0]!, 6))).toBeGreaterThanOrEqual(0.5);
        expect(Math.max(Math.abs(eta[0]!), Math.abs(eta[1]!))).toBeCloseTo(points.attacked[i]!, 15);
        expect(points.certified[i]!).toBeLessThanOrEqual(points.attacked[i]!);
      } else {
        expect(points.attacked[i]).toBe(0);
        expect(points.certified[i]).toBe(0);
      }
    }
    expect(t.trainAccuracy).toBe(correct / 32);
  });
});

describe('sampling', () => {
  it('a trial draws T from substream 1 and V from substream 2 of its stream (sampleStripes reproduces them)', () => {
    const p = { ...small, method: 'shortcut' as const };
    const t = runInstabilityTrial(core, p, { seed: 31, streamHi: 8, trial: 4 });
    const T = sampleStripes(core, p, p.r, { seed: 31, stream: trialStream(8, 4), substream: 1 });
    const V = sampleStripes(core, p, p.s, { seed: 31, stream: trialStream(8, 4), substream: 2 });
    expect(Array.from(T.x)).toEqual(Array.from(t.train.x));
    expect(Array.from(V.y)).toEqual(Array.from(t.val.y));
  });

  it('finite support uses exactly the M evenly spaced points of each stripe, continuous support the whole interval', () => {
    const p = normaliseInstabilityParams({ m: 5, support: 'finite', M: 3, d: 3 });
    const S = sampleStripes(core, p, 400, { seed: 1, substream: 1 });
    const seen = new Set<string>();
    for (let i = 0; i < S.y.length; i++) {
      const [x1, x2, x3] = [S.x[3 * i]!, S.x[3 * i + 1]!, S.x[3 * i + 2]!];
      const k = Math.min(4, Math.floor(5 * x1));
      const lo = k / 5 + 2 * p.delta;
      const hi = (k + 1) / 5 - 2 * p.delta;
      const idx = ((x1 - lo) / (hi - lo)) * 2;
      expect(Math.abs(idx - Math.round(idx))).toBeLessThan(1e-9);
      seen.add(`${k}:${Math.round(idx)}`);
      expect(S.y[i]).toBe(k & 1);
      expect(x2).toBeCloseTo(0.5 + p.mu * (2 * (k & 1) - 1), 15);
      expect(x3).toBe(0.5);
    }
    expect(seen.size).toBe(15);
    const C = sampleStripes(core, { m: 5 }, 400, { seed: 1, substream: 1 });
    const q = normaliseInstabilityParams({ m: 5 });
    for (let i = 0; i < C.y.length; i++) {
      const x1 = C.x[2 * i]!;
      const k = Math.floor(5 * x1);
      expect(x1).toBeGreaterThanOrEqual(k / 5 + 2 * q.delta);
      expect(x1).toBeLessThanOrEqual((k + 1) / 5 - 2 * q.delta);
    }
  });
});

describe('reference methods', () => {
  it('shortcut σ: accurate, unstable at radius μ on every point, F3 applies and holds', () => {
    const res = runInstabilityTrials(core, { method: 'shortcut', m: 8, r: 64, s: 32 }, { seed: 4, streamHi: 0, tStart: 0, count: 3 });
    for (const r of res) {
      expect(r.accurate).toBe(true);
      expect(r.unstableShare).toBe(1);
      expect(r.pieceBound).toBe(3);
      expect(r.piecesMidline).toBe(1); // σ ignores x_1
      const mu = normaliseInstabilityParams({ m: 8 }).mu;
      expect(r.radius.attackMedian).toBeLessThanOrEqual(mu * (1 + 1e-9));
      expect(r.radius.certMedian).toBeGreaterThan(mu * (1 - 1e-5));
      if (r.stripesCovered === 8) {
        expect(r.f3).toMatchObject({ applies: true, holds: true, predicted: 2 });
        expect(r.f3.witnesses).toBe(8);
      }
    }
  });

  it('construct-stable ψ_T: accurate and certified beyond δ on every point of an observed stripe', () => {
    const p = normaliseInstabilityParams({ method: 'construct-stable', m: 8, r: 64, s: 0 });
    const res = runInstabilityTrials(core, p, { seed: 4, streamHi: 0, tStart: 0, count: 3 });
    for (const r of res) {
      expect(r.accurate).toBe(true);
      expect(r.unstableShare).toBe(0);
      expect(r.radius.certMin).toBeGreaterThanOrEqual(p.delta);
      expect(r.width).toBe(Math.max(1, 2 * r.labelChanges));
      expect(r.f3.applies).toBe(false); // P(N) = width + 1 ≥ m − 1 whenever every stripe is seen
    }
  });

  it('train-variable sizes its width from the data, and trains adversarially on request', () => {
    const range = { seed: 1, streamHi: 0, tStart: 0, count: 1 };
    const [r] = runInstabilityTrials(core, { ...small, method: 'train-variable', widthFactor: 3, depth: 2 }, range);
    expect(r!.dims).toEqual([2, 3 * r!.labelChanges, 3 * r!.labelChanges, 1]);
    const [a] = runInstabilityTrials(core, { ...small, method: 'train-variable', widthFactor: 3, depth: 2, variableAdversarial: true }, range);
    expect(a!.dims).toEqual(r!.dims);
    expect(a!.finalLoss).not.toBe(r!.finalLoss);
    expect(runInstabilityTrials(core, { ...small, method: 'train-variable', widthFactor: 3, depth: 2, variableAdversarial: true }, range)).toEqual([a]);
  });
});

describe('the dichotomy under training', () => {
  it('adversarial training at ρ > μ with P(N) < m − 1 ends inaccurate on ≥ the F4-predicted number of stripes, every seed', () => {
    const p = { method: 'adversarial-train' as const, m: 12, r: 96, s: 48, hidden: [2], epochs: 150, advSteps: 5, pgdSteps: 10, fmnSteps: 20, randomQueries: 20 };
    const mu = normaliseInstabilityParams(p).mu;
    const res: InstabilityTrialResult[] = runInstabilityTrials(core, { ...p, rhoTrain: 1.5 * mu }, { seed: 77, streamHi: 0, tStart: 0, count: 5 });
    for (const r of res) {
      expect(r.pieceBound).toBe(3);
      expect(r.f3.predicted).toBe(4);
      expect(r.stripesCovered).toBe(12);
      expect(r.f4.inaccurateStripes).toBeGreaterThanOrEqual(r.f3.predicted);
      expect(r.f3.witnesses).toBeGreaterThanOrEqual(r.f3.predicted);
    }
  });

  it('a diverged training is a recorded outcome, not an error', () => {
    const [r] = runInstabilityTrials(core, { ...small, method: 'train', optimizer: 'sgd', lr: 1e6, loss: 'mse', init: 'uniform', initScale: 100 }, { seed: 1, streamHi: 0, tStart: 0, count: 1 });
    expect(r!.diverged).toBe(true);
    expect(r!.trainAccuracy).toBeNaN();
  });

  // Memory reuse across trials (a heap probe, not page counts): test/memory-reuse.test.ts.
});

describe('clear errors', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ m: 8, delta: 0.04, mu: 0.01 }, /params\.delta: expected a number in \(0, 1\/\(4m\)\]/],
    [{ m: 8, delta: 0.02, mu: 0.02 }, /params\.mu: expected a number in \(0, δ\)/],
    [{ d: 1 }, /params\.d: expected an integer in \[2,/],
    [{ m: 1 }, /params\.m: expected an integer in \[2,/],
    [{ method: 'magic' }, /params\.method: expected one of: train, adversarial-train/],
    [{ hidden: [] }, /params\.hidden: expected a non-empty array/],
    [{ hidden: [4, 0] }, /params\.hidden\[1\]: expected an integer/],
    [{ attacks: ['pgd', 'cw'] }, /params\.attacks\[1\]: expected one of/],
    [{ radii: [0.01, -1] }, /params\.radii\[1\]: expected a radius > 0/],
    [{ lr: 0 }, /params\.lr: expected a learning rate > 0/],
    [{ support: 'discrete' }, /params\.support: expected one of: continuous, finite/],
    [{ colour: 'blue' }, /params\.colour: unknown parameter/],
  ];
  for (const [params, re] of bad) {
    it(`rejects ${JSON.stringify(params)}`, () => {
      let err: unknown;
      try {
        runInstabilityTrials(core, params, { seed: 1, streamHi: 0, tStart: 0, count: 1 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CoreError);
      expect((err as CoreError).code).toBe('E_ARG');
      expect((err as CoreError).message).toMatch(re);
    });
  }

  it('a trial contradicting a theorem raises E_THEOREM naming seed, stream and trial', () => {
    const p = normaliseInstabilityParams({ m: 8 });
    const [ok] = runInstabilityTrials(core, { ...p, method: 'shortcut' }, { seed: 3, streamHi: 4, tStart: 0, count: 1 });
    expect(() => theoremCheck(p, ok!, 3, 4)).not.toThrow();
    const broken: InstabilityTrialResult[] = [
      { ...ok!, f3: { ...ok!.f3, applies: true, holds: false } },
      { ...ok!, stripesCovered: 8, f3: { ...ok!.f3, witnesses: 0, predictedExact: 2 } },
      { ...ok!, certContradictions: 1 },
    ];
    for (const r of broken) {
      expect(() => theoremCheck(p, r, 3, 4)).toThrow(expect.objectContaining({ code: 'E_THEOREM', message: expect.stringMatching(/seed 3, streamHi 4, trial 0/) }));
    }
    // A diverged trial is never judged.
    expect(() => theoremCheck(p, { ...broken[0]!, diverged: true }, 3, 4)).not.toThrow();
  });

  it('rejects bad stream coordinates', () => {
    expect(() => runInstabilityTrials(core, {}, { seed: -1, streamHi: 0, tStart: 0, count: 1 })).toThrow(/seed: expected an integer in \[0, 2\^53\)/);
    expect(() => runInstabilityTrials(core, {}, { seed: 1, streamHi: 2 ** 32, tStart: 0, count: 1 })).toThrow(/streamHi: expected an integer in \[0, 2\^32\)/);
    expect(() => runInstabilityTrials(core, {}, { seed: 1, streamHi: 0, tStart: 0, count: -2 })).toThrow(/count: expected an integer ≥ 0/);
  });

  it('fills every default and keeps explicit values', () => {
    const p = normaliseInstabilityParams({ m: 16, mu: 0.001 });
    expect(p.delta).toBe(1 / 128);
    expect(p.mu).toBe(0.001);
    expect(p.radii).toEqual([0.0005, 0.001, 0.002]);
    expect(p.rhoTrain).toBeCloseTo(0.0015, 15);
  });
});
