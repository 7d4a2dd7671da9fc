import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Core,
  initNetwork,
  loadCore,
  type Loss,
  type Optimizer,
  train,
  type TrainOptions,
  paramCount,
  layerOffset,
} from '../src/index.js';
import { referenceTrain } from '../src/reference/index.js';
import { maxRelErr, randomNet, randomPoints } from './helpers.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** A small classification set: label 1 above a tilted line. */
function dataset(n: number, d: number, seed: number): { x: Float64Array; y: Float64Array } {
  const x = randomPoints(n, d, seed);
  const y = Float64Array.from({ length: n }, (_, b) => (x[b * d]! + 0.5 * x[b * d + 1]! > 0.1 ? 1 : 0));
  return { x, y };
}


describe('training: core vs the TypeScript reference over 100 steps', () => {
  const runs: Array<{ name: string; o: TrainOptions; dims: number[]; bias: boolean }> = [];
  for (const optimizer of ['sgd', 'momentum', 'adam'] as Optimizer[]) {
    for (const loss of ['mse', 'logistic', 'hinge'] as Loss[]) {
      const lr = optimizer === 'adam' ? 0.01 : 0.05;
      runs.push({ name: `${optimizer}/${loss} full batch`, o: { optimizer, loss, lr, epochs: 100 }, dims: [2, 8, 6, 1], bias: true });
    }
  }
  runs.push({ name: 'sgd/mse minibatch 7 (uneven last batch), shuffled, no bias', o: { lr: 0.05, epochs: 20, batchSize: 7, seed: 3, stream: 9 }, dims: [2, 8, 1], bias: false });
  runs.push({ name: 'adam/logistic minibatch 10, l1 + l2', o: { optimizer: 'adam', loss: 'logistic', lr: 0.01, epochs: 25, batchSize: 10, l1: 1e-3, l2: 1e-3 }, dims: [3, 7, 5, 1], bias: true });
  runs.push({ name: 'momentum/hinge minibatch 16 unshuffled, l2', o: { optimizer: 'momentum', loss: 'hinge', lr: 0.02, epochs: 34, batchSize: 16, shuffle: false, l2: 1e-2 }, dims: [2, 5, 5, 5, 1], bias: true });
  runs.push({ name: 'sgd/mse two outputs, l1', o: { lr: 0.05, epochs: 100, l1: 1e-3 }, dims: [2, 6, 2], bias: true });

  for (const [k, r] of runs.entries()) {
    it(r.name, () => {
      const net = randomNet(r.dims, r.bias, 40 + k);
      const d = r.dims[0]!;
      const nL = r.dims[r.dims.length - 1]!;
      const n = 40;
      const data = dataset(n, d, 50 + k);
      const y = nL === 1 ? data.y : Float64Array.from({ length: n * nL }, (_, i) => data.y[Math.floor(i / nL)]! * (1 + (i % nL)));
      const c = train(core, net, { x: data.x, y }, r.o);
      const ref = referenceTrain(net, { x: data.x, y }, r.o);
      expect(c.status).toBe('completed');
      expect(ref.status).toBe('completed');
      if (c.status !== 'completed') return;
      expect(c.steps).toBe(ref.steps);
      expect(c.steps).toBeGreaterThanOrEqual(100);
      expect(maxRelErr(c.network.params, ref.network.params)).toBeLessThan(1e-8);
      expect(maxRelErr(c.lossHistory, ref.lossHistory)).toBeLessThan(1e-8);
      // The training did something: parameters moved and the loss went down.
      expect(maxRelErr(c.network.params, net.params)).toBeGreaterThan(1e-4);
      expect(c.lossHistory[c.lossHistory.length - 1]!).toBeLessThan(c.lossHistory[0]!);
    });
  }
});

