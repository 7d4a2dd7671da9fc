import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CoreError, gemm, loadCore } from '../src/index.js';

const core = await loadCore();
const debugCore = await loadCore({ target: 'debug' });

/** Independent reference: the textbook triple loop (sum in k order, starting from `c0` or 0). */
function naiveGemm(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, c0?: ArrayLike<number>): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = c0 ? c0[i * n + j]! : 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
      c[i * n + j] = s;
    }
  }
  return c;
}

/** Bit-for-bit equality, reporting the first differing entry. */
function expectSame(got: Float64Array, want: Float64Array, n: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) throw new Error(`C[${Math.floor(i / n)}][${i % n}] = ${got[i]}, naive loop gives ${want[i]}`);
  }
}

/** Deterministic values in [-1, 1) from a simple LCG, so failures are reproducible. */
function lcgMatrix(len: number, seed: number): Float64Array {
  const x = new Float64Array(len);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return x;
}

describe('gemm', () => {
  it('computes a known 2×3 · 3×2 product exactly', () => {
    const a = [1, 2, 3, 4, 5, 6];
    const b = [7, 8, 9, 10, 11, 12];
    expect(Array.from(gemm(core, a, b, 2, 3, 2))).toEqual([58, 64, 139, 154]);
  });

  it('is bit-identical to the naive k-ordered loop on random shapes, including odd sizes and partial tiles', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 19 }),
        fc.integer({ min: 1, max: 23 }),
        fc.integer({ min: 1, max: 17 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        (m, k, n, seed) => {
          const a = lcgMatrix(m * k, seed);
          const b = lcgMatrix(k * n, seed ^ 0x5bd1e995);
          expectSame(gemm(core, a, b, m, k, n), naiveGemm(a, b, m, k, n), n);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stays bit-identical across the block boundaries (k > 256, m > 64, n > 512)', () => {
    for (const [m, k, n] of [
      [67, 259, 5],
      [3, 513, 7],
      [130, 33, 517],
      [64, 256, 512],
    ] as const) {
      const a = lcgMatrix(m * k, m + k);
      const b = lcgMatrix(k * n, k + n);
      expectSame(gemm(core, a, b, m, k, n), naiveGemm(a, b, m, k, n), n);
    }
  });

  it('gives bit-identical results on the release and debug builds and on repeated calls', () => {
    const a = lcgMatrix(37 * 41, 1);
    const b = lcgMatrix(41 * 29, 2);
    const first = gemm(core, a, b, 37, 41, 29);
    expect(gemm(core, a, b, 37, 41, 29)).toEqual(first);
    expect(gemm(debugCore, a, b, 37, 41, 29)).toEqual(first);
  });

  it('is exact on small integer matrices (no rounding possible)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.infiniteStream(fc.integer({ min: -50, max: 50 })),
        (m, k, n, ints) => {
          const it = ints[Symbol.iterator]();
          const next = (): number => it.next().value as number;
          const a = Array.from({ length: m * k }, next);
          const b = Array.from({ length: k * n }, next);
          expect(Array.from(gemm(core, a, b, m, k, n))).toEqual(Array.from(naiveGemm(a, b, m, k, n)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('frees its scratch: repeated calls leave the heap as it was', () => {
    const a = lcgMatrix(100 * 300, 3);
    const b = lcgMatrix(300 * 90, 4);
    gemm(core, a, b, 100, 300, 90);
    // Bytes of used heap blocks (assembly/memory.ts), not 64 KiB pages, so a small leak shows too.
    const live = core.raw.exports.mem_live_bytes();
    for (let i = 0; i < 20; i++) gemm(core, a, b, 100, 300, 90);
    expect(live).toBeGreaterThanOrEqual(0);
    expect(core.raw.exports.mem_live_bytes()).toBe(live);
  });

  it('handles transposed operands, row strides and accumulation (raw strided kernel)', () => {
    type Strided = (ta: number, tb: number, m: number, n: number, k: number, a: number, lda: number, b: number, ldb: number, c: number, ldc: number, acc: number) => void;
    const kernel = core.raw.fn<Strided>('linalg_gemm_f64_strided');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 11 }),
        fc.integer({ min: 1, max: 9 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        (m, k, n, ta, tb, acc, pad) => {
          const a = lcgMatrix(m * k, m * 7 + k);
          const b = lcgMatrix(k * n, n * 5 + k);
          const c0 = lcgMatrix(m * n, m + n);
          // Store op(A) as A or Aᵀ with `pad` unused columns per row; likewise B and C.
          const [ar, ac] = ta ? [k, m] : [m, k];
          const [br, bc] = tb ? [n, k] : [k, n];
          const lda = ac + pad, ldb = bc + pad, ldc = n + pad;
          const aS = new Float64Array(ar * lda).fill(Number.NaN);
          const bS = new Float64Array(br * ldb).fill(Number.NaN);
          const cS = new Float64Array(m * ldc).fill(-7);
          for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) aS[ta ? p * lda + i : i * lda + p] = a[i * k + p]!;
          for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bS[tb ? j * ldb + p : p * ldb + j] = b[p * n + j]!;
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) cS[i * ldc + j] = c0[i * n + j]!;
          const got = core.raw.scoped((s) => {
            const pc = s.f64(cS);
            kernel(+ta, +tb, m, n, k, s.f64(aS), lda, s.f64(bS), ldb, pc, ldc, +acc);
            return s.readF64(pc, cS.length);
          });
          const want = naiveGemm(a, b, m, k, n, acc ? c0 : undefined);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < ldc; j++) {
              const g = got[i * ldc + j]!;
              // padding columns of C are never written; the rest is the k-ordered sum exactly
              expect(g).toBe(j >= n ? -7 : want[i * n + j]!);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rejects bad shapes and values with a clear CoreError', () => {
    const bad = (f: () => unknown, code: string, msg: RegExp): void => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(CoreError);
        expect((e as CoreError).code).toBe(code);
        expect((e as CoreError).message).toMatch(msg);
        return;
      }
      throw new Error('expected a CoreError');
    };
    bad(() => gemm(core, [1, 2], [1, 2], 1, 2, 0), 'E_ARG', /n: expected an integer ≥ 1, got 0/);
    bad(() => gemm(core, [1, 2], [1, 2], 1.5, 2, 1), 'E_ARG', /m: expected an integer ≥ 1/);
    bad(() => gemm(core, [1, 2, 3], [1, 2], 1, 2, 1), 'E_SHAPE', /a: expected 1×2 = 2 values/);
    bad(() => gemm(core, [1, 2], [1], 1, 2, 1), 'E_SHAPE', /b: expected 2×1 = 2 values/);
    bad(() => gemm(core, [1, Number.NaN], [1, 2], 1, 2, 1), 'E_ARG', /a\[0\]\[1\]: expected a finite number, got NaN/);
    bad(() => gemm(core, [1, 2], [Infinity, 2], 1, 2, 1), 'E_ARG', /b\[0\]\[0\]: expected a finite number/);
  });
});
