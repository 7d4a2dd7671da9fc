/**
 * Networks in the core: random initialisation, batched forward, backward (gradients with respect
 * to parameters and inputs) and loss gradients. All functions copy their inputs into WebAssembly
 * memory and return fresh copies of the results.
 */
import type { Core } from './core.js';
import { CoreError } from './errors.js';
import { finiteArray, finiteResult, netIn, numberOption, pointCount, workLimit } from './internal/args.js';
import { paramCount, validateDims, validateNetwork, type Network } from './network.js';
import { SUBSTREAM, type U64 } from './rng.js';
import { streamWords } from './rng/philox.js';

/** Weight initialisations (biases always start at 0). */
export type InitKind = 'he' | 'xavier' | 'uniform' | 'normal';

const INIT_CODE: Record<InitKind, number> = { he: 0, xavier: 1, uniform: 2, normal: 3 };

/** Options of `initNetwork`. */
export interface InitOptions {
  /**
   * `he`: N(0, 2/N_{l-1}); `xavier`: U(±sqrt(6/(N_{l-1}+N_l))) (Glorot uniform);
   * `uniform`: U(±scale); `normal`: N(0, scale²). Default `he`.
   */
  init?: InitKind;
  /** Half-width for `uniform`, σ for `normal`; ignored by `he` and `xavier`. Default 0.1. */
  initScale?: number;
  /** 64-bit seed. Default 0. */
  seed?: U64;
  /** 64-bit stream id. Default 0. */
  stream?: U64;
  /** Substream. Default `SUBSTREAM.init` (1). */
  substream?: number;
}

/** Defaults of `InitOptions`. */
export const INIT_DEFAULTS = { init: 'he', initScale: 0.1, seed: 0, stream: 0, substream: SUBSTREAM.init } as const;

/** A network with random weights (drawn in parameter order from the Philox stream) and zero biases. */
export function initNetwork(core: Core, dims: readonly number[], bias: boolean, options: InitOptions = {}): Network {
  validateDims(dims, 'dims');
  if (typeof bias !== 'boolean') throw new CoreError('E_ARG', `bias: expected true or false, got ${String(bias)}`);
  const o = { ...INIT_DEFAULTS, ...options };
  const code = INIT_CODE[o.init as InitKind];
  if (code === undefined) throw new CoreError('E_ARG', `init: expected one of he, xavier, uniform, normal, got ${JSON.stringify(o.init)}`);
  numberOption(o.initScale, 'initScale', 0, 1e150);
  let w: [number, number, number, number, number];
  try {
    w = streamWords({ seed: o.seed, stream: o.stream, substream: o.substream });
  } catch (e) {
    throw new CoreError('E_ARG', `initNetwork: ${(e as Error).message}`);
  }
  const P = paramCount(dims, bias);
  const params = core.raw.scoped((s) => {
    const pp = s.alloc(P * 8);
    core.raw.fn<(...a: number[]) => void>('train_init')(s.i32(dims), dims.length - 1, bias ? 1 : 0, pp, code, o.initScale, ...w);
    return s.readF64(pp, P);
  });
  return { dims: Object.freeze([...dims]), bias, params };
}

/** φ(x) for every point of point-major `x` (n × N_0); returns n × N_L values (point-major). */
export function forward(core: Core, net: Network, x: ArrayLike<number>): Float64Array {
  validateNetwork(net);
  const d = net.dims[0]!;
  const nL = net.dims[net.dims.length - 1]!;
  const X = finiteArray(x, 'x');
  const n = pointCount(X, d, 'x');
  return core.raw.scoped((s) => {
    const { dims, params, L, bias } = netIn(s, net);
    const ws = core.raw.fn<(d: number, L: number) => number>('nn_forward_batch_work')(dims, L);
    workLimit(ws, 'forward');
    const out = s.alloc(n * nL * 8);
    core.raw.fn<(...a: number[]) => void>('nn_forward_batch')(dims, L, bias, params, s.f64(X), n, out, s.alloc(ws * 8));
    return finiteResult(s.readF64(out, n * nL), 'forward', nL);
  });
}

/** Result of `backward`. */
export interface BackwardResult {
  /** φ(x_b) for every point (n × N_L). */
  outputs: Float64Array;
  /** ∂/∂θ of Σ_b gOut_b · φ(x_b) (same layout as `params`). */
  gradParams: Float64Array;
  /** ∂/∂x_b of gOut_b · φ(x_b) for every point (n × N_0). */
  gradInputs: Float64Array;
}

