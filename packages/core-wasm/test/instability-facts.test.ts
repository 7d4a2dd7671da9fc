// F1–F4 of SPEC §2 as properties over random problems and random networks. Network values are
// checked with the plain-TypeScript reference forward pass, independent of the kernels.
import { beforeAll, describe, expect, it } from 'vitest';
import { trialStream } from '../src/index.js';
import fc from 'fast-check';
import { createNetwork, loadCore, paramCount, pieceBound, type Core, type Network } from '../src/index.js';
import { referenceForward } from '../src/reference/index.js';
import {
  attack, boundaryDistance, certifiedRadius, runInstabilityTrial, sampleStripes, shortcutNetwork, stableNetwork, stripeOf, stripesLabel,
} from '../src/instability/index.js';

let core: Core;
beforeAll(async () => {
  // INSTABILITY_WASM: test another build of the module (e.g. a local one while the shared build is broken).
  core = await loadCore(process.env.INSTABILITY_WASM ? { source: process.env.INSTABILITY_WASM } : {});
});

const phi = (net: Network, x: number[]): number => referenceForward(net, x)[0]!;
const correct = (net: Network, x: number[], m: number): boolean => Math.abs(phi(net, x) - stripesLabel(x[0]!, m)) < 0.5;

/** A random problem: d, m, δ ≤ 1/(4m), μ < δ. */
const problemArb = fc
  .record({
    d: fc.integer({ min: 2, max: 5 }),
    m: fc.integer({ min: 2, max: 24 }),
    dFrac: fc.double({ min: 0.05, max: 1, noNaN: true }),
    muFrac: fc.double({ min: 0.02, max: 0.98, noNaN: true }),
    seed: fc.integer({ min: 0, max: 2 ** 31 }),
  })
  .map(({ d, m, dFrac, muFrac, seed }) => {
    const delta = dFrac / (4 * m);
    return { d, m, delta, mu: muFrac * delta, seed };
  });

/** One data point per stripe (x_1 uniform in the support), as F3 needs. */
function onePerStripe(p: { d: number; m: number; delta: number; mu: number }, u: number[]): number[][] {
  const pts: number[][] = [];
  for (let k = 0; k < p.m; k++) {
    const lo = k / p.m + 2 * p.delta;
    const hi = (k + 1) / p.m - 2 * p.delta;
    const x = Array<number>(p.d).fill(0.5);
    x[0] = lo + (hi - lo) * (u[k % u.length] ?? 0.5);
    x[1] = 0.5 + p.mu * (2 * (k & 1) - 1);
    pts.push(x);
  }
  return pts;
}

/** Architectures with few pieces (P(N) from 2 to 9) and random weights of any scale. */
const smallNetArb = fc
  .constantFrom([2, 1, 1], [2, 2, 1], [2, 3, 1], [2, 4, 1], [2, 2, 2, 1], [3, 2, 1], [2, 1, 3, 1])
  .chain((dims) =>
    fc
      .array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: paramCount(dims, true), maxLength: paramCount(dims, true) })
      .map((w) => createNetwork(dims, true, w)),
  );

