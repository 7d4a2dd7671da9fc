// Feature-major batched layer kernels with explicit f64x2 SIMD.
//
// A batch of activations is stored feature-major: feature k of point b is at `base[k*stride + b]`,
// with `stride` even (rounded up from the batch size) so every f64x2 load covers two points of
// one feature. AssemblyScript does not auto-vectorise, and vectorising over the batch (not over
// the short feature dimension) keeps every lane busy whatever the layer widths are.
//
// Summation order is part of the contract: every pre-activation is computed as
//   z = ((((0 + m_0 x_0) + m_1 x_1) + …) + m_{K-1} x_{K-1}) + b
// (no fused multiply-add), exactly as the single-point kernels in mlp.ts and the TypeScript
// reference do, so one point gives bit-identical outputs whether it is evaluated alone or in a
// batch of any size.

/** Round a batch size up to the feature-major stride (a multiple of 2). */
// @ts-ignore: decorator
@inline
export function fmStride(n: i32): i32 {
  return (n + 1) & ~1;
}

/**
 * Row stride (in f64) for a feature-major buffer of n points: fmStride(n), plus 8 when that is a
 * multiple of 64. Rows 64·k f64 apart (512·k bytes) all fall into a few L1 sets, so a tile that
 * walks 32–256 rows of one buffer thrashes them (W1's 256 points: +20 % steps/s with 264). Only
 * the distance between rows changes; kernels still loop over fmStride(nb) columns, so results
 * are bit-identical whatever the stride. Not monotone in n: size buffers with `fmRowStrideMax`.
 */
// @ts-ignore: decorator
@inline
export function fmRowStride(n: i32): i32 {
  const s = fmStride(n);
  return (s & 63) == 0 ? s + 8 : s;
}

/** An upper bound of fmRowStride(m) for every m ≤ n (for buffers reused by smaller batches). */
// @ts-ignore: decorator
@inline
export function fmRowStrideMax(n: i32): i32 {
  return fmStride(n) + 8;
}

/**
 * out[r][b] = Σ_k M(r,k) · in[k][b] (+ bias[r] when `bias` ≠ 0), for r < R and all b < nb
 * rounded up to even, where M(r,k) = load<f64>(m + 8·(r·rs + k·cs)).
 * Then either ReLU (`relu`), or masking by a previous activation (`mask` ≠ 0:
 * out[r][b] = mask[r][b] > 0 ? out[r][b] : 0; `relu` is then ignored), or neither.
 * `in`, `out`, `mask` are feature-major with the same `stride`; `out` must not alias `in`.
 * Forward uses rs = K, cs = 1 (W row-major); backpropagation of deltas uses rs = 1, cs = N_in
 * (Wᵀ), with `mask` the layer-below activations.
 * `sums` ≠ 0 (with `mask`; ignored otherwise): also sums[r] += Σ_b out[r][b], summed exactly as
 * fmOuterAcc sums a bias gradient (even and odd points in two lanes, each in order), so the
 * layer below's bias gradient comes out of the pass that writes its deltas.
 */
export function fmAffine(
  m: usize, rs: i32, cs: i32, R: i32, K: i32,
  inp: usize, out: usize, stride: i32, nb: i32,
  bias: usize, relu: bool, mask: usize, sums: usize = 0,
): void {
  // One copy of the loops per epilogue (constant flags after inlining): wasm engines do not
  // unswitch loops, and a flag tested in every tile costs registers and spills.
  if (mask != 0) {
    if (sums != 0) affineBody(m, rs, cs, R, K, inp, out, stride, nb, bias, false, mask, true, sums, true);
    else affineBody(m, rs, cs, R, K, inp, out, stride, nb, bias, false, mask, true, 0, false);
  } else {
    if (relu) affineBody(m, rs, cs, R, K, inp, out, stride, nb, bias, true, 0, false, 0, false);
    else affineBody(m, rs, cs, R, K, inp, out, stride, nb, bias, false, 0, false, 0, false);
  }
}

