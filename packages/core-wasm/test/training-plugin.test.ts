import { beforeAll, describe, expect, it } from 'vitest';
import { CoreError, loadCore, runTrainingPluginTrial, type Core, type TrainingPlugin } from '../src/index.js';
import { measureNetwork, runInstabilityTrial, runInstabilityTrials } from '../src/instability/index.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** A plugin that does what the built-in `train` method does, through the kernels it is given, and returns what `train` returned. */
const sameAsTrain: TrainingPlugin = (ctx) => {
  const o = ctx.options as Record<string, never>;
  const net = ctx.kernels.initNetwork();
  return ctx.kernels.train(net, { x: ctx.train.x, y: ctx.train.y }, {
    loss: o.loss, optimizer: o.optimizer, lr: o.lr, beta1: o.beta1, beta2: o.beta2, adamEps: o.adamEps, l1: o.l1, l2: o.l2,
    epochs: o.epochs, batchSize: o.batchSize, shuffle: o.shuffle,
  });
};

/** A trial record without its trial-local objects, for whole-record equality (NaN equals NaN in toEqual). */
const record = (t: object): unknown => JSON.parse(JSON.stringify(t, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)));

function err(f: () => unknown): CoreError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CoreError);
    return e as CoreError;
  }
  throw new Error('expected an error');
}

