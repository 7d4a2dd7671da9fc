// Raw exports of the linear-algebra area (the typed wrapper is src/linalg.ts).

import { gemm, gemmStrided } from "./gemm";

/** C ← A·B for row-major f64 A (m×k) at `a`, B (k×n) at `b`, into C (m×n) at `c`. */
export function linalg_gemm_f64(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  gemm(m, k, n, a, b, c);
}

/**
 * General form used by the tests of the transposed paths (and available to other kernels through
 * `gemmStrided` in ./gemm): C ← op(A)·op(B) (+ C when `accumulate` ≠ 0), with row strides.
 */
export function linalg_gemm_f64_strided(
  transA: i32, transB: i32, m: i32, n: i32, k: i32,
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: i32,
): void {
  gemmStrided(transA != 0, transB != 0, m, n, k, a, lda, b, ldb, c, ldc, accumulate != 0);
}
