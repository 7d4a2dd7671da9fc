// Bracket soundness: on small networks (d = 2, ≤ 16 hidden units) every certified radius is
// below the radius a dense grid search finds, which is below every attack's radius (up to the
// grid's resolution); with directed rounding no certificate is ever contradicted by an attack.
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createNetwork, loadCore, paramCount, type Core, type Network } from '../src/index.js';
import { referenceForward } from '../src/reference/index.js';
import { boundsDistance } from './exact.js';
import {
  attack, boundaryDistance, certifiedRadius, certify, runInstabilityTrial, runInstabilityTrials, stripesLabel, type AttackName,
  type NormName,
} from '../src/instability/index.js';

let core: Core;
beforeAll(async () => {
  // INSTABILITY_WASM: test another build of the module (e.g. a local one while the shared build is broken).
  core = await loadCore(process.env.INSTABILITY_WASM ? { source: process.env.INSTABILITY_WASM } : {});
});

const M = 6;
const phi = (net: Network, x: number[]): number => referenceForward(net, x)[0]!;
const adversarial = (net: Network, x: number[]): boolean => Math.abs(phi(net, x) - stripesLabel(x[0]!, M)) >= 0.5;

/** Smallest ‖η‖ over a (2G+1)² grid of perturbations in [−R, R]² that are adversarial (∞ if none). */
function denseRadius(net: Network, x: number[], R: number, norm: NormName, G = 120): number {
  let best = Infinity;
  for (let i = -G; i <= G; i++) {
    for (let j = -G; j <= G; j++) {
      const e0 = (i / G) * R;
      const e1 = (j / G) * R;
      const n = norm === 'linf' ? Math.max(Math.abs(e0), Math.abs(e1)) : Math.hypot(e0, e1);
      if (n >= best || (norm === 'l2' && n > R)) continue;
      if (adversarial(net, [x[0]! + e0, x[1]! + e1])) best = n;
    }
  }
  return best;
}

const netArb = fc
  .constantFrom([2, 4, 1], [2, 8, 1], [2, 16, 1], [2, 4, 4, 1], [2, 8, 8, 1], [2, 3, 5, 1])
  .chain((dims) =>
    fc.tuple(
      fc.constant(dims),
      fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: paramCount(dims, true), maxLength: paramCount(dims, true) }),
    ),
  )
  .map(([dims, w]) => {
    // Scale the first layer so that the network varies on the scale of a stripe (1/M).
    const p = w.slice();
    for (let k = 0; k < dims[1]! * 2; k++) p[k] = p[k]! * M;
    return createNetwork(dims, true, p);
  });

const pointArb = fc.tuple(fc.integer({ min: 0, max: M - 1 }), fc.double({ min: 0.15, max: 0.85, noNaN: true }), fc.double({ min: 0.3, max: 0.7, noNaN: true }));

const attackKinds: AttackName[] = ['line', 'fmn', 'deepfool', 'bisect'];