// Scratch for the weights of one 4-row block, packed k-major (PACK[4k + q] = M(r + q, k)), so the
// tile reads its four weights of step k at fixed offsets from one pointer instead of four
// strided addresses (fewer address computations per step: W1 step −5 %, W3 −3 %). Sized for
// the widest layer (K ≤ 4096, checkDims); static, and fmAffine does not re-enter.
const PACK: usize = memory.data(4 * 4096 * 8, 16);

// Bias of row r as a vector; +0 without bias. Adding +0 is exact: a sum that starts from +0 is
// never −0 (x + y = −0 needs both −0), and z + 0 = z for every other z, NaN included.
// @ts-ignore: decorator
@inline
function biasVec(bias: usize, r: i32): v128 {
  return bias != 0 ? v128.load64_splat(bias + (<usize>r << 3)) : f64x2.splat(0.0);
}

// Epilogue of one output vector (row r, points b, b + 1 at byte offset `o` of the row): bias,
// then ReLU and/or the mask, then store; returns the stored vector. `relu` and `useMask` are
// constants at every call.
// @ts-ignore: decorator
@inline
function finish(out: usize, o: usize, acc: v128, bv: v128, relu: bool, mask: usize, useMask: bool): v128 {
  acc = f64x2.add(acc, bv);
  if (relu) acc = relu0(acc);
  if (useMask) acc = v128.and(acc, f64x2.gt(v128.load(mask + o), f64x2.splat(0.0)));
  v128.store(out + o, acc);
  return acc;
}

