/**
 * Hard pairs ι±_K (SPEC §3.2) in exact arithmetic, and their ground truth.
 *
 * ι_δ has samples x^j = c_j a_δ, y^j = c_j with a_δ = (1+δ, 1−δ, α_3, …, α_d), dyadic scales
 * c_j ∈ [1/2, 1] drawn from the run seed, and δ = ±2^-K. Every coordinate is stored as a BigInt
 * numerator over one power of two, so the oracle can round exactly.
 */
import { CoreError } from '../errors.js';
import { dyadicExponent, dyadicToF64, numeratorOf } from './dyadic.js';
import { minimiseSqrtPenalised } from './minimiser.js';
import type { NoncomputabilityParams } from './params.js';
import { SUBSTREAM, philoxStream } from './rng.js';

/** The sign of δ: +1 for ι⁺_K, −1 for ι⁻_K, 0 for the midpoint ι_0 the adversary answers with. */
export type PairSign = 1 | -1 | 0;

/** Exact data of one member of a pair: numerators over 2^exp, samples row-major (r × d). */
export interface ExactData {
  /** Power-of-two exponent of the common denominator. */
  exp: number;
  /** x^j_k numerators at index j·d + k. */
  x: readonly bigint[];
  /** y^j numerators. */
  y: readonly bigint[];
  /** The same values as nearest f64 (exact unless exp is beyond f64's reach, e.g. K > 40). */
  xF64: Float64Array;
  yF64: Float64Array;
}

/** Ground truth of a pair (SPEC §3.2 "Minimiser"). Identical for both signs except k*. */
export interface PairGroundTruth {
  /** S = (1/r) Σ c_j². */
  S: number;
  /** a* = 1 + 2^-K (the largest coordinate of a_δ, for either sign). */
  aStar: number;
  /** t* = argmin_{t ≥ 0} h(t), h(t) = S(t−1)² + 2λ√(t/a*). */
  tStar: number;
  /** s* = t* / a*: the minimiser is φ*(z) = s*·z_{k*} on z ≥ 0. */
  sStar: number;
  /** The minimal cost h(t*). */
  hStar: number;
  /** h(0) − h(t*) > 0: how clearly the zero network loses. */
  margin: number;
  /** Breakdown epsilon ε_B = s* / 2. */
  epsB: number;
  /** k* = 1 for δ > 0 (ι⁺), 2 for δ < 0 (ι⁻); 1-based as in the SPEC. */
  kStar: { plus: 1; minus: 2 };
}

/** A hard pair at level K: exact data of ι⁺, ι⁻ and ι_0, plus the ground truth. */
export interface HardPair {
  params: NoncomputabilityParams;
  seed: number;
  /** The scales c_j (dyadic, exact as f64). */
  scales: readonly number[];
  truth: PairGroundTruth;
  plus: ExactData;
  minus: ExactData;
  /** ι_0 (δ = 0): what the adversarial oracle returns for n ≤ K. */
  zero: ExactData;
}

/** The scale numerators m_j (c_j = m_j / 2^scaleBits, m_j ∈ [2^(scaleBits−1), 2^scaleBits]) of a run. */
export function scaleNumerators(seed: number, samples: number, scaleBits: number): number[] {
  const rng = philoxStream(seed, SUBSTREAM.scales, 0, 0);
  const half = 2 ** (scaleBits - 1);
  const out: number[] = [];
  for (let j = 0; j < samples; j++) out.push(half + rng.below(half + 1));
  return out;
}

/** h(t) = S(t−1)² + 2λ√(t/a*). */
export function hCost(S: number, aStar: number, lambda: number, t: number): number {
  return S * (t - 1) * (t - 1) + 2 * lambda * Math.sqrt(t / aStar);
}

function truthFor(S: number, aStar: number, lambda: number): { sStar: number; tStar: number; hStar: number; margin: number } {
  // In s = t/a*: h = S a*² s² − 2 S a* s + S + 2λ√s, the generic one-dimensional problem.
  const m = minimiseSqrtPenalised(S * aStar * aStar, S * aStar, S, lambda);
  return { sStar: m.s, tStar: m.s * aStar, hStar: m.value, margin: m.margin };
}