describe('training behaviour', () => {
  it('is deterministic: the same seed gives bit-identical parameters, another seed differs', () => {
    const net = randomNet([2, 10, 1], true, 1);
    const data = dataset(50, 2, 2);
    const o: TrainOptions = { optimizer: 'adam', lr: 0.01, epochs: 30, batchSize: 8, seed: 123, stream: 4 };
    const a = train(core, net, data, o);
    const b = train(core, net, data, o);
    const c = train(core, net, data, { ...o, stream: 5 });
    if (a.status !== 'completed' || b.status !== 'completed' || c.status !== 'completed') throw new Error('diverged');
    expect(Array.from(a.network.params)).toEqual(Array.from(b.network.params));
    expect(Array.from(a.lossHistory)).toEqual(Array.from(b.lossHistory));
    expect(Array.from(c.network.params)).not.toEqual(Array.from(a.network.params));
  });

  it('the release and debug builds train bit-identically', async () => {
    const debug = await loadCore({ target: 'debug' });
    const net = randomNet([2, 7, 5, 1], true, 13);
    const data = dataset(33, 2, 14);
    const o: TrainOptions = { optimizer: 'momentum', loss: 'logistic', lr: 0.05, epochs: 15, batchSize: 6, l1: 1e-3, seed: 8 };
    const a = train(core, net, data, o);
    const b = train(debug, net, data, o);
    if (a.status !== 'completed' || b.status !== 'completed') throw new Error('diverged');
    expect(Array.from(b.network.params)).toEqual(Array.from(a.network.params));
  });

  it('does not modify the input network', () => {
    const net = randomNet([2, 4, 1], true, 3);
    const before = net.params.slice();
    train(core, net, dataset(10, 2, 4), { epochs: 5 });
    expect(Array.from(net.params)).toEqual(Array.from(before));
  });

  it('reports divergence as an outcome, with the steps completed', () => {
    const net = randomNet([2, 16, 16, 1], true, 5);
    const data = dataset(30, 2, 6);
    const r = train(core, net, { x: data.x, y: data.y.map((v) => v * 1e3) }, { lr: 50, epochs: 500 });
    expect(r.status).toBe('diverged');
    if (r.status !== 'diverged') return;
    expect(r.steps).toBeLessThan(500);
    expect(r.lossHistory.length).toBe(r.steps);
    expect(r.lossHistory.every((v) => Number.isFinite(v))).toBe(true);
    expect(r.message).toMatch(/diverged after \d+ steps/);
    expect('network' in r).toBe(false);
  });

  it('learns a separable problem to zero classification error', () => {
    const net = initNetwork(core, [2, 16, 1], true, { seed: 7 });
    const data = dataset(100, 2, 8);
    const r = train(core, net, data, { optimizer: 'adam', lr: 0.02, epochs: 400, loss: 'mse' });
    if (r.status !== 'completed') throw new Error(r.message);
    expect(r.lossHistory[399]!).toBeLessThan(0.1 * r.lossHistory[0]!);
  });

  it('a strong ℓ1 penalty sets weights exactly to zero (proximal step) and leaves biases alone', () => {
    const net = randomNet([2, 6, 1], true, 9);
    const r = train(core, net, dataset(20, 2, 10), { lr: 0.1, l1: 5, epochs: 20 });
    if (r.status !== 'completed') throw new Error(r.message);
    const nw = 2 * 6;
    expect(Array.from(r.network.params.subarray(0, nw)).every((w) => w === 0)).toBe(true);
    expect(Array.from(r.network.params.subarray(nw, nw + 6)).some((b) => b !== 0)).toBe(true);
  });

  it('epochs = 0 returns the network unchanged', () => {
    const net = randomNet([2, 3, 1], false, 11);
    const r = train(core, net, dataset(5, 2, 12), { epochs: 0 });
    if (r.status !== 'completed') throw new Error(r.message);
    expect(Array.from(r.network.params)).toEqual(Array.from(net.params));
    expect(r.steps).toBe(0);
  });
});

describe('initialisation', () => {
  const dims = [50, 80, 1];
  const stats = (a: Float64Array) => {
    const m = a.reduce((s, v) => s + v, 0) / a.length;
    return { m, v: a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length, max: Math.max(...a.map(Math.abs)) };
  };
  const w1 = (p: Float64Array) => p.subarray(0, 50 * 80);

  it('he: N(0, 2/fan_in); biases zero; deterministic per stream', () => {
    const net = initNetwork(core, dims, true, { init: 'he', seed: 1 });
    const s = stats(w1(net.params));
    expect(Math.abs(s.v / (2 / 50) - 1)).toBeLessThan(0.1);
    expect(Math.abs(s.m)).toBeLessThan(0.02);
    expect(Array.from(net.params.subarray(50 * 80, 50 * 80 + 80)).every((b) => b === 0)).toBe(true);
    expect(Array.from(initNetwork(core, dims, true, { init: 'he', seed: 1 }).params)).toEqual(Array.from(net.params));
    expect(Array.from(initNetwork(core, dims, true, { init: 'he', seed: 1, stream: 1 }).params)).not.toEqual(Array.from(net.params));
  });

  it('xavier: U(±sqrt(6/(fan_in+fan_out))) per layer', () => {
    const net = initNetwork(core, dims, false, { init: 'xavier', seed: 2 });
    const a = Math.sqrt(6 / 130);
    const s = stats(w1(net.params));
    expect(s.max).toBeLessThanOrEqual(a);
    expect(Math.abs(s.v / (a * a / 3) - 1)).toBeLessThan(0.1);
    const last = net.params.subarray(layerOffset(dims, false, 2));
    expect(stats(last).max).toBeLessThanOrEqual(Math.sqrt(6 / 81));
  });

  it('uniform(initScale) and normal(σ)', () => {
    const u = stats(w1(initNetwork(core, dims, true, { init: 'uniform', initScale: 0.3, seed: 3 }).params));
    expect(u.max).toBeLessThanOrEqual(0.3);
    expect(Math.abs(u.v / (0.09 / 3) - 1)).toBeLessThan(0.1);
    const g = stats(w1(initNetwork(core, dims, true, { init: 'normal', initScale: 0.5, seed: 4 }).params));
    expect(Math.abs(g.v / 0.25 - 1)).toBeLessThan(0.1);
    expect(initNetwork(core, dims, true).params.length).toBe(paramCount(dims, true));
  });
});