// @ts-ignore: decorator
@inline
function affineBody(
  m: usize, rs: i32, cs: i32, R: i32, K: i32,
  inp: usize, out: usize, stride: i32, nb: i32,
  bias: usize, relu: bool, mask: usize, useMask: bool, sums: usize, useSums: bool,
): void {
  const nbE = fmStride(nb);
  const sb = <usize>stride << 3;
  const rsb = <usize>rs << 3;
  const csb = <usize>cs << 3;
  if (K <= 2) {
    affineSmallK(m, rsb, csb, R, K, inp, out, sb, nbE, bias, relu, mask, useMask, sums, useSums);
    return;
  }
  const zero = f64x2.splat(0.0);
  const pEnd = PACK + (<usize>K << 5);
  let r = 0;
  for (; r + 4 <= R; r += 4) {
    const mr = m + <usize>r * rsb;
    const o0 = <usize>r * sb;
    let mk = mr;
    for (let pq = PACK; pq < pEnd; pq += 32) {
      store<f64>(pq, load<f64>(mk));
      store<f64>(pq, load<f64>(mk + rsb), 8);
      store<f64>(pq, load<f64>(mk + 2 * rsb), 16);
      store<f64>(pq, load<f64>(mk + 3 * rsb), 24);
      mk += csb;
    }
    // The block's four bias vectors, read once (not once per tile: each read tests `bias`).
    const bv0 = biasVec(bias, r), bv1 = biasVec(bias, r + 1), bv2 = biasVec(bias, r + 2), bv3 = biasVec(bias, r + 3);
    let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
    let b = 0;
    for (; b + 4 <= nbE; b += 4) {
      let a00 = zero, a01 = zero, a10 = zero, a11 = zero;
      let a20 = zero, a21 = zero, a30 = zero, a31 = zero;
      let ip = inp + (<usize>b << 3);
      for (let pk = PACK; pk < pEnd; pk += 32) {
        const x0 = v128.load(ip);
        const x1 = v128.load(ip, 16);
        const w0 = v128.load64_splat(pk);
        const w1 = v128.load64_splat(pk, 8);
        const w2 = v128.load64_splat(pk, 16);
        const w3 = v128.load64_splat(pk, 24);
        a00 = f64x2.add(a00, f64x2.mul(w0, x0));
        a01 = f64x2.add(a01, f64x2.mul(w0, x1));
        a10 = f64x2.add(a10, f64x2.mul(w1, x0));
        a11 = f64x2.add(a11, f64x2.mul(w1, x1));
        a20 = f64x2.add(a20, f64x2.mul(w2, x0));
        a21 = f64x2.add(a21, f64x2.mul(w2, x1));
        a30 = f64x2.add(a30, f64x2.mul(w3, x0));
        a31 = f64x2.add(a31, f64x2.mul(w3, x1));
        ip += sb;
      }
      const o = o0 + (<usize>b << 3);
      const v00 = finish(out, o, a00, bv0, relu, mask, useMask);
      const v01 = finish(out, o + 16, a01, bv0, relu, mask, useMask);
      const v10 = finish(out, o + sb, a10, bv1, relu, mask, useMask);
      const v11 = finish(out, o + sb + 16, a11, bv1, relu, mask, useMask);
      const v20 = finish(out, o + 2 * sb, a20, bv2, relu, mask, useMask);
      const v21 = finish(out, o + 2 * sb + 16, a21, bv2, relu, mask, useMask);
      const v30 = finish(out, o + 3 * sb, a30, bv3, relu, mask, useMask);
      const v31 = finish(out, o + 3 * sb + 16, a31, bv3, relu, mask, useMask);
      if (useSums) {
        s0 = f64x2.add(f64x2.add(s0, v00), v01);
        s1 = f64x2.add(f64x2.add(s1, v10), v11);
        s2 = f64x2.add(f64x2.add(s2, v20), v21);
        s3 = f64x2.add(f64x2.add(s3, v30), v31);
      }
    }
    if (b < nbE) {
      // Four rows, the last two points.
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      let ip = inp + (<usize>b << 3);
      for (let pk = PACK; pk < pEnd; pk += 32) {
        const x = v128.load(ip);
        a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(pk), x));
        a1 = f64x2.add(a1, f64x2.mul(v128.load64_splat(pk, 8), x));
        a2 = f64x2.add(a2, f64x2.mul(v128.load64_splat(pk, 16), x));
        a3 = f64x2.add(a3, f64x2.mul(v128.load64_splat(pk, 24), x));
        ip += sb;
      }
      const o = o0 + (<usize>b << 3);
      const v0 = finish(out, o, a0, bv0, relu, mask, useMask);
      const v1 = finish(out, o + sb, a1, bv1, relu, mask, useMask);
      const v2 = finish(out, o + 2 * sb, a2, bv2, relu, mask, useMask);
      const v3 = finish(out, o + 3 * sb, a3, bv3, relu, mask, useMask);
      if (useSums) {
        s0 = f64x2.add(s0, v0);
        s1 = f64x2.add(s1, v1);
        s2 = f64x2.add(s2, v2);
        s3 = f64x2.add(s3, v3);
      }
    }
    if (useSums) {
      const q = sums + (<usize>r << 3);
      addLanes(q, s0);
      addLanes(q + 8, s1);
      addLanes(q + 16, s2);
      addLanes(q + 24, s3);
    }
  }
  // Remaining rows (R mod 4, e.g. the single output of a network): eight points per step in four
  // independent accumulators, so the per-point k chains overlap instead of waiting on each other.
  for (; r < R; r++) {
    const mr = m + <usize>r * rsb;
    const o0 = <usize>r * sb;
    const bv = biasVec(bias, r);
    let sr = zero;
    let b = 0;
    for (; b + 8 <= nbE; b += 8) {
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      let ip = inp + (<usize>b << 3);
      let mk = mr;
      for (let k = 0; k < K; k++) {
        const w = v128.load64_splat(mk);
        a0 = f64x2.add(a0, f64x2.mul(w, v128.load(ip)));
        a1 = f64x2.add(a1, f64x2.mul(w, v128.load(ip, 16)));
        a2 = f64x2.add(a2, f64x2.mul(w, v128.load(ip, 32)));
        a3 = f64x2.add(a3, f64x2.mul(w, v128.load(ip, 48)));
        ip += sb;
        mk += csb;
      }
      const o = o0 + (<usize>b << 3);
      const v0 = finish(out, o, a0, bv, relu, mask, useMask);
      const v1 = finish(out, o + 16, a1, bv, relu, mask, useMask);
      const v2 = finish(out, o + 32, a2, bv, relu, mask, useMask);
      const v3 = finish(out, o + 48, a3, bv, relu, mask, useMask);
      if (useSums) sr = f64x2.add(f64x2.add(f64x2.add(f64x2.add(sr, v0), v1), v2), v3);
    }
    for (; b < nbE; b += 2) {
      let acc = zero;
      let ip = inp + (<usize>b << 3);
      let mk = mr;
      for (let k = 0; k < K; k++) {
        acc = f64x2.add(acc, f64x2.mul(v128.load64_splat(mk), v128.load(ip)));
        ip += sb;
        mk += csb;
      }
      const v = finish(out, o0 + (<usize>b << 3), acc, bv, relu, mask, useMask);
      if (useSums) sr = f64x2.add(sr, v);
    }
    if (useSums) addLanes(sums + (<usize>r << 3), sr);
  }
}

