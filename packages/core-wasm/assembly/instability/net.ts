// A scalar-output ReLU network read from the shared flat parameter layout (docs/architecture.md),
// with the single-point evaluations that attacks and certificates need: the value φ(x), the input
// gradient ∇ₓφ(x), and forward-mode derivatives along a direction. The training kernels work on
// batches; attacks call φ one point at a time thousands of times, so this view precomputes the
// layer offsets once and keeps its scratch buffers for the lifetime of one kernel call.

import { ERR_SHAPE, ERR_ARG } from "../errors";

/** Read-only view of an MLP `dims = [N_0, …, N_L]` (N_L = 1) whose parameters live at `params`. */
export class Net {
  L: i32;
  dims: StaticArray<i32>;
  bias: bool;
  params: usize;
  /** Element offset of W_l (index l − 1). */
  wOff: StaticArray<i32>;
  /** Element offset of b_l (index l − 1), −1 when there are no biases. */
  bOff: StaticArray<i32>;
  /** Element offset of layer l's units (index l − 1) in the per-unit buffers `z`, `lo`, `hi`. */
  uOff: StaticArray<i32>;
  nParams: i32;
  nUnits: i32;
  maxWidth: i32;
  /** Pre-activations of every layer from the last `forwardDir`. */
  z: StaticArray<f64>;
  /** Directional derivatives of the pre-activations from the last `forwardDir`. */
  dz: StaticArray<f64>;
  /** `forwardDir` scratch: the previous layer's (value, derivative) pairs, 2·maxWidth values. */
  pairs: StaticArray<f64>;
  /** Certification scratch: bounds of every pre-activation. */
  lo: StaticArray<f64>;
  hi: StaticArray<f64>;
  /** Width-sized scratch vectors. */
  va: StaticArray<f64>;
  vb: StaticArray<f64>;
  vc: StaticArray<f64>;
  /** Width-sized scratch for CROWN's coefficient sums λ·W[:, j] and Σ_i |λ_i W[i, j]|. */
  sa: StaticArray<f64>;
  sb: StaticArray<f64>;
  /** Activations of every layer (post-ReLU on hidden layers) from the last `forward`. */
  act: StaticArray<f64>;
  /** Width-sized backward-pass buffers of `inputGrad`. */
  ga: StaticArray<f64>;
  gb: StaticArray<f64>;
  xLast: usize = 0;

  constructor(dimsPtr: usize, nDims: i32, bias: bool, params: usize) {
    if (nDims < 2) throw new Error(ERR_SHAPE);
    const L = nDims - 1;
    // Fields are filled from locals: AssemblyScript wants every field set before `this` is used.
    const dims = new StaticArray<i32>(nDims);
    let maxW = 0;
    for (let i = 0; i < nDims; i++) {
      const n = load<i32>(dimsPtr + (<usize>i << 2));
      if (n < 1) throw new Error(ERR_SHAPE);
      dims[i] = n;
      if (n > maxW) maxW = n;
    }
    if (dims[L] != 1) throw new Error(ERR_SHAPE);
    const wOff = new StaticArray<i32>(L);
    const bOff = new StaticArray<i32>(L);
    const uOff = new StaticArray<i32>(L);
    let off = 0;
    let units = 0;
    for (let l = 1; l <= L; l++) {
      const nOut = dims[l];
      const nIn = dims[l - 1];
      wOff[l - 1] = off;
      off += nOut * nIn;
      if (bias) {
        bOff[l - 1] = off;
        off += nOut;
      } else {
        bOff[l - 1] = -1;
      }
      uOff[l - 1] = units;
      units += nOut;
    }
    this.L = L;
    this.dims = dims;
    this.bias = bias;
    this.params = params;
    this.wOff = wOff;
    this.bOff = bOff;
    this.uOff = uOff;
    this.nParams = off;
    this.nUnits = units;
    this.maxWidth = maxW;
    this.z = new StaticArray<f64>(units);
    this.dz = new StaticArray<f64>(units);
    this.pairs = new StaticArray<f64>(2 * maxW);
    this.lo = new StaticArray<f64>(units);
    this.hi = new StaticArray<f64>(units);
    this.va = new StaticArray<f64>(maxW);
    this.vb = new StaticArray<f64>(maxW);
    this.vc = new StaticArray<f64>(maxW);
    this.sa = new StaticArray<f64>(maxW);
    this.sb = new StaticArray<f64>(maxW);
    this.act = new StaticArray<f64>(units);
    this.ga = new StaticArray<f64>(maxW);
    this.gb = new StaticArray<f64>(maxW);
  }

  /** Input dimension N_0. */
  @inline get d(): i32 {
    return unchecked(this.dims[0]);
  }

  /** W_l[i][j] (l is 1-based). */
  @inline w(l: i32, i: i32, j: i32): f64 {
    const nIn = unchecked(this.dims[l - 1]);
    return load<f64>(this.params + (<usize>(unchecked(this.wOff[l - 1]) + i * nIn + j) << 3));
  }