describe('F1 — the shortcut σ', () => {
  it('is in NN_(d,2,1), equals f on the support, and is unstable with radius exactly μ at every data point', () => {
    fc.assert(
      fc.property(problemArb, (p) => {
        const sigma = shortcutNetwork(core, p.d, p.mu);
        expect(sigma.dims).toEqual([p.d, 2, 1]);
        const data = sampleStripes(core, p, 24, { seed: p.seed, substream: 1 });
        for (let i = 0; i < data.y.length; i++) {
          const x = Array.from(data.x.subarray(i * p.d, (i + 1) * p.d));
          const y = data.y[i]!;
          // Zero loss on the support (up to the rounding of the affine map).
          expect(Math.abs(phi(sigma, x) - y)).toBeLessThan(1e-9);
          // The explicit witness: move x_2 to the mid-line; f is unchanged there.
          const w = [...x];
          w[1] = 0.5;
          expect(stripesLabel(w[0]!, p.m)).toBe(y);
          expect(Math.abs(phi(sigma, w) - y)).toBeGreaterThanOrEqual(0.5 - 1e-9);
          // Nothing smaller works: the certificate reaches μ (to bisection precision).
          const cert = certifiedRadius(core, sigma, x, p.m, { iters: 40 });
          expect(cert).toBeLessThanOrEqual(p.mu * (1 + 1e-9));
          expect(cert).toBeGreaterThan(p.mu * (1 - 1e-6));
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('F2 — the stable network ψ_T of variable width', () => {
  it('has width 2·#label changes and is correct on the δ-ball around every point of an observed stripe', () => {
    fc.assert(
      fc.property(problemArb, fc.integer({ min: 1, max: 40 }), (p, r) => {
        const T = sampleStripes(core, p, r, { seed: p.seed, stream: trialStream(1, 0), substream: 1 });
        const V = sampleStripes(core, p, 16, { seed: p.seed, stream: trialStream(1, 0), substream: 2 });
        const psi = stableNetwork(core, p, T.x);
        const seen = new Set<number>();
        for (let i = 0; i < T.y.length; i++) seen.add(stripeOf(T.x[i * p.d]!, p.m));
        const ks = [...seen].sort((a, b) => a - b);
        let changes = 0;
        for (let i = 1; i < ks.length; i++) if ((ks[i]! - ks[i - 1]!) % 2 === 1) changes++;
        expect(psi.dims).toEqual([p.d, Math.max(1, 2 * changes), 1]);
        for (const S of [T, V]) {
          for (let i = 0; i < S.y.length; i++) {
            const x = Array.from(S.x.subarray(i * p.d, (i + 1) * p.d));
            if (!seen.has(stripeOf(x[0]!, p.m))) continue;
            // Corners and edge midpoints of the ℓ∞ δ-ball (ψ_T depends on x_1 only).
            for (const t of [-1, -0.5, 0, 0.5, 1]) {
              const z = [...x];
              z[0] = x[0]! + t * p.delta;
              z[1] = x[1]! + (t === 0 ? p.delta : -t * p.delta);
              expect(correct(psi, z, p.m)).toBe(true);
            }
            // And the certificate proves the whole ball.
            expect(certifiedRadius(core, psi, x, p.m, { iters: 30 })).toBeGreaterThanOrEqual(p.delta);
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});

/** Count stripes whose mid-line point is misclassified, with the reference forward pass. */
function midlineWrong(net: Network, pts: number[][], m: number): boolean[] {
  return pts.map((x) => {
    const w = [...x];
    w[1] = 0.5;
    return !correct(net, w, m);
  });
}

/**
 * The setting of F3 and F4 (cases with P(N) ≥ m − 1 are discarded): one point p_k per stripe, the
 * guaranteed count q = ⌈(m − 1 − P(N))/2⌉ and which mid-line points p_k' φ gets wrong.
 */
function lemmaCase(net: Network, m: number, dFrac: number, muFrac: number, u: number[]) {
  const P = pieceBound(net.dims);
  fc.pre(P < m - 1);
  const delta = dFrac / (4 * m);
  const p = { d: net.dims[0]!, m, delta, mu: muFrac * delta };
  const pts = onePerStripe(p, u);
  return { p, pts, q: Math.ceil((m - 1 - P) / 2), wrongMid: midlineWrong(net, pts, m) };
}

describe('F3/F4 — the counting lemma for every network with P(N) < m − 1', () => {
  const lemmaArb = fc.tuple(
    smallNetArb,
    fc.integer({ min: 2, max: 24 }),
    fc.double({ min: 0.05, max: 1, noNaN: true }),
    fc.double({ min: 0.02, max: 0.98, noNaN: true }),
    fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 24 }),
  );

  it('F3: a network correct on one point per stripe is unstable with radius μ at ≥ ⌈(m−1−P)/2⌉ of them, witness (1/2 − x_2)e_2', () => {
    fc.assert(
      fc.property(lemmaArb, ([net, m, dFrac, muFrac, u]) => {
        const { p, pts, q, wrongMid } = lemmaCase(net, m, dFrac, muFrac, u);
        // Unconditional form (the lemma): at least q mid-line points are wrong.
        expect(wrongMid.filter(Boolean).length).toBeGreaterThanOrEqual(q);
        // F3: where φ is correct at p_k and wrong at p_k', the witness has norm exactly μ.
        let witnesses = 0;
        pts.forEach((x, k) => {
          if (correct(net, x, m) && wrongMid[k]) {
            witnesses++;
            expect(Math.abs(0.5 - x[1]!)).toBeCloseTo(p.mu, 15);
          }
        });
        if (pts.every((x) => correct(net, x, m))) expect(witnesses).toBeGreaterThanOrEqual(q);
      }),
      { numRuns: 400 },
    );
  });

  it('F4: a network stable with radius μ at every p_k (same side of 1/2 on the segment to p_k′) is wrong at ≥ ⌈(m−1−P)/2⌉ data points', () => {
    fc.assert(
      fc.property(lemmaArb, ([net, m, dFrac, muFrac, u]) => {
        const { pts, q, wrongMid } = lemmaCase(net, m, dFrac, muFrac, u);
        // Stripes where φ is wrong within distance μ of the data: at p_k or at p_k'.
        const near = pts.filter((x, k) => wrongMid[k] || !correct(net, x, m)).length;
        expect(near).toBeGreaterThanOrEqual(q);
        // The stable horn: if φ's predicted class does not change between p_k and p_k', the
        // mid-line errors are errors at the data.
        const sameSide = pts.every((x) => {
          const w = [...x];
          w[1] = 0.5;
          return phi(net, x) > 0.5 === phi(net, w) > 0.5;
        });
        if (sameSide) expect(pts.filter((x) => !correct(net, x, m)).length).toBeGreaterThanOrEqual(q);
      }),
      { numRuns: 400 },
    );
  });

  it('the trial kernel counts the same witnesses as the reference for untrained (random-init) networks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 6, max: 16 }), fc.constantFrom([1], [2], [3], [1, 1], [2, 2]), (seed, m, hidden) => {
        // epochs = 0: the network is the random initialisation, any weights.
        const params = { m, hidden, epochs: 0, r: 4 * m, s: 2 * m, init: 'uniform' as const, initScale: 3, attacks: ['line' as const], certify: [] };
        const t = runInstabilityTrial(core, params, { seed, streamHi: 5, trial: 0 });
        const all = [...splitPoints(t.train.x, 2), ...splitPoints(t.val.x, 2)];
        const byStripe = new Map<number, boolean>();
        for (const x of all) {
          const k = stripeOf(x[0]!, m);
          const w = [...x];
          w[1] = 0.5;
          byStripe.set(k, (byStripe.get(k) ?? false) || !correct(t.network, w, m));
        }
        const wit = [...byStripe.values()].filter(Boolean).length;
        expect(t.f3.witnesses).toBe(wit);
        expect(t.stripesCovered).toBe(byStripe.size);
        if (t.stripesCovered === m) {
          expect(t.f3.witnesses).toBeGreaterThanOrEqual(t.f3.predicted);
          expect(t.piecesMidline).toBeLessThanOrEqual(t.pieceBound);
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('the true classifier', () => {
  it('is ⌊m x_1⌋ mod 2 with x_1 = 1 in stripe m − 1, constant on balls smaller than the boundary distance', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 1000 }), fc.double({ min: -0.5, max: 1.5, noNaN: true }), (m, x1) => {
        expect(stripesLabel(1, m)).toBe((m - 1) & 1);
        const b = boundaryDistance(x1, m);
        expect(b).toBeGreaterThan(0 - 1e-300);
        const y = stripesLabel(x1, m);
        for (const t of [-0.999, -0.5, 0.5, 0.999]) expect(stripesLabel(x1 + t * b, m)).toBe(y);
      }),
    );
  });

  it('rejects attacks on bad input with clear errors', () => {
    const sigma = shortcutNetwork(core, 2, 0.01);
    expect(() => attack(core, sigma, [0.1], { kind: 'pgd', m: 4, eps: 0.1 })).toThrow(/x: expected 2 coordinates/);
    expect(() => attack(core, sigma, [0.1, 0.5], { kind: 'pgd', m: 1, eps: 0.1 })).toThrow(/m: expected an integer in \[2/);
    expect(() => attack(core, sigma, [0.1, 0.5], { kind: 'nope' as never, m: 4, eps: 0.1 })).toThrow(/kind: expected one of/);
    expect(() => attack(core, sigma, [0.1, 0.5], { kind: 'pgd', m: 4, eps: -1 })).toThrow(/eps: expected a radius > 0/);
    expect(() => certifiedRadius(core, sigma, [0.1, NaN], 4)).toThrow(/x\[1\]: expected a finite number/);
  });
});

function splitPoints(X: Float64Array, d: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < X.length; i += d) out.push(Array.from(X.subarray(i, i + d)));
  return out;
}
