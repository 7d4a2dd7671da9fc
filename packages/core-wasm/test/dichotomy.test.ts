import { beforeAll, describe, expect, it } from 'vitest';
import {
  candidateSegments,
  dichotomy,
  forward,
  loadCore,
  PhiloxStream,
  type Core,
  type Dataset,
} from '../src/index.js';
import { runInstabilityTrial } from '../src/instability/index.js';
import { randomNet } from './helpers.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

describe('dichotomy diagnostic (Lemma C on any segment)', () => {
  it('reproduces the F3 counts of instability trials exactly on the stripes mid-line', () => {
    const cases = [
      { m: 12, hidden: [2], method: 'train', mu: 0.01 },
      { m: 16, hidden: [2, 2], method: 'train', mu: 0.005 },
      { m: 10, hidden: [2], method: 'shortcut', mu: 0.01 },
      { m: 14, hidden: [3], method: 'adversarial-train', mu: 0.008 },
    ];
    let compared = 0;
    for (const [i, c] of cases.entries()) {
      for (let trial = 0; trial < 3; trial++) {
        const params = { d: 2, r: 200, s: 100, epochs: 30, delta: 1 / (4 * c.m), ...c, certify: [], attacks: ['fgsm'] };
        const t = runInstabilityTrial(core, params, { seed: 40 + i, streamHi: 0, trial });
        if (t.stripesCovered !== c.m) continue;
        const n = t.train.y.length + t.val.y.length;
        const data: Dataset<Float64Array> = { x: new Float64Array([...t.train.x, ...t.val.x]), y: new Float64Array([...t.train.y, ...t.val.y]) };
        // The mid-line x_2 = 1/2 over x_1 ∈ [0, 1]; every data point is at distance μ from it.
        const r = dichotomy(core, t.network, data, { p: [0, 0.5], q: [1, 0.5], tube: c.mu * (1 + 1e-9) });
        expect(r.points).toBe(n);
        expect(r.alternations).toBe(c.m - 1);
        expect(r.pieceBound).toBe(t.pieceBound);
        expect(r.pieces).toBe(t.piecesMidline);
        expect(r.forcedArchitecture).toBe(t.f3.predicted);
        expect(r.forcedExact).toBe(t.f3.predictedExact);
        // The trial counts stripes with a witness; the diagnostic counts points.
        expect(r.witnesses.length).toBeGreaterThanOrEqual(t.f3.witnesses);
        for (const w of r.witnesses) expect(w.distance).toBeCloseTo(c.mu, 12);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(6);
  });

  it('never forces more than the misclassified-or-unstable points found by dense search (random d = 2 nets, alternating labels)', () => {
    const s = new PhiloxStream({ seed: 77, substream: 0 });
    let forcedSomething = 0;
    for (let net_i = 0; net_i < 12; net_i++) {
      const net = randomNet([2, 3, 2, 1], true, 100 + net_i);
      // 14 points near the segment from (-1, -0.5) to (1, 0.5), labels alternating in runs.
      const n = 14;
      const x = new Float64Array(2 * n);
      const y = new Float64Array(n);
      let label = 0;
      for (let i = 0; i < n; i++) {
        const t = (i + 0.5) / n;
        const off = (s.uniform() - 0.5) * 0.1;
        x[2 * i] = -1 + 2 * t - 0.5 * off;
        x[2 * i + 1] = -0.5 + t + off;
        if (s.uniform() < 0.8) label = 1 - label;
        y[i] = label;
      }
      const data: Dataset<Float64Array> = { x, y };
      const r = dichotomy(core, net, data, { p: [-1, -0.5], q: [1, 0.5], tube: 0.1 });
      if (r.forcedExact > 0) forcedSomething++;
      // Dense search: point i is misclassified, or some point of its closed disc of radius
      // distance(i, image) is (the image itself included).
      let truth = 0;
      for (let i = 0; i < n; i++) {
        const xi = [x[2 * i]!, x[2 * i + 1]!];
        const dirx = 2;
        const diry = 1;
        const t = ((xi[0]! + 1) * dirx + (xi[1]! + 0.5) * diry) / (dirx * dirx + diry * diry);
        const img = [-1 + t * dirx, -0.5 + t * diry];
        const rad = Math.hypot(xi[0]! - img[0]!, xi[1]! - img[1]!);
        const pts = [...xi, ...img];
        for (let a = 0; a < 64; a++) for (let k = 1; k <= 16; k++) pts.push(xi[0]! + ((rad * k) / 16) * Math.cos((2 * Math.PI * a) / 64), xi[1]! + ((rad * k) / 16) * Math.sin((2 * Math.PI * a) / 64));
        const phi = forward(core, net, pts);
        if (phi.some((v) => Math.abs(v - y[i]!) >= 0.5 || (y[i] === 1 ? v <= 0.5 : v >= 0.5))) truth++;
      }
      expect(r.forcedExact).toBeLessThanOrEqual(truth);
      expect(r.forcedArchitecture).toBeLessThanOrEqual(r.forcedExact);
      expect(r.witnesses.length).toBeGreaterThanOrEqual(r.forcedExact);
      expect(r.witnesses.length).toBeLessThanOrEqual(truth);
    }
    // The property is not vacuous: some networks are forced to fail somewhere.
    expect(forcedSomething).toBeGreaterThan(0);
  });

  it('widths at which the architecture bound stops forcing', () => {
    const net = randomNet([2, 2, 3, 1], true, 1);
    // 20 points on a line with alternating labels: a = 19; P(N) = 3·4 = 12.
    const n = 20;
    const data: Dataset<Float64Array> = { x: Float64Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? (k / 2 + 0.5) / n : 0.5)), y: Float64Array.from({ length: n }, (_, i) => i % 2) };
    const r = dichotomy(core, net, data, { p: [0, 0.5], q: [1, 0.5], tube: 0 });
    expect(r.alternations).toBe(19);
    expect(r.pieceBound).toBe(12);
    expect(r.forcedArchitecture).toBe(4);
    // Layer 1: (N_1 + 1)·4 ≥ 19 ⇒ N_1 = 4; layer 2: 3·(N_2 + 1) ≥ 19 ⇒ N_2 = 6; uniform (W+1)² ≥ 19 ⇒ W = 4.
    expect(r.widthToStopForcing).toEqual([4, 6]);
    expect(r.uniformWidthToStopForcing).toBe(4);
    const segs = candidateSegments(data, 0.01, 4);
    expect(segs[0]!.alternations).toBe(19);
  });
});