  /** b_l[i], 0 without biases. */
  @inline b(l: i32, i: i32): f64 {
    const o = unchecked(this.bOff[l - 1]);
    return o < 0 ? 0.0 : load<f64>(this.params + (<usize>(o + i) << 3));
  }

  /**
   * φ(x) for x at `x` (N_0 values); remembers x and every activation for `inputGrad`. The same
   * arithmetic as the shared `mlpForward` (each unit Σ_j W_ij·a_j summed from j = 0, then + b_i,
   * then max(·, 0) on hidden layers), so φ agrees with it bit for bit; specialised here because
   * attacks call it one point at a time and the generic kernel re-derives its offsets on every call.
   */
  forward(x: usize): f64 {
    this.xLast = x;
    const L = this.L;
    const act = changetype<usize>(this.act);
    let inp = x;
    let out = act;
    for (let l = 1; l <= L; l++) {
      const nOut = unchecked(this.dims[l]);
      const nIn = unchecked(this.dims[l - 1]);
      const W = this.params + (<usize>unchecked(this.wOff[l - 1]) << 3);
      const bp = this.params + (<usize>unchecked(this.bOff[l - 1]) << 3);
      out = act + (<usize>unchecked(this.uOff[l - 1]) << 3);
      const rowBytes = <usize>nIn << 3;
      const hidden = l < L;
      // Two units per f64x2: each lane is one unit's own sequential sum, rounded like a scalar.
      let i = 0;
      let row = W;
      for (; i + 1 < nOut; i += 2, row += rowBytes << 1) {
        let s = f64x2.splat(0.0);
        for (let j = 0; j < nIn; j++) {
          const o = <usize>j << 3;
          let w = v128.load64_zero(row + o);
          w = v128.load64_lane(row + rowBytes + o, w, 1);
          s = f64x2.add(s, f64x2.mul(w, f64x2.splat(load<f64>(inp + o))));
        }
        if (this.bias) s = f64x2.add(s, v128.load(bp + (<usize>i << 3)));
        if (hidden) s = f64x2.max(s, f64x2.splat(0.0));
        v128.store(out + (<usize>i << 3), s);
      }
      if (i < nOut) {
        let s: f64 = 0;
        for (let j = 0; j < nIn; j++) s += load<f64>(row + (<usize>j << 3)) * load<f64>(inp + (<usize>j << 3));
        if (this.bias) s += load<f64>(bp + (<usize>i << 3));
        if (hidden) s = max(s, 0.0);
        store<f64>(out + (<usize>i << 3), s);
      }
      inp = out;
    }
    return load<f64>(out);
  }

  /**
   * ∇ₓφ at the point of the last `forward` (which must still hold its values), written to `g`.
   * Bit-identical to the shared `mlpBackward` with ∂φ/∂φ = 1: every δ_j = Σ_i W_ij·δ_i is summed
   * over i in increasing order (two columns per f64x2, each lane its own sequential sum), then
   * zeroed where the unit's activation is not > 0 (ReLU'(0) = 0).
   */
  inputGrad(g: usize): void {
    const L = this.L;
    const act = changetype<usize>(this.act);
    let cur = changetype<usize>(this.ga);
    let nxt = changetype<usize>(this.gb);
    store<f64>(cur, 1.0);
    for (let l = L; l >= 1; l--) {
      const nOut = unchecked(this.dims[l]);
      const nIn = unchecked(this.dims[l - 1]);
      const W = this.params + (<usize>unchecked(this.wOff[l - 1]) << 3);
      const dst = l > 1 ? nxt : g;
      const rowBytes = <usize>nIn << 3;
      let j = 0;
      for (; j + 1 < nIn; j += 2) {
        let s = f64x2.splat(0.0);
        let p = W + (<usize>j << 3);
        for (let i = 0; i < nOut; i++, p += rowBytes) {
          s = f64x2.add(s, f64x2.mul(v128.load(p), f64x2.splat(load<f64>(cur + (<usize>i << 3)))));
        }
        v128.store(dst + (<usize>j << 3), s);
      }
      if (j < nIn) {
        let s: f64 = 0;
        let p = W + (<usize>j << 3);
        for (let i = 0; i < nOut; i++, p += rowBytes) s += load<f64>(p) * load<f64>(cur + (<usize>i << 3));
        store<f64>(dst + (<usize>j << 3), s);
      }
      if (l > 1) {
        const aPrev = act + (<usize>unchecked(this.uOff[l - 2]) << 3);
        for (let q = 0; q < nIn; q++) {
          if (!(load<f64>(aPrev + (<usize>q << 3)) > 0)) store<f64>(dst + (<usize>q << 3), 0.0);
        }
      }
      const t = cur;
      cur = nxt;
      nxt = t;
    }
  }

