/**
 * Typed wrapper of the noncomputability kernels (assembly/noncomputability) and the `tools` an
 * algorithm context offers. Validation happens here, so a kernel never sees input that could trap.
 */
import type { Core } from '../core.js';
import { CoreError, formatValue } from '../errors.js';
import type { AlgorithmData, AlgorithmNetwork, AlgorithmTools, OptimiseOptions, OptimiseResult, ReducedSolution } from './algorithm.js';
import { minimiseSqrtPenalised } from './minimiser.js';
import { NONCOMPUTABILITY_DEFAULTS as CELL } from './params.js';
import type { Rng } from './rng.js';
import { slotTable, slotVector } from '../internal/slots.js';

/**
 * Slots of the optimiser's f64 configuration vector (`nc_optimise`, `nc_optimise_pairs`), by name:
 * the TypeScript side of assembly/noncomputability/optimise.ts (CFG_*, exported from the module as
 * OPTIMISE_CONFIG_*); test/abi-tables.test.ts checks that they agree.
 */
export const OPTIMISE_CONFIG = slotTable([
  'METHOD', 'STEPS', 'LR', 'LAMBDA', 'INIT', 'INIT_SCALE', 'BATCH', 'BETA1', 'BETA2', 'ADAM_EPS', 'T0', 'T1', 'SIGMA', 'RESTARTS',
  'KEY_LO', 'KEY_HI',
]);
/** Slots of one optimisation's result block (OUT_*, exported as OPTIMISE_RESULT_*). */
export const OPTIMISE_RESULT = slotTable(['COST', 'STEPS', 'DIVERGED', 'BEST_RESTART']);
const OUT_SIZE = OPTIMISE_RESULT.SIZE;
const METHOD = { gd: 0, sgd: 1, adam: 2, anneal: 3 } as const;
const INIT = { he: 0, xavier: 1, uniform: 2, normal: 3 } as const;

/**
 * Defaults of `OptimiseOptions`: the cell defaults of the same names (so a plugin's optimiser and a
 * built-in one start from the same settings), except a single restart.
 */
export const OPTIMISE_DEFAULTS = Object.freeze({
  steps: CELL.steps,
  lr: CELL.lr,
  init: CELL.init,
  initScale: CELL.initScale,
  batchSize: CELL.batchSize,
  restarts: 1,
  beta1: CELL.beta1,
  beta2: CELL.beta2,
  adamEps: CELL.adamEps,
  annealT0: CELL.annealT0,
  annealT1: CELL.annealT1,
  annealSigma: CELL.annealSigma,
});

type OptimiseFn = (x: number, y: number, r: number, d: number, W: number, cfg: number, theta: number, out: number) => void;
type PairsFn = (x: number, y: number, r: number, d: number, W: number, cfg: number, keys: number, n: number, theta: number, out: number) => void;
type TrialKeysFn = (seedLo: number, seedHi: number, substream: number, tStart: number, streamHi: number, n: number, keys: number) => void;
type EvaluatePairsFn = (
  theta: number, out: number, n: number, shared: number, d: number, W: number, r: number, xs: number, ys: number,
  lambda: number, sStar: number, hStar: number, eps: number, E: number, res: number, succ: number, probes: number, ident: number,
) => void;
type CostGradFn = (x: number, y: number, r: number, d: number, W: number, lambda: number, theta: number, g: number) => number;

/** Shape of a problem: inputs d, width W, samples r, penalty λ. */
export interface ProblemShape {
  d: number;
  width: number;
  samples: number;
  lambda: number;
}

function bad(where: string, what: string, got: unknown, allowed: string): never {
  throw new CoreError('E_ARG', `${where}: ${what}: expected ${allowed}, got ${formatValue(got)}`);
}

