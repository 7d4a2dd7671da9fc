// The training kernels (nn/fm.ts tiles and their remainder paths, train/optim.ts f64x2 steps)
// against an exact-order TypeScript model: the same IEEE operations in the same order, so the
// comparison is bit-for-bit, not to a tolerance. The order the model follows is the kernels'
// contract (nn/fm.ts header): pre-activations sum k in order then add the bias; a batch sum over
// points keeps two lanes (even and odd points, each in order) and adds lane 0 + lane 1 to the
// zeroed gradient; a delta sums the next layer's units in order. Widths 1–9 and odd batch sizes
// hit every tile shape (4-row blocks, 1–3 remaining rows, odd columns, 2-point remainders).
// Only small layers: big ones (N_out·N_in ≥ 16384) use the GEMM path with another batch order.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Core,
  lossAndGradient,
  loadCore,
  type Network,
  train,
  type TrainOptions,
  TRAIN_DEFAULTS,
} from '../src/index.js';
import { randomNet, randomPoints } from './helpers.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

type ExactLoss = 'mse' | 'hinge';

function lossValue(kind: ExactLoss, phi: number, y: number): number {
  if (kind === 'mse') {
    const e = phi - y;
    return e * e;
  }
  const z = (y >= 0.5 ? 1 : -1) * (2 * phi - 1);
  return Math.max(0, 1 - z);
}

function lossGrad(kind: ExactLoss, phi: number, y: number): number {
  if (kind === 'mse') return 2 * (phi - y);
  const s = y >= 0.5 ? 1 : -1;
  return s * (2 * phi - 1) < 1 ? -2 * s : 0;
}

/**
 * Mean loss and gradient of `params` on the points rows[0..nb) in the kernels' exact order
 * (`lanes` = 1 sums the batch sequentially instead: only to show the comparison is sensitive).
 */
function exactLossGrad(
  dims: readonly number[], bias: boolean, params: Float64Array, x: Float64Array, y: Float64Array, rows: number[], kind: ExactLoss,
  lanes: 1 | 2 = 2,
): { loss: number; grad: Float64Array } {
  const L = dims.length - 1;
  const nb = rows.length;
  const off: number[] = [];
  let P = 0;
  for (let l = 1; l <= L; l++) {
    off.push(P);
    P += dims[l]! * dims[l - 1]! + (bias ? dims[l]! : 0);
  }
  // acts[l][b][i]
  const acts: number[][][] = [rows.map((r) => Array.from({ length: dims[0]! }, (_, k) => x[r * dims[0]! + k]!))];
  for (let l = 1; l <= L; l++) {
    const nin = dims[l - 1]!;
    const nout = dims[l]!;
    const w = off[l - 1]!;
    acts.push(acts[l - 1]!.map((a) => {
      const o: number[] = [];
      for (let i = 0; i < nout; i++) {
        let z = 0;
        for (let k = 0; k < nin; k++) z += params[w + i * nin + k]! * a[k]!;
        if (bias) z += params[w + nout * nin + i]!;
        o.push(l < L ? Math.max(z, 0) : z);
      }
      return o;
    }));
  }
  const nL = dims[L]!;
  const inv = 1 / nb;
  let total = 0;
  let delta: number[][] = rows.map(() => new Array<number>(nL).fill(0));
  for (let k = 0; k < nL; k++) {
    for (let b = 0; b < nb; b++) {
      const phi = acts[L]![b]![k]!;
      const t = y[rows[b]! * nL + k]!;
      total += lossValue(kind, phi, t);
      delta[b]![k] = lossGrad(kind, phi, t) * inv;
    }
  }
  const grad = new Float64Array(P);
  const laneSum = (f: (b: number) => number): number => {
    let l0 = 0;
    let l1 = 0;
    for (let b = 0; b < nb; b++) {
      if (lanes === 1 || b % 2 === 0) l0 += f(b);
      else l1 += f(b);
    }
    return 0 + (l0 + l1);
  };
  for (let l = L; l >= 1; l--) {
    const nin = dims[l - 1]!;
    const nout = dims[l]!;
    const w = off[l - 1]!;
    const aPrev = acts[l - 1]!;
    const dl = delta;
    for (let i = 0; i < nout; i++) {
      for (let j = 0; j < nin; j++) grad[w + i * nin + j] = laneSum((b) => dl[b]![i]! * aPrev[b]![j]!);
      if (bias) grad[w + nout * nin + i] = laneSum((b) => dl[b]![i]!);
    }
    if (l > 1) {
      delta = dl.map((d, b) => {
        const o: number[] = [];
        for (let j = 0; j < nin; j++) {
          let s = 0;
          for (let i = 0; i < nout; i++) s += params[w + i * nin + j]! * d[i]!;
          o.push(aPrev[b]![j]! > 0 ? s : 0);
        }
        return o;
      });
    }
  }
  return { loss: total * inv, grad };
}

/**
 * Unshuffled training in the kernels' exact order (penalties on weights only, as optim.ts);
 * null when it diverges as the kernel defines it (a step's loss or a final parameter not finite).
 */
