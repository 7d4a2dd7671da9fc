/**
 * Dense linear algebra on the WebAssembly core. `gemm` is the machine-limit probe of the
 * benchmarks (W5): the same blocked f64x2 kernel the training code can build on.
 */
import type { Core } from './core.js';
import { CoreError, formatValue } from './errors.js';

type GemmFn = (a: number, b: number, c: number, m: number, k: number, n: number) => void;

/** Largest number of f64 values one operand may hold (1 GiB of linear memory per matrix). */
export const GEMM_MAX_ELEMENTS = 2 ** 27;

function checkDim(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) {
    throw new CoreError('E_ARG', `gemm: ${name}: expected an integer ≥ 1, got ${formatValue(v)}`);
  }
}

function checkMatrix(name: string, x: ArrayLike<number>, rows: number, cols: number): void {
  if (x.length !== rows * cols) {
    throw new CoreError(
      'E_SHAPE',
      `gemm: ${name}: expected ${rows}×${cols} = ${rows * cols} values (row-major), got ${x.length}`,
    );
  }
  if (x.length > GEMM_MAX_ELEMENTS) {
    throw new CoreError('E_RANGE', `gemm: ${name}: ${x.length} values exceed the limit of ${GEMM_MAX_ELEMENTS}`);
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new CoreError(
        'E_ARG',
        `gemm: ${name}[${Math.floor(i / cols)}][${i % cols}]: expected a finite number, got ${formatValue(x[i])}`,
      );
    }
  }
}

/**
 * Matrix product C = A·B in f64. `a` is A (m×k) and `b` is B (k×n), both row-major; the result is
 * a new row-major `Float64Array` of m×n values (a copy, safe to keep).
 *
 * Each C entry is summed in k order without fused multiply-add, `((0 + a₀b₀) + a₁b₁) + …`, so the
 * result is bit-identical to the textbook triple loop (and deterministic on every platform); the
 * speed comes from cache blocking and SIMD across columns, not from reassociating the sums.
 */
export function gemm(core: Core, a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  checkDim('m', m);
  checkDim('k', k);
  checkDim('n', n);
  checkMatrix('a', a, m, k);
  checkMatrix('b', b, k, n);
  if (m * n > GEMM_MAX_ELEMENTS) {
    throw new CoreError('E_RANGE', `gemm: result m×n = ${m * n} values exceeds the limit of ${GEMM_MAX_ELEMENTS}`);
  }
  const raw = core.raw;
  const kernel = raw.fn<GemmFn>('linalg_gemm_f64');
  return raw.scoped((s) => {
    const pa = s.f64(a);
    const pb = s.f64(b);
    const pc = s.alloc(m * n * 8);
    kernel(pa, pb, pc, m, k, n);
    return s.readF64(pc, m * n);
  });
}
