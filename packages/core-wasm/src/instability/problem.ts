/**
 * The stripes problem in TypeScript: the true classifier f, the distance to its discontinuities,
 * and sampling from the distribution D through the core (so TypeScript and trials draw the same
 * points from the same stream).
 */
import type { Core } from '../core.js';
import { CoreError } from '../errors.js';
import type { Dataset } from '../mlp.js';
import { streamWords, type StreamKey } from '../rng/philox.js';
import { normaliseInstabilityParams, type InstabilityParams } from './params.js';

/** The problem part of the parameters. */
export type StripesProblem = Pick<InstabilityParams, 'd' | 'm' | 'delta' | 'mu' | 'support' | 'M'>;

/** Stripe index of x_1: clamp(⌊m·x_1⌋, 0, m − 1) (f continues the edge stripes outside [0, 1]). */
export function stripeOf(x1: number, m: number): number {
  const k = Math.floor(x1 * m);
  if (!(k >= 0)) return 0;
  return k >= m - 1 ? m - 1 : k;
}

/** The true classifier f(x) = stripe(x_1) mod 2. */
export function stripesLabel(x1: number, m: number): 0 | 1 {
  return (stripeOf(x1, m) & 1) as 0 | 1;
}

/** Distance from x_1 to the nearest discontinuity j/m (1 ≤ j ≤ m − 1) of f. */
export function boundaryDistance(x1: number, m: number): number {
  const k = stripeOf(x1, m);
  let dist = Infinity;
  if (k > 0) dist = Math.abs(x1 - k / m);
  if (k < m - 1) dist = Math.min(dist, Math.abs((k + 1) / m - x1));
  return dist;
}

type SampleFn = (
  d: number, m: number, delta: number, mu: number, finiteM: number, n: number,
  seedLo: number, seedHi: number, substream: number, streamLo: number, streamHi: number, X: number, Y: number,
) => void;

/** Split a seed (integer in [0, 2^53)) into Philox key words. */
export function seedWords(seed: number, where = 'seed'): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new CoreError('E_ARG', `${where}: expected an integer in [0, 2^53), got ${seed}`);
  return [seed % 2 ** 32, Math.floor(seed / 2 ** 32)];
}

/** Throw unless v is an integer in [0, 2^32). */
export function u32(v: number, where: string): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** 32) throw new CoreError('E_ARG', `${where}: expected an integer in [0, 2^32), got ${v}`);
  return v;
}

/**
 * Draw n points of D from the stream `key` (x point-major n × d, y in {0, 1}). Trials draw T from
 * substream `SUBSTREAM.instability.trainSet` and V from `SUBSTREAM.instability.validationSet` of
 * their stream, so `sampleStripes(core, p, p.r, { seed, stream: trialStream(streamHi, t), substream:
 * SUBSTREAM.instability.trainSet })` reproduces trial t's training set.
 */
export function sampleStripes(core: Core, problem: Partial<StripesProblem>, n: number, key: StreamKey): Dataset<Float64Array> {
  const p = normaliseProblem(problem);
  if (!Number.isInteger(n) || n < 0 || n > 1 << 22) throw new CoreError('E_ARG', `n: expected an integer in [0, 2^22], got ${n}`);
  let w: [number, number, number, number, number];
  try {
    w = streamWords(key);
  } catch (e) {
    throw new CoreError('E_ARG', `sampleStripes: ${(e as Error).message}`);
  }
  const [lo, hi, substream, streamLo, streamHi] = w;
  const raw = core.raw;
  return raw.scoped((s) => {
    const X = s.f64Zeros(Math.max(1, n * p.d));
    const Y = s.f64Zeros(Math.max(1, n));
    raw.fn<SampleFn>('inst_sample')(
      p.d, p.m, p.delta, p.mu, p.support === 'finite' ? p.M : 0, n, lo, hi,
      substream, streamLo, streamHi, X, Y,
    );
    return { x: s.readF64(X, n * p.d), y: s.readF64(Y, n) };
  });
}

/** Validate the problem fields of `problem` (other fields are ignored) and fill defaults. */
export function normaliseProblem(problem: Partial<StripesProblem>): StripesProblem {
  const { d, m, delta, mu, support, M } = problem;
  const picked: Record<string, unknown> = { d, m, delta, mu, support, M };
  for (const k of Object.keys(picked)) if (picked[k] === undefined) delete picked[k];
  return normaliseInstabilityParams(picked);
}