function exactTrain(net: Network, x: Float64Array, y: Float64Array, o: Required<TrainOptions>, kind: ExactLoss): Float64Array | null {
  const dims = net.dims;
  const n = y.length / dims[dims.length - 1]!;
  const p = Float64Array.from(net.params);
  const P = p.length;
  const isWeight: boolean[] = [];
  for (let l = 1; l < dims.length; l++) {
    for (let k = 0; k < dims[l]! * dims[l - 1]!; k++) isWeight.push(true);
    if (net.bias) for (let k = 0; k < dims[l]!; k++) isWeight.push(false);
  }
  const s1 = new Float64Array(P);
  const s2 = new Float64Array(P);
  const batch = o.batchSize <= 0 || o.batchSize >= n ? n : o.batchSize;
  const beta = o.beta1;
  let b1t = 1;
  let b2t = 1;
  for (let e = 0; e < o.epochs; e++) {
    for (let start = 0; start < n; start += batch) {
      const rows = Array.from({ length: Math.min(batch, n - start) }, (_, b) => start + b);
      const { loss, grad: g } = exactLossGrad(dims, net.bias, p, x, y, rows, kind);
      if (!Number.isFinite(loss)) return null;
      if (o.l2 !== 0) for (let q = 0; q < P; q++) if (isWeight[q]) g[q] = g[q]! + 2 * o.l2 * p[q]!;
      if (o.optimizer === 'sgd') {
        for (let q = 0; q < P; q++) p[q] = p[q]! - o.lr * g[q]!;
      } else if (o.optimizer === 'momentum') {
        for (let q = 0; q < P; q++) {
          s1[q] = beta * s1[q]! + g[q]!;
          p[q] = p[q]! - o.lr * s1[q]!;
        }
      } else {
        b1t *= beta;
        b2t *= o.beta2;
        const c1 = 1 - b1t;
        const c2 = 1 - b2t;
        for (let q = 0; q < P; q++) {
          s1[q] = beta * s1[q]! + (1 - beta) * g[q]!;
          s2[q] = o.beta2 * s2[q]! + (1 - o.beta2) * g[q]! * g[q]!;
          p[q] = p[q]! - o.lr * (s1[q]! / c1) / (Math.sqrt(s2[q]! / c2) + o.adamEps);
        }
      }
      const t = o.lr * o.l1;
      if (t !== 0) {
        for (let q = 0; q < P; q++) {
          if (!isWeight[q]) continue;
          const a = Math.abs(p[q]!) - t;
          p[q] = a > 0 ? (p[q]! > 0 ? a : -a) : 0;
        }
      }
    }
  }
  return p.every(Number.isFinite) ? p : null;
}

const bits = (a: ArrayLike<number>): string[] => Array.from(a, (v) => (Object.is(v, -0) ? '-0' : String(v)));

const archArb = fc.record({
  d: fc.integer({ min: 1, max: 3 }),
  hidden: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 0, maxLength: 2 }),
  nL: fc.integer({ min: 1, max: 3 }),
  bias: fc.boolean(),
  n: fc.integer({ min: 1, max: 23 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

function problem(a: { d: number; hidden: number[]; nL: number; bias: boolean; n: number; seed: number }) {
  const dims = [a.d, ...a.hidden, a.nL];
  const net = randomNet(dims, a.bias, a.seed);
  const x = randomPoints(a.n, a.d, a.seed + 1);
  const y = Float64Array.from({ length: a.n * a.nL }, (_, i) => (x[Math.floor(i / a.nL) * a.d]! * (1 + (i % a.nL)) > 0 ? 1 : 0));
  return { dims, net, x, y };
}

describe('training kernels: bit-identical to the exact-order model', () => {
  it('loss and gradient (mse, hinge), widths 1–9, batches 1–23', () => {
    fc.assert(
      fc.property(archArb, fc.constantFrom<ExactLoss>('mse', 'hinge'), (a, kind) => {
        const loss = a.nL === 1 ? kind : 'mse';
        const { dims, net, x, y } = problem(a);
        const got = lossAndGradient(core, net, { x, y }, loss);
        const want = exactLossGrad(dims, a.bias, net.params, x, y, Array.from({ length: a.n }, (_, b) => b), loss);
        expect(bits([got.loss])).toEqual(bits([want.loss]));
        expect(bits(got.grad)).toEqual(bits(want.grad));
      }),
      { numRuns: 150 },
    );
  });

  it('training: sgd, momentum, adam (odd and even parameter counts), l1/l2, unshuffled minibatches', () => {
    fc.assert(
      fc.property(
        archArb,
        fc.constantFrom('sgd', 'momentum', 'adam') as fc.Arbitrary<'sgd' | 'momentum' | 'adam'>,
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom(0, 1e-3),
        fc.constantFrom(0, 1e-2),
        (a, optimizer, batchSize, l1, l2) => {
          const { net, x, y } = problem(a);
          const o = { ...TRAIN_DEFAULTS, optimizer, lr: optimizer === 'adam' ? 0.01 : 0.02, epochs: 4, batchSize, shuffle: false, l1, l2 };
          const got = train(core, net, { x, y }, o);
          const want = exactTrain(net, x, y, o, 'mse');
          // A large step on a tiny batch can diverge: then both must say so.
          expect(got.status).toBe(want === null ? 'diverged' : 'completed');
          if (got.status !== 'completed' || want === null) return;
          expect(bits(got.network.params)).toEqual(bits(want));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('the comparison is sensitive: summing the batch sequentially instead of in two lanes differs', () => {
    let differ = 0;
    for (let seed = 0; seed < 10; seed++) {
      const { dims, net, x, y } = problem({ d: 2, hidden: [5], nL: 1, bias: true, n: 17, seed });
      const rows = Array.from({ length: 17 }, (_, b) => b);
      const got = lossAndGradient(core, net, { x, y }, 'mse').grad;
      expect(bits(got)).toEqual(bits(exactLossGrad(dims, true, net.params, x, y, rows, 'mse').grad));
      if (bits(got).join() !== bits(exactLossGrad(dims, true, net.params, x, y, rows, 'mse', 1).grad).join()) differ++;
    }
    expect(differ).toBeGreaterThan(0);
  });
});
