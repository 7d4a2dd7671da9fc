/**
 * Parameters of an instability cell (SPEC §2): the stripes problem, the method that produces the
 * network, and how it is attacked and certified. `normaliseInstabilityParams` is the single
 * validator: it fills defaults and throws a `CoreError` naming the parameter, the value and what
 * is allowed.
 */
import { CoreError, invalidValue, type PathKey } from '../errors.js';
import { LIMITS, paramCount } from '../network.js';
import type { InitKind, Loss } from '../mlp.js';
import type { Optimizer } from '../train.js';
import { slotVector } from '../internal/slots.js';
import { TRIAL_CONFIG } from './layout.js';

/** How a trial obtains its network. */
export type InstabilityMethod = 'train' | 'adversarial-train' | 'train-variable' | 'construct-stable' | 'shortcut';
/** Ball norm for attacks, certificates and adversarial training. */
export type NormName = 'linf' | 'l2';
/** Attacks, in the order the trial runs them. */
export type AttackName = 'fgsm' | 'pgd' | 'fmn' | 'bisect' | 'line' | 'deepfool' | 'random';
/** Certification methods. */
export type CertMethod = 'ibp' | 'crown';
/** PGD step-size schedule. */
export type ScheduleName = 'constant' | 'cosine' | 'step';

/** Every parameter of an instability trial (all filled by `normaliseInstabilityParams`). */
export interface InstabilityParams {
  /** Input dimension d ≥ 2. */
  d: number;
  /** Number of stripes m ≥ 2. */
  m: number;
  /** Data margin δ ∈ (0, 1/(4m)]; default 1/(8m) (at 1/(4m) each stripe's support is one point). */
  delta: number;
  /** Hidden gap μ ∈ (0, δ); default δ/2. */
  mu: number;
  /** `continuous` (x_1 uniform in the stripe's support) or `finite` (M grid points per stripe). */
  support: 'continuous' | 'finite';
  /** Fixed points per stripe for `finite` support (≥ 1). */
  M: number;
  /** Training-set size r ≥ 1. */
  r: number;
  /** Validation-set size s ≥ 0. */
  s: number;
  method: InstabilityMethod;
  /** Hidden widths of the fixed architecture N = (d, …hidden, 1) for `train`/`adversarial-train`. */
  hidden: number[];
  /** Biases on every layer (the constructions always use biases). */
  bias: boolean;
  loss: Loss;
  optimizer: Optimizer;
  lr: number;
  /** Momentum β (momentum) or β1 (adam). */
  beta1: number;
  beta2: number;
  adamEps: number;
  /** ℓ1 and ℓ2 weight penalties. */
  l1: number;
  l2: number;
  epochs: number;
  /** Minibatch size; 0 means full batch. */
  batchSize: number;
  shuffle: boolean;
  init: InitKind;
  /** Half-width of `uniform` and σ of `normal` initialisation. */
  initScale: number;
  /** Adversarial-training radius ρ_train (> 0). */
  rhoTrain: number;
  /** PGD steps k of the inner maximisation. */
  advSteps: number;
  /** `train-variable`: width = ⌈widthFactor · #label changes in T⌉ (at least 1). */
  widthFactor: number;
  /** `train-variable`: number of hidden layers, all of that width. */
  depth: number;
  /** `train-variable`: train adversarially (with rhoTrain, advSteps) instead of plainly. */
  variableAdversarial: boolean;
  norm: NormName;
  /** Attacks run on every point; `line` along e_1 always runs so every bracket has an upper end. */
  attacks: AttackName[];
  pgdSteps: number;
  pgdRestarts: number;
  schedule: ScheduleName;
  fmnSteps: number;
  bisectIters: number;
  randomQueries: number;
  deepfoolIters: number;
  /** Certification methods; CROWN bounds are intersected with IBP's. Empty: no certification. */
  certify: CertMethod[];
  /** Widen every bound by a rigorous rounding-error bound so certificates hold in floating point. */
  directed: boolean;
  /** Bisection steps of the certified radius. */
  certIters: number;
  /** Radii at which robust accuracy is reported (attack upper / certified lower bound). */
  radii: number[];
}

