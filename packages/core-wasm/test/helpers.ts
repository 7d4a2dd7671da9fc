// Shared fixtures: seeded random networks and data, and tolerance helpers.
import { createNetwork, PhiloxStream, type Network } from '../src/index.js';

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
