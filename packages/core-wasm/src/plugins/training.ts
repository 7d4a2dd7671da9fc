/**
 * Training plugins for Result I: a user's training procedure for a *fixed* architecture, judged on
 * the stripes problem of SPEC §2 like a built-in method. Modelled on the `Algorithm` plugin of
 * Result II: the plugin receives a frozen context — the training set T, the architecture, the
 * trial's hyperparameters, a random stream that exposes draws only, and kernels bound to the
 * trial's streams — and no path to the truth (no m, μ, δ, validation set or classifier f). It
 * returns a network of that architecture. `judgeNetwork` measures any network (a plugin's, or a
 * fixed one trained elsewhere: the `network-file` use) on the trial's data: accuracy on T and V,
 * P(N), the exact mid-line pieces, F3 (via the dichotomy diagnostic on the mid-line), and per
 * point the certified (CROWN, directed rounding) and attacked (bisection over PGD) radius.
 */
import type { Core } from '../core.js';
import { CoreError, formatValue } from '../errors.js';
import { backward, forward, initNetwork, type Dataset, type InitKind } from '../mlp.js';
import { createNetwork, paramCount, pieceBound, validateNetwork, type Network } from '../network.js';
import { PhiloxStream } from '../rng.js';
import { SUBSTREAM } from '../rng/substreams.js';
import { train, type TrainOptions, type TrainResult } from '../train.js';
import { normaliseInstabilityParams, type InstabilityParams } from '../instability/params.js';
import { sampleStripes } from '../instability/problem.js';
import { trialStream, type TrialKey } from '../trials.js';
import { attack, certifiedRadius } from '../instability/attack.js';
import { dichotomy } from '../analyse/dichotomy.js';
import { importPluginModule } from '../noncomputability/plugin.js';

/** Draws only: the plugin cannot read the seed or the stream id. */
export interface PluginRng {
  nextU32(): number;
  uniform(): number;
  normal(): number;
}

/** What a training plugin receives (deeply frozen). */
export interface TrainingContext {
  /** The training set T: point-major x (r × d) and labels y in {0, 1} (copies). */
  readonly train: { readonly n: number; readonly d: number; readonly x: Float64Array; readonly y: Float64Array };
  /** The fixed architecture [d, hidden…, 1] and bias flag the result must have. */
  readonly dims: readonly number[];
  readonly bias: boolean;
  /** The cell's training hyperparameters (loss, optimizer, lr, epochs, …, init, initScale). */
  readonly options: Readonly<Record<string, unknown>>;
  /** A random stream of the trial (its own substream). */
  readonly rng: PluginRng;
  /** Kernels bound to the trial's init and minibatch streams (the built-in `train` uses the same). */
  readonly kernels: {
    initNetwork(init?: InitKind, scale?: number): Network;
    train(net: Network, data: Dataset, options?: Omit<TrainOptions, 'seed' | 'stream' | 'substream'>): TrainResult;
    forward(net: Network, x: ArrayLike<number>): Float64Array;
    backward(net: Network, x: ArrayLike<number>, gOut?: ArrayLike<number>): ReturnType<typeof backward>;
  };
}

/** A training plugin: returns a network of `ctx.dims` (a `Network`, or `{ dims, bias, params }`). */
export type TrainingPlugin = (ctx: TrainingContext) => Network | { dims: readonly number[]; bias: boolean; params: ArrayLike<number> };

/** Substream of the plugin's own random stream (distinct from the trial's substreams 1–6). */
export const PLUGIN_SUBSTREAM = SUBSTREAM.instability.trainingPlugin;

/** Measurements of a network on a stripes trial (SPEC §2 names). */
export interface JudgedTrial {
  trainAccuracy: number;
  valAccuracy: number;
  pieceBound: number;
  piecesMidline: number;
  stripesCovered: number;
  f3: { applies: boolean; holds: boolean; witnesses: number; predicted: number; predictedExact: number };
  certified: { min: number; median: number };
  attacked: { min: number; median: number };
}