/** Every parameter name `normaliseInstabilityParams` accepts. */
export const INSTABILITY_PARAM_KEYS: readonly (keyof InstabilityParams)[] = [
  'd', 'm', 'delta', 'mu', 'support', 'M', 'r', 's', 'method', 'hidden', 'bias', 'loss', 'optimizer', 'lr',
  'beta1', 'beta2', 'adamEps', 'l1', 'l2', 'epochs', 'batchSize', 'shuffle', 'init', 'initScale', 'rhoTrain',
  'advSteps', 'widthFactor', 'depth', 'variableAdversarial', 'norm', 'attacks', 'pgdSteps', 'pgdRestarts',
  'schedule', 'fmnSteps', 'bisectIters', 'randomQueries', 'deepfoolIters', 'certify', 'directed', 'certIters', 'radii',
];

/** Defaults of everything that does not depend on other parameters (δ, μ, ρ_train, radii do). */
export const INSTABILITY_DEFAULTS = {
  d: 2,
  m: 8,
  support: 'continuous',
  M: 4,
  r: 64,
  s: 64,
  method: 'train',
  hidden: [8, 8],
  bias: true,
  loss: 'mse',
  optimizer: 'adam',
  lr: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  adamEps: 1e-8,
  l1: 0,
  l2: 0,
  epochs: 300,
  batchSize: 0,
  shuffle: true,
  init: 'he',
  initScale: 0.1,
  advSteps: 7,
  widthFactor: 2,
  depth: 1,
  variableAdversarial: false,
  norm: 'linf',
  attacks: ['line', 'fmn', 'deepfool', 'pgd', 'fgsm', 'random'],
  pgdSteps: 20,
  pgdRestarts: 1,
  schedule: 'constant',
  fmnSteps: 50,
  bisectIters: 10,
  randomQueries: 100,
  deepfoolIters: 20,
  certify: ['ibp', 'crown'],
  directed: true,
  certIters: 20,
} as const satisfies Partial<InstabilityParams>;

/** Upper limits that keep one trial inside one WASM call of reasonable size. */
export const INSTABILITY_LIMITS = {
  maxD: 256,
  maxM: 100_000,
  maxPoints: 1 << 20,
  maxSteps: 1_000_000,
} as const;

/** Methods in the kernel's code order (method i is code i; assembly/instability/slots.ts TRIAL_METHOD_*). */
export const INSTABILITY_METHODS: readonly InstabilityMethod[] = ['train', 'adversarial-train', 'train-variable', 'construct-stable', 'shortcut'];
const METHODS = INSTABILITY_METHODS;
const LOSSES: readonly Loss[] = ['mse', 'logistic', 'hinge'];
const OPTIMIZERS: readonly Optimizer[] = ['sgd', 'momentum', 'adam'];
const INITS: readonly InitKind[] = ['he', 'xavier', 'uniform', 'normal'];
const NORMS: readonly NormName[] = ['linf', 'l2'];
/** Attack names in mask-bit order (bit i = ATTACKS[i]), mirrored in assembly/instability/attacks.ts. */
export const ATTACKS: readonly AttackName[] = ['fgsm', 'pgd', 'fmn', 'bisect', 'line', 'deepfool', 'random'];
const CERTS: readonly CertMethod[] = ['ibp', 'crown'];
const SCHEDULES: readonly ScheduleName[] = ['constant', 'cosine', 'step'];

/** Throw the `E_ARG` error of `params.<path>` (message `params.<path>: expected <allowed>, got <value>`). */
function fail(path: PathKey | readonly PathKey[], allowed: string, value: unknown, choices?: readonly string[]): never {
  throw invalidValue('params', typeof path === 'object' ? path : [path], allowed, value, choices);
}

function int(p: Record<string, unknown>, key: string, def: number, lo: number, hi: number): number {
  const v = p[key] ?? def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) fail(key, `an integer in [${lo}, ${hi}]`, v);
  return v;
}

