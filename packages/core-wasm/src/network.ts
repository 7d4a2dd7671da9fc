/**
 * Networks: the `Network` value type, parameter counting, `P(N)`, size limits and validation.
 * The parameter layout is the contract of docs/architecture.md: for l = 1..L, W_l row-major
 * [N_l][N_{l-1}], then b_l when `bias`.
 */
import { CoreError, formatValue } from './errors.js';

/** A ReLU network: hidden layers ReLU, output affine. */
export interface Network {
  /** Architecture `[N_0, …, N_L]`: inputs, hidden widths, outputs (`L ≥ 1`). */
  readonly dims: readonly number[];
  /** Whether every layer has a bias vector. */
  readonly bias: boolean;
  /** Flat parameters in the layout above (`paramCount(dims, bias)` values). */
  readonly params: Float64Array;
}

/**
 * Size limits enforced before any kernel runs (larger inputs throw `E_RANGE`). They keep every
 * work buffer far below the 4 GiB of 32-bit WebAssembly memory and every index inside i32.
 */
export const LIMITS = {
  /** Maximum number of layers L (weight matrices). */
  maxLayers: 64,
  /** Maximum width of any layer, inputs and outputs included. */
  maxWidth: 4096,
  /** Maximum number of parameters. */
  maxParams: 1 << 24,
  /** Maximum number of data points in one call. */
  maxPoints: 1 << 22,
  /** Maximum number of f64 values in one data array (points × dimension). */
  maxDataValues: 1 << 25,
  /** Maximum number of f64 values of any kernel work buffer. */
  maxWorkValues: 1 << 26,
  /** Maximum number of epochs of one training call. */
  maxEpochs: 10_000_000,
} as const;

/** Number of parameters of a network with these dims (no validation). */
export function paramCount(dims: readonly number[], bias: boolean): number {
  let c = 0;
  for (let l = 1; l < dims.length; l++) c += dims[l]! * dims[l - 1]! + (bias ? dims[l]! : 0);
  return c;
}

/**
 * `P(N) = Π_{l=1}^{L-1} (N_l + 1)`: the maximum number of linear pieces of the restriction of any
 * network of architecture N to a line (SPEC §1). Exact while below 2^53; larger values are
 * rounded like any double (and may be `Infinity` for absurd architectures).
 */
export function pieceBound(dims: readonly number[]): number {
  validateDims(dims, 'dims');
  let p = 1;
  for (let l = 1; l < dims.length - 1; l++) p *= dims[l]! + 1;
  return p;
}

/** Throw a clear `CoreError` unless `dims` is a valid architecture within `LIMITS`. */
export function validateDims(dims: unknown, where: string): asserts dims is readonly number[] {
  if (!Array.isArray(dims)) throw new CoreError('E_ARG', `${where}: expected an array of layer widths [N_0, …, N_L], got ${formatValue(dims)}`);
  if (dims.length < 2) throw new CoreError('E_ARG', `${where}: expected at least 2 entries (inputs and outputs), got ${dims.length}`);
  if (dims.length - 1 > LIMITS.maxLayers) {
    throw new CoreError('E_RANGE', `${where}: ${dims.length - 1} layers exceed the limit of ${LIMITS.maxLayers}`);
  }
  for (let l = 0; l < dims.length; l++) {
    const w: unknown = dims[l];
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 1) {
      throw new CoreError('E_ARG', `${where}[${l}]: expected an integer width ≥ 1, got ${formatValue(w)}`);
    }
    if (w > LIMITS.maxWidth) throw new CoreError('E_RANGE', `${where}[${l}]: width ${w} exceeds the limit of ${LIMITS.maxWidth}`);
  }
  const p = paramCount(dims as number[], true);
  if (p > LIMITS.maxParams) throw new CoreError('E_RANGE', `${where}: ${p} parameters exceed the limit of ${LIMITS.maxParams}`);
}

/** Throw a clear `CoreError` unless `net` is a well-formed `Network`. */
export function validateNetwork(net: unknown, where = 'network'): asserts net is Network {
  if (typeof net !== 'object' || net === null) throw new CoreError('E_ARG', `${where}: expected a network {dims, bias, params}, got ${formatValue(net)}`);
  const n = net as Record<string, unknown>;
  validateDims(n.dims, `${where}.dims`);
  if (typeof n.bias !== 'boolean') throw new CoreError('E_ARG', `${where}.bias: expected true or false, got ${formatValue(n.bias)}`);
  if (!(n.params instanceof Float64Array)) {
    throw new CoreError('E_ARG', `${where}.params: expected a Float64Array, got ${formatValue(n.params)}`);
  }
  const want = paramCount(n.dims, n.bias);
  if (n.params.length !== want) {
    throw new CoreError('E_SHAPE', `${where}.params: expected ${want} values for dims [${n.dims.join(', ')}] with bias=${n.bias}, got ${n.params.length}`);
  }
  for (let i = 0; i < n.params.length; i++) {
    if (!Number.isFinite(n.params[i]!)) throw new CoreError('E_ARG', `${where}.params[${i}]: expected a finite number, got ${n.params[i]}`);
  }
}

/**
 * Build a network from dims, bias flag and parameters (validated; the parameters are copied).
 * Without `params`, all parameters are 0 (use `initNetwork` for a random initialisation).
 */
export function createNetwork(dims: readonly number[], bias: boolean, params?: ArrayLike<number>): Network {
  validateDims(dims, 'dims');
  const p = new Float64Array(paramCount(dims, bias));
  if (params !== undefined) {
    if (params.length !== p.length) {
      throw new CoreError('E_SHAPE', `params: expected ${p.length} values for dims [${dims.join(', ')}] with bias=${bias}, got ${params.length}`);
    }
    p.set(params);
  }
  const net: Network = { dims: Object.freeze([...dims]), bias, params: p };
  validateNetwork(net);
  return net;
}

/** Offset of W_l (l = 1..L) in the flat parameter array; b_l follows at `+ N_l·N_{l-1}`. */
export function layerOffset(dims: readonly number[], bias: boolean, l: number): number {
  let off = 0;
  for (let k = 1; k < l; k++) off += dims[k]! * dims[k - 1]! + (bias ? dims[k]! : 0);
  return off;
}
