import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeHardPair, normaliseNoncomputabilityParams } from '../src/noncomputability/index.js';
import { minimiseSqrtPenalised, sqrtPenalisedValue } from '../src/noncomputability/minimiser.js';
import { hCost, maxLambda } from '../src/noncomputability/pair.js';

/** h′(t) = 2S(t − 1) + λ/√(a* t). */
const hPrime = (S: number, a: number, lambda: number, t: number): number => 2 * S * (t - 1) + lambda / Math.sqrt(a * t);

/** Independent t*: bisection of h′ on the convex branch, then compare with h(0). */
function tStarByBisection(S: number, a: number, lambda: number): number {
  // h″ > 0 for t > tc = (λ/(4S√a))^{2/3}; h′ → +∞ at ∞, so the local minimum is the root of h′ in [tc, 2].
  const tc = (lambda / (4 * S * Math.sqrt(a))) ** (2 / 3);
  if (hPrime(S, a, lambda, tc) >= 0) return 0;
  let lo = tc;
  let hi = 2;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (hPrime(S, a, lambda, mid) < 0) lo = mid;
    else hi = mid;
  }
  const t = (lo + hi) / 2;
  return hCost(S, a, lambda, t) < hCost(S, a, lambda, 0) ? t : 0;
}

describe('the one-dimensional problem min_s A s² − 2Bs + C + 2λ√s', () => {
  it('the cubic solution is the global minimum over a dense grid and a stationary point', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 4, noNaN: true }),
        fc.double({ min: -1, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 4, noNaN: true }),
        fc.double({ min: 1e-4, max: 2, noNaN: true }),
        (A, B, C, lambda) => {
          const m = minimiseSqrtPenalised(A, B, C, lambda);
          const g = (s: number): number => sqrtPenalisedValue(A, B, C, lambda, s);
          expect(m.value).toBeCloseTo(g(m.s), 12);
          const top = Math.max(4, (4 * Math.abs(B)) / A);
          let gridMin = Infinity;
          for (let i = 0; i <= 4000; i++) gridMin = Math.min(gridMin, g((top * i) / 4000));
          expect(m.value).toBeLessThanOrEqual(gridMin + 1e-12);
          if (m.s > 0) {
            const gp = (s: number): number => 2 * A * s - 2 * B + lambda / Math.sqrt(s);
            expect(gp(m.s * (1 - 1e-9))).toBeLessThan(1e-12);
            expect(gp(m.s * (1 + 1e-9))).toBeGreaterThan(-1e-12);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('ground truth of the hard pair', () => {
  it('t* is the global minimiser of h on t ≥ 0 (including t = 0) to 1e-12', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.25, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 48 }),
        fc.double({ min: 0.01, max: 0.95, noNaN: true }),
        (S, K, frac) => {
          const a = 1 + 2 ** -K;
          const lambda = frac * maxLambda(S, a);
          const m = minimiseSqrtPenalised(S * a * a, S * a, S, lambda);
          const tStar = m.s * a;
          expect(tStar).toBeGreaterThan(0);
          // h′ changes sign across [t* − 1e-12, t* + 1e-12]: t* is accurate to 1e-12.
          expect(hPrime(S, a, lambda, tStar - 1e-12)).toBeLessThan(0);
          expect(hPrime(S, a, lambda, tStar + 1e-12)).toBeGreaterThan(0);
          expect(Math.abs(tStar - tStarByBisection(S, a, lambda))).toBeLessThan(1e-12);
          const h = (t: number): number => hCost(S, a, lambda, t);
          expect(h(tStar)).toBeLessThan(h(0));
          expect(m.value).toBeCloseTo(h(tStar), 14);
          let gridMin = Infinity;
          for (let i = 0; i <= 2000; i++) gridMin = Math.min(gridMin, h((3 * i) / 2000));
          expect(h(tStar)).toBeLessThanOrEqual(gridMin + 1e-15);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('maxLambda is the threshold where the zero network takes over', () => {
    for (const [S, K] of [[0.6, 8], [0.3, 1], [1, 30]] as const) {
      const a = 1 + 2 ** -K;
      const lmax = maxLambda(S, a);
      expect(minimiseSqrtPenalised(S * a * a, S * a, S, lmax * 0.999).s).toBeGreaterThan(0);
      expect(minimiseSqrtPenalised(S * a * a, S * a, S, lmax * 1.001).s).toBe(0);
    }
  });

  it('the pair data are x^j = c_j a_δ, y^j = c_j exactly, with δ = ±2^-K', () => {
    const params = normaliseNoncomputabilityParams({ algorithm: 'gd', K: 20, readBits: 8, d: 4, alpha: [0.375, 0], samples: 5 });
    const pair = makeHardPair(params, 77);
    for (const [data, sign] of [[pair.plus, 1], [pair.minus, -1], [pair.zero, 0]] as const) {
      for (let j = 0; j < 5; j++) {
        const c = pair.scales[j]!;
        expect(c).toBeGreaterThanOrEqual(0.5);
        expect(c).toBeLessThanOrEqual(1);
        const den = 2n ** BigInt(data.exp);
        const exact = (num: bigint, value: number, valueExp: number): void => {
          // num / 2^exp === value exactly, compared in integers.
          expect(num * 2n ** BigInt(valueExp)).toBe(BigInt(value * 2 ** valueExp) * den);
        };
        const cNum = BigInt(c * 2 ** 12);
        expect(data.x[j * 4]! * 2n ** 32n).toBe(cNum * (2n ** 20n + BigInt(sign)) * den);
        expect(data.x[j * 4 + 1]! * 2n ** 32n).toBe(cNum * (2n ** 20n - BigInt(sign)) * den);
        exact(data.x[j * 4 + 2]!, c * 0.375, 40);
        exact(data.x[j * 4 + 3]!, 0, 40);
        exact(data.y[j]!, c, 40);
      }
    }
    expect(pair.truth.aStar).toBe(1 + 2 ** -20);
    expect(pair.truth.epsB).toBe(pair.truth.sStar / 2);
    expect(pair.truth.S).toBeCloseTo(pair.scales.reduce((s, c) => s + c * c, 0) / 5, 15);
  });
});

// ---------------------------------------------------------------------------------------------
// The minimiser theorem, numerically: local search from many random starts never beats h(t*).

interface Problem {
  d: number;
  W: number;
  r: number;
  lambda: number;
  x: Float64Array;
  y: Float64Array;
}

function costRef(p: Problem, th: Float64Array): number {
  const { d, W, r, lambda, x, y } = p;
  let loss = 0;
  for (let j = 0; j < r; j++) {
    let phi = 0;
    for (let i = 0; i < W; i++) {
      let h = 0;
      for (let k = 0; k < d; k++) h += th[i * d + k]! * x[j * d + k]!;
      if (h > 0) phi += th[W * d + i]! * h;
    }
    loss += (phi - y[j]!) ** 2;
  }
  let pen = 0;
  for (const v of th) pen += Math.abs(v);
  return loss / r + lambda * pen;
}

function gradRef(p: Problem, th: Float64Array, g: Float64Array): void {
  const { d, W, r, x, y } = p;
  g.fill(0);
  for (let j = 0; j < r; j++) {
    const hs: number[] = [];
    let phi = 0;
    for (let i = 0; i < W; i++) {
      let h = 0;
      for (let k = 0; k < d; k++) h += th[i * d + k]! * x[j * d + k]!;
      hs.push(h);
      if (h > 0) phi += th[W * d + i]! * h;
    }
    const e = (2 / r) * (phi - y[j]!);
    for (let i = 0; i < W; i++) {
      if (hs[i]! <= 0) continue;
      g[W * d + i]! += e * hs[i]!;
      for (let k = 0; k < d; k++) g[i * d + k]! += e * th[W * d + i]! * x[j * d + k]!;
    }
  }
}

/** Proximal gradient descent followed by random-perturbation hill climbing (plain TS, seeded). */
function localSearch(p: Problem, start: Float64Array, rand: () => number): { theta: Float64Array; cost: number } {
  const th = start.slice();
  const g = new Float64Array(th.length);
  const lr = 0.05;
  for (let s = 0; s < 400; s++) {
    gradRef(p, th, g);
    for (let i = 0; i < th.length; i++) {
      const z = th[i]! - lr * g[i]!;
      th[i] = Math.sign(z) * Math.max(0, Math.abs(z) - lr * p.lambda);
    }
  }
  let c = costRef(p, th);
  for (let s = 0; s < 300; s++) {
    const prop = th.slice();
    const scale = 0.05 * (1 - s / 300) + 1e-4;
    for (let i = 0; i < prop.length; i++) if (rand() < 0.5) prop[i]! += scale * (2 * rand() - 1);
    const cp = costRef(p, prop);
    if (cp < c) {
      th.set(prop);
      c = cp;
    }
  }
  return { theta: th, cost: c };
}

function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('minimiser theorem (SPEC §3.2), numerically', () => {
  it('local search from many random starts never finds a cost below h(t*), and the best it finds is s*·z_k*', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 8 }),
        fc.double({ min: 0.005, max: 0.3, noNaN: true }),
        fc.double({ min: 0.02, max: 0.45, noNaN: true }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (d, W, r, lambda, absDelta, positive, seed) => {
          const rand = mulberry(seed);
          const delta = positive ? absDelta : -absDelta;
          const a = [1 + delta, 1 - delta];
          for (let k = 2; k < d; k++) a.push(0.5 * rand());
          const c = Array.from({ length: r }, () => 0.5 + 0.5 * rand());
          const x = new Float64Array(r * d);
          const y = new Float64Array(r);
          for (let j = 0; j < r; j++) {
            for (let k = 0; k < d; k++) x[j * d + k] = c[j]! * a[k]!;
            y[j] = c[j]!;
          }
          const S = c.reduce((s, v) => s + v * v, 0) / r;
          const aStar = 1 + absDelta;
          const m = minimiseSqrtPenalised(S * aStar * aStar, S * aStar, S, lambda);
          fc.pre(m.s > 0 && m.margin > 1e-6);
          const hStar = m.value;
          const p: Problem = { d, W, r, lambda, x, y };
          const kStar = positive ? 0 : 1;
          let best = Infinity;
          let bestTheta: Float64Array | null = null;
          for (let start = 0; start < 12; start++) {
            const th = new Float64Array(W * d + W);
            for (let i = 0; i < th.length; i++) th[i] = (2 * rand() - 1) * (start % 2 === 0 ? 1.5 : 0.5);
            if (start === 0) {
              // One start near the known minimiser, so the search provably reaches its basin.
              th.fill(0);
              th[kStar] = Math.sqrt(m.s) * 1.1;
              th[W * d] = Math.sqrt(m.s) * 0.9;
            }
            const res = localSearch(p, th, rand);
            expect(res.cost).toBeGreaterThanOrEqual(hStar - 1e-12);
            if (res.cost < best) {
              best = res.cost;
              bestTheta = res.theta;
            }
          }
          // The search does reach the minimum (so "never below" is not vacuous) ...
          expect(best).toBeLessThan(hStar + 1e-3);
          // ... and where it converged, the network is φ*(z) = s*·z_k* on the probes e_k.
          if (best < hStar + 1e-6) for (let k = 0; k < d; k++) {
            let phi = 0;
            for (let i = 0; i < W; i++) if (bestTheta![i * d + k]! > 0) phi += bestTheta![W * d + i]! * bestTheta![i * d + k]!;
            expect(Math.abs(phi - (k === kStar ? m.s : 0))).toBeLessThan(0.05);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