/** Validate algorithm data against the problem shape (lengths, finite values); throws `E_ARG`. */
export function checkData(where: string, shape: ProblemShape, data: AlgorithmData): void {
  const { d, samples: r } = shape;
  if (!data || typeof data !== 'object') bad(where, 'data', data, 'an object {x, y} (e.g. an oracle read)');
  if (!data.x || data.x.length !== r * d) bad(where, 'data.x.length', data.x?.length, `r·d = ${r * d}`);
  if (!data.y || data.y.length !== r) bad(where, 'data.y.length', data.y?.length, `r = ${r}`);
  for (let i = 0; i < r * d; i++) if (!Number.isFinite(data.x[i])) bad(where, `data.x[${i}]`, data.x[i], 'a finite number');
  for (let i = 0; i < r; i++) if (!Number.isFinite(data.y[i])) bad(where, `data.y[${i}]`, data.y[i], 'a finite number');
}

/** Flatten a network into the kernel layout [w (W·d), v (W)], validating its shape. */
export function flattenNetwork(where: string, shape: ProblemShape, net: AlgorithmNetwork): Float64Array {
  const { d, width: W } = shape;
  if (!net || typeof net !== 'object') bad(where, 'network', net, 'an object {w, v}');
  if (!net.w || net.w.length !== W * d) bad(where, 'network.w.length', net.w?.length, `W·d = ${W * d} (row-major W×d)`);
  if (!net.v || net.v.length !== W) bad(where, 'network.v.length', net.v?.length, `W = ${W}`);
  const theta = new Float64Array(W * d + W);
  for (let i = 0; i < W * d; i++) theta[i] = Number(net.w[i]);
  for (let i = 0; i < W; i++) theta[W * d + i] = Number(net.v[i]);
  return theta;
}

/** φ_θ(e_k) for k = 0..d−1: the probes of SPEC §3.2's metric. */
export function probes(shape: Pick<ProblemShape, 'd' | 'width'>, theta: Float64Array): Float64Array {
  const { d, width: W } = shape;
  const out = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    let phi = 0;
    for (let i = 0; i < W; i++) {
      const h = theta[i * d + k]!;
      if (h > 0) phi += theta[W * d + i]! * h;
    }
    out[k] = phi;
  }
  return out;
}

/** C(θ) in plain TypeScript (used for the true cost on exact data and by `tools.cost`). */
export function costTs(shape: ProblemShape, theta: Float64Array, x: ArrayLike<number>, y: ArrayLike<number>): number {
  const { d, width: W, samples: r, lambda } = shape;
  let loss = 0;
  for (let j = 0; j < r; j++) {
    let phi = 0;
    for (let i = 0; i < W; i++) {
      let h = 0;
      for (let k = 0; k < d; k++) h += theta[i * d + k]! * x[j * d + k]!;
      if (h > 0) phi += theta[W * d + i]! * h;
    }
    const e = phi - y[j]!;
    loss += e * e;
  }
  let pen = 0;
  for (let i = 0; i < theta.length; i++) pen += Math.abs(theta[i]!);
  return loss / r + lambda * pen;
}

/** The width-W network equal to Σ_k slopes[k]·z_k on z ≥ 0, with the least ℓ1 norm. */
export function linearNetwork(shape: Pick<ProblemShape, 'd' | 'width'>, slopes: ArrayLike<number>): { w: Float64Array; v: Float64Array } {
  const { d, width: W } = shape;
  if (slopes.length !== d) bad('tools.linear', 'slopes.length', slopes.length, `d = ${d}`);
  const w = new Float64Array(W * d);
  const v = new Float64Array(W);
  // Non-negative slopes share one neuron: v·w_k = s_k with cost v + Σw_k = 2√Σs at v = √Σs, which
  // beats one neuron per coordinate (Σ2√s_k ≥ 2√Σs_k). Negative slopes go to a second neuron.
  let neuron = 0;
  for (const sgn of [1, -1]) {
    let total = 0;
    for (let k = 0; k < d; k++) {
      const s = Number(slopes[k]);
      if (!Number.isFinite(s)) bad('tools.linear', `slopes[${k}]`, s, 'a finite number');
      if (sgn * s > 0) total += sgn * s;
    }
    if (total === 0) continue;
    if (neuron >= W) bad('tools.linear', 'slopes', Array.from(slopes), `slopes of one sign only when W = 1`);
    const root = Math.sqrt(total);
    for (let k = 0; k < d; k++) {
      const s = Number(slopes[k]);
      if (sgn * s > 0) w[neuron * d + k] = (sgn * s) / root;
    }
    v[neuron] = sgn * root;
    neuron++;
  }
  return { w, v };
}