// fmAffine for K ≤ 2 (a first layer on 2-D inputs; deltas through a single-output layer): a
// 4×4 tile would spend more on set-up than on its 1–2 products, so stream the points past two
// rows whose weights and biases stay in registers. Same sums: z = ((0 + m₀x₀) + m₁x₁) + b.
// @ts-ignore: decorator
@inline
function affineSmallK(
  m: usize, rsb: usize, csb: usize, R: i32, K: i32, inp: usize, out: usize, sb: usize, nbE: i32,
  bias: usize, relu: bool, mask: usize, useMask: bool, sums: usize, useSums: bool,
): void {
  const zero = f64x2.splat(0.0);
  const end = <usize>nbE << 3;
  for (let r = 0; r < R; r += 2) {
    // An odd last row is computed twice into the same place (row r + 1 := row r).
    const r1 = r + 1 < R ? r + 1 : r;
    const m0 = m + <usize>r * rsb;
    const m1 = m + <usize>r1 * rsb;
    const w00 = v128.load64_splat(m0), w10 = v128.load64_splat(m1);
    const b0 = biasVec(bias, r), b1 = biasVec(bias, r1);
    const o0 = <usize>r * sb;
    const o1 = <usize>r1 * sb;
    let s0 = zero, s1 = zero;
    if (K == 2) {
      const w01 = v128.load64_splat(m0 + csb), w11 = v128.load64_splat(m1 + csb);
      for (let o: usize = 0; o < end; o += 16) {
        const x0 = v128.load(inp + o);
        const x1 = v128.load(inp + sb + o);
        const a0 = f64x2.add(f64x2.add(zero, f64x2.mul(w00, x0)), f64x2.mul(w01, x1));
        const a1 = f64x2.add(f64x2.add(zero, f64x2.mul(w10, x0)), f64x2.mul(w11, x1));
        const v0 = finish(out, o0 + o, a0, b0, relu, mask, useMask);
        const v1 = finish(out, o1 + o, a1, b1, relu, mask, useMask);
        if (useSums) {
          s0 = f64x2.add(s0, v0);
          s1 = f64x2.add(s1, v1);
        }
      }
    } else {
      for (let o: usize = 0; o < end; o += 16) {
        const x0 = v128.load(inp + o);
        const v0 = finish(out, o0 + o, f64x2.add(zero, f64x2.mul(w00, x0)), b0, relu, mask, useMask);
        const v1 = finish(out, o1 + o, f64x2.add(zero, f64x2.mul(w10, x0)), b1, relu, mask, useMask);
        if (useSums) {
          s0 = f64x2.add(s0, v0);
          s1 = f64x2.add(s1, v1);
        }
      }
    }
    if (useSums) {
      addLanes(sums + (<usize>r << 3), s0);
      if (r1 != r) addLanes(sums + (<usize>r1 << 3), s1);
    }
  }
}

