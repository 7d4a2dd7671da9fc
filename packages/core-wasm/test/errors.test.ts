import { beforeAll, describe, expect, it } from 'vitest';
import {
  backward,
  type Core,
  CoreError,
  countPieces,
  createNetwork,
  forward,
  initNetwork,
  LIMITS,
  loadCore,
  lossAndGradient,
  type Network,
  train,
} from '../src/index.js';
import { normaliseInstabilityParams } from '../src/instability/index.js';
import { makeHardPair, normaliseNoncomputabilityParams, resolveAlgorithm } from '../src/noncomputability/index.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore({ target: 'debug' });
});

/** Expect `f` to throw a CoreError with `code` and a message matching `msg`. */
function throwsCore(f: () => unknown, code: string, msg: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a CoreError').toBeInstanceOf(CoreError);
  expect((err as CoreError).code).toBe(code);
  expect((err as CoreError).message).toMatch(msg);
}

const good = (): Network => createNetwork([2, 3, 1], true, new Float64Array(13).fill(0.1));
const data = { x: [0, 0, 1, 1], y: [0, 1] };

describe('bad arguments throw typed errors, never traps', () => {
  it('zero, negative, fractional and missing widths', () => {
    throwsCore(() => createNetwork([2, 0, 1], true), 'E_ARG', /dims\[1\]: expected an integer width ≥ 1, got 0/);
    throwsCore(() => createNetwork([2, -3, 1], true), 'E_ARG', /dims\[1\].*got -3/);
    throwsCore(() => createNetwork([2.5, 1], true), 'E_ARG', /dims\[0\].*got 2.5/);
    throwsCore(() => createNetwork([2], true), 'E_ARG', /at least 2 entries/);
    throwsCore(() => initNetwork(core, [2, Number.NaN, 1], true), 'E_ARG', /dims\[1\].*NaN/);
  });

  it('sizes over the documented limits', () => {
    throwsCore(() => createNetwork([2, LIMITS.maxWidth + 1, 1], true), 'E_RANGE', /width 4097 exceeds the limit of 4096/);
    throwsCore(() => createNetwork(new Array<number>(LIMITS.maxLayers + 2).fill(2), true), 'E_RANGE', /65 layers exceed the limit of 64/);
    throwsCore(() => createNetwork([4096, 4096, 4096], true), 'E_RANGE', /parameters exceed the limit/);
    throwsCore(() => train(core, good(), data, { epochs: LIMITS.maxEpochs + 1 }), 'E_ARG', /epochs: expected an integer in \[0, 10000000\]/);
  });

  it('mismatched shapes', () => {
    throwsCore(() => createNetwork([2, 3, 1], true, [1, 2, 3]), 'E_SHAPE', /params: expected 13 values/);
    throwsCore(() => forward(core, good(), [1, 2, 3]), 'E_SHAPE', /x: length 3 is not a multiple of the dimension 2/);
    throwsCore(() => train(core, good(), { x: [0, 0, 1, 1], y: [0] }), 'E_SHAPE', /data.y: expected 2 targets \(2 points × 1 outputs\), got 1/);
    throwsCore(() => train(core, good(), { x: [], y: [] }), 'E_SHAPE', /at least one point/);
    throwsCore(() => backward(core, good(), [0, 0], [1, 2]), 'E_SHAPE', /gOut: expected 1 values, got 2/);
    throwsCore(() => countPieces(core, good(), [0], [1, 1]), 'E_SHAPE', /p: expected 2 values, got 1/);
    const bad = { dims: [2, 3, 1], bias: true, params: new Float64Array(12) };
    throwsCore(() => forward(core, bad, [0, 0]), 'E_SHAPE', /network.params: expected 13 values/);
  });

  it('NaN and infinite numbers', () => {
    throwsCore(() => train(core, good(), data, { lr: Number.NaN }), 'E_ARG', /lr: expected a finite number in .*got NaN/);
    throwsCore(() => train(core, good(), data, { lr: -1 }), 'E_ARG', /lr: .*got -1/);
    throwsCore(() => train(core, good(), data, { beta1: 1 }), 'E_ARG', /beta1/);
    throwsCore(() => train(core, good(), { x: [0, Number.NaN, 1, 1], y: [0, 1] }), 'E_ARG', /data.x\[1\]: expected a finite number, got NaN/);
    throwsCore(() => lossAndGradient(core, good(), { x: [0, 0], y: [Infinity] }), 'E_ARG', /data.y\[0\].*Infinity/);
    const p = good().params.slice();
    p[4] = Number.NaN;
    throwsCore(() => forward(core, { dims: [2, 3, 1], bias: true, params: p }, [0, 0]), 'E_ARG', /network.params\[4\]: expected a finite number/);
  });

  it('unknown names and wrong types', () => {
    throwsCore(() => train(core, good(), data, { loss: 'l2' as never }), 'E_ARG', /loss: expected one of mse, logistic, hinge, got "l2"/);
    throwsCore(() => train(core, good(), data, { optimizer: 'rmsprop' as never }), 'E_ARG', /optimizer: expected one of sgd, momentum, adam/);
    throwsCore(() => initNetwork(core, [2, 1], true, { init: 'lecun' as never }), 'E_ARG', /init: expected one of he, xavier, uniform, normal/);
    throwsCore(() => train(core, createNetwork([2, 2], true), { x: [0, 0], y: [0, 1] }, { loss: 'hinge' }), 'E_ARG', /hinge needs a single output/);
    throwsCore(() => forward(core, { dims: [2, 1], bias: 'yes', params: new Float64Array(3) } as never, [0, 0]), 'E_ARG', /network.bias/);
    throwsCore(() => forward(core, good(), 'abc' as never), 'E_ARG', /x: expected an array of numbers/);
    throwsCore(() => train(core, good(), data, { seed: -5 }), 'E_ARG', /seed/);
    throwsCore(() => train(core, good(), data, { batchSize: 1.5 }), 'E_ARG', /batchSize/);
  });

  it('finite inputs whose results overflow f64 throw E_NONFINITE instead of returning ∞/NaN', () => {
    const huge = createNetwork([2, 2, 1], true, [1e200, 1e200, 1e200, 1e200, 0, 0, 1e200, 1e200, 0]);
    throwsCore(() => forward(core, huge, [1, 1]), 'E_NONFINITE', /forward: value Infinity at point 0/);
    throwsCore(() => backward(core, huge, [1, 1]), 'E_NONFINITE', /backward/);
    throwsCore(() => lossAndGradient(core, huge, { x: [1, 1], y: [0] }), 'E_NONFINITE', /lossAndGradient/);
  });

  it('the core stays usable after an error', () => {
    expect(() => train(core, good(), data, { lr: Number.NaN })).toThrow(CoreError);
    expect(forward(core, good(), [1, 1]).length).toBe(1);
  });
});

