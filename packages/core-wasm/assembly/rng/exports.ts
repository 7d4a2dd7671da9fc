// Raw exports of the RNG area for the TypeScript wrapper (src/rng.ts). Kernel authors use the
// `Philox` class of ./philox directly.

import { Philox, philoxBlock, philoxOut } from "./philox";

// One reusable stream object: the exports below re-key it instead of allocating per call.
const stream = new Philox(0, 0, 0, 0, 0);

/** One raw Philox4x32-10 block (known-answer tests): writes 4 u32 words to `out`. */
export function rng_philox_block(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32, out: usize): void {
  philoxBlock(c0, c1, c2, c3, k0, k1);
  for (let i = 0; i < 4; i++) store<u32>(out + (<usize>i << 2), philoxOut(i));
}

/**
 * Fill `out` with `n` draws of `kind` (0 = u32 words as f64, 1 = uniform, 2 = normal) from the
 * stream (seedLo, seedHi, substream, streamLo, streamHi), starting at its beginning after skipping
 * `skip` draws of the same kind.
 */
export function rng_fill(
  seedLo: u32, seedHi: u32, substream: u32, streamLo: u32, streamHi: u32, kind: i32, skip: i32, out: usize, n: i32,
): void {
  stream.reset(seedLo, seedHi, substream, streamLo, streamHi);
  for (let i = -skip; i < n; i++) {
    const v: f64 = kind == 0 ? <f64>stream.nextU32() : kind == 1 ? stream.uniform() : stream.normal();
    if (i >= 0) store<f64>(out + (<usize>i << 3), v);
  }
}

/** Write a uniformly random permutation of 0..n-1 (Fisher–Yates on the identity) to `out`. */
export function rng_permutation(seedLo: u32, seedHi: u32, substream: u32, streamLo: u32, streamHi: u32, out: usize, n: i32): void {
  stream.reset(seedLo, seedHi, substream, streamLo, streamHi);
  for (let i = 0; i < n; i++) store<i32>(out + (<usize>i << 2), i);
  stream.shuffleI32(out, n);
}