/**
 * ReLU of two values as one `maxpd`: f64x2.pmax(z, 0) = z < 0 ? 0 : z. It keeps NaN (so
 * divergence still shows) and differs from f64x2.max (which wasm engines lower to a NaN- and
 * signed-zero-exact sequence of ~7 instructions) only by returning −0 for z = −0 instead of +0.
 * That is invisible in every result: an activation only enters sums that start from +0 (a ±0
 * product leaves them unchanged) and the mask test `a > 0` (false for both zeros).
 */
// @ts-ignore: decorator
@inline
export function relu0(z: v128): v128 {
  return f64x2.pmax(z, f64x2.splat(0.0));
}

/**
 * Parameter-gradient accumulation for one layer:
 * g[i][j] += Σ_b D[i][b] · A[j][b] (g row-major R×K) and, when `gb` ≠ 0, gb[i] += Σ_b D[i][b],
 * over b < nb rounded up to even. D (R rows) and A (K rows) are feature-major with `stride`;
 * padding columns of D must be zero so they contribute nothing.
 */
export function fmOuterAcc(g: usize, gb: usize, D: usize, A: usize, R: i32, K: i32, stride: i32, nb: i32): void {
  const nbE = fmStride(nb);
  const sb = <usize>stride << 3;
  const kb = <usize>K << 3;
  const zero = f64x2.splat(0.0);
  let i = 0;
  for (; i + 4 <= R; i += 4) {
    const d0 = D + <usize>i * sb;
    let j = 0;
    for (; j + 2 <= K; j += 2) {
      const x0 = A + <usize>j * sb;
      let c00 = zero, c01 = zero, c10 = zero, c11 = zero;
      let c20 = zero, c21 = zero, c30 = zero, c31 = zero;
      for (let o: usize = 0; o < (<usize>nbE << 3); o += 16) {
        const p0 = v128.load(x0 + o);
        const p1 = v128.load(x0 + sb + o);
        const e0 = v128.load(d0 + o);
        const e1 = v128.load(d0 + sb + o);
        const e2 = v128.load(d0 + 2 * sb + o);
        const e3 = v128.load(d0 + 3 * sb + o);
        c00 = f64x2.add(c00, f64x2.mul(e0, p0));
        c01 = f64x2.add(c01, f64x2.mul(e0, p1));
        c10 = f64x2.add(c10, f64x2.mul(e1, p0));
        c11 = f64x2.add(c11, f64x2.mul(e1, p1));
        c20 = f64x2.add(c20, f64x2.mul(e2, p0));
        c21 = f64x2.add(c21, f64x2.mul(e2, p1));
        c30 = f64x2.add(c30, f64x2.mul(e3, p0));
        c31 = f64x2.add(c31, f64x2.mul(e3, p1));
      }
      const gi = g + <usize>i * kb + (<usize>j << 3);
      addLanes(gi, c00);
      addLanes(gi + 8, c01);
      addLanes(gi + kb, c10);
      addLanes(gi + kb + 8, c11);
      addLanes(gi + 2 * kb, c20);
      addLanes(gi + 2 * kb + 8, c21);
      addLanes(gi + 3 * kb, c30);
      addLanes(gi + 3 * kb + 8, c31);
    }
    if (j < K) outer4x1(g, D, A, i, j, K, sb, nbE);
  }
  // Remaining rows (e.g. the single output of a network): four columns at a time in independent
  // accumulators, so the batch-sum chains overlap; each sum keeps its order.
  for (; i < R; i++) {
    let j = 0;
    for (; j + 4 <= K; j += 4) outer1x4(g, D, A, i, j, K, sb, nbE);
    for (; j < K; j++) outerOne(g, D, A, i, j, K, sb, nbE);
  }
  if (gb != 0) {
    // Bias sums, four rows at a time (independent chains).
    const end = <usize>nbE << 3;
    let r = 0;
    for (; r + 4 <= R; r += 4) {
      const d0 = D + <usize>r * sb;
      let c0 = zero, c1 = zero, c2 = zero, c3 = zero;
      for (let o: usize = 0; o < end; o += 16) {
        c0 = f64x2.add(c0, v128.load(d0 + o));
        c1 = f64x2.add(c1, v128.load(d0 + sb + o));
        c2 = f64x2.add(c2, v128.load(d0 + 2 * sb + o));
        c3 = f64x2.add(c3, v128.load(d0 + 3 * sb + o));
      }
      const q = gb + (<usize>r << 3);
      addLanes(q, c0);
      addLanes(q + 8, c1);
      addLanes(q + 16, c2);
      addLanes(q + 24, c3);
    }
    for (; r < R; r++) {
      const dr = D + <usize>r * sb;
      let c = zero;
      for (let o: usize = 0; o < end; o += 16) c = f64x2.add(c, v128.load(dr + o));
      addLanes(gb + (<usize>r << 3), c);
    }
  }
}