function num(p: Record<string, unknown>, key: string, def: number, ok: (x: number) => boolean, allowed: string): number {
  const v = p[key] ?? def;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) fail(key, allowed, v);
  return v;
}

function oneOf<T extends string>(p: Record<string, unknown>, key: string, def: T, values: readonly T[]): T {
  const v = p[key] ?? def;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(key, `one of: ${values.join(', ')}`, v, values);
  return v as T;
}

function bool(p: Record<string, unknown>, key: string, def: boolean): boolean {
  const v = p[key] ?? def;
  if (typeof v !== 'boolean') fail(key, 'true or false', v);
  return v;
}

function list<T extends string>(p: Record<string, unknown>, key: string, def: readonly T[], values: readonly T[]): T[] {
  const v = p[key] ?? def;
  if (!Array.isArray(v)) fail(key, `an array of: ${values.join(', ')}`, v, values);
  const out: T[] = [];
  v.forEach((x: unknown, i: number) => {
    if (typeof x !== 'string' || !(values as readonly string[]).includes(x)) fail([key, i], `one of: ${values.join(', ')}`, x, values);
    if (!out.includes(x as T)) out.push(x as T);
  });
  return out;
}

/**
 * Validate `params` (unknown keys are errors), fill defaults and return a complete, plain
 * `InstabilityParams`. Errors are `CoreError('E_ARG')` with messages `params.<key>: expected …`.
 */