  /**
   * φ(x) and its derivative along `dir` on the side t → 0⁺ of x + t·dir (sums in the same order
   * as the shared kernel, so φ agrees with `forward` bit for bit): a unit with
   * pre-activation exactly 0 counts as active iff its derivative is positive. Pre-activations go to
   * `z`, their derivatives to `dz`. Returns φ; the derivative is `lastDerivative`.
   */
  forwardDir(x: usize, dir: usize): f64 {
    const L = this.L;
    const z = changetype<usize>(this.z);
    const dz = changetype<usize>(this.dz);
    // Each unit's value and derivative sums run side by side in the two lanes of an f64x2, over
    // the previous layer's (value, derivative) pairs. A unit the scalar recursion skips (inactive)
    // enters as the pair (+0, +0): its terms are ±0, and adding ±0 leaves a sum that started at +0
    // unchanged (such a sum is never −0), so each lane is bit-identical to the scalar sum.
    const pr = changetype<usize>(this.pairs);
    const zero = f64x2.splat(0.0);
    for (let l = 1; l <= L; l++) {
      const nOut = unchecked(this.dims[l]);
      const nIn = unchecked(this.dims[l - 1]);
      const wBase = this.params + (<usize>unchecked(this.wOff[l - 1]) << 3);
      const cur = <usize>unchecked(this.uOff[l - 1]) << 3;
      if (l == 1) {
        for (let j = 0; j < nIn; j++) {
          const o = <usize>j << 3;
          v128.store(pr + (o << 1), f64x2(load<f64>(x + o), load<f64>(dir + o)));
        }
      } else {
        const prev = <usize>unchecked(this.uOff[l - 2]) << 3;
        for (let j = 0; j < nIn; j++) {
          const o = <usize>j << 3;
          const a = load<f64>(z + prev + o);
          const da = load<f64>(dz + prev + o);
          v128.store(pr + (o << 1), a > 0 || (a == 0 && da > 0) ? f64x2(a, da) : zero);
        }
      }
      const rowBytes = <usize>nIn << 3;
      let i = 0;
      // Two units per step: independent chains, so their latencies overlap.
      for (; i + 1 < nOut; i += 2) {
        const r0 = wBase + <usize>i * rowBytes;
        const r1 = r0 + rowBytes;
        let s0 = zero;
        let s1 = zero;
        for (let j = 0; j < nIn; j++) {
          const o = <usize>j << 3;
          const v = v128.load(pr + (o << 1));
          s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(r0 + o), v));
          s1 = f64x2.add(s1, f64x2.mul(v128.load64_splat(r1 + o), v));
        }
        const u = cur + (<usize>i << 3);
        store<f64>(z + u, this.bias ? f64x2.extract_lane(s0, 0) + this.b(l, i) : f64x2.extract_lane(s0, 0));
        store<f64>(dz + u, f64x2.extract_lane(s0, 1));
        store<f64>(z + u, this.bias ? f64x2.extract_lane(s1, 0) + this.b(l, i + 1) : f64x2.extract_lane(s1, 0), 8);
        store<f64>(dz + u, f64x2.extract_lane(s1, 1), 8);
      }
      if (i < nOut) {
        const r0 = wBase + <usize>i * rowBytes;
        let s0 = zero;
        for (let j = 0; j < nIn; j++) {
          const o = <usize>j << 3;
          s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(r0 + o), v128.load(pr + (o << 1))));
        }
        const u = cur + (<usize>i << 3);
        store<f64>(z + u, this.bias ? f64x2.extract_lane(s0, 0) + this.b(l, i) : f64x2.extract_lane(s0, 0));
        store<f64>(dz + u, f64x2.extract_lane(s0, 1));
      }
    }
    const o = unchecked(this.uOff[L - 1]);
    this.lastDerivative = unchecked(this.dz[o]);
    return unchecked(this.z[o]);
  }

  /** Derivative of φ along the direction of the last `forwardDir`. */
  lastDerivative: f64 = 0;

  /**
   * Largest step h > 0 such that no hidden unit's pre-activation changes sign on x + (0, h)·dir,
   * using the values of the last `forwardDir` (∞ when no unit ever switches along the ray).
   */
  nextKink(): f64 {
    let h = Infinity;
    const z = this.z;
    const dz = this.dz;
    const hidden = unchecked(this.uOff[this.L - 1]);
    for (let u = 0; u < hidden; u++) {
      const a = unchecked(z[u]);
      const da = unchecked(dz[u]);
      // A unit switches where a + t·da crosses 0 ahead of us: active and falling, or inactive and rising.
      if ((a > 0 && da < 0) || (a < 0 && da > 0)) {
        const t = -a / da;
        if (t < h) h = t;
      }
    }
    return h;
  }
}

/** Number of parameters of `dims` in the flat layout. */
export function paramCount(dimsPtr: usize, nDims: i32, bias: bool): i32 {
  if (nDims < 2) throw new Error(ERR_ARG);
  let n = 0;
  for (let l = 1; l < nDims; l++) {
    const a = load<i32>(dimsPtr + (<usize>l << 2));
    const b = load<i32>(dimsPtr + (<usize>(l - 1) << 2));
    n += a * b + (bias ? a : 0);
  }
  return n;
}

/** P(N) = Π_{l=1}^{L−1} (N_l + 1), the piece bound along any line (as f64: it can be large). */
export function pieceBound(net: Net): f64 {
  let p = 1.0;
  for (let l = 1; l < net.L; l++) p *= <f64>(unchecked(net.dims[l]) + 1);
  return p;
}
