import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type Core,
  countPieces,
  createNetwork,
  forward,
  loadCore,
  type Network,
  pieceBound,
  PhiloxStream,
} from '../src/index.js';
import { countPiecesExact } from '../src/pieces-exact.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** φ along the segment at the given t values. */
function phiAt(net: Network, p: number[], q: number[], ts: Float64Array): Float64Array {
  const d = p.length;
  const x = new Float64Array(ts.length * d);
  ts.forEach((t, k) => {
    for (let j = 0; j < d; j++) x[k * d + j] = p[j]! + t * (q[j]! - p[j]!);
  });
  return forward(core, net, x);
}

/** Sawtooth: k tent maps T(x) = 2ρ(x) − 4ρ(x − 1/2) composed; 2^k pieces on [0, 1]. */
function sawtooth(k: number): Network {
  const p: number[] = [1, 1, 0, -0.5];
  for (let l = 1; l < k; l++) p.push(2, -4, 2, -4, 0, -0.5);
  p.push(2, -4, 0);
  return createNetwork([1, ...new Array<number>(k).fill(2), 1], true, p);
}

describe('P(N)', () => {
  it('is Π_{l=1}^{L-1} (N_l + 1)', () => {
    expect(pieceBound([2, 1])).toBe(1);
    expect(pieceBound([2, 32, 32, 1])).toBe(33 * 33);
    expect(pieceBound([3, 4, 5, 6, 1])).toBe(5 * 6 * 7);
  });
});

