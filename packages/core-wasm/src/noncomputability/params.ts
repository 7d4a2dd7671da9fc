/**
 * Parameters of a noncomputability cell: the hard pair, the oracle, the algorithm and its
 * options. `normaliseNoncomputabilityParams` is the single validator: it fills defaults and throws
 * a `CoreError` naming the parameter, the value and what is allowed.
 */
import { invalidValue, type PathKey } from '../errors.js';
import { BUILT_IN_ALGORITHMS } from './algorithms.js';
import { dyadicExponent } from './dyadic.js';
import type { InitKind } from '../mlp.js';

/** How the oracle answers `read(n)` (SPEC §3.3). */
export type OracleMode = 'adversarial' | 'honest';


/** Optimiser run inside each restart of `restarts`. */
export type InnerMethod = 'gd' | 'sgd' | 'adam' | 'anneal';

/** Everything a noncomputability trial depends on besides the seed and the trial index. */
export interface NoncomputabilityParams {
  /** Algorithm name: a built-in (`gd`, `sgd`, `adam`, `restarts`, `anneal`, `coin`, `hedge`, `exact-read`, `escalate`) or `plugin`. */
  algorithm: string;
  /** Pair level: δ = ±2^-K. Integer in [1, 1000]. */
  K: number;
  /** The algorithm's bit budget n (non-adaptive algorithms read once at n). Integer in [1, 2048]. */
  readBits: number;
  /** Input dimension d ≥ 2 (coordinates 1 and 2 carry the hidden sign). */
  d: number;
  /** Hidden width W of the network class NN_(d,W,1). */
  width: number;
  /** Number of samples r. */
  samples: number;
  /** ℓ1 penalty weight λ > 0; must be small enough that the minimiser is not zero. */
  lambda: number;
  /** α_3, …, α_d: dyadic constants in [0, 1/2] (length d − 2; default 1/4 each). */
  alpha: number[];
  /** Bits of the dyadic scales c_j ∈ [1/2, 1] (c_j = m/2^scaleBits), 1..20. */
  scaleBits: number;
  /** Oracle mode; the pair at level K is adversarial by default. */
  oracle: OracleMode;
  /** Accuracies at which success is evaluated; finite, > 0. */
  epsilons: number[];
  /** Optimisation steps (gd, sgd, adam, anneal; per restart for `restarts`). */
  steps: number;
  /** Learning rate (gd, sgd, adam). */
  lr: number;
  /** Initialisation scheme. */
  init: InitKind;
  /** σ of `normal` and half-width of `uniform` initialisation. */
  initScale: number;
  /** Minibatch size of `sgd`. */
  batchSize: number;
  /** Number of restarts R of `restarts`. */
  restarts: number;
  /** Optimiser inside `restarts`. */
  inner: InnerMethod;
  /** Adam β1, β2, ε. */
  beta1: number;
  beta2: number;
  adamEps: number;
  /** Annealing: initial and final temperature and proposal scale. */
  annealT0: number;
  annealT1: number;
  annealSigma: number;
  /** Module path of a plugin algorithm (required when algorithm is `plugin`). */
  plugin: string | null;
  /** Options handed unchanged (frozen) to a plugin as `ctx.options`. */
  pluginOptions: Record<string, unknown>;
}

/** Defaults of every optional parameter (SPEC §4.1's example cell). */
export const NONCOMPUTABILITY_DEFAULTS: Readonly<Omit<NoncomputabilityParams, 'algorithm' | 'K' | 'readBits' | 'alpha'>> = Object.freeze({
  d: 2,
  width: 4,
  samples: 8,
  lambda: 0.05,
  scaleBits: 12,
  oracle: 'adversarial',
  epsilons: [0.05, 0.1, 0.25, 0.45, 0.5],
  steps: 500,
  lr: 0.1,
  init: 'he',
  initScale: 0.5,
  batchSize: 2,
  restarts: 8,
  inner: 'gd',
  beta1: 0.9,
  beta2: 0.999,
  adamEps: 1e-8,
  annealT0: 0.05,
  annealT1: 1e-5,
  annealSigma: 0.1,
  plugin: null,
  pluginOptions: {},
});

/** Documented limits of the parameters. */
export const NONCOMPUTABILITY_LIMITS = Object.freeze({
  maxK: 1000,
  maxReadBits: 2048,
  maxD: 64,
  maxWidth: 256,
  maxSamples: 4096,
  maxSteps: 10_000_000,
  maxRestarts: 10_000,
  maxEpsilons: 256,
  maxAlphaBits: 30,
  maxScaleBits: 20,
});

/** Every key `normaliseNoncomputabilityParams` understands. Other keys are ignored. */
export const NONCOMPUTABILITY_PARAM_KEYS: readonly string[] = Object.freeze([
  'algorithm', 'K', 'readBits', 'alpha', ...Object.keys(NONCOMPUTABILITY_DEFAULTS),
]);

/** Throw the `E_ARG` error of `params.<path>` (message `noncomputability params.<path>: expected <allowed>, got <value>`). */
function fail(path: PathKey | readonly PathKey[], allowed: string, value: unknown, choices?: readonly string[]): never {
  throw invalidValue('noncomputability params', typeof path === 'object' ? path : [path], allowed, value, choices);
}

function int(p: Record<string, unknown>, key: string, lo: number, hi: number, dflt?: number): number {
  const v = p[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) fail(key, `an integer in [${lo}, ${hi}]`, v);
  return v;
}

