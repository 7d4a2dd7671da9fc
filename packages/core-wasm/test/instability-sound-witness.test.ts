// Sound witnesses (docs/theory.md I.6): every perturbation an attack reports, and every upper end of
// a trial's bracket, must hold in EXACT arithmetic — the witness x + η (an f64 point) is misclassified
// by the real-valued network on the f64 weights, with the stripes label decided exactly, and the
// reported radius is ≥ the exact ‖(x + η) − x‖. Checked with BigInt dyadic rationals (test/exact.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createNetwork, loadCore, type Core, type Network } from '../src/index.js';
import { attack, runInstabilityTrial, type AttackName, type NormName } from '../src/instability/index.js';
import { boundsBoundaryDistance, boundsDistance, dy, exactLabel, exactlyAdversarial, exactPhi } from './exact.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore(process.env.INSTABILITY_WASM ? { source: process.env.INSTABILITY_WASM } : {});
});

describe('exact helpers', () => {
  it('dy is exact (round trip) and the exact label differs from ⌊fl(m·x)⌋ where the product rounds up to an integer', () => {
    for (const x of [0.1, -3.5, 5e-324, 1.7976931348623157e308, 1 / 3, 2 ** -1022]) {
      const d = dy(x);
      expect(Number(d.n) * 2 ** d.e).toBe(x);
    }
    // fl(1/3) < 1/3, yet 3·fl(1/3) rounds to 1: ⌊fl(3x)⌋ = 1 (stripe 1), exactly it is stripe 0.
    const x = 1 / 3;
    expect(Math.floor(3 * x)).toBe(1);
    expect(exactLabel(x, 3)).toBe(0);
    const raw = core.raw;
    expect(raw.fn<(x: number, m: number) => number>('inst_label_exact')(x, 3)).toBe(0);
    expect(raw.fn<(x: number, m: number) => number>('inst_label')(x, 3)).toBe(1);
    // The WASM exact label agrees with the BigInt one on points at and next to every j/m.
    for (const m of [2, 3, 5, 7, 10, 49, 97]) {
      for (let j = 0; j <= m; j++) {
        const q = j / m;
        for (const x1 of [q, q * (1 - 2 ** -52), q * (1 + 2 ** -52), q - 2 ** -54, q + 2 ** -54]) {
          expect(raw.fn<(x: number, m: number) => number>('inst_label_exact')(x1, m)).toBe(exactLabel(x1, m));
        }
      }
    }
  });

  it('exactPhi is the exact value (a case where f64 evaluation is off)', () => {
    // φ = ρ(x₁ + 1) − 1 with x₁ = 2^-60: f64 gives 0, exactly it is 2^-60.
    const net = createNetwork([1, 1, 1], true, [1, 1, 1, -1]);
    const v = exactPhi(net, [2 ** -60]);
    expect(Number(v.n) * 2 ** v.e).toBe(2 ** -60);
  });
});

const KINDS: AttackName[] = ['line', 'pgd', 'fmn', 'bisect', 'deepfool', 'random', 'fgsm'];

/** A random network with weights of scale `scale`, optionally with unit 0 of layer 1 on a kink at x. */
const netArb = fc.record({
  d: fc.integer({ min: 2, max: 3 }),
  hidden: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 2 }),
  bias: fc.boolean(),
  scale: fc.constantFrom(1, 1e-7, 1e7, 3),
  seedW: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 200, maxLength: 200 }),
  x: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
  kink: fc.boolean(),
  m: fc.integer({ min: 2, max: 9 }),
  norm: fc.constantFrom<NormName>('linf', 'l2'),
});

type NetCase = typeof netArb extends fc.Arbitrary<infer T> ? T : never;

function build(c: NetCase): { net: Network; x: number[] } {
  const dims = [c.d, ...c.hidden, 1];
  const x = c.x.slice(0, c.d);
  const p: number[] = [];
  let k = 0;
  for (let l = 1; l < dims.length; l++) {
    const nIn = dims[l - 1]!;
    const nOut = dims[l]!;
    for (let q = 0; q < nIn * nOut; q++) p.push(c.seedW[k++ % 200]! * (l === dims.length - 1 ? 1 : c.scale));
    if (c.bias) for (let q = 0; q < nOut; q++) p.push(0.5 * c.seedW[k++ % 200]! * (l === dims.length - 1 ? 1 : c.scale));
  }
  if (c.kink && c.bias) {
    // Unit 0 of layer 1 is w·(x_2 − x0_2): zero exactly at x (its bias is w·x0_2 rounded, so use w = 1).
    for (let j = 0; j < c.d; j++) p[j] = j === 1 ? 1 : 0;
    p[c.d * dims[1]!] = -x[1]!;
  }
  return { net: createNetwork(dims, c.bias, p), x };
}