function num(where: string, o: Record<string, unknown>, key: string, dflt: number, ok: (x: number) => boolean, allowed: string): number {
  const v = o[key] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) bad(where, `options.${key}`, v, allowed);
  return v;
}

/** A validated optimiser configuration: the kernel's CFG block (key words 0) and the start θ, if any. */
export interface OptimiseConfig {
  cfg: Float64Array;
  start: Float64Array | null;
  method: OptimiseOptions['method'];
  restarts: number;
}

/**
 * Validate `options` against `shape` and build the kernel's configuration block (key words left 0).
 * Throws `CoreError('E_ARG')` naming the option, as `tools.optimise` does.
 */
export function optimiseConfig(where: string, shape: ProblemShape, options: OptimiseOptions): OptimiseConfig {
  if (!options || typeof options !== 'object') bad(where, 'options', options, 'an object with at least {method}');
  const o = options as unknown as Record<string, unknown>;
  const method = METHOD[options.method as keyof typeof METHOD];
  if (method === undefined) bad(where, 'options.method', options.method, 'one of "gd", "sgd", "adam", "anneal"');
  const D = OPTIMISE_DEFAULTS;
  const isInt = (x: number): boolean => Number.isInteger(x);
  const steps = num(where, o, 'steps', D.steps, (x) => isInt(x) && x >= 0 && x <= 1e7, 'an integer in [0, 1e7]');
  const lr = num(where, o, 'lr', D.lr, (x) => x > 0, 'a finite number > 0');
  const initName = options.init ?? D.init;
  const init = INIT[initName as keyof typeof INIT];
  if (init === undefined) bad(where, 'options.init', initName, 'one of "he", "xavier", "uniform", "normal"');
  const initScale = num(where, o, 'initScale', D.initScale, (x) => x > 0, 'a finite number > 0');
  const batchSize = num(where, o, 'batchSize', D.batchSize, (x) => isInt(x) && x >= 1, 'an integer ≥ 1');
  const restarts = num(where, o, 'restarts', D.restarts, (x) => isInt(x) && x >= 1 && x <= 10_000, 'an integer in [1, 10000]');
  const beta1 = num(where, o, 'beta1', D.beta1, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  const beta2 = num(where, o, 'beta2', D.beta2, (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  const adamEps = num(where, o, 'adamEps', D.adamEps, (x) => x > 0, 'a finite number > 0');
  const annealT0 = num(where, o, 'annealT0', D.annealT0, (x) => x > 0, 'a finite number > 0');
  const annealT1 = num(where, o, 'annealT1', D.annealT1, (x) => x > 0 && x <= annealT0, `a number in (0, annealT0 = ${annealT0}]`);
  const annealSigma = num(where, o, 'annealSigma', D.annealSigma, (x) => x > 0, 'a finite number > 0');
  let start: Float64Array | null = null;
  if (options.start !== undefined) {
    start = flattenNetwork(`${where}: options.start`, shape, options.start);
    if (restarts !== 1) bad(where, 'options.restarts', restarts, '1 when options.start is given');
    if (!start.every(Number.isFinite)) bad(where, 'options.start', 'non-finite values', 'finite weights');
  }
  const cfg = slotVector(OPTIMISE_CONFIG, {
    METHOD: method, STEPS: steps, LR: lr, LAMBDA: shape.lambda, INIT: start ? -1 : init, INIT_SCALE: initScale, BATCH: batchSize,
    BETA1: beta1, BETA2: beta2, ADAM_EPS: adamEps, T0: annealT0, T1: annealT1, SIGMA: annealSigma, RESTARTS: restarts, KEY_LO: 0, KEY_HI: 0,
  });
  return { cfg, start, method: options.method, restarts };
}

/** Run a whole optimisation in WebAssembly. `keyLo/keyHi` key its random stream. */
export function optimiseInCore(core: Core, shape: ProblemShape, data: AlgorithmData, options: OptimiseOptions, keyLo: number, keyHi: number): OptimiseResult {
  const where = 'tools.optimise';
  checkData(where, shape, data);
  const { cfg, start } = optimiseConfig(where, shape, options);
  cfg[OPTIMISE_CONFIG.KEY_LO] = keyLo >>> 0;
  cfg[OPTIMISE_CONFIG.KEY_HI] = keyHi >>> 0;
  const { d, width: W, samples: r } = shape;
  const P = W * d + W;
  const raw = core.raw;
  const fn = raw.fn<OptimiseFn>('nc_optimise');
  return raw.scoped((s) => {
    const xp = s.f64(data.x);
    const yp = s.f64(data.y);
    const cp = s.f64(cfg);
    const tp = start ? s.f64(start) : s.f64Zeros(P);
    const op = s.f64Zeros(OUT_SIZE);
    fn(xp, yp, r, d, W, cp, tp, op);
    const theta = s.readF64(tp, P);
    const out = s.readF64(op, OUT_SIZE);
    const diverged = out[OPTIMISE_RESULT.DIVERGED] === 1;
    return {
      network: { w: theta.slice(0, W * d), v: theta.slice(W * d) },
      steps: out[OPTIMISE_RESULT.STEPS]!,
      cost: diverged ? Infinity : out[OPTIMISE_RESULT.COST]!,
      diverged,
    };
  });
}

/** Whether `optimisePairsInCore` runs this configuration: full-batch gd or Adam from a random init. */
export function pairsSupported(c: OptimiseConfig): boolean {
  return (c.method === 'gd' || c.method === 'adam') && c.start === null;
}

/**
 * `keys.length / 2` paired trials in one WebAssembly call: for trial i, the optimisation
 * `optimiseInCore(core, shape, plus, options, keys[2i], keys[2i+1])` and the same on `minus`, run
 * side by side in the two f64x2 lanes (assembly/noncomputability/pairs.ts); bit-identical to those
 * two calls. Returns θ (shared layout) and the result block (cost, steps, diverged, best restart) of
 * trial i's ι⁺ run at index 2i and its ι⁻ run at 2i + 1. `config` must satisfy `pairsSupported`;
 * `plus` and `minus` must have passed `checkData` (the callers check them once per cell).
 */
export function optimisePairsInCore(core: Core, shape: ProblemShape, plus: AlgorithmData, minus: AlgorithmData, config: OptimiseConfig, keys: Uint32Array): { theta: Float64Array; out: Float64Array } {
  if (!pairsSupported(config)) bad('optimisePairs', 'options.method', config.method, '"gd" or "adam" from a random init');
  const { d, width: W } = shape;
  const P = W * d + W;
  const n = keys.length >>> 1;
  const raw = core.raw;
  return raw.scoped((s) => {
    const kp = s.alloc(n * 16);
    const k4 = new Uint32Array(raw.exports.memory.buffer, kp, 4 * n);
    for (let i = 0; i < n; i++) {
      k4[4 * i] = k4[4 * i + 2] = keys[2 * i]!;
      k4[4 * i + 1] = k4[4 * i + 3] = keys[2 * i + 1]!;
    }
    const { tp, op } = pairsCall(s, raw, shape, plus, minus, config, kp, n);
    return { theta: s.readF64(tp, 2 * n * P), out: s.readF64(op, 2 * n * OUT_SIZE) };
  });
}

type Scope = Parameters<Parameters<Core['raw']['scoped']>[0]>[0];

/** One nc_optimise_pairs call on `n` jobs whose 4n keys are at `kp`; returns the θ and result blocks. */
function pairsCall(s: Scope, raw: Core['raw'], shape: ProblemShape, lane0: AlgorithmData, lane1: AlgorithmData, config: OptimiseConfig, kp: number, n: number): { tp: number; op: number } {
  const { d, width: W, samples: r } = shape;
  const P = W * d + W;
  const mem = (): ArrayBuffer => raw.exports.memory.buffer;
  const xp = s.alloc(2 * r * d * 8);
  new Float64Array(mem(), xp, r * d).set(lane0.x);
  new Float64Array(mem(), xp + r * d * 8, r * d).set(lane1.x);
  const yp = s.alloc(2 * r * 8);
  new Float64Array(mem(), yp, r).set(lane0.y);
  new Float64Array(mem(), yp + r * 8, r).set(lane1.y);
  const cp = s.f64(config.cfg);
  const tp = s.alloc(2 * n * P * 8);
  const op = s.alloc(2 * n * OUT_SIZE * 8);
  raw.fn<PairsFn>('nc_optimise_pairs')(xp, yp, r, d, W, cp, kp, n, tp, op);
  return { tp, op };
}

/** Number of f64 blocks in `PairEvaluation.res` (assembly/noncomputability/pairs.ts EV_FIELDS). */
export const EV_FIELDS = 5;

/**
 * What `evaluatePairsInCore` returns for n trials (s = 0 for ι⁺, 1 for ι⁻): `res` holds EV_FIELDS
 * blocks of 2n values — dist, true cost, cost − h*, steps, diverged (0/1) — at block·2n + s·n + i;
 * `succ[(s·n + i)·E + e]` = dist ≤ ε_e; `probes[(s·n + i)·d + k]` = φ(e_k) (NaN when diverged);
 * `ident[i]` = both signs returned the same bits.
 */
export interface PairEvaluation {
  res: Float64Array;
  succ: Uint8Array;
  probes: Float64Array;
  ident: Uint8Array;
}

/** Where the trials of `evaluatePairsInCore` come from: trial i = tStart + i of stream (seed; substream, t, streamHi). */
export interface PairStream {
  seedLo: number;
  seedHi: number;
  substream: number;
  tStart: number;
  streamHi: number;
}

/**
 * n whole paired trials of a built-in optimiser in WebAssembly: each trial's kernel key drawn from
 * its stream (nc_trial_keys), the optimisations (nc_optimise_pairs: ι⁺ and ι⁻ of a trial in the two
 * lanes, or — `shared`, when both signs read the same data — two trials per job on that data),
 * and the evaluation against the true data and φ* (nc_evaluate_pairs), with only typed arrays
 * crossing back. Bit-identical to running each sign through its own context and evaluating it in
 * TypeScript. `read`: the data the algorithm read (validated by the caller, `checkData`); `truth`:
 * the exact data of each sign as f64, s* and h(t*).
 */
export function evaluatePairsInCore(
  core: Core,
  shape: ProblemShape,
  read: { plus: AlgorithmData; minus: AlgorithmData },
  truth: { plus: AlgorithmData; minus: AlgorithmData; sStar: number; hStar: number },
  config: OptimiseConfig,
  stream: PairStream,
  n: number,
  epsilons: readonly number[],
  shared: boolean,
): PairEvaluation {
  if (!pairsSupported(config)) bad('optimisePairs', 'options.method', config.method, '"gd" or "adam" from a random init');
  const { d, width: W, samples: r, lambda } = shape;
  const E = epsilons.length;
  const raw = core.raw;
  return raw.scoped((s) => {
    const mem = (): ArrayBuffer => raw.exports.memory.buffer;
    const keys = s.alloc(n * 8);
    raw.fn<TrialKeysFn>('nc_trial_keys')(stream.seedLo, stream.seedHi, stream.substream, stream.tStart, stream.streamHi, n, keys);
    const jobs = shared ? (n + 1) >>> 1 : n;
    const kp = s.alloc(jobs * 16);
    const k2 = new Uint32Array(mem(), keys, 2 * n);
    const k4 = new Uint32Array(mem(), kp, 4 * jobs);
    for (let j = 0; j < jobs; j++) {
      // lane 0 runs trial j (paired) or 2j (shared), lane 1 the same trial or trial 2j + 1
      const a = shared ? 2 * j : j;
      const b = shared && a + 1 < n ? a + 1 : a;
      k4[4 * j] = k2[2 * a]!;
      k4[4 * j + 1] = k2[2 * a + 1]!;
      k4[4 * j + 2] = k2[2 * b]!;
      k4[4 * j + 3] = k2[2 * b + 1]!;
    }
    const { tp, op } = pairsCall(s, raw, shape, read.plus, shared ? read.plus : read.minus, config, kp, jobs);
    const xs = s.alloc(2 * r * d * 8);
    new Float64Array(mem(), xs, r * d).set(truth.plus.x);
    new Float64Array(mem(), xs + r * d * 8, r * d).set(truth.minus.x);
    const ys = s.alloc(2 * r * 8);
    new Float64Array(mem(), ys, r).set(truth.plus.y);
    new Float64Array(mem(), ys + r * 8, r).set(truth.minus.y);
    const ep = s.f64(epsilons);
    const res = s.alloc(EV_FIELDS * 2 * n * 8);
    const succ = s.alloc(2 * n * E);
    const pr = s.alloc(2 * n * d * 8);
    const ident = s.alloc(n);
    raw.fn<EvaluatePairsFn>('nc_evaluate_pairs')(tp, op, n, shared ? 1 : 0, d, W, r, xs, ys, lambda, truth.sStar, truth.hStar, ep, E, res, succ, pr, ident);
    return {
      res: s.readF64(res, EV_FIELDS * 2 * n),
      succ: new Uint8Array(mem(), succ, 2 * n * E).slice(),
      probes: s.readF64(pr, 2 * n * d),
      ident: new Uint8Array(mem(), ident, n).slice(),
    };
  });
}

/** C(θ) and the gradient of its mean-squared-error part, computed by the WebAssembly kernel. */
export function costAndGradInCore(core: Core, shape: ProblemShape, data: AlgorithmData, theta: Float64Array): { cost: number; grad: Float64Array } {
  checkData('costAndGrad', shape, data);
  const { d, width: W, samples: r, lambda } = shape;
  const P = W * d + W;
  if (theta.length !== P) bad('costAndGrad', 'theta.length', theta.length, `W·d + W = ${P}`);
  const raw = core.raw;
  return raw.scoped((s) => {
    const tp = s.f64(theta);
    const gp = s.f64Zeros(P);
    const cost = raw.fn<CostGradFn>('nc_cost_grad')(s.f64(data.x), s.f64(data.y), r, d, W, lambda, tp, gp);
    return { cost, grad: s.readF64(gp, P) };
  });
}

/** The reduced single-coordinate problem on `data` (see `AlgorithmTools.reduced`). */
export function reducedSolution(shape: ProblemShape, data: AlgorithmData, k: number): ReducedSolution {
  checkData('tools.reduced', shape, data);
  const { d, samples: r, lambda } = shape;
  if (!Number.isInteger(k) || k < 0 || k >= d) bad('tools.reduced', 'k', k, `an integer coordinate in [0, ${d - 1}]`);
  let A = 0;
  let B = 0;
  let C = 0;
  for (let j = 0; j < r; j++) {
    // ReLU: on data with a negative k-th coordinate the neuron s·z_k is inactive there; the data
    // of this experiment are non-negative, so this branch only guards against user data.
    const xk = Math.max(0, data.x[j * d + k]!);
    const yj = data.y[j]!;
    A += xk * xk;
    B += xk * yj;
    C += yj * yj;
  }
  const m = minimiseSqrtPenalised(A / r, B / r, C / r, lambda);
  return { coordinate: k, s: m.s, cost: m.value };
}

/** Build the `tools` of one algorithm run. The optimiser's key is drawn from `rng` at each call. */
export function makeTools(core: Core, shape: ProblemShape, rng: Rng): AlgorithmTools {
  return Object.freeze({
    optimise: (data: AlgorithmData, options: OptimiseOptions) => optimiseInCore(core, shape, data, options, rng.nextU32(), rng.nextU32()),
    reduced: (data: AlgorithmData, k: number) => reducedSolution(shape, data, k),
    cost: (data: AlgorithmData, network: AlgorithmNetwork) => {
      checkData('tools.cost', shape, data);
      return costTs(shape, flattenNetwork('tools.cost', shape, network), data.x, data.y);
    },
    linear: (slopes: ArrayLike<number>) => linearNetwork(shape, slopes),
  });
}
