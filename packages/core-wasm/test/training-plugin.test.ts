import { beforeAll, describe, expect, it } from 'vitest';
import { CoreError, loadCore, runTrainingPluginTrial, judgeNetwork, type Core, type TrainingPlugin } from '../src/index.js';
import { runInstabilityTrial } from '../src/instability/index.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** A plugin that does what the built-in `train` method does, through the kernels it is given. */
const sameAsTrain: TrainingPlugin = (ctx) => {
  const o = ctx.options as Record<string, never>;
  const net = ctx.kernels.initNetwork();
  const r = ctx.kernels.train(net, { x: ctx.train.x, y: ctx.train.y }, {
    loss: o.loss, optimizer: o.optimizer, lr: o.lr, beta1: o.beta1, beta2: o.beta2, adamEps: o.adamEps, l1: o.l1, l2: o.l2,
    epochs: o.epochs, batchSize: o.batchSize, shuffle: o.shuffle,
  });
  if (r.status !== 'completed') throw new Error(r.message);
  return r.network;
};

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
  it('a plugin calling the same kernels reproduces the built-in train method bit for bit', () => {
    for (const [i, c] of cases.entries()) {
      const stream = { seed: 900 + i, streamHi: 17, trial: 3 };
      const builtin = runInstabilityTrial(core, { ...c, method: 'train', certify: [], attacks: ['fgsm'] }, stream);
      const { network, judged } = runTrainingPluginTrial(core, c, stream, sameAsTrain, `case ${i}`);
      expect(network.dims).toEqual(builtin.network.dims);
      expect(Array.from(network.params)).toEqual(Array.from(builtin.network.params));
      expect(judged.trainAccuracy).toBe(builtin.trainAccuracy);
      expect(judged.valAccuracy).toBe(builtin.valAccuracy);
      expect(judged.piecesMidline).toBe(builtin.piecesMidline);
      expect(judged.stripesCovered).toBe(builtin.stripesCovered);
      expect(judged.f3.predicted).toBe(builtin.f3.predicted);
      expect(judged.f3.predictedExact).toBe(builtin.f3.predictedExact);
      expect(judged.f3.witnesses).toBe(builtin.f3.witnesses);
      expect(judged.certified.min).toBeLessThanOrEqual(judged.attacked.min);
    }
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

  it('network-file: a fixed network is judged on the trial data like a trained one', () => {
    const stream = { seed: 7, streamHi: 0, trial: 1 };
    const t = runInstabilityTrial(core, { m: 8, method: 'shortcut', certify: [], attacks: ['fgsm'] }, stream);
    const j = judgeNetwork(core, { m: 8, method: 'shortcut' }, stream, t.network);
    expect(j.trainAccuracy).toBe(t.trainAccuracy);
    expect(j.f3.predicted).toBe(t.f3.predicted);
    expect(j.piecesMidline).toBe(t.piecesMidline);
    expect(err(() => judgeNetwork(core, { m: 8, d: 3 }, stream, t.network)).message).toMatch(/expected \[3, …, 1\]/);
  });
});
