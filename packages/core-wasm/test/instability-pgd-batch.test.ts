// Batched PGD (assembly/instability/pgdbatch.ts) against the per-point scalar loop, and the
// per-point attack streams it relies on (docs/architecture.md: point i of T ∪ V draws its attack
// randomness from substream 2^31 + i). Batched and scalar must agree bit for bit: every attack
// radius, every perturbation, every evaluation count, the whole trial result.
import { slotVector } from '../src/internal/slots.js';
import { ATTACK_PLAN } from '../src/instability/layout.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trialStream } from '../src/index.js';
import fc from 'fast-check';
import { createNetwork, loadCore, paramCount, type Core, type Network } from '../src/index.js';
import {
  normaliseInstabilityParams, runInstabilityTrial, runInstabilityTrials, sampleStripes, type InstabilityParams,
} from '../src/instability/index.js';
import { ATTACKS } from '../src/instability/params.js';
import { seedWords } from '../src/instability/problem.js';
import type { AttackName, ScheduleName } from '../src/instability/index.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore(process.env.INSTABILITY_WASM ? { source: process.env.INSTABILITY_WASM } : {});
});
afterAll(() => setBatched(true));

function setBatched(on: boolean, chunk = 0): void {
  core?.raw.fn<(on: number, chunk: number) => void>('inst_set_batched_pgd')(on ? 1 : 0, chunk);
}

/**
 * Run `body` once with batched PGD (`chunk` points per batch, 0: automatic) and once point by
 * point; returns both results.
 */
function bothWays<T>(body: () => T, chunk = 0): [T, T] {
  try {
    setBatched(true, chunk);
    const a = body();
    setBatched(false);
    const b = body();
    return [a, b];
  } finally {
    setBatched(true);
  }
}

/** Bit patterns, so that −0 ≠ +0 and NaN compares equal to itself. */
const bits = (a: ArrayLike<number>): string => Buffer.from(Float64Array.from(a).buffer).toString('hex');

interface Plan {
  attacks: AttackName[];
  steps: number;
  restarts: number;
  schedule: ScheduleName;
  randomStart: boolean;
  queries: number;
  mu: number;
  radii: number[];
  norm: 'linf' | 'l2';
}

interface PointsResult {
  radius: Float64Array;
  eta: Float64Array;
  evals: number;
}

type AttackPointsFn = (...args: number[]) => number;

/** The attack phase of a trial on explicit points, point k on substream 2^31 + ids[k]. */
function attackPoints(net: Network, m: number, X: ArrayLike<number>, ids: number[], plan: Plan, stream: { seed: number; streamLo: number; streamHi: number }): PointsResult {
  const d = net.dims[0]!;
  const n = ids.length;
  const mask = plan.attacks.reduce((s, a) => s | (1 << ATTACKS.indexOf(a)), 0);
  const vec = slotVector(ATTACK_PLAN, {
    MASK: mask, STEPS: plan.steps, RESTARTS: plan.restarts, SCHEDULE: ['constant', 'cosine', 'step'].indexOf(plan.schedule),
    RANDOM_START: plan.randomStart ? 1 : 0, FMN_STEPS: 20, DF_ITERS: 20, BISECT_ITERS: 6, QUERIES: plan.queries, MU: plan.mu,
  });
  const [sLo, sHi] = seedWords(stream.seed);
  const raw = core.raw;
  return raw.scoped((s) => {
    const out = s.f64Zeros(n);
    const eta = s.f64Zeros(n * d);
    const evals = raw.fn<AttackPointsFn>('inst_attack_points')(
      s.i32(net.dims), net.dims.length, net.bias ? 1 : 0, s.f64(net.params), m, s.f64(X), n, s.i32(ids),
      plan.norm === 'linf' ? 0 : 1, s.f64(vec), s.f64(plan.radii.length > 0 ? plan.radii : [0]), plan.radii.length,
      sLo, sHi, stream.streamLo, stream.streamHi, out, eta,
    );
    return { radius: s.readF64(out, n), eta: s.readF64(eta, n * d), evals };
  });
}