function real(p: Record<string, unknown>, key: string, dflt: number, ok: (x: number) => boolean, allowed: string): number {
  const v = p[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) fail(key, allowed, v);
  return v;
}

function oneOf<T extends string>(p: Record<string, unknown>, key: string, dflt: T, allowed: readonly T[]): T {
  const v = p[key] ?? dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) fail(key, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, v, allowed);
  return v as T;
}

/**
 * Validate and complete a parameter object (e.g. a sweep cell's parameters). Throws `CoreError`
 * `E_ARG` naming the first bad parameter. Whether λ leaves a non-zero minimiser depends on the
 * scales, hence on the seed: `makeHardPair` checks that.
 */
export function normaliseNoncomputabilityParams(input: Partial<NoncomputabilityParams> | Record<string, unknown>): NoncomputabilityParams {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) fail([], 'an object', input);
  const p = input as Record<string, unknown>;
  const L = NONCOMPUTABILITY_LIMITS;
  const D = NONCOMPUTABILITY_DEFAULTS;
  const algorithm = p.algorithm;
  if (typeof algorithm !== 'string' || algorithm.length === 0) fail('algorithm', `an algorithm name (${[...BUILT_IN_ALGORITHMS, 'plugin'].join(', ')})`, algorithm, [...BUILT_IN_ALGORITHMS, 'plugin']);
  const K = int(p, 'K', 1, L.maxK);
  const readBits = int(p, 'readBits', 1, L.maxReadBits);
  const d = int(p, 'd', 2, L.maxD, D.d);
  const width = int(p, 'width', 1, L.maxWidth, D.width);
  const samples = int(p, 'samples', 1, L.maxSamples, D.samples);
  const lambda = real(p, 'lambda', D.lambda, (x) => x > 0, 'a finite number > 0');
  const scaleBits = int(p, 'scaleBits', 1, L.maxScaleBits, D.scaleBits);

  const alphaIn = p.alpha ?? new Array<number>(d - 2).fill(0.25);
  if (!Array.isArray(alphaIn) || alphaIn.length !== d - 2) fail('alpha', `an array of d − 2 = ${d - 2} dyadic numbers in [0, 1/2] (α_3, …, α_d)`, alphaIn);
  const alpha = alphaIn.map((a: unknown, i) => {
    if (typeof a !== 'number' || !(a >= 0 && a <= 0.5) || dyadicExponent(a, L.maxAlphaBits) < 0) {
      fail(['alpha', i], `a dyadic number in [0, 1/2] with at most ${L.maxAlphaBits} fractional bits (e.g. 0.25, 0.375)`, a);
    }
    return a;
  });

  const oracle = oneOf<OracleMode>(p, 'oracle', D.oracle, ['adversarial', 'honest']);
  const epsIn = p.epsilons ?? D.epsilons;
  if (!Array.isArray(epsIn) || epsIn.length === 0 || epsIn.length > L.maxEpsilons) fail('epsilons', `a non-empty array of at most ${L.maxEpsilons} numbers > 0`, epsIn);
  const epsilons = epsIn.map((e: unknown, i) => {
    if (typeof e !== 'number' || !Number.isFinite(e) || e <= 0) fail(['epsilons', i], 'a finite number > 0', e);
    return e;
  });

  const steps = int(p, 'steps', 1, L.maxSteps, D.steps);
  const lr = real(p, 'lr', D.lr, (x) => x > 0, 'a finite number > 0');
  const init = oneOf<InitKind>(p, 'init', D.init, ['he', 'xavier', 'uniform', 'normal']);
  const initScale = real(p, 'initScale', D.initScale, (x) => x > 0, 'a finite number > 0');
  const batchSize = int(p, 'batchSize', 1, L.maxSamples, D.batchSize);
  const restarts = int(p, 'restarts', 1, L.maxRestarts, D.restarts);
  const inner = oneOf<InnerMethod>(p, 'inner', D.inner, ['gd', 'sgd', 'adam', 'anneal']);
  const beta1 = real(p, 'beta1', D.beta1, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  const beta2 = real(p, 'beta2', D.beta2, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  const adamEps = real(p, 'adamEps', D.adamEps, (x) => x > 0, 'a finite number > 0');
  const annealT0 = real(p, 'annealT0', D.annealT0, (x) => x > 0, 'a finite number > 0');
  const annealT1 = real(p, 'annealT1', D.annealT1, (x) => x > 0 && x <= annealT0, `a finite number in (0, annealT0 = ${annealT0}]`);
  const annealSigma = real(p, 'annealSigma', D.annealSigma, (x) => x > 0, 'a finite number > 0');

  const plugin = p.plugin ?? null;
  if (plugin !== null && (typeof plugin !== 'string' || plugin.length === 0)) fail('plugin', 'a module path string', plugin);
  if (algorithm === 'plugin' && plugin === null) fail('plugin', 'a module path (required when algorithm is "plugin")', plugin);
  const pluginOptions = p.pluginOptions ?? {};
  if (pluginOptions === null || typeof pluginOptions !== 'object' || Array.isArray(pluginOptions)) fail('pluginOptions', 'an object', pluginOptions);

  return {
    algorithm, K, readBits, d, width, samples, lambda, alpha, scaleBits, oracle, epsilons,
    steps, lr, init, initScale, batchSize, restarts, inner, beta1, beta2, adamEps,
    annealT0, annealT1, annealSigma, plugin, pluginOptions: pluginOptions as Record<string, unknown>,
  };
}
