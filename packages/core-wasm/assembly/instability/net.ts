// A scalar-output ReLU network read from the shared flat parameter layout (docs/architecture.md),
// with the single-point evaluations that attacks and certificates need: the value φ(x), the input
// gradient ∇ₓφ(x), and forward-mode derivatives along a direction. The training kernels work on
// batches; attacks call φ one point at a time thousands of times, so this view precomputes the
// layer offsets once and keeps its scratch buffers for the lifetime of one kernel call.

import { ERR_SHAPE, ERR_ARG } from "../errors";
import { mlpForward, mlpBackward, mlpWorkSize } from "../nn/mlp";

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
  /** Certification scratch: bounds of every pre-activation. */
  lo: StaticArray<f64>;
  hi: StaticArray<f64>;
  /** Width-sized scratch vectors. */
  va: StaticArray<f64>;
  vb: StaticArray<f64>;
  vc: StaticArray<f64>;
  /** Work buffer of the shared single-point MLP kernels. */
  work: StaticArray<f64>;
  /** ∂φ/∂φ = 1, the seed of the input-gradient backward pass. */
  one: StaticArray<f64>;
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
    const one = new StaticArray<f64>(1);
    one[0] = 1.0;
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
    this.lo = new StaticArray<f64>(units);
    this.hi = new StaticArray<f64>(units);
    this.va = new StaticArray<f64>(maxW);
    this.vb = new StaticArray<f64>(maxW);
    this.vc = new StaticArray<f64>(maxW);
    this.work = new StaticArray<f64>(mlpWorkSize(changetype<usize>(dims), L));
    this.one = one;
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

  /** φ(x) for x at `x` (N_0 values), by the shared MLP kernel; remembers x for `inputGrad`. */
  forward(x: usize): f64 {
    this.xLast = x;
    return mlpForward(changetype<usize>(this.dims), this.L, this.bias, this.params, x, 0, changetype<usize>(this.work));
  }

  /** ∇ₓφ at the point of the last `forward` (which must still hold its values), written to `g`. */
  inputGrad(g: usize): void {
    mlpBackward(
      changetype<usize>(this.dims), this.L, this.bias, this.params, this.xLast,
      changetype<usize>(this.one), 0, g, changetype<usize>(this.work),
    );
  }

  /**
   * φ(x) and its derivative along `dir` on the side t → 0⁺ of x + t·dir (sums in the same order
   * as the shared kernel, so φ agrees with `forward` bit for bit): a unit with
   * pre-activation exactly 0 counts as active iff its derivative is positive. Pre-activations go to
   * `z`, their derivatives to `dz`. Returns φ; the derivative is `lastDerivative`.
   */
  forwardDir(x: usize, dir: usize): f64 {
    const L = this.L;
    const z = this.z;
    const dz = this.dz;
    for (let l = 1; l <= L; l++) {
      const nOut = unchecked(this.dims[l]);
      const nIn = unchecked(this.dims[l - 1]);
      const wBase = this.params + (<usize>unchecked(this.wOff[l - 1]) << 3);
      const prev = l >= 2 ? unchecked(this.uOff[l - 2]) : 0;
      const cur = unchecked(this.uOff[l - 1]);
      for (let i = 0; i < nOut; i++) {
        let s = 0.0;
        let ds = 0.0;
        const row = wBase + (<usize>(i * nIn) << 3);
        for (let j = 0; j < nIn; j++) {
          const wij = load<f64>(row + (<usize>j << 3));
          if (l == 1) {
            s += wij * load<f64>(x + (<usize>j << 3));
            ds += wij * load<f64>(dir + (<usize>j << 3));
          } else {
            const a = unchecked(z[prev + j]);
            const da = unchecked(dz[prev + j]);
            if (a > 0 || (a == 0 && da > 0)) {
              s += wij * a;
              ds += wij * da;
            }
          }
        }
        if (this.bias) s += this.b(l, i);
        unchecked((z[cur + i] = s));
        unchecked((dz[cur + i] = ds));
      }
    }
    const o = unchecked(this.uOff[L - 1]);
    this.lastDerivative = unchecked(dz[o]);
    return unchecked(z[o]);
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
