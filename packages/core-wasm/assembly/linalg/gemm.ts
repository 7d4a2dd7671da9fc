// Cache-blocked f64 matrix product with 128-bit SIMD (f64x2), in the Goto/BLIS structure:
// a kc×nc panel of B is packed once and reused by every row block of A; an mc×kc block of A is
// packed into MR-row strips that stay in L2; the micro-kernel keeps an MR×NR tile of C in
// registers while it streams one A strip and one NR-column B strip (kc×NR, L1-resident).
// Packing makes every inner-loop load sequential and aligned whatever the source layout is, which
// is also how the transposed variants cost nothing extra: only the packing routines read strided.

import { ERR_ARG } from "../errors";

/** Rows of the register tile. 4×4 f64 = 8 v128 accumulators + 2 B + 1 A + 1 product temp, which
 * fits the 15 xmm registers V8 allocates on x64 without spilling (4×6 or 6×4 would spill). */
const MR: i32 = 4;
/** Columns of the register tile (two f64x2 lanes pairs). */
const NR: i32 = 4;
/** Depth of one packed block: a kc×NR strip of B (8 KiB) stays in L1 during a micro-kernel run. */
const KC: i32 = 256;
/** Rows of A packed at once: 64×256 f64 = 128 KiB, comfortably inside a 512 KiB–2 MiB L2. */
const MC: i32 = 64;
/** Columns of B packed at once: 256×512 f64 = 1 MiB, read from L2/L3 once per A block. */
const NC: i32 = 512;

// Scratch for a partial edge tile (MR×NR f64), static so edge handling allocates nothing.
const EDGE: usize = memory.data(MR * NR * 8, 16);

/**
 * C ← A·B (or C ← C + A·B when `accumulate`), for f64 matrices in row-major storage with leading
 * dimensions (row strides, in elements) `lda`, `ldb`, `ldc`. `transA` means `a` holds Aᵀ (so A's
 * element (i, p) is at `a[p*lda + i]`), likewise `transB`. Shapes: A is m×k, B is k×n, C is m×n.
 * Summation order: C(i,j) = (((c₀ + a(i,0)·b(0,j)) + a(i,1)·b(1,j)) + …), k ascending, c₀ = 0 or
 * the old C(i,j) when accumulating; no FMA. So the result is bit-identical to the textbook loop,
 * whatever the blocking, the shape or the transposition (kernels with an order contract can use it).
 * Stateless: the packing buffers are allocated here and freed before returning.
 */
export function gemmStrided(
  transA: bool, transB: bool,
  m: i32, n: i32, k: i32,
  a: usize, lda: i32,
  b: usize, ldb: i32,
  c: usize, ldc: i32,
  accumulate: bool,
): void {
  if (m < 0 || n < 0 || k < 0) throw new Error(ERR_ARG);
  if (m == 0 || n == 0) return;
  if (!accumulate) {
    for (let i = 0; i < m; i++) memory.fill(c + (<usize>i * ldc << 3), 0, <usize>n << 3);
  }
  if (k == 0) return;

  const kcMax = min(KC, k);
  const ncMax = roundUp(min(NC, n), NR);
  const mcMax = roundUp(min(MC, m), MR);
  const packA = heap.alloc(<usize>mcMax * kcMax << 3);
  const packB = heap.alloc(<usize>ncMax * kcMax << 3);

  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      packPanelB(transB, b, ldb, pc, jc, kc, nc, packB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packBlockA(transA, a, lda, ic, pc, mc, kc, packA);
        // jr outer, ir inner: one B strip stays in L1 while the A strips stream from L2.
        for (let jr = 0; jr < nc; jr += NR) {
          const bp = packB + (<usize>jr * kc << 3);
          const nv = min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const ap = packA + (<usize>ir * kc << 3);
            const cp = c + ((<usize>(ic + ir) * ldc + jc + jr) << 3);
            microKernel(kc, ap, bp, cp, ldc, min(MR, mc - ir), nv);
          }
        }
      }
    }
  }
  heap.free(packB);
  heap.free(packA);
}

/** C ← A·B for dense row-major A (m×k), B (k×n), C (m×n). */
export function gemm(m: i32, k: i32, n: i32, a: usize, b: usize, c: usize): void {
  gemmStrided(false, false, m, n, k, a, k, b, n, c, n, false);
}

// @ts-ignore: decorator
@inline function roundUp(x: i32, to: i32): i32 {
  return (x + to - 1) / to * to;
}

/**
 * Pack the kc×nc panel of B starting at (pc, jc) into NR-column strips, each kc×NR row-major,
 * zero-padded on the right so the micro-kernel never needs a column mask.
 */