function median(v: number[]): number {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** The trial's data sets T and V (the same draws as the built-in trial). */
export function trialData(core: Core, params: Partial<InstabilityParams> | Record<string, unknown>, stream: TrialKey): { train: Dataset<Float64Array>; val: Dataset<Float64Array> } {
  const p = normaliseInstabilityParams(params);
  const c = { seed: stream.seed, stream: trialStream(stream.streamHi, stream.trial) };
  return {
    train: sampleStripes(core, p, p.r, { ...c, substream: SUBSTREAM.instability.trainSet }),
    val: sampleStripes(core, p, p.s, { ...c, substream: SUBSTREAM.instability.validationSet }),
  };
}

/** Measure `net` on the trial's data (see the module comment). */
export function judgeNetwork(core: Core, params: Partial<InstabilityParams> | Record<string, unknown>, stream: { seed: number; streamHi: number; trial: number }, net: Network): JudgedTrial {
  const p = normaliseInstabilityParams(params);
  validateNetwork(net);
  if (net.dims[0] !== p.d || net.dims[net.dims.length - 1] !== 1) {
    throw new CoreError('E_SHAPE', `network.dims: expected [${p.d}, …, 1] for this problem (d = ${p.d}, one output), got [${net.dims.join(', ')}]`);
  }
  const { train: T, val: V } = trialData(core, p, stream);
  const acc = (s: Dataset<Float64Array>): number => {
    if (s.y.length === 0) return NaN;
    const phi = forward(core, net, s.x);
    let c = 0;
    for (let i = 0; i < s.y.length; i++) if (Math.abs(phi[i]! - s.y[i]!) < 0.5) c++;
    return c / s.y.length;
  };
  const n = T.y.length + V.y.length;
  const X = new Float64Array([...T.x, ...V.x]);
  const Y = new Float64Array([...T.y, ...V.y]);
  const stripes = new Set<number>();
  for (let i = 0; i < n; i++) stripes.add(Math.min(p.m - 1, Math.floor(p.m * X[i * p.d]!)));
  const mid = (x1: number): number[] => Array.from({ length: p.d }, (_, k) => (k === 0 ? x1 : 0.5));
  const dic = dichotomy(core, net, { x: X, y: Y }, { p: mid(0), q: mid(1), tube: p.mu * (1 + 1e-9) });
  const P = pieceBound(net.dims);
  const allCorrect = acc(T) === 1 && (V.y.length === 0 || acc(V) === 1);
  const covered = stripes.size === p.m;
  const witnessStripes = new Set(dic.witnesses.map((w) => Math.min(p.m - 1, Math.floor(p.m * X[w.index * p.d]!)))).size;
  const cert: number[] = [];
  const att: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = X.subarray(i * p.d, (i + 1) * p.d);
    cert.push(certifiedRadius(core, net, x, p.m, { norm: p.norm, method: 'crown', directed: true, iters: 12 }));
    const a = attack(core, net, x, { kind: 'bisect', m: p.m, norm: p.norm, eps: 1, seed: stream.seed, stream: trialStream(stream.streamHi, stream.trial) });
    att.push(a.norm);
  }
  return {
    trainAccuracy: acc(T),
    valAccuracy: acc(V),
    pieceBound: P,
    piecesMidline: dic.pieces,
    stripesCovered: stripes.size,
    f3: {
      applies: covered && P < p.m - 1 && allCorrect,
      holds: witnessStripes >= dic.forcedArchitecture,
      witnesses: witnessStripes,
      predicted: covered ? dic.forcedArchitecture : 0,
      predictedExact: covered ? dic.forcedExact : 0,
    },
    certified: { min: Math.min(...cert), median: median(cert) },
    attacked: { min: Math.min(...att), median: median(att) },
  };
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !ArrayBuffer.isView(o)) {
    for (const v of Object.values(o as object)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/** A plugin's network, or a clear error naming the cell, seed and trial. */
function checkResult(value: unknown, dims: readonly number[], bias: boolean, where: string): Network {
  if (value === null || typeof value !== 'object') throw new CoreError('E_ARG', `${where}: the training plugin returned ${formatValue(value)}, expected a network { dims, bias, params }`);
  const v = value as { dims?: unknown; bias?: unknown; params?: unknown };
  if (!Array.isArray(v.dims) || v.dims.length !== dims.length || v.dims.some((w, i) => w !== dims[i])) {
    throw new CoreError('E_SHAPE', `${where}: the training plugin returned a network with dims ${formatValue(v.dims)}, the architecture is fixed at [${dims.join(', ')}]`);
  }
  if (v.bias !== bias) throw new CoreError('E_SHAPE', `${where}: the training plugin returned bias=${formatValue(v.bias)}, expected ${bias}`);
  const params = v.params as ArrayLike<number> | undefined;
  if (params === undefined || params === null || typeof params !== 'object' || typeof params.length !== 'number' || params.length !== paramCount(dims, bias)) {
    throw new CoreError('E_SHAPE', `${where}: the training plugin returned params ${formatValue(v.params)}, expected ${paramCount(dims, bias)} numbers`);
  }
  for (let i = 0; i < params.length; i++) {
    if (!Number.isFinite(params[i])) throw new CoreError('E_ARG', `${where}: the training plugin returned a non-finite parameter ${i} (${params[i]})`);
  }
  return createNetwork(dims, bias, params);
}

/**
 * Run one trial of a training plugin: build the frozen context, call the plugin, check its
 * network, judge it. `cell` names the cell in error messages. Any exception of the plugin is
 * reported as `CoreError('E_ARG')` with cell, seed and trial (and the plugin's error as cause).
 */
export function runTrainingPluginTrial(
  core: Core, params: Partial<InstabilityParams> | Record<string, unknown>, stream: { seed: number; streamHi: number; trial: number }, plugin: TrainingPlugin, cell = 'cell',
): { network: Network; judged: JudgedTrial } {
  if (typeof plugin !== 'function') throw new CoreError('E_ARG', `training plugin: expected a function (ctx) => network, got ${formatValue(plugin)}`);
  const p = normaliseInstabilityParams(params);
  const where = `${cell}, seed ${stream.seed}, trial ${stream.trial}`;
  const dims = [p.d, ...p.hidden, 1];
  const { train: T } = trialData(core, p, stream);
  const streamId = trialStream(stream.streamHi, stream.trial);
  const g = new PhiloxStream({ seed: stream.seed, stream: streamId, substream: PLUGIN_SUBSTREAM });
  const options = {
    loss: p.loss, optimizer: p.optimizer, lr: p.lr, beta1: p.beta1, beta2: p.beta2, adamEps: p.adamEps, l1: p.l1, l2: p.l2,
    epochs: p.epochs, batchSize: p.batchSize, shuffle: p.shuffle, init: p.init, initScale: p.initScale,
  };
  const ctx: TrainingContext = deepFreeze({
    train: { n: T.y.length, d: p.d, x: T.x.slice(), y: T.y.slice() },
    dims,
    bias: p.bias,
    options,
    rng: { nextU32: () => g.nextU32(), uniform: () => g.uniform(), normal: () => g.normal() },
    kernels: {
      initNetwork: (init: InitKind = p.init, scale: number = p.initScale) =>
        initNetwork(core, dims, p.bias, { init, initScale: scale, seed: stream.seed, stream: streamId, substream: SUBSTREAM.instability.init }),
      train: (net: Network, data: Dataset, o: Omit<TrainOptions, 'seed' | 'stream' | 'substream'> = {}) =>
        train(core, net, data, { ...o, seed: stream.seed, stream: streamId, substream: SUBSTREAM.instability.minibatch }),
      forward: (net: Network, x: ArrayLike<number>) => forward(core, net, x),
      backward: (net: Network, x: ArrayLike<number>, gOut?: ArrayLike<number>) => backward(core, net, x, gOut),
    },
  });
  let value: unknown;
  try {
    value = plugin(ctx);
  } catch (e) {
    throw new CoreError('E_ARG', `${where}: the training plugin threw: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  if (value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function') {
    throw new CoreError('E_ARG', `${where}: the training plugin returned a Promise; it must return the network synchronously`);
  }
  const network = checkResult(value, dims, p.bias, where);
  return { network, judged: judgeNetwork(core, p, stream, network) };
}

const loadedTrainingPlugins = new Map<string, TrainingPlugin>();

/**
 * Import a training plugin module (through the same module loader as the algorithm plugins of
 * Result II): its default export, or its named export `trainingPlugin`, must be a function
 * `(ctx) => network`. Cached by the path string as given, so `trainingPluginAt` can return it
 * synchronously. Every problem is a `CoreError('E_ARG')` naming the module.
 */
export async function loadTrainingPlugin(path: string): Promise<TrainingPlugin> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new CoreError('E_ARG', `loadTrainingPlugin: expected a module path, got ${formatValue(path)}`);
  }
  const cached = loadedTrainingPlugins.get(path);
  if (cached) return cached;
  const mod = await importPluginModule(path);
  const candidate = mod.default ?? mod.trainingPlugin;
  if (candidate === undefined) {
    throw new CoreError('E_ARG', `training plugin ${JSON.stringify(path)}: the module has neither a default export nor a named export "trainingPlugin" (exports: ${Object.keys(mod).join(', ') || 'none'})`);
  }
  if (typeof candidate !== 'function') {
    throw new CoreError('E_ARG', `training plugin ${JSON.stringify(path)}: expected a function (ctx) => network as its export, got ${formatValue(candidate)}`);
  }
  loadedTrainingPlugins.set(path, candidate as TrainingPlugin);
  return candidate as TrainingPlugin;
}
