/**
 * The random streams of the noncomputability experiment (TypeScript side).
 *
 * A trial's randomness is Philox4x32-10 keyed by the run seed, with counter
 * `(block, substream, streamLo = t, streamHi = hash32(cell))` as docs/architecture.md fixes. The
 * substreams below separate the uses inside one trial. Both signs of a pair get the *same*
 * algorithm stream (the paired design); the WebAssembly kernels receive a 64-bit key drawn from
 * that stream, so they too are a deterministic function of it.
 */
import { PhiloxStream, splitU64 } from '../rng/philox.js';
import { SUBSTREAM as ROOT_SUBSTREAM } from '../rng/substreams.js';

/** The random-number interface an algorithm sees (`ctx.rng`). */
export interface Rng {
  /** Next uniformly distributed 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number;
  /** Standard normal (Box–Muller; both values of a pair are used). */
  normal(): number;
  /** Uniform integer in [0, n) for an integer 1 ≤ n ≤ 2^32, without modulo bias. */
  below(n: number): number;
  /** Fisher–Yates shuffle of an array in place (indices drawn with `below`). */
  shuffle<T>(items: T[]): T[];
}

/** Substream ids used inside one trial (counter word c1): `SUBSTREAM.noncomputability` of the one table. */
export const SUBSTREAM = ROOT_SUBSTREAM.noncomputability;

/**
 * A Philox stream `(seed; substream, streamLo, streamHi)` — the core's generator (src/rng/philox.ts),
 * bit-identical to the WebAssembly `Philox` for `nextU32`, `uniform`, `below` and `shuffle`. The
 * generator object lives in a closure and the returned object exposes only the `Rng` methods: an
 * algorithm cannot read the seed or the stream id from it (JavaScript `private` fields would not
 * hide them), nor anything else about the trial.
 */
export function philoxStream(seed: number, substream: number, streamLo: number, streamHi: number): Rng {
  // The words of (seed; substream, streamHi·2^32 + streamLo), without BigInt arithmetic: a stream
  // is made for every run of every trial.
  const [seedLo, seedHi] = splitU64(seed, 'seed');
  const g = new PhiloxStream({ words: [seedLo, seedHi, substream, streamLo >>> 0, streamHi >>> 0] });
  const below = (n: number): number => g.below(n);
  return Object.freeze({
    nextU32: () => g.nextU32(),
    uniform: () => g.uniform(),
    normal: () => g.normal(),
    below,
    shuffle: <T>(items: T[]): T[] => {
      g.shuffle(items);
      return items;
    },
  });
}
