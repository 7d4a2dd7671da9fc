// Shared fixtures: seeded random networks and data, random ReLU networks for the exact-oracle
// property tests, and tolerance helpers.
import fc from 'fast-check';
import { createNetwork, PhiloxStream, type Network } from '../src/index.js';
import { cmp, exactOutputs, type Dyadic } from './exact.js';
import { qNum } from './radius-oracle.js';

/** A network with N(0, 1/fan_in)-ish weights and small random biases, from a seeded stream. */
export function randomNet(dims: number[], bias: boolean, seed: number): Network {
  const s = new PhiloxStream({ seed, substream: 99 });
  const p: number[] = [];
  for (let l = 1; l < dims.length; l++) {
    const nin = dims[l - 1]!;
    for (let k = 0; k < nin * dims[l]!; k++) p.push(s.normal() / Math.sqrt(nin));
    if (bias) for (let k = 0; k < dims[l]!; k++) p.push(0.3 * s.normal());
  }
  return createNetwork(dims, bias, p);
}

/** n points of dimension d with coordinates uniform in [-1, 1]. */
export function randomPoints(n: number, d: number, seed: number): Float64Array {
  const s = new PhiloxStream({ seed, substream: 98 });
  return Float64Array.from({ length: n * d }, () => 2 * s.uniform() - 1);
}

/** max_i |a_i − b_i| / max(1, |b_i|). */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

/** Architectures used across the tests: depths 1 to 4, odd and even widths. */
export const ARCHS: number[][] = [
  [3, 1],
  [2, 5, 1],
  [4, 7, 3],
  [3, 6, 5, 1],
  [2, 9, 4, 6, 2],
];

/** f64 values spread uniformly over [−m, m) with 53 significant bits (m a power of two or not). */
export const f53 = (m: number): fc.Arbitrary<number> =>
  fc.tuple(fc.integer({ min: -(2 ** 29), max: 2 ** 29 - 1 }), fc.integer({ min: 0, max: 2 ** 23 - 1 }))
    .map(([a, b]) => (a * 2 ** 23 + b) * 2 ** -52 * m);

/** Hidden widths `[min, max]` of the networks `reluCaseArb` draws: one hidden layer, or two. */
export interface HiddenWidths {
  one: readonly [number, number];
  two: readonly [readonly [number, number], readonly [number, number]];
}

/** Weights drawn per case (reused cyclically when a network has more parameters). */
const RELU_CASE_WEIGHTS = 200;

/**
 * Random small ReLU networks on the plane and a point to ask about, for the property tests that
 * check the verifier and the exact radius against the exact rational oracle (test/radius-oracle.ts);
 * `buildReluCase` turns a case into the network, the point x and its label y. One or two hidden
 * layers of `widths`, biases, binary (one output) or multiclass (2–3 outputs). Weights uniform in
 * [−2, 2] with full 53-bit mantissas (a double generator picks tiny magnitudes far too often); huge
 * and tiny layers from a first-layer scale 2^s, compensated in the second layer (the same function,
 * other rounding) or not (sharp or flat networks), and a first-layer unit shrunk by 2^−40. x on a
 * grid of 1/16 with a first-layer kink through it, or anywhere in [−1, 1)². Binary: φ(x) moved to
 * y + δ, |δ| < 0.45 or δ = ±1/2 (on the decision boundary up to rounding); multiclass: y the argmax.
 */
export function reluCaseArb(widths: HiddenWidths) {
  const width = ([min, max]: readonly [number, number]) => fc.integer({ min, max });
  return fc.record({
    criterion: fc.constantFrom('binary' as const, 'multiclass' as const),
    hidden: fc.oneof(width(widths.one).map((h) => [h]), fc.tuple(width(widths.two[0]), width(widths.two[1])).map((h) => [...h])),
    nOut: fc.integer({ min: 2, max: 3 }),
    w: fc.array(f53(2), { minLength: RELU_CASE_WEIGHTS, maxLength: RELU_CASE_WEIGHTS }),
    scale: fc.constantFrom(0, 0, 0, 30, -30, 60, -60),
    compensate: fc.boolean(),
    tinyUnit: fc.boolean(),
    kink: fc.boolean(),
    xg: fc.tuple(fc.integer({ min: -16, max: 16 }), fc.integer({ min: -16, max: 16 })),
    xr: fc.tuple(f53(1), f53(1)),
    y: fc.integer({ min: 0, max: 1 }),
    delta: fc.oneof({ arbitrary: f53(0.45), weight: 6 }, { arbitrary: fc.constantFrom(0.5, -0.5), weight: 1 }),
  });
}

/** A case drawn by `reluCaseArb`. */
export type ReluCase = ReturnType<typeof reluCaseArb> extends fc.Arbitrary<infer T> ? T : never;

/** An exact dyadic as an f64 (to the precision of `qNum`). */
const dyNum = (v: Dyadic): number => qNum(v.e >= 0 ? { n: v.n << BigInt(v.e), d: 1n } : { n: v.n, d: 1n << BigInt(-v.e) });

/** The network, point and label of a `reluCaseArb` case. */
export function buildReluCase(c: ReluCase): { net: Network; x: [number, number]; y: number } {
  const nOut = c.criterion === 'binary' ? 1 : c.nOut;
  const dims = [2, ...c.hidden, nOut];
  const params: number[] = [];
  let k = 0;
  const x: [number, number] = c.kink ? [c.xg[0] / 16, c.xg[1] / 16] : [c.xr[0], c.xr[1]];
  for (let l = 1; l < dims.length; l++) {
    const [nIn, nO] = [dims[l - 1]!, dims[l]!];
    const s = l === 1 ? c.scale : l === 2 && c.compensate ? -c.scale : 0;
    const W: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < nO * nIn; i++) W.push(c.w[k++ % RELU_CASE_WEIGHTS]! * 2 ** s);
    for (let i = 0; i < nO; i++) b.push(c.w[k++ % RELU_CASE_WEIGHTS]! * 0.5 * 2 ** s);
    if (l === 1 && c.tinyUnit && nO > 1) {
      W[nIn] = W[nIn]! * 2 ** -40;
      W[nIn + 1] = W[nIn + 1]! * 2 ** -40;
    }
    if (l === 1 && c.kink) {
      // Unit 0's line passes exactly through x: weights on a grid of 1/64 (times 2^s), so w·x is exact.
      W[0] = (Math.round(W[0]! * 2 ** -s * 64) / 64) * 2 ** s;
      W[1] = (Math.round(W[1]! * 2 ** -s * 64) / 64) * 2 ** s;
      b[0] = -(W[0] * x[0] + W[1] * x[1]);
    }
    params.push(...W, ...b);
  }
  let net = createNetwork(dims, true, params);
  let y = 0;
  if (c.criterion === 'binary') {
    y = c.y;
    const phi = dyNum(exactOutputs(net, x)[0]!);
    params[params.length - 1] = params[params.length - 1]! + (y + c.delta - phi);
    net = createNetwork(dims, true, params);
  } else {
    const o = exactOutputs(net, x);
    o.forEach((v, j) => {
      if (cmp(v, o[y]!) > 0) y = j;
    });
  }
  return { net, x, y };
}
