import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CoreError, PhiloxStream, loadCore, type Core } from '../src/index.js';
import { costAndGradInCore, costTs, linearNetwork, optimiseInCore, probes, type ProblemShape } from '../src/noncomputability/kernel.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

function problem(seed: number, d = 2, width = 4, samples = 8, lambda = 0.05): { shape: ProblemShape; x: Float64Array; y: Float64Array } {
  const g = new PhiloxStream({ seed, substream: 99 });
  const x = Float64Array.from({ length: samples * d }, () => g.uniform() * 1.5);
  const y = Float64Array.from({ length: samples }, () => 0.5 + g.uniform());
  return { shape: { d, width, samples, lambda }, x, y };
}

function randomTheta(seed: number, P: number, scale = 1): Float64Array {
  const g = new PhiloxStream({ seed, substream: 7 });
  return Float64Array.from({ length: P }, () => (2 * g.uniform() - 1) * scale);
}

/** Plain-TS gradient of the mean squared error (independent of the kernel's loop order). */
function mseGradRef(shape: ProblemShape, th: Float64Array, x: Float64Array, y: Float64Array, idx: number[]): Float64Array {
  const { d, width: W } = shape;
  const g = new Float64Array(th.length);
  for (const j of idx) {
    const h = Array.from({ length: W }, (_, i) => {
      let s = 0;
      for (let k = 0; k < d; k++) s += th[i * d + k]! * x[j * d + k]!;
      return s;
    });
    const phi = h.reduce((s, hi, i) => s + (hi > 0 ? th[W * d + i]! * hi : 0), 0);
    const e = (2 / idx.length) * (phi - y[j]!);
    for (let i = 0; i < W; i++) {
      if (h[i]! <= 0) continue;
      g[W * d + i]! += e * h[i]!;
      for (let k = 0; k < d; k++) g[i * d + k]! += e * th[W * d + i]! * x[j * d + k]!;
    }
  }
  return g;
}

const soft = (z: number, t: number): number => (z > t ? z - t : z < -t ? z + t : 0);
const all = (r: number): number[] => Array.from({ length: r }, (_, j) => j);

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