describe('exact piece count along a segment', () => {
  it('|x| = ρ(x) + ρ(−x) has 2 pieces on [−1, 1], kink at t = 1/2', () => {
    const net = createNetwork([1, 2, 1], false, [1, -1, 1, 1]);
    const r = countPieces(core, net, [-1], [1]);
    expect(r.pieces).toBe(2);
    expect(Array.from(r.breakpoints)).toEqual([0.5]);
  });

  it('a kink that nothing downstream sees is not a piece', () => {
    // The second hidden neuron kinks at x = 0.3 but its outgoing weight is 0.
    const net = createNetwork([1, 2, 1], true, [1, 1, 0, -0.3, 1, 0, 0]);
    const r = countPieces(core, net, [-1], [1]);
    expect(r.intervals).toBe(3);
    expect(r.pieces).toBe(2);
  });

  it('an affine network is one piece, and so is a segment inside one activation region', () => {
    expect(countPieces(core, createNetwork([2, 1], true, [1, 2, 3]), [0, 0], [1, 1]).pieces).toBe(1);
    expect(countPieces(core, createNetwork([1, 2, 1], false, [1, -1, 1, 1]), [0.1], [0.9]).pieces).toBe(1);
  });

  it('the sawtooth of depth k reaches 2^k pieces (k = 1..10)', () => {
    for (let k = 1; k <= 10; k++) {
      const r = countPieces(core, sawtooth(k), [0], [1]);
      expect(r.pieces).toBe(2 ** k);
      expect(r.pieces).toBeLessThanOrEqual(pieceBound(sawtooth(k).dims));
    }
  });

  it('agrees with dense sampling on random small networks and never exceeds P(N)', () => {
    const arb = fc.record({
      d: fc.integer({ min: 1, max: 3 }),
      widths: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
      bias: fc.boolean(),
      seed: fc.integer({ min: 0, max: 2 ** 31 }),
    });
    fc.assert(
      fc.property(arb, ({ d, widths, bias, seed }) => {
        const dims = [d, ...widths, 1];
        const s = new PhiloxStream({ seed });
        const np = dims.slice(1).reduce((a, w, i) => a + w * dims[i]! + (bias ? w : 0), 0);
        const net = createNetwork(dims, bias, Array.from({ length: np }, () => s.normal()));
        const p = Array.from({ length: d }, () => 4 * s.uniform() - 2);
        const q = Array.from({ length: d }, () => 4 * s.uniform() - 2);
        const r = countPieces(core, net, p, q);
        expect(r.pieces).toBeGreaterThanOrEqual(1);
        expect(r.pieces).toBeLessThanOrEqual(r.intervals);
        expect(r.intervals).toBeLessThanOrEqual(pieceBound(dims));
        expect(r.breakpoints.length).toBe(r.pieces - 1);

        // φ is affine on every reported piece: interior samples lie on the chord.
        const edges = [0, ...r.breakpoints, 1];
        for (let i = 0; i + 1 < edges.length; i++) {
          const a = edges[i]!;
          const b = edges[i + 1]!;
          expect(b).toBeGreaterThan(a);
          const ts = Float64Array.from([a, a + 0.25 * (b - a), a + 0.5 * (b - a), a + 0.8 * (b - a), b]);
          const v = phiAt(net, p, q, ts);
          const scale = Math.max(1, ...Array.from(v, Math.abs));
          for (let k = 1; k < 4; k++) {
            const lin = v[0]! + ((ts[k]! - a) / (b - a)) * (v[4]! - v[0]!);
            expect(Math.abs(v[k]! - lin)).toBeLessThan(1e-9 * scale);
          }
        }

        // Dense sampling: count slope changes between consecutive grid cells.
        const M = 4000;
        const ts = Float64Array.from({ length: M + 1 }, (_, k) => k / M);
        const v = phiAt(net, p, q, ts);
        const slope = (k: number) => (v[k + 1]! - v[k]!) * M;
        let kinks = 0;
        let inKink = false;
        for (let k = 0; k + 1 < M; k++) {
          const change = Math.abs(slope(k + 1) - slope(k)) > 1e-7 * Math.max(1, Math.abs(slope(k)));
          if (change && !inKink) kinks++;
          inKink = change;
        }
        // A kink inside a cell bends two consecutive slope pairs (counted once); sampling can
        // only miss pieces, never invent them.
        expect(kinks + 1).toBeLessThanOrEqual(r.pieces);
        // When every piece is wider than a few cells and every kink is visible at the sampling
        // resolution, the counts agree.
        const minGap = Math.min(...edges.slice(1).map((e, i) => e - edges[i]!));
        const visible = r.breakpoints.every((t) => {
          const h = 2 / M;
          const w = phiAt(net, p, q, Float64Array.from([t - 2 * h, t - h, t, t + h, t + 2 * h]));
          return Math.abs((w[4]! - w[3]!) - (w[1]! - w[0]!)) / h > 1e-4 * Math.max(1, Math.abs((w[1]! - w[0]!) / h));
        });
        if (minGap > 4 / M && visible) expect(kinks + 1).toBe(r.pieces);
      }),
      { numRuns: 150 },
    );
  });

  it('decisions are exact: a slope change of 1e-10 (or 2^-60, invisible in f64) is a piece, an exact tie is not', () => {
    // φ = ρ(x₁) + c·ρ(x₁ − ½) on [0, 1]: slopes 1 and 1 + c.
    const phi = (c: number) => createNetwork([1, 2, 1], true, [1, 1, 0, -0.5, 1, c, 0]);
    const a = countPieces(core, phi(1e-10), [0], [1]);
    expect(a.pieces).toBe(2); // the old 1e-9 slope tolerance merged these
    expect(Array.from(a.breakpoints)).toEqual([0.5]);
    expect(a.decidedBy).toBe('certified'); // 1e-10 is far above the rounding bounds: no recount
    // 1 + 2^-60 rounds to 1: the f64 slopes are equal, the kernel cannot decide, the exact count can.
    const b = countPieces(core, phi(2 ** -60), [0], [1]);
    expect(b.decidedBy).toBe('rational');
    expect(b.pieces).toBe(2);
    const c = countPieces(core, phi(0), [0], [1]);
    expect(c.pieces).toBe(1);
    expect(c.intervals).toBe(2);
    // Cancellation: ρ(x) + ρ(x − ½) − ρ(x − ½) is one affine piece exactly.
    const e = createNetwork([1, 3, 1], true, [1, 1, 1, 0, -0.5, -0.5, 1, 1, -1, 0]);
    expect(countPieces(core, e, [0], [1]).pieces).toBe(1);
  });

  it('the certified kernel agrees with the exact rational count on random networks (tiny, huge and mixed weights)', () => {
    const arb = fc.record({
      d: fc.integer({ min: 1, max: 3 }),
      widths: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }),
      bias: fc.boolean(),
      scale: fc.constantFrom(1, 1e-8, 1e8),
      tie: fc.boolean(),
      seed: fc.integer({ min: 0, max: 2 ** 31 }),
    });
    let rational = 0;
    fc.assert(
      fc.property(arb, ({ d, widths, bias, scale, tie, seed }) => {
        const dims = [d, ...widths, 1];
        const s = new PhiloxStream({ seed });
        const np = dims.slice(1).reduce((a, w, i) => a + w * dims[i]! + (bias ? w : 0), 0);
        // Rounded weights (multiples of 1/8) make exact ties and shared kinks common.
        const params = Array.from({ length: np }, () => (tie ? Math.round(8 * s.normal()) / 8 : s.normal()) * scale);
        const net = createNetwork(dims, bias, params);
        const p = Array.from({ length: d }, () => (tie ? Math.round(4 * s.uniform() - 2) : 4 * s.uniform() - 2));
        const q = Array.from({ length: d }, () => (tie ? Math.round(8 * s.uniform() - 4) / 2 : 4 * s.uniform() - 2));
        const r = countPieces(core, net, p, q);
        if (r.decidedBy === 'rational') rational++;
        expect(r.pieces).toBe(countPiecesExact(net, p, q).pieces);
      }),
      { numRuns: 200 },
    );
    expect(rational).toBeGreaterThan(0);
  });
});