/** The largest λ for which the minimiser is non-zero (h(t*) < h(0)), by bisection. */
export function maxLambda(S: number, aStar: number): number {
  let lo = 0;
  let hi = 4 * S * Math.sqrt(aStar); // beyond q = λ/(2S√a*) ≥ 2/(3√3) there is no interior minimum
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (truthFor(S, aStar, mid).margin > 0) lo = mid;
    else hi = mid;
  }
  return lo;
}

function exactData(exp: number, x: bigint[], y: bigint[]): ExactData {
  return Object.freeze({
    exp,
    x: Object.freeze(x),
    y: Object.freeze(y),
    xF64: Float64Array.from(x, (v) => dyadicToF64(v, exp)),
    yF64: Float64Array.from(y, (v) => dyadicToF64(v, exp)),
  });
}

/**
 * Build the hard pair of a (normalised) parameter set for a run seed. Throws `CoreError` `E_ARG`
 * when λ is so large that the minimiser is the zero network (t* = 0), naming the largest allowed λ.
 */
export function makeHardPair(params: NoncomputabilityParams, seed: number): HardPair {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new CoreError('E_ARG', `noncomputability seed: expected an integer in [0, 2^53), got ${seed}`);
  }
  const { d, samples: r, K, scaleBits: P, lambda, alpha } = params;
  const m = scaleNumerators(seed, r, P);
  const scales = m.map((mj) => mj * 2 ** -P);
  const S = scales.reduce((acc, c) => acc + c * c, 0) / r;
  const aStar = 1 + 2 ** -K;
  const t = truthFor(S, aStar, lambda);
  // A near-tie between t* and 0 would make the minimiser ambiguous in floating point.
  if (!(t.margin > 1e-9 * S)) {
    const lmax = maxLambda(S, aStar);
    const allowed = `a value below ${lmax.toPrecision(6)} for these scales (d=${d}, samples=${r}, K=${K}, seed=${seed})`;
    throw new CoreError(
      'E_ARG',
      `noncomputability params.lambda: expected ${allowed}, got ${lambda}: the minimiser would be the zero network (t* = 0), so the pair carries no hidden sign`,
      { path: ['lambda'], allowed, value: lambda },
    );
  }
  const alphaExp = Math.max(0, ...alpha.map((a) => dyadicExponent(a, 64)));
  const alphaNum = alpha.map((a) => numeratorOf(a, alphaExp));
  const E0 = P + alphaExp;
  const E = P + Math.max(K, alphaExp);
  const make = (sign: PairSign): ExactData => {
    const exp = sign === 0 ? E0 : E;
    const x: bigint[] = [];
    const y: bigint[] = [];
    for (let j = 0; j < r; j++) {
      const mj = BigInt(m[j]!);
      if (sign === 0) {
        const one = mj << BigInt(alphaExp);
        x.push(one, one);
      } else {
        const s = BigInt(sign);
        const shift = BigInt(E - P - K);
        x.push((mj * ((1n << BigInt(K)) + s)) << shift, (mj * ((1n << BigInt(K)) - s)) << shift);
      }
      for (let k = 0; k < d - 2; k++) x.push((mj * alphaNum[k]!) << BigInt(exp - P - alphaExp));
      y.push(mj << BigInt(exp - P));
    }
    return exactData(exp, x, y);
  };
  const truth: PairGroundTruth = Object.freeze({
    S,
    aStar,
    tStar: t.tStar,
    sStar: t.sStar,
    hStar: t.hStar,
    margin: t.margin,
    epsB: t.sStar / 2,
    kStar: Object.freeze({ plus: 1, minus: 2 } as const),
  });
  return Object.freeze({ params, seed, scales: Object.freeze(scales), truth, plus: make(1), minus: make(-1), zero: make(0) });
}

/** The ground truth (k*, t*, s*, h(t*), ε_B) of the pair of `params` under run seed `seed`. */
export function pairGroundTruth(params: NoncomputabilityParams, seed: number): PairGroundTruth {
  return makeHardPair(params, seed).truth;
}

/** ε_B = s* / 2 of the pair of `params` under run seed `seed` (SPEC §3.2). */
export function breakdownEpsilon(params: NoncomputabilityParams, seed: number): number {
  return pairGroundTruth(params, seed).epsB;
}