describe('noncomputability kernel: cost and gradient', () => {
  it('matches the TypeScript cost and central finite differences', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 1e6 }), (d, W, r, seed) => {
        const { shape, x, y } = problem(seed, d, W, r);
        const th = randomTheta(seed, W * d + W);
        const { cost, grad } = costAndGradInCore(core, shape, { x, y }, th);
        expect(Math.abs(cost - costTs(shape, th, x, y))).toBeLessThan(1e-12 * Math.max(1, cost));
        expect(maxRel(grad, mseGradRef(shape, th, x, y, all(r)))).toBeLessThan(1e-12);
        const mse = (t: Float64Array): number => costTs({ ...shape, lambda: 0 }, t, x, y);
        const h = 1e-6;
        for (let i = 0; i < th.length; i++) {
          const tp = th.slice();
          const tm = th.slice();
          tp[i]! += h;
          tm[i]! -= h;
          const fd = (mse(tp) - mse(tm)) / (2 * h);
          // A kink of ReLU inside [θ_i − h, θ_i + h] would spoil the difference quotient: skip those.
          const kink = Math.abs(fd - (mse(tp) - mse(th)) / h) > 1e-4;
          if (!kink) expect(Math.abs(fd - grad[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('noncomputability kernel: optimisers against a TypeScript reference', () => {
  const { shape, x, y } = problem(3);
  const P = shape.width * shape.d + shape.width;
  const start = randomTheta(11, P, 0.8);
  const net = { w: start.slice(0, 8), v: start.slice(8) };

  it.each([1, 3, 4, 5])('proximal gd (W = %i; odd widths use a padding neuron inside the kernel)', (W) => {
    const pr = problem(3, 2, W);
    const PW = 3 * W;
    const st = randomTheta(11 + W, PW, 0.8);
    const res = optimiseInCore(core, pr.shape, pr, { method: 'gd', steps: 200, lr: 0.07, start: { w: st.slice(0, 2 * W), v: st.slice(2 * W) } }, 1, 2);
    const th = st.slice();
    for (let s = 0; s < 200; s++) {
      const g = mseGradRef(pr.shape, th, pr.x, pr.y, all(8));
      for (let i = 0; i < PW; i++) th[i] = soft(th[i]! - 0.07 * g[i]!, 0.07 * pr.shape.lambda);
    }
    expect(maxRel([...res.network.w, ...res.network.v], th)).toBeLessThan(1e-10);
    expect(res.steps).toBe(200);
    expect(res.cost).toBeCloseTo(costTs(pr.shape, th, pr.x, pr.y), 10);
    // Annealing perturbs only real weights: its result is a width-W network whose cost it reports.
    const an = optimiseInCore(core, pr.shape, pr, { method: 'anneal', steps: 300 }, 3, 4);
    expect(an.cost).toBeCloseTo(costTs(pr.shape, Float64Array.from([...an.network.w, ...an.network.v]), pr.x, pr.y), 12);
  });

  it('minibatch proximal sgd draws the same shuffles as the TypeScript Philox stream', () => {
    const keyLo = 0x1234;
    const keyHi = 0x9;
    const res = optimiseInCore(core, shape, { x, y }, { method: 'sgd', steps: 37, lr: 0.05, batchSize: 3, start: net }, keyLo, keyHi);
    const th = start.slice();
    const g0 = new PhiloxStream({ seed: keyLo + keyHi * 2 ** 32, substream: 1 });
    const perm = all(8);
    let pos = 8;
    for (let s = 0; s < 37; s++) {
      if (pos >= 8) {
        g0.shuffle(perm); // each epoch reshuffles the previous order in place
        pos = 0;
      }
      const idx = perm.slice(pos, Math.min(8, pos + 3));
      pos += idx.length;
      const g = mseGradRef(shape, th, x, y, idx);
      for (let i = 0; i < P; i++) th[i] = soft(th[i]! - 0.05 * g[i]!, 0.05 * shape.lambda);
    }
    expect(maxRel([...res.network.w, ...res.network.v], th)).toBeLessThan(1e-10);
  });

  it('adam with the proximal step in its diagonal metric', () => {
    const [b1, b2, eps, lr] = [0.9, 0.99, 1e-8, 0.01];
    const res = optimiseInCore(core, shape, { x, y }, { method: 'adam', steps: 150, lr, beta1: b1, beta2: b2, adamEps: eps, start: net }, 1, 2);
    const th = start.slice();
    const m = new Float64Array(P);
    const v = new Float64Array(P);
    for (let s = 1; s <= 150; s++) {
      const g = mseGradRef(shape, th, x, y, all(8));
      for (let i = 0; i < P; i++) {
        m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
        v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
        const den = Math.sqrt(v[i]! / (1 - b2 ** s)) + eps;
        th[i] = soft(th[i]! - (lr * m[i]!) / (1 - b1 ** s) / den, (lr * shape.lambda) / den);
      }
    }
    expect(maxRel([...res.network.w, ...res.network.v], th)).toBeLessThan(1e-9);
  });

  it('annealing returns the best point it visited, never worse than its start', () => {
    const res = optimiseInCore(core, shape, { x, y }, { method: 'anneal', steps: 500, start: net }, 5, 6);
    expect(res.cost).toBeLessThanOrEqual(costTs(shape, start, x, y));
    expect(res.cost).toBeCloseTo(costTs(shape, Float64Array.from([...res.network.w, ...res.network.v]), x, y), 12);
  });

  it('restarts keep the lowest cost; restart 0 is the single run with the same key', () => {
    const one = optimiseInCore(core, shape, { x, y }, { method: 'gd', steps: 100, restarts: 1 }, 9, 9);
    const many = optimiseInCore(core, shape, { x, y }, { method: 'gd', steps: 100, restarts: 6 }, 9, 9);
    expect(many.cost).toBeLessThanOrEqual(one.cost);
    expect(many.steps).toBe(600);
    expect(many.cost).toBeCloseTo(costTs(shape, Float64Array.from([...many.network.w, ...many.network.v]), x, y), 12);
  });

  it('is deterministic and allocation-neutral: same key → bit-identical, memory reused', () => {
    const a = optimiseInCore(core, shape, { x, y }, { method: 'adam', steps: 50, restarts: 3 }, 4, 4);
    const b = optimiseInCore(core, shape, { x, y }, { method: 'adam', steps: 50, restarts: 3 }, 4, 4);
    expect(Array.from(b.network.w)).toEqual(Array.from(a.network.w));
    expect(Array.from(b.network.v)).toEqual(Array.from(a.network.v));
    const before = core.raw.scoped((s) => s.alloc(64));
    optimiseInCore(core, shape, { x, y }, { method: 'sgd', steps: 50 }, 4, 4);
    expect(core.raw.scoped((s) => s.alloc(64))).toBe(before);
  });

  it('divergence is a recorded outcome (Infinity cost, flag), not garbage or a trap', () => {
    // ReLU networks mostly die rather than explode, so start where the squared error overflows.
    const huge = { w: new Array<number>(8).fill(1e80), v: new Array<number>(4).fill(1e80) };
    const res = optimiseInCore(core, shape, { x, y }, { method: 'gd', steps: 500, start: huge }, 1, 1);
    expect(res.diverged).toBe(true);
    expect(res.cost).toBe(Infinity);
  });

  it('rejects bad options with clear errors', () => {
    const run = (o: object) => () => optimiseInCore(core, shape, { x, y }, o as never, 0, 0);
    expect(run({ method: 'newton' })).toThrow(/options.method: expected one of "gd", "sgd", "adam", "anneal", got "newton"/);
    expect(run({ method: 'gd', lr: NaN })).toThrow(/options.lr: expected a finite number > 0, got NaN/);
    expect(run({ method: 'gd', steps: -1 })).toThrow(/options.steps/);
    expect(run({ method: 'gd', start: net, restarts: 2 })).toThrow(/options.restarts: expected 1 when options.start is given/);
    expect(run({ method: 'gd', start: { w: [1], v: [1] } })).toThrow(/network.w.length: expected W·d = 8/);
    expect(() => optimiseInCore(core, shape, { x: x.slice(1), y }, { method: 'gd' }, 0, 0)).toThrow(CoreError);
    expect(() => optimiseInCore(core, shape, { x: x.map(() => NaN), y }, { method: 'gd' }, 0, 0)).toThrow(/data.x\[0\]: expected a finite number/);
  });
});

describe('network helpers', () => {
  it('linearNetwork realises Σ s_k z_k on z ≥ 0 with least ℓ1 norm', () => {
    const shape = { d: 3, width: 2 };
    const n = linearNetwork(shape, [0.3, 0.5, -0.2]);
    const th = Float64Array.from([...n.w, ...n.v]);
    expect(Array.from(probes(shape, th)).map((v) => +v.toFixed(12))).toEqual([0.3, 0.5, -0.2]);
    const single = linearNetwork({ d: 2, width: 1 }, [0.4, 0.4]);
    const l1 = [...single.w, ...single.v].reduce((s, v) => s + Math.abs(v), 0);
    expect(l1).toBeCloseTo(2 * Math.sqrt(0.8), 12); // 2√(Σs), below 2·2√0.4 for two neurons
    expect(() => linearNetwork({ d: 2, width: 1 }, [0.4, -0.4])).toThrow(/slopes of one sign only when W = 1/);
  });
});