// Rows i..i+3, column j (the odd column of a 4-row block).
// @ts-ignore: decorator
@inline
function outer4x1(g: usize, D: usize, A: usize, i: i32, j: i32, K: i32, sb: usize, nbE: i32): void {
  const d0 = D + <usize>i * sb;
  const aj = A + <usize>j * sb;
  let c0 = f64x2.splat(0.0), c1 = c0, c2 = c0, c3 = c0;
  for (let o: usize = 0; o < (<usize>nbE << 3); o += 16) {
    const p = v128.load(aj + o);
    c0 = f64x2.add(c0, f64x2.mul(v128.load(d0 + o), p));
    c1 = f64x2.add(c1, f64x2.mul(v128.load(d0 + sb + o), p));
    c2 = f64x2.add(c2, f64x2.mul(v128.load(d0 + 2 * sb + o), p));
    c3 = f64x2.add(c3, f64x2.mul(v128.load(d0 + 3 * sb + o), p));
  }
  const kb = <usize>K << 3;
  const gi = g + <usize>i * kb + (<usize>j << 3);
  addLanes(gi, c0);
  addLanes(gi + kb, c1);
  addLanes(gi + 2 * kb, c2);
  addLanes(gi + 3 * kb, c3);
}

// Row i, columns j..j+3.
// @ts-ignore: decorator
@inline
function outer1x4(g: usize, D: usize, A: usize, i: i32, j: i32, K: i32, sb: usize, nbE: i32): void {
  const di = D + <usize>i * sb;
  const a0 = A + <usize>j * sb;
  let c0 = f64x2.splat(0.0), c1 = c0, c2 = c0, c3 = c0;
  for (let o: usize = 0; o < (<usize>nbE << 3); o += 16) {
    const e = v128.load(di + o);
    c0 = f64x2.add(c0, f64x2.mul(e, v128.load(a0 + o)));
    c1 = f64x2.add(c1, f64x2.mul(e, v128.load(a0 + sb + o)));
    c2 = f64x2.add(c2, f64x2.mul(e, v128.load(a0 + 2 * sb + o)));
    c3 = f64x2.add(c3, f64x2.mul(e, v128.load(a0 + 3 * sb + o)));
  }
  const gi = g + ((<usize>i * K + j) << 3);
  addLanes(gi, c0);
  addLanes(gi + 8, c1);
  addLanes(gi + 16, c2);
  addLanes(gi + 24, c3);
}

// @ts-ignore: decorator
@inline
function addLanes(dst: usize, c: v128): void {
  store<f64>(dst, load<f64>(dst) + (f64x2.extract_lane(c, 0) + f64x2.extract_lane(c, 1)));
}