describe('training plugins (Result I)', () => {
  const cases = [
    { m: 8, hidden: [6, 6], optimizer: 'adam', epochs: 60, r: 48, s: 16 },
    { m: 6, hidden: [5], optimizer: 'sgd', lr: 0.1, epochs: 40, batchSize: 8, r: 40, s: 10, loss: 'logistic' },
    { m: 6, hidden: [4, 3], optimizer: 'momentum', lr: 0.05, epochs: 30, batchSize: 16, r: 32, s: 8, l2: 0.001 },
  ];
  it('a plugin returning what the train kernel returned reproduces the built-in train trial bit for bit, every field', () => {
    for (const [i, c] of cases.entries()) {
      const stream = { seed: 900 + i, streamHi: 17, trial: 3 };
      const q = { ...c, radii: [0.002, 0.01] };
      const builtin = runInstabilityTrial(core, { ...q, method: 'train' }, stream);
      const { network, measured } = runTrainingPluginTrial(core, q, stream, sameAsTrain, `case ${i}`);
      expect(network.dims).toEqual(builtin.network.dims);
      expect(Array.from(network.params)).toEqual(Array.from(builtin.network.params));
      // The whole record: accuracy, unstable share, robust accuracy, radii, gap, pieces, F3/F4, witness checks, evaluations, final loss, per-point brackets.
      expect(record(measured)).toEqual(record(builtin));
      // The batch path (one WASM call for many trials) gives the same record too.
      const { network: _n, train: _t, val: _v, points: _p, ...plain } = builtin;
      expect(record(runInstabilityTrials(core, { ...q, method: 'train' }, { seed: stream.seed, streamHi: 17, tStart: 3, count: 1 })[0]!)).toEqual(record(plain));
      expect(Number.isFinite(measured.finalLoss)).toBe(true);
      expect(measured.unstableShare).toBeGreaterThanOrEqual(0);
      // A bare network has no loss: NaN there, every measured column the same.
      const bare = runTrainingPluginTrial(core, q, stream, (ctx) => (sameAsTrain(ctx) as { network: never }).network).measured;
      expect(bare.finalLoss).toBeNaN();
      expect(record({ ...bare, finalLoss: 0 })).toEqual(record({ ...builtin, finalLoss: 0 }));
      // { network, finalLoss } reports the loss given.
      expect(runTrainingPluginTrial(core, q, stream, (ctx) => ({ network: (sameAsTrain(ctx) as { network: never }).network, finalLoss: 0.25 })).measured.finalLoss).toBe(0.25);
    }
  });

  it('a diverged training returned as it is records a diverged trial, as the built-in method does', () => {
    const c = { m: 6, r: 32, s: 16, hidden: [4, 4], epochs: 80, optimizer: 'sgd', lr: 1e6, loss: 'mse', init: 'uniform', initScale: 100 };
    const stream = { seed: 1, streamHi: 0, trial: 0 };
    const builtin = runInstabilityTrial(core, { ...c, method: 'train' }, stream);
    expect(builtin.diverged).toBe(true);
    const { measured } = runTrainingPluginTrial(core, c, stream, sameAsTrain);
    expect(measured.diverged).toBe(true);
    expect(measured.trainAccuracy).toBeNaN();
    expect(measured.labelChanges).toBe(builtin.labelChanges);
  });

  it('the context is frozen and has no path to the truth', () => {
    let seen: string[] = [];
    const spy: TrainingPlugin = (ctx) => {
      seen = Object.keys(ctx).sort();
      expect(Object.isFrozen(ctx)).toBe(true);
      expect(Object.isFrozen(ctx.options)).toBe(true);
      expect(() => {
        (ctx as unknown as { dims: number[] }).dims = [1];
      }).toThrow();
      expect(JSON.stringify(ctx.options)).not.toMatch(/"(m|mu|delta|s)"/);
      return sameAsTrain(ctx);
    };
    runTrainingPluginTrial(core, cases[0]!, { seed: 1, streamHi: 0, trial: 0 }, spy);
    expect(seen).toEqual(['bias', 'dims', 'kernels', 'options', 'rng', 'train']);
  });

  it('a throwing or malformed plugin is reported with cell, seed and trial', () => {
    const stream = { seed: 42, streamHi: 0, trial: 5 };
    const thrower: TrainingPlugin = () => {
      throw new Error('out of ideas');
    };
    expect(err(() => runTrainingPluginTrial(core, cases[1]!, stream, thrower, 'cell m=6')).message).toBe('cell m=6, seed 42, trial 5: the training plugin threw: out of ideas');
    const wrongDims: TrainingPlugin = (ctx) => ({ dims: [2, 3, 1], bias: ctx.bias, params: new Float64Array(13) });
    expect(err(() => runTrainingPluginTrial(core, cases[1]!, stream, wrongDims, 'c')).message).toBe('c, seed 42, trial 5: the training plugin returned a network with dims [2,3,1], the architecture is fixed at [2, 5, 1]');
    const nan: TrainingPlugin = (ctx) => ({ dims: ctx.dims, bias: ctx.bias, params: new Float64Array(21).fill(NaN) });
    expect(err(() => runTrainingPluginTrial(core, cases[1]!, stream, nan, 'c')).message).toBe('c, seed 42, trial 5: the training plugin returned a non-finite parameter 0 (NaN)');
    const nothing = (() => undefined) as unknown as TrainingPlugin;
    expect(err(() => runTrainingPluginTrial(core, cases[1]!, stream, nothing, 'c')).message).toBe('c, seed 42, trial 5: the training plugin returned undefined, expected a network { dims, bias, params }');
  });

  it('network-file: a fixed network is measured on the trial data exactly like the method that built it', () => {
    for (const method of ['shortcut', 'construct-stable', 'adversarial-train']) {
      const stream = { seed: 7, streamHi: 5, trial: 1 };
      const q = { m: 8, method, hidden: [6], epochs: 10, r: 24, s: 8 };
      const t = runInstabilityTrial(core, q, stream);
      const j = measureNetwork(core, { ...q, method: 'train' }, stream, t.network, { finalLoss: t.finalLoss });
      expect([method, record(j)]).toEqual([method, record(t)]);
    }
    const stream = { seed: 7, streamHi: 0, trial: 1 };
    const t = runInstabilityTrial(core, { m: 8, method: 'shortcut' }, stream);
    expect(err(() => measureNetwork(core, { m: 8, d: 3 }, stream, t.network)).message).toMatch(/expected \[3, …, 1\]/);
    expect(err(() => measureNetwork(core, { m: 8 }, stream, { dims: [2, 2, 2], bias: true, params: new Float64Array(12) })).code).toBe('E_SHAPE');
  });
});
