/**
 * Argument checks shared by the typed wrappers: every public function validates in TS before a
 * kernel runs, so bad input becomes a `CoreError` naming the argument, never a trap.
 */
import { CoreError, formatValue } from '../errors.js';
import { LIMITS, type Network } from '../network.js';
import type { Scope } from './module.js';

/** Copy `v` into a Float64Array after checking its length and that every value is finite. */
export function finiteArray(v: unknown, what: string, length?: number): Float64Array {
  if (!(Array.isArray(v) || ArrayBuffer.isView(v)) || v instanceof DataView) {
    throw new CoreError('E_ARG', `${what}: expected an array of numbers, got ${formatValue(v)}`);
  }
  const a = v as ArrayLike<unknown>;
  if (length !== undefined && a.length !== length) {
    throw new CoreError('E_SHAPE', `${what}: expected ${length} values, got ${a.length}`);
  }
  if (a.length > LIMITS.maxDataValues) {
    throw new CoreError('E_RANGE', `${what}: ${a.length} values exceed the limit of ${LIMITS.maxDataValues}`);
  }
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new CoreError('E_ARG', `${what}[${i}]: expected a finite number, got ${formatValue(x)}`);
    }
    out[i] = x;
  }
  return out;
}

/** Number of points in a point-major array of `dim`-vectors; throws unless it divides evenly. */
export function pointCount(a: ArrayLike<number>, dim: number, what: string): number {
  if (a.length % dim !== 0) {
    throw new CoreError('E_SHAPE', `${what}: length ${a.length} is not a multiple of the dimension ${dim} (point-major n×${dim} expected)`);
  }
  const n = a.length / dim;
  if (n > LIMITS.maxPoints) throw new CoreError('E_RANGE', `${what}: ${n} points exceed the limit of ${LIMITS.maxPoints}`);
  return n;
}

/** Check a number option: finite, within [lo, hi] (and an integer when `integer`). */
export function numberOption(v: unknown, what: string, lo: number, hi: number, integer = false): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi && (!integer || Number.isInteger(v));
  if (!ok) {
    const kind = integer ? 'an integer' : 'a finite number';
    throw new CoreError('E_ARG', `${what}: expected ${kind} in [${lo}, ${hi}], got ${formatValue(v)}`);
  }
  return v as number;
}

/** Check that a work buffer of `values` f64 stays within the documented limit. */
export function workLimit(values: number, what: string): void {
  if (!(values <= LIMITS.maxWorkValues)) {
    throw new CoreError('E_RANGE', `${what}: needs a work buffer of ${values} values, above the limit of ${LIMITS.maxWorkValues}; use fewer points or a smaller network`);
  }
}

/** Copy a network's dims and parameters into a scope; returns their pointers and L. */
export function netIn(s: Scope, net: Network): { dims: number; params: number; L: number; bias: number } {
  return { dims: s.i32(net.dims), params: s.f64(net.params), L: net.dims.length - 1, bias: net.bias ? 1 : 0 };
}

/**
 * Throw `E_NONFINITE` if a result array holds NaN or ±∞ (finite inputs can still overflow, e.g.
 * weights near 1e200): a kernel result is either finite or an error, never silent garbage.
 */
export function finiteResult(a: Float64Array, what: string, perPoint = 1): Float64Array {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) {
      throw new CoreError('E_NONFINITE', `${what}: value ${a[i]} at point ${Math.floor(i / perPoint)} (index ${i}); the network overflows f64 on this input — scale the weights or inputs down`);
    }
  }
  return a;
}
