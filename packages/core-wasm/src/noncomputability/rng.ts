/**
 * The random streams of the noncomputability experiment (TypeScript side).
 *
 * A trial's randomness is Philox4x32-10 keyed by the run seed, with counter
 * `(block, substream, streamLo = t, streamHi = hash32(cell))` as docs/architecture.md fixes. The
 * substreams below separate the uses inside one trial. Both signs of a pair get the *same*
 * algorithm stream (the paired design); the WebAssembly kernels receive a 64-bit key drawn from
 * that stream, so they too are a deterministic function of it.
 */

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

/** Substream ids used inside one trial (counter word c1). */
export const SUBSTREAM = Object.freeze({
  /** The algorithm's own stream (`ctx.rng`), identical for both signs of a pair. */
  algorithm: 0x0a16,
  /** The hidden bit choosing which sign of a pair runs first (see trial.ts). */
  order: 0x0b0d,
  /** The dyadic scales c_j of a run: stream (0, 0) of the run seed, shared by all its cells. */
  scales: 0x5ca1,
});

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two u32 (exact, via 16-bit halves). */
function mulhi(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const t = al * bl;
  const m1 = ah * bl;
  const m2 = al * bh;
  const mid = (t >>> 16) + (m1 & 0xffff) + (m2 & 0xffff);
  return (ah * bh + (m1 >>> 16) + (m2 >>> 16) + (mid >>> 16)) >>> 0;
}

/** One Philox4x32-10 block: 4 output words for counter `c` and key `(k0, k1)`. */
export function philox4x32(c: readonly [number, number, number, number], k0: number, k1: number): [number, number, number, number] {
  let c0 = c[0] >>> 0;
  let c1 = c[1] >>> 0;
  let c2 = c[2] >>> 0;
  let c3 = c[3] >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ key0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ key1) >>> 0;
    c3 = lo0;
    key0 = (key0 + W0) >>> 0;
    key1 = (key1 + W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** Split a non-negative integer seed (< 2^53) into the Philox key words. */
export function seedKey(seed: number): [number, number] {
  return [seed % 2 ** 32 >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
}

/**
 * A Philox stream `(seed; substream, streamLo, streamHi)`. Its state lives in a closure, so the
 * returned object exposes only the `Rng` methods: an algorithm cannot read the seed or the stream
 * id from it (nor anything else about the trial).
 */
export function philoxStream(seed: number, substream: number, streamLo: number, streamHi: number): Rng {
  const [k0, k1] = seedKey(seed);
  let block = 0;
  let buf: [number, number, number, number] = [0, 0, 0, 0];
  let pos = 4;
  let spare = NaN;
  const nextU32 = (): number => {
    if (pos === 4) {
      buf = philox4x32([block, substream >>> 0, streamLo >>> 0, streamHi >>> 0], k0, k1);
      block = (block + 1) >>> 0;
      pos = 0;
    }
    return buf[pos++]!;
  };
  const uniform = (): number => {
    const hi = nextU32();
    const lo = nextU32();
    // (u64 >> 11) · 2^-53: the top 21 bits of `hi` and all of `lo` minus its low 11 bits.
    return ((hi >>> 0) * 2 ** 21 + (lo >>> 11)) * 2 ** -53;
  };
  const normal = (): number => {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = NaN;
      return z;
    }
    const u1 = 1 - uniform(); // (0, 1]: log is finite
    const u2 = uniform();
    const rad = Math.sqrt(-2 * Math.log(u1));
    spare = rad * Math.sin(2 * Math.PI * u2);
    return rad * Math.cos(2 * Math.PI * u2);
  };
  const below = (n: number): number => {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError(`rng.below(n): expected an integer in [1, 2^32], got ${n}`);
    // Reject the top partial copy of [0, n) so every residue is equally likely.
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = nextU32();
      if (x < limit) return x % n;
    }
  };
  const shuffle = <T>(items: T[]): T[] => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = below(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  };
  return Object.freeze({ nextU32, uniform, normal, below, shuffle });
}