describe('every attack witness is adversarial in exact arithmetic, with an exact-sound radius', () => {
  it('random networks (huge/tiny weights, points on kinks), both norms, every attack kind', () => {
    let witnesses = 0;
    let violations = 0;
    fc.assert(
      fc.property(netArb, (c) => {
        const { net, x } = build(c);
        for (const kind of KINDS) {
          const r = attack(core, net, x, { kind, m: c.m, norm: c.norm, eps: 0.3, steps: 15, queries: 30, seed: 5 });
          if (!r.success) continue;
          witnesses++;
          const z = x.map((v, j) => v + r.eta![j]!);
          const ok = exactlyAdversarial(net, z, c.m) && boundsDistance(r.norm, x, z, c.norm);
          if (!ok) violations++;
        }
        return true;
      }),
      { numRuns: 150 },
    );
    expect(violations).toBe(0);
    expect(witnesses).toBeGreaterThan(300);
  });
});

describe('trial brackets: the upper end holds in exact arithmetic', () => {
  it('trained, adversarially trained, σ and ψ_T, both norms: witness exact, radius ≥ exact norm; Lemma B bound ≥ exact b(x)', () => {
    const cases = [
      { m: 6, r: 24, s: 8, hidden: [8, 8], epochs: 40, attacks: ['pgd', 'line', 'fmn', 'deepfool'], certify: ['crown'] },
      { m: 5, r: 24, s: 8, hidden: [6], epochs: 30, norm: 'l2', attacks: ['pgd', 'bisect', 'random'], certify: ['ibp', 'crown'] },
      { method: 'shortcut', m: 8, r: 24, s: 8, attacks: ['pgd', 'line'], certify: ['crown'] },
      { method: 'construct-stable', m: 6, r: 24, s: 8, attacks: ['pgd', 'line'], certify: ['crown'] },
      { method: 'adversarial-train', m: 6, r: 16, s: 8, hidden: [6], epochs: 15, advSteps: 3, attacks: ['pgd', 'fgsm'], certify: ['ibp'] },
    ];
    let checked = 0;
    let lemmaB = 0;
    for (const p of cases) {
      const t = runInstabilityTrial(core, p, { seed: 17, streamHi: 2, trial: 0 });
      const norm = (p.norm ?? 'linf') as 'linf' | 'l2';
      const X = [...t.train.x, ...t.val.x];
      const d = t.network.dims[0]!;
      const n = X.length / d;
      for (let i = 0; i < n; i++) {
        const x = X.slice(i * d, (i + 1) * d);
        const eta = t.points.eta.slice(i * d, (i + 1) * d);
        const a = t.points.attacked[i]!;
        expect(t.points.certified[i]!).toBeLessThanOrEqual(a);
        if (a === 0) {
          expect(exactlyAdversarial(t.network, x, p.m)).toBe(true);
        } else if (eta.some((v) => v !== 0)) {
          const z = x.map((v, j) => v + eta[j]!);
          expect(exactlyAdversarial(t.network, z, p.m)).toBe(true);
          expect(boundsDistance(a, x, z, norm)).toBe(true);
        } else {
          // No confirmed witness: the upper end is Lemma B's boundary distance, rounded up.
          expect(boundsBoundaryDistance(a, x[0]!, p.m)).toBe(true);
          lemmaB++;
        }
        checked++;
      }
      expect(t.witnessChecks.nudged + t.witnessChecks.dropped).toBeLessThanOrEqual(n);
    }
    expect(checked).toBe(5 * 32 - 8);
    // ψ_T is 1/2 exactly on every stripe boundary: its e₁ witnesses are ties, Lemma B decides.
    expect(lemmaB).toBeGreaterThan(0);
  });
});