function packPanelB(trans: bool, b: usize, ldb: i32, pc: i32, jc: i32, kc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nv = min(NR, nc - jr);
    let d = dst + (<usize>jr * kc << 3);
    if (!trans && nv == NR) {
      let s = b + ((<usize>pc * ldb + jc + jr) << 3);
      const step = <usize>ldb << 3;
      for (let p = 0; p < kc; p++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        s += step;
        d += NR << 3;
      }
      continue;
    }
    for (let p = 0; p < kc; p++) {
      for (let j = 0; j < NR; j++) {
        let v: f64 = 0;
        if (j < nv) {
          const row = pc + p;
          const col = jc + jr + j;
          v = trans ? load<f64>(b + ((<usize>col * ldb + row) << 3)) : load<f64>(b + ((<usize>row * ldb + col) << 3));
        }
        store<f64>(d, v);
        d += 8;
      }
    }
  }
}

/**
 * Pack the mc×kc block of A starting at (ic, pc) into MR-row strips, each stored k-major
 * (`strip[p*MR + i]`), zero-padded at the bottom, so one k step reads MR consecutive values.
 */
function packBlockA(trans: bool, a: usize, lda: i32, ic: i32, pc: i32, mc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const mv = min(MR, mc - ir);
    const base = dst + (<usize>ir * kc << 3);
    for (let i = 0; i < MR; i++) {
      let d = base + (<usize>i << 3);
      if (i >= mv) {
        for (let p = 0; p < kc; p++) {
          store<f64>(d, 0);
          d += MR << 3;
        }
        continue;
      }
      const row = ic + ir + i;
      if (trans) {
        let s = a + ((<usize>pc * lda + row) << 3);
        const step = <usize>lda << 3;
        for (let p = 0; p < kc; p++) {
          store<f64>(d, load<f64>(s));
          s += step;
          d += MR << 3;
        }
      } else {
        let s = a + ((<usize>row * lda + pc) << 3);
        for (let p = 0; p < kc; p++) {
          store<f64>(d, load<f64>(s));
          s += 8;
          d += MR << 3;
        }
      }
    }
  }
}

/**
 * C[0..mv, 0..nv] += Ap·Bp for one MR×NR tile: Ap is an MR-row strip (kc×MR), Bp an NR-column
 * strip (kc×NR). The accumulators start from C itself and add one product per k step in order,
 * so every entry is summed exactly like the textbook loop `s = c; for p: s += a[p]·b[p]` (no FMA,
 * no reassociation): the result is bit-identical to a naive sequential dot product.
 */
function microKernel(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, mv: i32, nv: i32): void {
  const rowStep = <usize>ldc << 3;
  const full = mv == MR && nv == NR;
  // An edge tile goes through the EDGE scratch so C outside the matrix is never read or written
  // (it may be another matrix's memory); the padding lanes compute zeros that are discarded.
  let src = c;
  let step = rowStep;
  if (!full) {
    memory.fill(EDGE, 0, MR * NR * 8);
    for (let i = 0; i < mv; i++) {
      memory.copy(EDGE + (<usize>(i * NR) << 3), c + <usize>i * rowStep, <usize>nv << 3);
    }
    src = EDGE;
    step = NR << 3;
  }
  let c00 = v128.load(src), c01 = v128.load(src, 16);
  let c10 = v128.load(src + step), c11 = v128.load(src + step, 16);
  let c20 = v128.load(src + 2 * step), c21 = v128.load(src + 2 * step, 16);
  let c30 = v128.load(src + 3 * step), c31 = v128.load(src + 3 * step, 16);
  // MR = NR, so both strips advance by the same 32 bytes per k step: one induction variable
  // instead of three keeps the loop's bookkeeping (a large share of this short body) minimal.
  const end = <usize>kc * (NR << 3);
  for (let o: usize = 0; o < end; o += NR << 3) {
    const b0 = v128.load(bp + o);
    const b1 = v128.load(bp + o, 16);
    let x = v128.load64_splat(ap + o);
    c00 = f64x2.add(c00, f64x2.mul(x, b0));
    c01 = f64x2.add(c01, f64x2.mul(x, b1));
    x = v128.load64_splat(ap + o, 8);
    c10 = f64x2.add(c10, f64x2.mul(x, b0));
    c11 = f64x2.add(c11, f64x2.mul(x, b1));
    x = v128.load64_splat(ap + o, 16);
    c20 = f64x2.add(c20, f64x2.mul(x, b0));
    c21 = f64x2.add(c21, f64x2.mul(x, b1));
    x = v128.load64_splat(ap + o, 24);
    c30 = f64x2.add(c30, f64x2.mul(x, b0));
    c31 = f64x2.add(c31, f64x2.mul(x, b1));
  }
  v128.store(src, c00); v128.store(src, c01, 16);
  v128.store(src + step, c10); v128.store(src + step, c11, 16);
  v128.store(src + 2 * step, c20); v128.store(src + 2 * step, c21, 16);
  v128.store(src + 3 * step, c30); v128.store(src + 3 * step, c31, 16);
  if (!full) {
    for (let i = 0; i < mv; i++) {
      memory.copy(c + <usize>i * rowStep, EDGE + (<usize>(i * NR) << 3), <usize>nv << 3);
    }
  }
}