// @ts-ignore: decorator
@inline
function outerOne(g: usize, D: usize, A: usize, i: i32, j: i32, K: i32, sb: usize, nbE: i32): void {
  const di = D + <usize>i * sb;
  const aj = A + <usize>j * sb;
  let c = f64x2.splat(0.0);
  for (let o: usize = 0; o < (<usize>nbE << 3); o += 16) c = f64x2.add(c, f64x2.mul(v128.load(di + o), v128.load(aj + o)));
  addLanes(g + (<usize>i * K + j) * 8, c);
}

/**
 * Backward step through a layer with a single output (a scalar-output network's last layer), in
 * one pass over the batch instead of three: with D the output delta (one feature-major row),
 * g[j] += Σ_b D[b]·A[j][b] for j < K, gb[0] += Σ_b D[b] when `gb` ≠ 0, and, when `out` ≠ 0,
 * the deltas of the layer below: out[j][b] = A[j][b] > 0 ? 0 + W[j]·D[b] : 0 (W the K weights).
 * Bit-identical to fmOuterAcc(g, gb, D, A, 1, K, …) followed by
 * fmAffine(W, 1, K, K, 1, D, out, stride, nb, 0, false, A, sums): the same sums in the same lanes
 * and order (`sums` ≠ 0: sums[j] += Σ_b out[j][b], the bias gradient of the layer below).
 * Padding columns of D must be zero.
 */
export function fmBackOne(g: usize, gb: usize, D: usize, A: usize, W: usize, K: i32, out: usize, stride: i32, nb: i32, sums: usize = 0): void {
  if (out == 0) backOneBody(g, gb, D, A, W, K, 0, stride, nb, false, 0, false);
  else if (sums == 0) backOneBody(g, gb, D, A, W, K, out, stride, nb, true, 0, false);
  else backOneBody(g, gb, D, A, W, K, out, stride, nb, true, sums, true);
}

