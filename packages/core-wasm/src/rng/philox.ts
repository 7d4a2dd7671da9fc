/**
 * Philox4x32-10 in plain TypeScript: the same generator, key/counter layout and derived
 * distributions as the WebAssembly core (assembly/rng/philox.ts), for code that draws random
 * numbers on the TypeScript side (the Δ1 oracle's algorithms, the reference implementation,
 * tests). `nextU32`, `uniform`, `below` and `shuffle` give bit-identical sequences to the core;
 * `normal` uses the same Box–Muller formula but the engine's `Math.log/sin/cos`, which may differ
 * from the core's in the last bit.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO_POW_M53 = 2 ** -53;

/** The high 32 bits of the 64-bit product a·b of two u32 (the low half is `Math.imul`). */
function mulhi32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const mid = ((al * bl) >>> 16) + ((ah * bl) & 0xffff) + ((al * bh) & 0xffff);
  return (ah * bh + ((ah * bl) >>> 16) + ((al * bh) >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * One Philox4x32-10 block: counter (c0..c3) and key (k0, k1), all u32; returns the 4 output
 * words. Random123 known answer: counter 0, key 0 → 6627e8d5 e169c58d bc57ac4c 9b00dbd8.
 */
export function philox4x32_10(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): [number, number, number, number] {
  c0 >>>= 0; c1 >>>= 0; c2 >>>= 0; c3 >>>= 0; k0 >>>= 0; k1 >>>= 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** A 64-bit value given as a safe integer number (≥ 0) or a bigint. */
export type U64 = number | bigint;

/** The key of one random stream (docs/architecture.md, "Random streams"). */
export interface StreamKey {
  /** 64-bit seed (safe integer ≥ 0, or bigint < 2^64). */
  seed: U64;
  /** 64-bit stream id (e.g. the trial index); default 0. */
  stream?: U64;
  /** 32-bit substream separating independent uses inside one trial; default 0. */
  substream?: number;
}

/** Split a 64-bit value into (lo, hi) u32 words; throws RangeError when it is not a valid u64. */
export function splitU64(v: U64, what: string): [number, number] {
  if (typeof v === 'bigint') {
    if (v < 0n || v >= 1n << 64n) throw new RangeError(`${what}: expected an integer in [0, 2^64), got ${v}`);
    return [Number(v & 0xffffffffn), Number(v >> 32n)];
  }
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new RangeError(`${what}: expected a safe integer ≥ 0 or a bigint, got ${String(v)}`);
  }
  return [v % 2 ** 32, Math.floor(v / 2 ** 32)];
}

/** The five u32 words (seedLo, seedHi, substream, streamLo, streamHi) of a stream key. */
export function streamWords(key: StreamKey): [number, number, number, number, number] {
  const [sLo, sHi] = splitU64(key.seed, 'seed');
  const [tLo, tHi] = splitU64(key.stream ?? 0, 'stream');
  const sub = key.substream ?? 0;
  if (!Number.isInteger(sub) || sub < 0 || sub > 0xffffffff) {
    throw new RangeError(`substream: expected an integer in [0, 2^32), got ${String(sub)}`);
  }
  return [sLo, sHi, sub, tLo, tHi];
}

/** A keyed Philox stream drawing numbers in the same order as the core's `Philox` class. */
export class PhiloxStream {
  private readonly k0: number;
  private readonly k1: number;
  private readonly sub: number;
  private readonly sLo: number;
  private readonly sHi: number;
  private block = 0;
  private buf: [number, number, number, number] = [0, 0, 0, 0];
  private idx = 4;
  private spare: number | undefined;

  /**
   * A stream from its key, or directly from the five u32 words `(seedLo, seedHi, substream,
   * streamLo, streamHi)` that `streamWords` computes (no 64-bit arithmetic: for callers that
   * create a stream per trial).
   */
  constructor(key: StreamKey | { words: readonly [number, number, number, number, number] }) {
    if ('words' in key) {
      for (const w of key.words) {
        if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) throw new RangeError(`stream words: expected integers in [0, 2^32), got ${key.words.join(', ')}`);
      }
      [this.k0, this.k1, this.sub, this.sLo, this.sHi] = key.words;
    } else {
      [this.k0, this.k1, this.sub, this.sLo, this.sHi] = streamWords(key);
    }
  }

  /** Next uniformly distributed u32. */
  nextU32(): number {
    if (this.idx >= 4) {
      this.buf = philox4x32_10(this.block, this.sub, this.sLo, this.sHi, this.k0, this.k1);
      this.block = (this.block + 1) >>> 0;
      this.idx = 0;
    }
    return this.buf[this.idx++]!;
  }

  /** Uniform in [0, 1) with 53 bits: ((first·2^32 + second) >> 11)·2^-53. */
  uniform(): number {
    const hi = this.nextU32();
    const lo = this.nextU32();
    // (hi·2^32 + lo) >> 11 = hi·2^21 + (lo >>> 11), exact in a double.
    return (hi * 2 ** 21 + (lo >>> 11)) * TWO_POW_M53;
  }

  /** Standard normal by Box–Muller (both values used; the second is cached). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u1 = this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(1 - u1));
    const t = 2 * Math.PI * u2;
    this.spare = r * Math.sin(t);
    return r * Math.cos(t);
  }

  /** Unbiased integer in [0, n), 1 ≤ n ≤ 2^32, by rejection of words below (2^32 − n) mod n. */
  below(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError(`below: expected an integer n in [1, 2^32], got ${n}`);
    const threshold = (2 ** 32 - n) % n;
    for (;;) {
      const x = this.nextU32();
      if (x >= threshold) return x % n;
    }
  }

  /** Fisher–Yates in place: for i = length−1 … 1 swap a[i] with a[below(i+1)]. */
  shuffle<T>(a: { length: number; [i: number]: T }): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }
}