describe('parameter errors carry structured fields (programs read these, never the message)', () => {
  function caught(f: () => unknown): CoreError {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(CoreError);
      return e as CoreError;
    }
    throw new Error('expected a CoreError');
  }

  it('instability: enum values, nested indices, ranges and unknown keys', () => {
    const loss = caught(() => normaliseInstabilityParams({ loss: 'l2' }));
    expect(loss.message).toBe('params.loss: expected one of: mse, logistic, hinge, got "l2"');
    expect({ code: loss.code, path: loss.path, allowed: loss.allowed, value: loss.value, choices: loss.choices }).toEqual({
      code: 'E_ARG', path: ['loss'], allowed: 'one of: mse, logistic, hinge', value: 'l2', choices: ['mse', 'logistic', 'hinge'],
    });
    const atk = caught(() => normaliseInstabilityParams({ attacks: ['pgd', 'cw'] }));
    expect(atk.message).toBe('params.attacks[1]: expected one of: fgsm, pgd, fmn, bisect, line, deepfool, random, got "cw"');
    expect([atk.path, atk.value, atk.choices?.length]).toEqual([['attacks', 1], 'cw', 7]);
    const w = caught(() => normaliseInstabilityParams({ hidden: [8, 0] }));
    expect([w.path, w.allowed, w.value, w.choices]).toEqual([['hidden', 1], 'an integer in [1, 4096]', 0, undefined]);
    const mu = caught(() => normaliseInstabilityParams({ m: 4, delta: 0.05, mu: 0.06 }));
    expect([mu.path, mu.value]).toEqual([['mu'], 0.06]);
    expect(mu.message).toBe(`params.mu: expected ${mu.allowed}, got 0.06`);
    const unknown = caught(() => normaliseInstabilityParams({ widht: 3 }));
    expect(unknown.message).toMatch(/^params\.widht: unknown parameter; allowed: d, m, /);
    expect([unknown.path, unknown.value]).toEqual([['widht'], 3]);
    expect(unknown.choices).toContain('widthFactor');
    expect(unknown.choices).not.toContain('widht');
    const notObj = caught(() => normaliseInstabilityParams(7 as never));
    expect([notObj.path, notObj.value]).toEqual([[], 7]);
  });

  it('noncomputability: the same fields in the same shape', () => {
    const base = { algorithm: 'gd', K: 3, readBits: 8 };
    const init = caught(() => normaliseNoncomputabilityParams({ ...base, init: 'lecun' }));
    expect(init.message).toBe('noncomputability params.init: expected one of "he", "xavier", "uniform", "normal", got "lecun"');
    expect([init.path, init.value, init.choices]).toEqual([['init'], 'lecun', ['he', 'xavier', 'uniform', 'normal']]);
    const k = caught(() => normaliseNoncomputabilityParams({ ...base, K: 0 }));
    expect([k.path, k.allowed, k.value, k.choices]).toEqual([['K'], 'an integer in [1, 1000]', 0, undefined]);
    const eps = caught(() => normaliseNoncomputabilityParams({ ...base, epsilons: [0.1, -1] }));
    expect([eps.path, eps.value]).toEqual([['epsilons', 1], -1]);
    const alg = caught(() => resolveAlgorithm('gdd', null));
    expect([alg.path, alg.value]).toEqual([['algorithm'], 'gdd']);
    expect(alg.choices).toEqual(expect.arrayContaining(['gd', 'restarts', 'plugin']));
    const lam = caught(() => makeHardPair(normaliseNoncomputabilityParams({ ...base, lambda: 100 }), 1));
    expect([lam.path, lam.value]).toEqual([['lambda'], 100]);
    expect(lam.message).toContain(`params.lambda: expected ${lam.allowed}, got 100`);
  });

  it('errors about other arguments leave the fields unset', () => {
    const e = caught(() => createNetwork([2, 0, 1], true));
    expect([e.path, e.allowed, e.choices, 'value' in e]).toEqual([undefined, undefined, undefined, false]);
  });
});
