/**
 * Plain-TypeScript reference MLP: forward, backward, loss gradients. Written independently of the
 * AssemblyScript kernels (point-major, one point at a time, no SIMD) so that the two can check
 * each other; it is also the baseline of the training benchmark. Only the summation order of a
 * pre-activation, (Σ_j W_ij a_j, j ascending) + b_i, is shared on purpose.
 */
import type { Loss } from '../mlp.js';
import type { Network } from '../network.js';

/** Per-layer views into a flat parameter array. */
interface Layer {
  nin: number;
  nout: number;
  /** Offset of W (row-major nout×nin). */
  w: number;
  /** Offset of b, or -1 without bias. */
  b: number;
}

function layers(dims: readonly number[], bias: boolean): Layer[] {
  const out: Layer[] = [];
  let off = 0;
  for (let l = 1; l < dims.length; l++) {
    const nin = dims[l - 1]!;
    const nout = dims[l]!;
    out.push({ nin, nout, w: off, b: bias ? off + nin * nout : -1 });
    off += nin * nout + (bias ? nout : 0);
  }
  return out;
}

/**
 * Preallocated buffers for one network shape, so that the hot loops allocate nothing (the
 * reference is the benchmark baseline and should be a fair, reasonably written plain-TS loop).
 */
class Workspace {
  readonly ls: Layer[];
  /** acts[0] is the input, acts[l] the output of layer l. */
  readonly acts: Float64Array[];
  /** deltas[l] = ∂/∂(layer-l output); deltas[0] is the input gradient. */
  readonly deltas: Float64Array[];
  constructor(dims: readonly number[], bias: boolean) {
    this.ls = layers(dims, bias);
    this.acts = dims.map((w) => new Float64Array(w));
    this.deltas = dims.map((w) => new Float64Array(w));
  }
}

/** Forward pass of the point at X[row·N_0 …] into ws.acts. */
function forwardInto(p: Float64Array, ws: Workspace, X: ArrayLike<number>, row: number): Float64Array {
  const a0 = ws.acts[0]!;
  for (let k = 0; k < a0.length; k++) a0[k] = X[row * a0.length + k]!;
  const ls = ws.ls;
  for (let li = 0; li < ls.length; li++) {
    const { nin, nout, w, b } = ls[li]!;
    const a = ws.acts[li]!;
    const z = ws.acts[li + 1]!;
    const hidden = li < ls.length - 1;
    for (let i = 0; i < nout; i++) {
      let s = 0;
      const r = w + i * nin;
      for (let j = 0; j < nin; j++) s += p[r + j]! * a[j]!;
      if (b >= 0) s += p[b + i]!;
      z[i] = hidden ? Math.max(s, 0) : s;
    }
  }
  return ws.acts[ls.length]!;
}

/** Backward pass from ws.deltas[L] (set by the caller) after `forwardInto`. */
function backwardInto(p: Float64Array, ws: Workspace, gParams: Float64Array | undefined): void {
  const ls = ws.ls;
  for (let li = ls.length - 1; li >= 0; li--) {
    const { nin, nout, w, b } = ls[li]!;
    const aPrev = ws.acts[li]!;
    const delta = ws.deltas[li + 1]!;
    if (gParams) {
      for (let i = 0; i < nout; i++) {
        const d = delta[i]!;
        const r = w + i * nin;
        for (let j = 0; j < nin; j++) gParams[r + j]! += d * aPrev[j]!;
        if (b >= 0) gParams[b + i]! += d;
      }
    }
    const prev = ws.deltas[li]!;
    for (let j = 0; j < nin; j++) {
      let s = 0;
      for (let i = 0; i < nout; i++) s += p[w + i * nin + j]! * delta[i]!;
      // Below the first layer the ReLU derivative applies (taken as 0 at 0).
      prev[j] = li > 0 && !(aPrev[j]! > 0) ? 0 : s;
    }
  }
}

/** φ(x) for every row of point-major X (n × N_0); returns n × N_L values. */
export function referenceForward(net: Network, X: ArrayLike<number>): Float64Array {
  const ws = new Workspace(net.dims, net.bias);
  const d = net.dims[0]!;
  const nL = net.dims[net.dims.length - 1]!;
  const n = X.length / d;
  const out = new Float64Array(n * nL);
  for (let b = 0; b < n; b++) out.set(forwardInto(net.params, ws, X, b), b * nL);
  return out;
}

/**
 * Gradients of gOut·φ(x) for one point: with respect to the parameters (added into `gParams`
 * when given) and to the input (returned).
 */
export function referenceBackward(net: Network, x: ArrayLike<number>, gOut: ArrayLike<number>, gParams?: Float64Array): Float64Array {
  const ws = new Workspace(net.dims, net.bias);
  forwardInto(net.params, ws, x, 0);
  ws.deltas[net.dims.length - 1]!.set(Array.from(gOut));
  backwardInto(net.params, ws, gParams);
  return ws.deltas[0]!.slice();
}

/** ℓ(φ, y) of the reference. */
export function referenceLossValue(loss: Loss, phi: number, y: number): number {
  if (loss === 'mse') return (phi - y) ** 2;
  const s = y >= 0.5 ? 1 : -1;
  const z = s * (2 * phi - 1);
  if (loss === 'logistic') return Math.max(-z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
  return Math.max(0, 1 - z);
}

/** ∂ℓ/∂φ of the reference. */
export function referenceLossGrad(loss: Loss, phi: number, y: number): number {
  if (loss === 'mse') return 2 * (phi - y);
  const s = y >= 0.5 ? 1 : -1;
  const z = s * (2 * phi - 1);
  if (loss === 'logistic') return (-2 * s) / (1 + Math.exp(z));
  return z < 1 ? -2 * s : 0;
}

/**
 * Mean loss over the points `idx` (all points when omitted) of point-major X, Y and its gradient
 * with respect to the parameters.
 */
export function referenceLossAndGradient(
  net: Network,
  X: ArrayLike<number>,
  Y: ArrayLike<number>,
  loss: Loss,
  idx?: ArrayLike<number>,
  ws: Workspace = new Workspace(net.dims, net.bias),
): { loss: number; grad: Float64Array } {
  const d = net.dims[0]!;
  const L = net.dims.length - 1;
  const nL = net.dims[L]!;
  const n = idx ? idx.length : X.length / d;
  const grad = new Float64Array(net.params.length);
  const gOut = ws.deltas[L]!;
  let total = 0;
  for (let b = 0; b < n; b++) {
    const row = idx ? idx[b]! : b;
    const phi = forwardInto(net.params, ws, X, row);
    for (let k = 0; k < nL; k++) {
      const y = Y[row * nL + k]!;
      total += referenceLossValue(loss, phi[k]!, y);
      gOut[k] = referenceLossGrad(loss, phi[k]!, y) / n;
    }
    backwardInto(net.params, ws, grad);
  }
  return { loss: total / n, grad };
}

export { Workspace as ReferenceWorkspace };
