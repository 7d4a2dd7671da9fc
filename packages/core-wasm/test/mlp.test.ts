import { beforeAll, describe, expect, it } from 'vitest';
import {
  backward,
  type Core,
  forward,
  loadCore,
  lossAndGradient,
  type Loss,
  type Network,
  createNetwork,
} from '../src/index.js';
import { referenceBackward, referenceForward, referenceLossAndGradient } from '../src/reference/index.js';
import { ARCHS, maxRelErr, randomNet, randomPoints } from './helpers.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** Central finite difference of f at `v[i]`. */
function fd(f: () => number, v: Float64Array, i: number, h: number): number {
  const x = v[i]!;
  v[i] = x + h;
  const a = f();
  v[i] = x - h;
  const b = f();
  v[i] = x;
  return (a - b) / (2 * h);
}

function cases(): Array<{ dims: number[]; bias: boolean; seed: number }> {
  const out = [];
  let seed = 1;
  for (const dims of ARCHS) for (const bias of [true, false]) out.push({ dims, bias, seed: seed++ });
  return out;
}

describe('backward vs central finite differences', () => {
  for (const { dims, bias, seed } of cases()) {
    it(`dims [${dims}] bias=${bias}: parameter and input gradients`, () => {
      const net = randomNet(dims, bias, seed);
      const n = 3;
      const d = dims[0]!;
      const nL = dims[dims.length - 1]!;
      const x = randomPoints(n, d, seed + 100);
      const gOut = randomPoints(n, nL, seed + 200);
      const objective = (nn: Network, xx: Float64Array) => {
        const o = forward(core, nn, xx);
        let s = 0;
        for (let i = 0; i < o.length; i++) s += gOut[i]! * o[i]!;
        return s;
      };
      const { gradParams, gradInputs } = backward(core, net, x, gOut);
      const params = net.params.slice();
      const probe: Network = { dims: net.dims, bias: net.bias, params };
      // A ReLU kink inside [x − h, x + h] would spoil the difference; at h = 1e-6 on random data
      // that has probability ~1e-5 per coordinate, and the tolerance still covers it loosely.
      for (let i = 0; i < params.length; i++) {
        const num = fd(() => objective(probe, x), params, i, 1e-6);
        expect(Math.abs(num - gradParams[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(num)));
      }
      const xx = x.slice();
      for (let i = 0; i < xx.length; i++) {
        const num = fd(() => objective(net, xx), xx, i, 1e-6);
        expect(Math.abs(num - gradInputs[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(num)));
      }
    });
  }

  for (const loss of ['mse', 'logistic', 'hinge'] as Loss[]) {
    it(`lossAndGradient(${loss}) matches finite differences of the loss`, () => {
      const net = randomNet([3, 6, 4, 1], true, 77);
      const n = 9;
      const x = randomPoints(n, 3, 78);
      const y = Float64Array.from({ length: n }, (_, i) => i % 2);
      const { loss: v, grad } = lossAndGradient(core, net, { x, y }, loss);
      const params = net.params.slice();
      const probe: Network = { dims: net.dims, bias: true, params };
      const f = () => lossAndGradient(core, probe, { x, y }, loss).loss;
      expect(f()).toBe(v);
      for (let i = 0; i < params.length; i++) {
        const num = fd(f, params, i, 1e-6);
        expect(Math.abs(num - grad[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(num)));
      }
    });
  }
});

describe('core vs the plain-TypeScript reference', () => {
  for (const { dims, bias, seed } of cases()) {
    it(`dims [${dims}] bias=${bias}: forward, backward, loss gradients to 1e-12`, () => {
      const net = randomNet(dims, bias, seed);
      const d = dims[0]!;
      const nL = dims[dims.length - 1]!;
      const n = 37; // odd and larger than one SIMD tile, smaller than a batch chunk
      const x = randomPoints(n, d, seed + 300);
      const out = forward(core, net, x);
      expect(maxRelErr(out, referenceForward(net, x))).toBeLessThan(1e-12);
      const gOut = randomPoints(n, nL, seed + 400);
      const b = backward(core, net, x, gOut);
      const gp = new Float64Array(net.params.length);
      for (let i = 0; i < n; i++) {
        const gx = referenceBackward(net, x.subarray(i * d, (i + 1) * d), gOut.subarray(i * nL, (i + 1) * nL), gp);
        expect(maxRelErr(b.gradInputs.subarray(i * d, (i + 1) * d), gx)).toBeLessThan(1e-12);
      }
      expect(maxRelErr(b.gradParams, gp)).toBeLessThan(1e-12);
      const y = Float64Array.from({ length: n * nL }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0);
      for (const loss of nL === 1 ? (['mse', 'logistic', 'hinge'] as Loss[]) : (['mse'] as Loss[])) {
        const c = lossAndGradient(core, net, { x, y }, loss);
        const r = referenceLossAndGradient(net, x, y, loss);
        expect(Math.abs(c.loss - r.loss) / Math.max(1, r.loss)).toBeLessThan(1e-12);
        expect(maxRelErr(c.grad, r.grad)).toBeLessThan(1e-12);
      }
    });
  }

  it('a point gives bit-identical outputs alone or inside batches of any size', () => {
    const net = randomNet([3, 8, 5, 1], true, 5);
    const x = randomPoints(150, 3, 6); // crosses the 64-point chunk boundary twice
    const all = forward(core, net, x);
    for (const i of [0, 1, 63, 64, 65, 128, 149]) {
      expect(forward(core, net, x.subarray(3 * i, 3 * i + 3))[0]).toBe(all[i]);
      expect(backward(core, net, x.subarray(3 * i, 3 * i + 3)).outputs[0]).toBe(all[i]);
    }
    // The reference sums in the same order, so it is bit-identical too.
    expect(Array.from(referenceForward(net, x))).toEqual(Array.from(all));
  });

  it('a hand-computed network: φ(x) = relu(x1 − x2) − 2·relu(x2) + 0.5', () => {
    const net = createNetwork([2, 2, 1], true, [1, -1, 0, 1, 0, 0, 1, -2, 0.5]);
    expect(Array.from(forward(core, net, [3, 1, 1, 3, -1, -2]))).toEqual([0.5, -5.5, 1.5]);
    const b = backward(core, net, [3, 1]);
    expect(Array.from(b.gradInputs)).toEqual([1, -3]);
  });
});