function expectSame(a: PointsResult, b: PointsResult): void {
  expect(bits(a.radius)).toBe(bits(b.radius));
  expect(bits(a.eta)).toBe(bits(b.eta));
  expect(a.evals).toBe(b.evals);
}

describe('batched PGD = per-point PGD, bit for bit', () => {
  it('whole trials: every result field, per-point radius and perturbation (trained, adversarially trained, σ, ψ_T)', () => {
    const cases: Partial<InstabilityParams>[] = [
      { m: 8, r: 32, s: 32, hidden: [8, 8], epochs: 60, attacks: ['pgd'], certify: ['ibp'], pgdSteps: 20 },
      { m: 6, r: 24, s: 24, hidden: [5], epochs: 40, norm: 'l2', attacks: ['pgd', 'fgsm', 'random'], certify: [], pgdSteps: 7, pgdRestarts: 3, schedule: 'cosine', randomQueries: 15 },
      { m: 6, r: 24, s: 8, hidden: [4, 4], epochs: 30, attacks: [...ATTACKS], certify: [], pgdSteps: 5, pgdRestarts: 2, schedule: 'step', randomQueries: 10, fmnSteps: 10, bisectIters: 4 },
      { method: 'adversarial-train', m: 6, r: 24, s: 8, hidden: [6], epochs: 20, advSteps: 3, attacks: ['pgd', 'fgsm'], certify: [], pgdSteps: 9 },
      // σ has an exactly zero gradient at its class-0 points: the one-sided probe fallback.
      { method: 'shortcut', m: 8, r: 32, s: 16, attacks: ['pgd', 'fgsm', 'random'], certify: [], pgdSteps: 10, randomQueries: 10 },
      { method: 'shortcut', m: 8, r: 32, s: 16, norm: 'l2', attacks: ['pgd'], certify: [], pgdSteps: 6, pgdRestarts: 2, schedule: 'step' },
      { method: 'construct-stable', m: 6, r: 24, s: 8, attacks: ['pgd', 'random'], certify: [], pgdSteps: 8, randomQueries: 10 },
      { d: 4, m: 6, r: 24, s: 8, hidden: [7, 3], epochs: 30, attacks: ['pgd', 'fgsm', 'random'], certify: [], pgdSteps: 9, pgdRestarts: 2, randomQueries: 8 },
      { d: 3, m: 6, r: 24, s: 8, hidden: [6], epochs: 30, norm: 'l2', attacks: ['pgd', 'bisect'], certify: [], pgdSteps: 6, schedule: 'step', bisectIters: 3 },
    ];
    let points = 0;
    for (const p of cases) {
      for (const trial of [0, 1]) {
        const [a, b] = bothWays(() => runInstabilityTrial(core, p, { seed: 41, streamHi: 9, trial }));
        const { network: na, train: ta, val: va, points: pa, ...ra } = a;
        const { network: nb, train: tb, val: vb, points: pb, ...rb } = b;
        expect(bits([...ta.x, ...va.x])).toBe(bits([...tb.x, ...vb.x]));
        expect(ra).toEqual(rb);
        expect(bits(na.params)).toBe(bits(nb.params));
        expect(bits(pa.attacked)).toBe(bits(pb.attacked));
        expect(bits(pa.eta)).toBe(bits(pb.eta));
        expect(bits(pa.certified)).toBe(bits(pb.certified));
        expect(ra.evaluations).toBeGreaterThan(0);
        points += ta.y.length + va.y.length;
      }
    }
    expect(points).toBeGreaterThan(500);
  });

  it('trial batches: runInstabilityTrials agrees both ways', () => {
    const p = { m: 6, r: 16, s: 16, hidden: [6, 6], epochs: 30, attacks: ['pgd', 'fgsm'] as AttackName[], certify: [], pgdSteps: 12, pgdRestarts: 2 };
    const [a, b] = bothWays(() => runInstabilityTrials(core, p, { seed: 3, streamHi: 5, tStart: 10, count: 4 }));
    expect(a).toEqual(b);
  });

  const planArb: fc.Arbitrary<Plan> = fc.record({
    attacks: fc.subarray(['pgd', 'fgsm', 'random', 'bisect', 'line', 'fmn', 'deepfool'] as AttackName[]).map((a) => (a.includes('pgd') ? a : ['pgd' as const, ...a])),
    steps: fc.integer({ min: 1, max: 12 }),
    restarts: fc.integer({ min: 1, max: 3 }),
    schedule: fc.constantFrom<ScheduleName>('constant', 'cosine', 'step'),
    randomStart: fc.boolean(),
    queries: fc.integer({ min: 1, max: 8 }),
    mu: fc.double({ min: 0.002, max: 0.08, noNaN: true }),
    radii: fc.array(fc.double({ min: 0.001, max: 0.15, noNaN: true }), { maxLength: 3 }),
    norm: fc.constantFrom<'linf' | 'l2'>('linf', 'l2'),
  });

  // Random-weight nets d→1, d→k→1 and d→k→k→1 (mostly d = 2); hidden biases shifted down now and
  // then so that whole regions are flat (∇φ = 0: the probe fallback, and iterates that stop moving).
  const netArb = fc
    .record({
      d: fc.constantFrom(2, 2, 2, 3, 5), k: fc.integer({ min: 1, max: 9 }), hidden: fc.constantFrom(0, 1, 1, 2, 2), bias: fc.boolean(),
      shift: fc.constantFrom(0, 0, -1.5), seed: fc.integer({ min: 0, max: 2 ** 31 }),
    })
    .map(({ d, k, hidden, bias, shift, seed }) => {
      const dims = [d, ...Array<number>(hidden).fill(k), 1];
      const p: number[] = [];
      let s = seed >>> 0;
      const rnd = (): number => {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        return s / 2 ** 32 - 0.5;
      };
      for (let l = 1; l < dims.length; l++) {
        const nin = dims[l - 1]!;
        const scale = l === 1 ? 12 : 2 / Math.sqrt(nin);
        for (let q = 0; q < nin * dims[l]!; q++) p.push(scale * rnd());
        if (bias) for (let q = 0; q < dims[l]!; q++) p.push(rnd() + (l < dims.length - 1 ? shift : 0.5));
      }
      expect(p.length).toBe(paramCount(dims, bias));
      return createNetwork(dims, bias, p);
    });

  it('random-weight networks, random plans (fast-check): attack phase identical both ways', () => {
    let attacked = 0;
    fc.assert(
      fc.property(netArb, planArb, fc.integer({ min: 2, max: 9 }), fc.integer({ min: 0, max: 1000 }), fc.constantFrom(0, 0, 1, 2, 5), (net, plan, m, seed, chunk) => {
        const P = sampleStripes(core, { m, d: net.dims[0]! }, 24, { seed, stream: trialStream(1, 2), substream: 1 });
        const ids = Array.from({ length: P.y.length }, (_, i) => i);
        const stream = { seed, streamLo: 7, streamHi: 3 };
        // chunk: batches of 1, 2 or 5 points as well as one batch of all.
        const [a, b] = bothWays(() => attackPoints(net, m, P.x, ids, plan, stream), chunk);
        expectSame(a, b);
        attacked += a.radius.filter((r) => r > 0).length;
      }),
      { numRuns: 150, seed: 20261125 },
    );
    expect(attacked).toBeGreaterThan(300);
  });

  it('networks flat everywhere (every step takes the one-sided probe path) agree both ways', () => {
    // Hidden biases far below 0: every unit is dead on the unit square, φ ≡ output bias 0.2.
    const dims = [2, 4, 1];
    const p = [1, -1, 2, 0.5, -1, 1, 0.3, 0.7, -9, -9, -9, -9, 1, 1, 1, 1, 0.2];
    const net = createNetwork(dims, true, p);
    const P = sampleStripes(core, { m: 6 }, 20, { seed: 1, substream: 1 });
    for (const norm of ['linf', 'l2'] as const) {
      for (const schedule of ['constant', 'cosine'] as const) {
        const plan: Plan = { attacks: ['pgd', 'fgsm'], steps: 6, restarts: 2, schedule, randomStart: true, queries: 4, mu: 0.03, radii: [0.01, 0.06], norm };
        const ids = Array.from({ length: P.y.length }, (_, i) => i);
        const [a, b] = bothWays(() => attackPoints(net, 6, P.x, ids, plan, { seed: 5, streamLo: 1, streamHi: 2 }));
        expectSame(a, b);
        // φ ≡ 0.2: the class-0 points are correct and attacked, the class-1 points are wrong (0).
        expect(a.radius.filter((r) => r > 0).length).toBe(P.y.filter((y) => y === 0).length);
      }
    }
  });
});