/**
 * Backpropagation for a batch: with upstream gradients `gOut` (n × N_L; all ones when omitted,
 * i.e. the gradient of Σ_b φ(x_b)). ReLU'(0) is taken as 0.
 */
export function backward(core: Core, net: Network, x: ArrayLike<number>, gOut?: ArrayLike<number>): BackwardResult {
  validateNetwork(net);
  const d = net.dims[0]!;
  const nL = net.dims[net.dims.length - 1]!;
  const X = finiteArray(x, 'x');
  const n = pointCount(X, d, 'x');
  const G = gOut === undefined ? new Float64Array(n * nL).fill(1) : finiteArray(gOut, 'gOut', n * nL);
  const P = net.params.length;
  return core.raw.scoped((s) => {
    const { dims, params, L, bias } = netIn(s, net);
    const ws = core.raw.fn<(d: number, L: number) => number>('nn_backward_work')(dims, L);
    const out = s.alloc(n * nL * 8);
    const gp = s.alloc(P * 8);
    const gx = s.alloc(n * d * 8);
    core.raw.fn<(...a: number[]) => void>('nn_backward_points')(dims, L, bias, params, s.f64(X), n, s.f64(G), out, gp, gx, s.alloc(ws * 8));
    return {
      outputs: finiteResult(s.readF64(out, n * nL), 'backward: output', nL),
      gradParams: finiteResult(s.readF64(gp, P), 'backward: parameter gradient'),
      gradInputs: finiteResult(s.readF64(gx, n * d), 'backward: input gradient', d),
    };
  });
}

/** Training losses (formulas in the README, "Losses"). */
export type Loss = 'mse' | 'logistic' | 'hinge';

/** Loss codes of the kernels. @internal */
export const LOSS_CODE: Record<Loss, number> = { mse: 0, logistic: 1, hinge: 2 };

/**
 * A data set: point-major inputs `x` (n × N_0) and targets `y` (n × N_L; labels in {0,1} for
 * N_L = 1). The one data-set type of the package: inputs of `train`/`lossAndGradient`, and the
 * sets the instability experiment samples (`Dataset<Float64Array>`, n = `y.length`).
 */
export interface Dataset<A extends ArrayLike<number> = ArrayLike<number>> {
  /** Inputs, point-major. */
  x: A;
  /** Targets (labels), point-major. */
  y: A;
}

/** Checked copies of a data set for `net`. @internal */
export function checkData(net: Network, data: Dataset): { X: Float64Array; Y: Float64Array; n: number } {
  if (typeof data !== 'object' || data === null) throw new CoreError('E_ARG', `data: expected {x, y}, got ${String(data)}`);
  const d = net.dims[0]!;
  const nL = net.dims[net.dims.length - 1]!;
  const X = finiteArray(data.x, 'data.x');
  const n = pointCount(X, d, 'data.x');
  if (n === 0) throw new CoreError('E_SHAPE', 'data.x: expected at least one point, got 0');
  const Y = finiteArray(data.y, 'data.y');
  if (Y.length !== n * nL) {
    throw new CoreError('E_SHAPE', `data.y: expected ${n * nL} targets (${n} points × ${nL} outputs), got ${Y.length}`);
  }
  return { X, Y, n };
}

/** Check a loss name. @internal */
export function checkLoss(loss: unknown): Loss {
  if (loss !== 'mse' && loss !== 'logistic' && loss !== 'hinge') {
    throw new CoreError('E_ARG', `loss: expected one of mse, logistic, hinge, got ${JSON.stringify(loss)}`);
  }
  return loss;
}

/** Mean loss of `net` on `data` and its gradient with respect to the parameters (no penalty). */
export function lossAndGradient(core: Core, net: Network, data: Dataset, loss: Loss = 'mse'): { loss: number; grad: Float64Array } {
  validateNetwork(net);
  const l = checkLoss(loss);
  const { X, Y, n } = checkData(net, data);
  const P = net.params.length;
  return core.raw.scoped((s) => {
    const { dims, params, L, bias } = netIn(s, net);
    const ws = core.raw.fn<(d: number, L: number, n: number) => number>('train_loss_grad_work_size')(dims, L, n);
    workLimit(ws, 'lossAndGradient');
    const g = s.alloc(P * 8);
    const v = core.raw.fn<(...a: number[]) => number>('train_loss_grad')(dims, L, bias, params, s.f64(X), s.f64(Y), n, LOSS_CODE[l], g, s.alloc(ws * 8));
    finiteResult(Float64Array.of(v), 'lossAndGradient: loss');
    return { loss: v, grad: finiteResult(s.readF64(g, P), 'lossAndGradient: gradient') };
  });
}

