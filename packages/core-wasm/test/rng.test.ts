import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  type Core,
  CoreError,
  loadCore,
  PhiloxStream,
  philox4x32_10,
  philoxBlock,
  randomNormal,
  randomPermutation,
  randomU32,
  randomUniform,
} from '../src/index.js';
import { streamWords } from '../src/rng/philox.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

// Random123 kat_vectors, philox4x32 10 rounds: counter (4 words), key (2 words) → output.
const KAT: Array<{ ctr: [number, number, number, number]; key: [number, number]; out: number[] }> = [
  { ctr: [0, 0, 0, 0], key: [0, 0], out: [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8] },
  {
    ctr: [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    key: [0xffffffff, 0xffffffff],
    out: [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  },
  {
    ctr: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    key: [0xa4093822, 0x299f31d0],
    out: [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  },
];

describe('Philox4x32-10 known-answer vectors (Random123)', () => {
  for (const v of KAT) {
    const name = v.out.map((x) => x.toString(16).padStart(8, '0')).join(' ');
    it(`core gives ${name}`, () => {
      expect(Array.from(philoxBlock(core, v.ctr, v.key))).toEqual(v.out);
    });
    it(`TypeScript gives ${name}`, () => {
      expect(philox4x32_10(...v.ctr, ...v.key)).toEqual(v.out);
    });
  }

  it('a stream draws block b of (seed, substream, stream) as counter (b, substream, streamLo, streamHi)', () => {
    const key = { seed: 0xa4093822n + (0x299f31d0n << 32n), stream: 7 + 9 * 2 ** 32, substream: 5 };
    const words = randomU32(core, key, 8);
    const b0 = philox4x32_10(0, 5, 7, 9, 0xa4093822, 0x299f31d0);
    const b1 = philox4x32_10(1, 5, 7, 9, 0xa4093822, 0x299f31d0);
    expect(Array.from(words)).toEqual([...b0, ...b1]);
  });
});

describe('streams: core and TypeScript agree', () => {
  it('u32, uniform and permutations are bit-identical for arbitrary keys', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 60 }),
        (seed, stream, substream, n) => {
          const key = { seed, stream, substream };
          const ts = new PhiloxStream(key);
          const words = Array.from({ length: n }, () => ts.nextU32());
          expect(Array.from(randomU32(core, key, n))).toEqual(words);
          const tu = new PhiloxStream(key);
          expect(Array.from(randomUniform(core, key, n))).toEqual(Array.from({ length: n }, () => tu.uniform()));
          const perm = Array.from({ length: n }, (_, i) => i);
          new PhiloxStream(key).shuffle(perm);
          expect(Array.from(randomPermutation(core, key, n))).toEqual(perm);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('normals agree to rounding (the engines differ only in Math.log/sin/cos)', () => {
    const key = { seed: 42, stream: 3 };
    const ts = new PhiloxStream(key);
    const core1 = randomNormal(core, key, 1000);
    for (let i = 0; i < 1000; i++) expect(core1[i]).toBeCloseTo(ts.normal(), 12);
  });

  it('skip continues the same stream', () => {
    const key = { seed: 1, stream: 2 };
    const all = randomUniform(core, key, 20);
    expect(Array.from(randomUniform(core, key, 10, 10))).toEqual(Array.from(all.subarray(10)));
    const nAll = randomNormal(core, key, 9);
    expect(Array.from(randomNormal(core, key, 4, 5))).toEqual(Array.from(nAll.subarray(5)));
  });

  it('different substreams, streams and seeds give different numbers', () => {
    const a = randomU32(core, { seed: 1, stream: 0, substream: 0 }, 4);
    expect(Array.from(randomU32(core, { seed: 1, stream: 0, substream: 1 }, 4))).not.toEqual(Array.from(a));
    expect(Array.from(randomU32(core, { seed: 1, stream: 1, substream: 0 }, 4))).not.toEqual(Array.from(a));
    expect(Array.from(randomU32(core, { seed: 2, stream: 0, substream: 0 }, 4))).not.toEqual(Array.from(a));
  });
});

describe('distributions', () => {
  it('uniform values are multiples of 2^-53 in [0, 1) with mean 1/2 and variance 1/12', () => {
    const u = randomUniform(core, { seed: 9 }, 200_000);
    let s = 0;
    let s2 = 0;
    let bad = 0;
    for (const x of u) {
      if (!(x >= 0 && x < 1) || !Number.isInteger(x * 2 ** 53)) bad++;
      s += x;
      s2 += x * x;
    }
    expect(bad).toBe(0);
    const m = s / u.length;
    // 6 standard errors: fails with probability ~1e-9 for a correct generator.
    expect(Math.abs(m - 0.5)).toBeLessThan(6 * Math.sqrt(1 / 12 / u.length));
    expect(Math.abs(s2 / u.length - m * m - 1 / 12)).toBeLessThan(0.002);
  });

  it('normals have mean 0, variance 1 and Gaussian tails', () => {
    const z = randomNormal(core, { seed: 10 }, 200_000);
    let s = 0;
    let s2 = 0;
    let tail = 0;
    for (const x of z) {
      s += x;
      s2 += x * x;
      if (Math.abs(x) > 1.96) tail++;
    }
    expect(Math.abs(s / z.length)).toBeLessThan(6 / Math.sqrt(z.length));
    expect(Math.abs(s2 / z.length - 1)).toBeLessThan(6 * Math.sqrt(2 / z.length));
    expect(Math.abs(tail / z.length - 0.05)).toBeLessThan(6 * Math.sqrt(0.05 * 0.95 / z.length));
  });

  it('below(n) is unbiased, including for n that does not divide 2^32', () => {
    const s = new PhiloxStream({ seed: 11 });
    const n = 3 * 2 ** 30; // rejection matters here: 2^32 mod n = 2^30
    const draws = 60_000;
    let low = 0;
    for (let i = 0; i < draws; i++) if (s.below(n) < 2 ** 30) low++;
    // Without rejection, values below 2^30 would be twice as likely (p = 1/2 instead of 1/3).
    expect(Math.abs(low / draws - 1 / 3)).toBeLessThan(6 * Math.sqrt((1 / 3) * (2 / 3) / draws));
  });

  it('permutations are permutations and every position is uniform', () => {
    const n = 5;
    const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const trials = 5000;
    for (let t = 0; t < trials; t++) {
      const p = randomPermutation(core, { seed: 12, stream: t }, n);
      expect([...p].sort()).toEqual([0, 1, 2, 3, 4]);
      for (let i = 0; i < n; i++) counts[i]![p[i]!]!++;
    }
    const sd = Math.sqrt(trials * (1 / n) * (1 - 1 / n));
    for (const row of counts) for (const c of row) expect(Math.abs(c - trials / n)).toBeLessThan(6 * sd);
  });
});

describe('streams from their words', () => {
  it('a stream made from the words of a key draws exactly what the key draws', () => {
    const u64 = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.integer({ min: 0, max: 2 ** 32 + 7 }));
    fc.assert(
      fc.property(u64, u64, fc.integer({ min: 0, max: 0xffffffff }), (seed, stream, substream) => {
        const key = { seed, stream, substream };
        const a = new PhiloxStream(key);
        const b = new PhiloxStream({ words: streamWords(key) });
        for (let i = 0; i < 9; i++) expect(b.nextU32()).toBe(a.nextU32());
        expect(b.uniform()).toBe(a.uniform());
      }),
      { numRuns: 200 },
    );
  });

  it('rejects words that are not u32', () => {
    expect(() => new PhiloxStream({ words: [0, 0, 0, 0, 2 ** 32] })).toThrow(RangeError);
    expect(() => new PhiloxStream({ words: [0, -1, 0, 0, 0] })).toThrow(/stream words/);
    expect(() => new PhiloxStream({ words: [0, 0, 0.5, 0, 0] })).toThrow(/stream words/);
  });
});

describe('stream key validation', () => {
  it('rejects negative, fractional and oversized keys with E_ARG', () => {
    expect(() => randomU32(core, { seed: -1 }, 1)).toThrow(CoreError);
    expect(() => randomU32(core, { seed: 1.5 }, 1)).toThrow(/seed/);
    expect(() => randomU32(core, { seed: 1n << 64n }, 1)).toThrow(/seed/);
    expect(() => randomU32(core, { seed: 0, substream: 2 ** 32 }, 1)).toThrow(/substream/);
    expect(() => randomU32(core, { seed: 0 }, -1)).toThrow(/n: expected an integer/);
  });
});