describe('per-point attack streams', () => {
  const plan: Plan = { attacks: ['pgd', 'fgsm', 'random', 'bisect'], steps: 8, restarts: 2, schedule: 'constant', randomStart: true, queries: 10, mu: 0.02, radii: [0.01, 0.02, 0.04], norm: 'linf' };

  it("a point's result does not depend on the other points or their order", () => {
    const t = runInstabilityTrial(core, { m: 8, r: 48, s: 16, hidden: [8, 8], epochs: 60, attacks: [], certify: [] }, { seed: 12, streamHi: 4, trial: 2 });
    const net = t.network;
    const X = [...t.train.x, ...t.val.x];
    const n = X.length / 2;
    const ids = Array.from({ length: n }, (_, i) => i);
    const stream = { seed: 12, streamLo: 2, streamHi: 4 };
    const all = attackPoints(net, 8, X, ids, plan, stream);
    // A shuffled subset, each point keeping its id.
    const sub = ids.filter((i) => i % 3 !== 1).reverse();
    sub.push(...sub.splice(0, 5));
    const Xs = sub.flatMap((i) => [X[2 * i]!, X[2 * i + 1]!]);
    const part = attackPoints(net, 8, Xs, sub, plan, stream);
    sub.forEach((i, k) => {
      expect(part.radius[k]).toBe(all.radius[i]);
      expect(bits(part.eta.slice(2 * k, 2 * k + 2))).toBe(bits(all.eta.slice(2 * i, 2 * i + 2)));
    });
    // A single point alone.
    const one = attackPoints(net, 8, X.slice(2 * 7, 2 * 7 + 2), [7], plan, stream);
    expect(one.radius[0]).toBe(all.radius[7]);
    // The stream really is the point's: other ids give other random starts (other evaluation counts).
    const shifted = attackPoints(net, 8, X, ids.map((i) => i + 1000), plan, stream);
    expect(shifted.evals).not.toBe(all.evals);
  });

  it('a trial attacks point i of T ∪ V on substream 2^31 + i of its own stream', () => {
    const p = normaliseInstabilityParams({ m: 8, r: 32, s: 16, hidden: [6, 6], epochs: 40, attacks: ['pgd', 'random', 'fgsm'], certify: [], pgdSteps: 10, randomQueries: 12 });
    const t = runInstabilityTrial(core, p, { seed: 77, streamHi: 6, trial: 3 });
    const X = [...t.train.x, ...t.val.x];
    const ids = Array.from({ length: X.length / 2 }, (_, i) => i);
    const res = attackPoints(t.network, p.m, X, ids, { attacks: p.attacks, steps: p.pgdSteps, restarts: p.pgdRestarts, schedule: p.schedule, randomStart: true, queries: p.randomQueries, mu: p.mu, radii: p.radii, norm: p.norm }, { seed: 77, streamLo: 3, streamHi: 6 });
    expect(bits(res.radius)).toBe(bits(t.points.attacked));
    expect(bits(res.eta)).toBe(bits(t.points.eta));
  });

  it('plans whose random draws could overflow a point stream are refused with a clear error', () => {
    expect(() => normaliseInstabilityParams({ d: 256, attacks: ['random'], randomQueries: 1_000_000, radii: Array.from({ length: 64 }, (_, i) => 0.001 * (i + 1)) }))
      .toThrow(/params\.randomQueries: expected at most \d+ with d = 256 and 64 radii/);
    expect(() => normaliseInstabilityParams({ d: 256, attacks: ['pgd'], randomQueries: 1_000_000, radii: Array.from({ length: 64 }, (_, i) => 0.001 * (i + 1)) })).not.toThrow();
  });
});
