// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the
// counter-based generator of Random123. A counter-based generator has no sequential state worth
// the name: block `b` of stream `s` is a pure function of (key, counter), which is what makes every
// trial reproducible bit for bit whatever worker, batch or machine runs it.
//
// Key and counter layout (docs/architecture.md, "Random streams"):
//   key     (k0, k1)          = (seed mod 2^32, floor(seed / 2^32))
//   counter (c0, c1, c2, c3)  = (block, substream, streamLo, streamHi)

import { ERR_ARG } from "../errors";

// Round multipliers and Weyl key increments from Random123's philox.h.
const M0: u64 = 0xd2511f53;
const M1: u64 = 0xcd9e8d57;
const W0: u32 = 0x9e3779b9;
const W1: u32 = 0xbb67ae85;

/** 2^-53: scales a 53-bit integer into [0, 1). */
const TWO_POW_M53: f64 = 1.1102230246251565e-16;
const TWO_PI: f64 = 6.283185307179586;

// One Philox4x32-10 block. The four outputs land in the module-level scratch below so that the
// function can be shared by the class and the raw KAT export without allocating.
let r0: u32 = 0;
let r1: u32 = 0;
let r2: u32 = 0;
let r3: u32 = 0;

/**
 * Compute one Philox4x32-10 block for counter (c0..c3) and key (k0, k1); the result is left in
 * the module globals r0..r3 (read them with `philoxOut(i)` or through the `Philox` class).
 */
// @ts-ignore: decorator
@inline
export function philoxBlock(c0: u32, c1: u32, c2: u32, c3: u32, k0: u32, k1: u32): void {
  for (let round = 0; round < 10; round++) {
    const p0: u64 = M0 * <u64>c0;
    const p1: u64 = M1 * <u64>c2;
    const hi0 = <u32>(p0 >>> 32);
    const lo0 = <u32>p0;
    const hi1 = <u32>(p1 >>> 32);
    const lo1 = <u32>p1;
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    // The key is bumped between rounds (9 bumps for 10 rounds); bumping once more after the last
    // round is harmless because k0/k1 are local copies.
    k0 += W0;
    k1 += W1;
  }
  r0 = c0;
  r1 = c1;
  r2 = c2;
  r3 = c3;
}

/** Output word `i` (0..3) of the last `philoxBlock` call. */
export function philoxOut(i: i32): u32 {
  return i == 0 ? r0 : i == 1 ? r1 : i == 2 ? r2 : r3;
}

/**
 * One keyed random stream. Construct once per use (or `reset` an existing one to avoid an
 * allocation) and draw numbers from it; words are consumed in order out0, out1, out2, out3 of
 * block 0, then block 1, and so on. The block counter is 32 bits: a stream yields 2^34 words
 * before it would wrap, far beyond any trial.
 */
@final
export class Philox {
  /** Key word 0 (seed low 32 bits). */
  k0: u32 = 0;
  /** Key word 1 (seed high 32 bits). */
  k1: u32 = 0;
  /** Counter word 0: the next block to compute. */
  block: u32 = 0;
  /** Counter word 1: substream. */
  substream: u32 = 0;
  /** Counter word 2: stream id low 32 bits. */
  streamLo: u32 = 0;
  /** Counter word 3: stream id high 32 bits. */
  streamHi: u32 = 0;
  private b0: u32 = 0;
  private b1: u32 = 0;
  private b2: u32 = 0;
  private b3: u32 = 0;
  /** Index of the next unused word of the buffered block; 4 means "buffer empty". */
  private idx: i32 = 4;
  private hasSpare: bool = false;
  private spare: f64 = 0;

  constructor(seedLo: u32, seedHi: u32, substream: u32, streamLo: u32, streamHi: u32) {
    this.reset(seedLo, seedHi, substream, streamLo, streamHi);
  }

  /** Re-key this object to the start of another stream (no allocation). */
  reset(seedLo: u32, seedHi: u32, substream: u32, streamLo: u32, streamHi: u32): void {
    this.k0 = seedLo;
    this.k1 = seedHi;
    this.block = 0;
    this.substream = substream;
    this.streamLo = streamLo;
    this.streamHi = streamHi;
    this.idx = 4;
    this.hasSpare = false;
    this.spare = 0;
  }

  /** Jump to the start of `substream` of the same key and stream id. */
  setSubstream(substream: u32): void {
    this.substream = substream;
    this.block = 0;
    this.idx = 4;
    this.hasSpare = false;
  }

  /** Next uniformly distributed 32-bit word. */
  nextU32(): u32 {
    if (this.idx >= 4) {
      philoxBlock(this.block, this.substream, this.streamLo, this.streamHi, this.k0, this.k1);
      this.b0 = r0;
      this.b1 = r1;
      this.b2 = r2;
      this.b3 = r3;
      this.block++;
      this.idx = 0;
    }
    const i = this.idx++;
    return i == 0 ? this.b0 : i == 1 ? this.b1 : i == 2 ? this.b2 : this.b3;
  }

  /**
   * Uniform f64 in [0, 1) with 53 random bits: u64 = (first word << 32) | second word, result
   * (u64 >> 11) · 2^-53. Every value is a multiple of 2^-53, so the result is exactly
   * reproducible in any language.
   */
  uniform(): f64 {
    const hi = <u64>this.nextU32();
    const lo = <u64>this.nextU32();
    return <f64>(((hi << 32) | lo) >>> 11) * TWO_POW_M53;
  }

  /**
   * Standard normal by Box–Muller: u1, u2 = uniform(); r = sqrt(-2 ln(1 - u1)), θ = 2π u2;
   * returns r cos θ and caches r sin θ for the next call (both values are used).
   * 1 - u1 ∈ (0, 1], so the logarithm is always finite.
   */
  normal(): f64 {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const u1 = this.uniform();
    const u2 = this.uniform();
    const r = Math.sqrt(-2.0 * Math.log(1.0 - u1));
    const t = TWO_PI * u2;
    this.spare = r * Math.sin(t);
    this.hasSpare = true;
    return r * Math.cos(t);
  }

  /**
   * Unbiased integer in [0, n) for n ≥ 1, by rejection: words below (2^32 - n) mod n are
   * redrawn, so every residue is hit by exactly floor(2^32 / n) accepted words.
   */
  below(n: u32): u32 {
    if (n == 0) abort(ERR_ARG);
    const threshold: u32 = (<u32>0 - n) % n;
    while (true) {
      const x = this.nextU32();
      if (x >= threshold) return x % n;
    }
  }

  /**
   * Fisher–Yates shuffle of `n` i32 values at `ptr`, in place: for i = n-1 down to 1, swap
   * element i with element below(i + 1).
   */
  shuffleI32(ptr: usize, n: i32): void {
    for (let i = n - 1; i > 0; i--) {
      const j = <i32>this.below(<u32>(i + 1));
      const pi = ptr + (<usize>i << 2);
      const pj = ptr + (<usize>j << 2);
      const t = load<i32>(pi);
      store<i32>(pi, load<i32>(pj));
      store<i32>(pj, t);
    }
  }
}
