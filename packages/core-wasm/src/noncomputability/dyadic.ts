/**
 * Exact dyadic rationals `num / 2^exp` (BigInt numerators) and their hand-off to f64.
 *
 * The Δ1 oracle works in exact arithmetic so that "the value read is within 2^-n of the true
 * value" is a fact, not a floating-point hope. Values cross into WebAssembly as f64, which is
 * exact exactly when the numerator (with trailing zeros removed) has at most 53 significant bits;
 * for data in [0, 2) read at n ≤ 52 bits that always holds.
 */

/** Round `num / 2^shift` to the nearest integer, ties away from zero (data here are ≥ 0). */
export function roundShift(num: bigint, shift: number): bigint {
  if (shift <= 0) return num << BigInt(-shift);
  const s = BigInt(shift);
  const half = 1n << (s - 1n);
  if (num >= 0n) return (num + half) >> s;
  return -((-num + half) >> s);
}

/** The f64 nearest to `num / 2^exp` (correctly rounded: one rounding in `Number(bigint)`). */
export function dyadicToF64(num: bigint, exp: number): number {
  if (num === 0n) return 0;
  // Number(bigint) rounds to nearest; scaling by a power of two is exact while no underflow or
  // overflow happens, which the oracle's ranges (|value| < 4, exp ≤ 4096) guarantee... except
  // 2^-exp itself underflowing for exp > 1074, so scale in two steps.
  let v = Number(num);
  let e = exp;
  while (e > 1000) {
    v *= 2 ** -1000;
    e -= 1000;
  }
  // Two roundings can only happen for numerators above 2^53, where `exact` is false anyway.
  return v * 2 ** -e;
}

/** True when `num / 2^exp` is exactly representable as an f64 (and is what `dyadicToF64` returns). */
export function isExactF64(num: bigint, exp: number): boolean {
  if (num === 0n) return true;
  let m = num < 0n ? -num : num;
  let e = exp;
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e -= 1;
  }
  // 53 significant bits, and the value must stay in the normal range.
  return m < 1n << 53n && e <= 1022 + 52;
}

/**
 * The dyadic exponent of a finite number: the least `e ≥ 0` with `x·2^e` an integer, or -1 when
 * none ≤ `maxExp` exists. Used to accept user-given dyadic constants such as α_k = 0.375.
 */
export function dyadicExponent(x: number, maxExp: number): number {
  if (!Number.isFinite(x)) return -1;
  for (let e = 0; e <= maxExp; e++) {
    if (Number.isInteger(x * 2 ** e)) return e;
  }
  return -1;
}

/** Exact numerator of the dyadic f64 `x` over `2^exp` (caller guarantees `x·2^exp` is an integer). */
export function numeratorOf(x: number, exp: number): bigint {
  return BigInt(x * 2 ** exp);
}
