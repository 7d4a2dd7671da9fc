import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CoreError } from '../src/index.js';
import { makeHardPair, normaliseNoncomputabilityParams, type ExactData, type OracleRead } from '../src/noncomputability/index.js';
import { dyadicToF64, isExactF64 } from '../src/noncomputability/dyadic.js';
import { OracleSource, countingOracle } from '../src/noncomputability/oracle.js';

const abs = (v: bigint): bigint => (v < 0n ? -v : v);

/** |q/2^qe − x/2^xe| ≤ 2^-n, decided exactly in integers. */
function within(q: bigint, qe: number, x: bigint, xe: number, n: number): boolean {
  const e = Math.max(qe, xe, n);
  const diff = abs(q * 2n ** BigInt(e - qe) - x * 2n ** BigInt(e - xe));
  return diff <= 2n ** BigInt(e - n);
}

function checkRead(read: OracleRead, truth: ExactData, n: number, bound: number): void {
  expect(read.n).toBe(n);
  read.xNum.forEach((q, i) => expect(within(q, read.exp, truth.x[i]!, truth.exp, bound)).toBe(true));
  read.yNum.forEach((q, i) => expect(within(q, read.exp, truth.y[i]!, truth.exp, bound)).toBe(true));
}

const cellArb = fc.record({
  d: fc.integer({ min: 2, max: 4 }),
  samples: fc.integer({ min: 1, max: 6 }),
  K: fc.integer({ min: 1, max: 70 }),
  scaleBits: fc.integer({ min: 1, max: 20 }),
  alphaNum: fc.integer({ min: 0, max: 2 ** 10 }),
  seed: fc.integer({ min: 0, max: 2 ** 40 }),
  n: fc.integer({ min: 1, max: 90 }),
});

function cell(c: { d: number; samples: number; K: number; scaleBits: number; alphaNum: number; n: number }) {
  const alpha = new Array<number>(c.d - 2).fill((c.alphaNum / 2 ** 11));
  return normaliseNoncomputabilityParams({ algorithm: 'gd', K: c.K, readBits: 2048, d: c.d, samples: c.samples, scaleBits: c.scaleBits, alpha, lambda: 0.01 });
}

describe('Δ1 oracle (SPEC §3.3)', () => {
  it('honest: the nearest multiple of 2^-n, within 2^-(n+1) of the truth, exactly', () => {
    fc.assert(
      fc.property(cellArb, (c) => {
        const params = cell(c);
        const pair = makeHardPair(params, c.seed);
        for (const sign of [1, -1] as const) {
          const src = new OracleSource(pair, sign, 'honest');
          const r = src.answer(c.n);
          expect(r.exp).toBe(c.n);
          checkRead({ ...r, x: r.x, y: r.y } as OracleRead, sign === 1 ? pair.plus : pair.minus, c.n, c.n + 1);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('adversarial: ι_0 for n ≤ K (valid for both signs), honest beyond', () => {
    fc.assert(
      fc.property(cellArb, (c) => {
        const params = cell(c);
        const pair = makeHardPair(params, c.seed);
        const plus = new OracleSource(pair, 1, 'adversarial').answer(c.n);
        const minus = new OracleSource(pair, -1, 'adversarial').answer(c.n);
        // Within 2^-n of the member it answers for: the Δ1 guarantee holds in both modes.
        checkRead(plus as OracleRead, pair.plus, c.n, c.n);
        checkRead(minus as OracleRead, pair.minus, c.n, c.n);
        if (c.n <= c.K) {
          expect(plus.xNum).toEqual(minus.xNum);
          expect(plus.yNum).toEqual(minus.yNum);
          expect(plus.exp).toBe(minus.exp);
          // ...and it is ι_0 itself.
          checkRead(plus as OracleRead, pair.zero, c.n, plus.exp + 60);
          expect(Array.from(plus.x)).toEqual(Array.from(minus.x));
        } else {
          const honest = new OracleSource(pair, 1, 'honest').answer(c.n);
          expect(plus.xNum).toEqual(honest.xNum);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the f64 hand-off is exact for n ≤ 52 and correctly rounded beyond', () => {
    fc.assert(
      fc.property(cellArb, fc.constantFrom<'honest' | 'adversarial'>('honest', 'adversarial'), (c, mode) => {
        const params = cell(c);
        const pair = makeHardPair(params, c.seed);
        const r = new OracleSource(pair, 1, mode).answer(c.n);
        const all = [...r.xNum.map((q, i) => [q, r.x[i]!] as const), ...r.yNum.map((q, i) => [q, r.y[i]!] as const)];
        for (const [q, f] of all) {
          const scale = 2 ** r.exp;
          if (c.n <= 52) {
            expect(isExactF64(q, r.exp)).toBe(true);
            expect(BigInt(f * scale)).toBe(q); // exact: no rounding anywhere
          } else {
            // Correct rounding: f is within half an ulp of q / 2^exp (checked in integers).
            const ulp = 2 ** (Math.floor(Math.log2(Math.abs(f) || 1)) - 52);
            const err = abs(BigInt(f * scale) - q);
            expect(Number(err) / scale).toBeLessThanOrEqual(ulp / 2);
          }
        }
        if (c.n <= 52) expect(r.exactF64).toBe(true);
      }),
      { numRuns: 150 },
    );
    expect(dyadicToF64(3n, 1)).toBe(1.5);
    expect(isExactF64(2n ** 53n + 1n, 60)).toBe(false);
    expect(isExactF64(2n ** 60n, 60)).toBe(true);
  });

  it('counts every read: calls, highest precision and total bits; enforces the budget', () => {
    const params = normaliseNoncomputabilityParams({ algorithm: 'gd', K: 8, readBits: 16, d: 3, samples: 4 });
    const pair = makeHardPair(params, 5);
    const { read, stats } = countingOracle(new OracleSource(pair, 1, 'adversarial'), 16, 'test algorithm');
    const a = read(8);
    read(16);
    read(4);
    expect(stats).toEqual({ reads: 3, bitsRead: 16, bitsTotal: (8 + 16 + 4) * (4 * 3 + 4), history: [8, 16, 4] });
    // Reads are copies: mutating one changes nothing for the next reader.
    a.x[0] = 123;
    expect(read(8).x[0]).not.toBe(123);
    expect(Object.isFrozen(a)).toBe(true);
    for (const bad of [0, 17, 2.5, NaN, '8']) {
      expect(() => read(bad as number)).toThrow(CoreError);
      expect(() => read(bad as number)).toThrow(/test algorithm: read\(n\) expects an integer 1 ≤ n ≤ 16/);
    }
  });
});