describe('brackets [certified, attacked] on small networks', () => {
  for (const norm of ['linf', 'l2'] as const) {
    it(`${norm}: certified (IBP, CROWN, directed or not) ≤ dense search ≤ every attack (+ grid step)`, () => {
      let compared = 0;
      fc.assert(
        fc.property(netArb, pointArb, (net, [k, u, x2]) => {
          const x = [(k + u) / M, x2];
          if (adversarial(net, x)) return; // already wrong: radius 0 everywhere
          const b = boundaryDistance(x[0]!, M);
          let att = Infinity;
          for (const kind of attackKinds) {
            const a = attack(core, net, x, { kind, m: M, norm, eps: b * 1.01, steps: 50, seed: 3 });
            if (a.success) {
              // Every reported perturbation replays to an adversarial point of the stated norm.
              const z = [x[0]! + a.eta![0]!, x[1]! + a.eta![1]!];
              expect(adversarial(net, z)).toBe(true);
              // The norm reported bounds the exact ‖z − x‖ from above, within rounding of it.
              const n = norm === 'linf' ? Math.max(Math.abs(z[0]! - x[0]!), Math.abs(z[1]! - x[1]!)) : Math.hypot(z[0]! - x[0]!, z[1]! - x[1]!);
              expect(boundsDistance(a.norm, x, z, norm)).toBe(true);
              expect(Math.abs(a.norm - n)).toBeLessThanOrEqual(1e-14 * n);
              att = Math.min(att, a.norm);
            }
          }
          // The exact line search always reaches the stripe boundary: the bracket has an upper end.
          expect(att).toBeLessThanOrEqual(b * (1 + 1e-6) + 1e-12);
          const R = Math.min(att, b) * 1.05;
          const G = 120;
          const dense = denseRadius(net, x, R, norm, G);
          const h = R / G;
          for (const method of ['ibp', 'crown'] as const) {
            for (const directed of [true, false]) {
              const c = certifiedRadius(core, net, x, M, { norm, method, directed, iters: 30 });
              expect(c).toBeLessThanOrEqual(att);
              expect(c).toBeLessThanOrEqual(dense);
            }
          }
          expect(dense).toBeLessThanOrEqual(att + 2 * h * (norm === 'l2' ? Math.SQRT2 : 1));
          // Attack strength (empirical, hence the fixed seed below): no grid point beats the attacks.
          expect(att).toBeLessThanOrEqual(dense + 3 * h * (norm === 'l2' ? Math.SQRT2 : 1));
          compared++;
        }),
        { numRuns: 60, seed: norm === 'linf' ? 20261125 : 20261126 },
      );
      expect(compared).toBeGreaterThan(10);
    });
  }

  it('CROWN is at least as tight as IBP, and bounds contain φ at random points of the ball', () => {
    fc.assert(
      fc.property(netArb, pointArb, fc.double({ min: 1e-4, max: 0.1, noNaN: true }), fc.array(fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })), { minLength: 1, maxLength: 20 }), (net, [k, u, x2], eps, dirs) => {
        const x = [(k + u) / M, x2];
        for (const norm of ['linf', 'l2'] as const) {
          const ibp = certify(core, net, x, eps, { norm, method: 'ibp' });
          const crown = certify(core, net, x, eps, { norm, method: 'crown' });
          expect(crown.lower).toBeGreaterThanOrEqual(ibp.lower);
          expect(crown.upper).toBeLessThanOrEqual(ibp.upper);
          for (const [a, c] of dirs) {
            const s = norm === 'linf' ? 1 : 1 / Math.max(1, Math.hypot(a, c));
            const v = phi(net, [x[0]! + eps * a * s, x[1]! + eps * c * s]);
            expect(v).toBeGreaterThanOrEqual(crown.lower);
            expect(v).toBeLessThanOrEqual(crown.upper);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('a trial skips no certificate it would have issued: its radii equal the stand-alone bisection', () => {
    // With directed rounding a trial answers the balls at or beyond a confirmed in-stripe witness
    // "not certified" without running the bounds (certify/radius.ts `failFrom`); the stand-alone
    // certifiedRadius runs every ball, so equal radii show the skipped verdicts were all "no".
    let skippable = 0;
    let compared = 0;
    for (const norm of ['linf', 'l2'] as const) {
      for (const certify of [['ibp'], ['ibp', 'crown']] as const) {
        for (let trial = 0; trial < 3; trial++) {
          const d = runInstabilityTrial(
            core,
            { m: 8, r: 48, s: 16, hidden: [8, 8], epochs: 150, attacks: ['pgd'], pgdSteps: 20, norm, certify: [...certify], certIters: 20 },
            { seed: 2026, streamHi: 3, trial },
          );
          const n = d.points.certified.length;
          for (let i = 0; i < n; i++) {
            const set = i < d.train.y.length ? d.train : d.val;
            const k = i < d.train.y.length ? i : i - d.train.y.length;
            const x = set.x.subarray(2 * k, 2 * k + 2);
            const y = set.y[k]!;
            if (Math.abs(phi(d.network, Array.from(x)) - y) >= 0.5) continue; // wrong points are not certified
            const alone = certifiedRadius(core, d.network, x, 8, { norm, method: certify.length === 2 ? 'crown' : 'ibp', directed: true, iters: 20 });
            expect(d.points.certified[i]).toBe(alone);
            compared++;
            if (d.points.attacked[i]! < boundaryDistance(x[0]!, 8)) skippable++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(200);
    expect(skippable).toBeGreaterThan(20); // points whose bisection had balls to skip
  });

  it('with directed rounding no certificate is ever contradicted by an attack in whole trials', () => {
    // The trial throws E_THEOREM on a contradiction; count them explicitly as well.
    for (const method of ['train', 'train-variable', 'shortcut', 'construct-stable'] as const) {
      for (const norm of ['linf', 'l2'] as const) {
        const res = runInstabilityTrials(
          core,
          { method, norm, m: 6, r: 24, s: 24, hidden: [6, 6], epochs: 60, attacks: ['line', 'fmn', 'deepfool', 'pgd', 'fgsm', 'random', 'bisect'], pgdSteps: 10, fmnSteps: 30 },
          { seed: 11, streamHi: 2, tStart: 0, count: 2 },
        );
        for (const r of res) expect(r.certContradictions).toBe(0);
      }
    }
  });
});