// @ts-ignore: decorator
@inline
function backOneBody(
  g: usize, gb: usize, D: usize, A: usize, W: usize, K: i32, out: usize, stride: i32, nb: i32,
  deltas: bool, sums: usize, useSums: bool,
): void {
  const end = <usize>fmStride(nb) << 3;
  const sb = <usize>stride << 3;
  const zero = f64x2.splat(0.0);
  if (gb != 0) {
    let c = zero;
    for (let o: usize = 0; o < end; o += 16) c = f64x2.add(c, v128.load(D + o));
    addLanes(gb, c);
  }
  let j = 0;
  for (; j + 4 <= K; j += 4) {
    const a0 = A + <usize>j * sb, a1 = a0 + sb, a2 = a1 + sb, a3 = a2 + sb;
    const o0 = out + <usize>j * sb, o1 = o0 + sb, o2 = o1 + sb, o3 = o2 + sb;
    const w = W + (<usize>j << 3);
    let c0 = zero, c1 = zero, c2 = zero, c3 = zero;
    let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
    for (let o: usize = 0; o < end; o += 16) {
      const d = v128.load(D + o);
      let h = v128.load(a0 + o);
      c0 = f64x2.add(c0, f64x2.mul(d, h));
      if (deltas) {
        const v = v128.and(f64x2.add(zero, f64x2.mul(v128.load64_splat(w), d)), f64x2.gt(h, zero));
        v128.store(o0 + o, v);
        if (useSums) s0 = f64x2.add(s0, v);
      }
      h = v128.load(a1 + o);
      c1 = f64x2.add(c1, f64x2.mul(d, h));
      if (deltas) {
        const v = v128.and(f64x2.add(zero, f64x2.mul(v128.load64_splat(w, 8), d)), f64x2.gt(h, zero));
        v128.store(o1 + o, v);
        if (useSums) s1 = f64x2.add(s1, v);
      }
      h = v128.load(a2 + o);
      c2 = f64x2.add(c2, f64x2.mul(d, h));
      if (deltas) {
        const v = v128.and(f64x2.add(zero, f64x2.mul(v128.load64_splat(w, 16), d)), f64x2.gt(h, zero));
        v128.store(o2 + o, v);
        if (useSums) s2 = f64x2.add(s2, v);
      }
      h = v128.load(a3 + o);
      c3 = f64x2.add(c3, f64x2.mul(d, h));
      if (deltas) {
        const v = v128.and(f64x2.add(zero, f64x2.mul(v128.load64_splat(w, 24), d)), f64x2.gt(h, zero));
        v128.store(o3 + o, v);
        if (useSums) s3 = f64x2.add(s3, v);
      }
    }
    const gj = g + (<usize>j << 3);
    addLanes(gj, c0);
    addLanes(gj + 8, c1);
    addLanes(gj + 16, c2);
    addLanes(gj + 24, c3);
    if (useSums) {
      const q = sums + (<usize>j << 3);
      addLanes(q, s0);
      addLanes(q + 8, s1);
      addLanes(q + 16, s2);
      addLanes(q + 24, s3);
    }
  }
  for (; j < K; j++) {
    const aj = A + <usize>j * sb;
    const oj = out + <usize>j * sb;
    const wv = v128.load64_splat(W + (<usize>j << 3));
    let c = zero, sj = zero;
    for (let o: usize = 0; o < end; o += 16) {
      const d = v128.load(D + o);
      const h = v128.load(aj + o);
      c = f64x2.add(c, f64x2.mul(d, h));
      if (deltas) {
        const v = v128.and(f64x2.add(zero, f64x2.mul(wv, d)), f64x2.gt(h, zero));
        v128.store(oj + o, v);
        if (useSums) sj = f64x2.add(sj, v);
      }
    }
    addLanes(g + (<usize>j << 3), c);
    if (useSums) addLanes(sums + (<usize>j << 3), sj);
  }
}

/**
 * Copy `n` points of dimension `d` from point-major `src` (src[b*d + k]) into feature-major
 * `dst` (dst[k*stride + b]); padding columns b ∈ [n, stride) are set to 0.
 */
export function fmFromPointMajor(dst: usize, src: usize, n: i32, d: i32, stride: i32): void {
  for (let k = 0; k < d; k++) {
    const row = dst + <usize>k * (<usize>stride << 3);
    for (let b = 0; b < n; b++) store<f64>(row + (<usize>b << 3), load<f64>(src + ((<usize>b * d + k) << 3)));
    for (let b = n; b < stride; b++) store<f64>(row + (<usize>b << 3), 0.0);
  }
}

/**
 * Gather points `idx[0..n)` (i32 indices into point-major `src` with dimension `d`) into
 * feature-major `dst`, zeroing the padding columns (minibatch assembly).
 */
export function fmGather(dst: usize, src: usize, idx: usize, n: i32, d: i32, stride: i32): void {
  for (let k = 0; k < d; k++) {
    const row = dst + <usize>k * (<usize>stride << 3);
    for (let b = 0; b < n; b++) {
      const p = <usize>load<i32>(idx + (<usize>b << 2));
      store<f64>(row + (<usize>b << 3), load<f64>(src + ((p * d + k) << 3)));
    }
    for (let b = n; b < stride; b++) store<f64>(row + (<usize>b << 3), 0.0);
  }
}

/** Copy feature-major `src` (d features, n points) into point-major `dst` (dst[b*d + k]). */
export function fmToPointMajor(dst: usize, src: usize, n: i32, d: i32, stride: i32): void {
  for (let k = 0; k < d; k++) {
    const row = src + <usize>k * (<usize>stride << 3);
    for (let b = 0; b < n; b++) store<f64>(dst + ((<usize>b * d + k) << 3), load<f64>(row + (<usize>b << 3)));
  }
}