export function normaliseInstabilityParams(params: Partial<InstabilityParams> | Record<string, unknown> = {}): InstabilityParams {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) fail([], 'an object of parameters', params);
  const p = params as Record<string, unknown>;
  for (const k of Object.keys(p)) {
    if (!(INSTABILITY_PARAM_KEYS as readonly string[]).includes(k)) {
      const allowed = INSTABILITY_PARAM_KEYS.join(', ');
      throw new CoreError('E_ARG', `params.${k}: unknown parameter; allowed: ${allowed}`, { path: [k], allowed: `a parameter name: ${allowed}`, value: p[k], choices: INSTABILITY_PARAM_KEYS });
    }
  }
  const D = INSTABILITY_DEFAULTS;
  const L = INSTABILITY_LIMITS;
  const d = int(p, 'd', D.d, 2, L.maxD);
  const m = int(p, 'm', D.m, 2, L.maxM);
  const dMax = 1 / (4 * m);
  const delta = num(p, 'delta', dMax / 2, (x) => x > 0 && x <= dMax, `a number in (0, 1/(4m)] = (0, ${dMax}] for m = ${m}`);
  const mu = num(p, 'mu', delta / 2, (x) => x > 0 && x < delta, `a number in (0, δ) = (0, ${delta}) (the hidden gap must be below the data margin)`);
  const support = oneOf(p, 'support', D.support as 'continuous' | 'finite', ['continuous', 'finite']);
  const M = int(p, 'M', D.M, 1, 1_000_000);
  const r = int(p, 'r', D.r, 1, L.maxPoints);
  const s = int(p, 's', D.s, 0, L.maxPoints);
  if (r + s > L.maxPoints) fail('s', `r + s ≤ ${L.maxPoints}`, r + s);
  if ((r + s) * d > LIMITS.maxDataValues) fail('r', `(r + s)·d ≤ ${LIMITS.maxDataValues}`, (r + s) * d);
  const method = oneOf(p, 'method', D.method as InstabilityMethod, METHODS);
  const hv = p.hidden ?? D.hidden;
  if (!Array.isArray(hv) || hv.length < 1) fail('hidden', 'a non-empty array of hidden-layer widths (e.g. [8, 8])', hv);
  const hidden = hv.map((w: unknown, i: number) => {
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > LIMITS.maxWidth) fail(['hidden', i], `an integer in [1, ${LIMITS.maxWidth}]`, w);
    return w;
  });
  if (hidden.length + 1 > LIMITS.maxLayers) fail('hidden', `at most ${LIMITS.maxLayers - 1} hidden layers`, hidden.length);
  const bias = bool(p, 'bias', D.bias);
  if (paramCount([d, ...hidden, 1], bias) > LIMITS.maxParams) fail('hidden', `an architecture with at most ${LIMITS.maxParams} parameters`, hidden);
  const loss = oneOf(p, 'loss', D.loss as Loss, LOSSES);
  const optimizer = oneOf(p, 'optimizer', D.optimizer as Optimizer, OPTIMIZERS);
  const lr = num(p, 'lr', D.lr, (x) => x > 0, 'a learning rate > 0');
  const beta1 = num(p, 'beta1', D.beta1, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  const beta2 = num(p, 'beta2', D.beta2, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  const adamEps = num(p, 'adamEps', D.adamEps, (x) => x > 0, 'a number > 0');
  const l1 = num(p, 'l1', D.l1, (x) => x >= 0, 'a penalty weight ≥ 0');
  const l2 = num(p, 'l2', D.l2, (x) => x >= 0, 'a penalty weight ≥ 0');
  const epochs = int(p, 'epochs', D.epochs, 0, LIMITS.maxEpochs);
  const batchSize = int(p, 'batchSize', D.batchSize, 0, L.maxPoints);
  const shuffle = bool(p, 'shuffle', D.shuffle);
  const init = oneOf(p, 'init', D.init as InitKind, INITS);
  const initScale = num(p, 'initScale', D.initScale, (x) => x > 0, 'a number > 0');
  const rhoTrain = num(p, 'rhoTrain', 1.5 * mu, (x) => x > 0 && x < 1, 'a radius in (0, 1)');
  const advSteps = int(p, 'advSteps', D.advSteps, 1, 1000);
  const widthFactor = num(p, 'widthFactor', D.widthFactor, (x) => x > 0 && x <= 1000, 'a number in (0, 1000]');
  const depth = int(p, 'depth', D.depth, 1, 16);
  const variableAdversarial = bool(p, 'variableAdversarial', D.variableAdversarial);
  if (method === 'train-variable') {
    const w = Math.max(1, Math.ceil(widthFactor * (m - 1)));
    if (w > LIMITS.maxWidth) fail('widthFactor', `widthFactor·(m − 1) ≤ ${LIMITS.maxWidth} (the widest possible layer)`, widthFactor);
  }
  const norm = oneOf(p, 'norm', D.norm as NormName, NORMS);
  const attacks = list(p, 'attacks', D.attacks as readonly AttackName[], ATTACKS);
  const pgdSteps = int(p, 'pgdSteps', D.pgdSteps, 1, L.maxSteps);
  const pgdRestarts = int(p, 'pgdRestarts', D.pgdRestarts, 1, 1000);
  const schedule = oneOf(p, 'schedule', D.schedule as ScheduleName, SCHEDULES);
  const fmnSteps = int(p, 'fmnSteps', D.fmnSteps, 1, L.maxSteps);
  const bisectIters = int(p, 'bisectIters', D.bisectIters, 1, 60);
  const randomQueries = int(p, 'randomQueries', D.randomQueries, 1, L.maxSteps);
  const deepfoolIters = int(p, 'deepfoolIters', D.deepfoolIters, 1, 10_000);
  const certify = list(p, 'certify', D.certify as readonly CertMethod[], CERTS);
  const directed = bool(p, 'directed', D.directed);
  const certIters = int(p, 'certIters', D.certIters, 1, 60);
  const rv = p.radii ?? [mu / 2, mu, 2 * mu];
  if (!Array.isArray(rv)) fail('radii', 'an array of radii > 0', rv);
  const radii = rv.map((x: unknown, i: number) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) fail(['radii', i], 'a radius > 0', x);
    return x;
  });
  if (radii.length > 64) fail('radii', 'at most 64 radii', radii.length);
  // Each point draws its attack randomness from its own Philox substream, 2^34 words long; bound
  // the words one point can draw (the kernel refuses the same plans with E_RANGE).
  const ball = 2 * d + 6;
  const starts = (attacks.includes('bisect') ? bisectIters + 1 : 0) + (attacks.includes('pgd') ? radii.length + 1 : 0);
  const words = ball * starts * pgdRestarts + (attacks.includes('random') ? ball * (radii.length + 1) * (randomQueries + 1) : 0);
  if (words > 2 ** 34) {
    // Only random search can get there (PGD starts alone stay below 2^27 words).
    const maxQ = Math.floor((2 ** 34 - ball * starts * pgdRestarts) / (ball * (radii.length + 1))) - 1;
    fail('randomQueries', `at most ${maxQ} with d = ${d} and ${radii.length} radii (each point's attack draws must fit its own random stream of 2^34 words)`, randomQueries);
  }
  return {
    d, m, delta, mu, support, M, r, s, method, hidden, bias, loss, optimizer, lr, beta1, beta2, adamEps, l1, l2,
    epochs, batchSize, shuffle, init, initScale, rhoTrain, advSteps, widthFactor, depth, variableAdversarial, norm,
    attacks, pgdSteps, pgdRestarts, schedule, fmnSteps, bisectIters, randomQueries, deepfoolIters, certify, directed,
    certIters, radii,
  };
}

/**
 * Encode normalised params into the kernel's configuration vector (`TRIAL_CONFIG` of layout.ts;
 * `slotVector` refuses a missing or unknown slot).
 */
export function encodeConfig(p: InstabilityParams): Float64Array {
  return slotVector(TRIAL_CONFIG, {
    D: p.d,
    M: p.m,
    DELTA: p.delta,
    MU: p.mu,
    FINITE_M: p.support === 'finite' ? p.M : 0,
    R: p.r,
    S: p.s,
    METHOD: METHODS.indexOf(p.method),
    BIAS: p.bias ? 1 : 0,
    LOSS: LOSSES.indexOf(p.loss),
    OPT: OPTIMIZERS.indexOf(p.optimizer),
    LR: p.lr,
    BETA: p.beta1,
    BETA2: p.beta2,
    EPS: p.adamEps,
    L1: p.l1,
    L2: p.l2,
    EPOCHS: p.epochs,
    BATCH: p.batchSize,
    INIT: INITS.indexOf(p.init),
    INIT_SCALE: p.initScale,
    RHO_TRAIN: p.rhoTrain,
    ADV_STEPS: p.advSteps,
    VAR_C: p.widthFactor,
    VAR_DEPTH: p.depth,
    VAR_ADV: p.variableAdversarial ? 1 : 0,
    NORM: NORMS.indexOf(p.norm),
    ATTACKS: attackMask(p.attacks),
    PGD_STEPS: p.pgdSteps,
    PGD_RESTARTS: p.pgdRestarts,
    SCHEDULE: SCHEDULES.indexOf(p.schedule),
    FMN_STEPS: p.fmnSteps,
    BISECT_ITERS: p.bisectIters,
    RS_QUERIES: p.randomQueries,
    DF_ITERS: p.deepfoolIters,
    CERT: certMask(p.certify),
    DIRECTED: p.directed ? 1 : 0,
    CERT_ITERS: p.certIters,
    SHUFFLE: p.shuffle ? 1 : 0,
  });
}

/** Bit mask of attacks (bit i = ATTACKS[i]). */
export function attackMask(names: readonly AttackName[]): number {
  let mask = 0;
  for (const a of names) mask |= 1 << ATTACKS.indexOf(a);
  return mask;
}

/** Bit mask of certification methods (1 = IBP, 2 = CROWN). */
export function certMask(names: readonly CertMethod[]): number {
  let mask = 0;
  for (const c of names) mask |= c === 'ibp' ? 1 : 2;
  return mask;
}

/** Index of a norm in the kernel's encoding (0 = ℓ∞, 1 = ℓ2). */
export function normCode(n: NormName): number {
  return NORMS.indexOf(n);
}
