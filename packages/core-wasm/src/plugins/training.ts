/**
 * Training plugins for Result I: a user's training procedure for a *fixed* architecture, judged on
 * the stripes problem of SPEC §2 like a built-in method. Modelled on the `Algorithm` plugin of
 * Result II: the plugin receives a frozen context — the training set T, the architecture, the
 * trial's hyperparameters, a random stream that exposes draws only, and kernels bound to the
 * trial's streams — and no path to the truth (no m, μ, δ, validation set or classifier f). It
 * returns a network of that architecture (optionally with its final training loss). The network
 * is measured by the instability trial's own measurement stage (`measureNetwork`, the WASM stage
 * every built-in method's trial ends with): every column of a built-in trial, bit for bit the
 * same for the same network.
 */
import type { Core } from '../core.js';
import { CoreError, formatValue } from '../errors.js';
import { backward, forward, initNetwork, type Dataset, type InitKind } from '../mlp.js';
import { createNetwork, paramCount, type Network } from '../network.js';
import { PhiloxStream } from '../rng.js';
import { SUBSTREAM } from '../rng/substreams.js';
import { train, type TrainOptions, type TrainResult } from '../train.js';
import { normaliseInstabilityParams, type InstabilityParams } from '../instability/params.js';
import { sampleStripes } from '../instability/problem.js';
import { trialStream, type TrialKey } from '../trials.js';
import { measureNetwork, type InstabilityTrialDetail, type MeasuredTraining } from '../instability/trial.js';
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

/** A network as a plugin may return it: a `Network`, or any `{ dims, bias, params }`. */
export type PluginNetwork = Network | { dims: readonly number[]; bias: boolean; params: ArrayLike<number> };

/**
 * What a training plugin returns: a network of `ctx.dims`; or `{ network, finalLoss? }` to report
 * its final training loss too (the `finalLoss` column; NaN when not given); or what
 * `ctx.kernels.train` returned as it is (`status: 'completed'`: its network, and the last entry
 * of `lossHistory` as final loss; `status: 'diverged'`: the trial is recorded as diverged, as a
 * built-in trial whose training diverged).
 */
export type TrainingPluginResult =
  | PluginNetwork
  | { network: PluginNetwork; finalLoss?: number }
  | TrainResult;

/** A training plugin: a synchronous function of its frozen context. */
export type TrainingPlugin = (ctx: TrainingContext) => TrainingPluginResult;

/** Substream of the plugin's own random stream (distinct from the trial's substreams 1–6). */
export const PLUGIN_SUBSTREAM = SUBSTREAM.instability.trainingPlugin;

/** The trial's data sets T and V (the same draws as the built-in trial). */
export function trialData(core: Core, params: Partial<InstabilityParams> | Record<string, unknown>, stream: TrialKey): { train: Dataset<Float64Array>; val: Dataset<Float64Array> } {
  const p = normaliseInstabilityParams(params);
  const c = { seed: stream.seed, stream: trialStream(stream.streamHi, stream.trial) };
  return {
    train: sampleStripes(core, p, p.r, { ...c, substream: SUBSTREAM.instability.trainSet }),
    val: sampleStripes(core, p, p.s, { ...c, substream: SUBSTREAM.instability.validationSet }),
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
function checkNetwork(value: unknown, dims: readonly number[], bias: boolean, where: string): Network {
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
 * A plugin's result (see `TrainingPluginResult`) as a network and its training outcome, or a
 * clear error naming the cell, seed and trial. A diverged training has no network: the zero
 * network of the architecture stands in (nothing is measured on it).
 */
function checkResult(value: unknown, dims: readonly number[], bias: boolean, where: string): { network: Network; training: MeasuredTraining } {
  if (value === null || typeof value !== 'object' || !('network' in value || 'status' in value)) {
    return { network: checkNetwork(value, dims, bias, where), training: {} };
  }
  const v = value as { status?: unknown; network?: unknown; finalLoss?: unknown; lossHistory?: unknown };
  if (v.status === 'diverged') return { network: createNetwork(dims, bias, new Float64Array(paramCount(dims, bias))), training: { diverged: true } };
  if (v.status !== undefined && v.status !== 'completed') {
    throw new CoreError('E_ARG', `${where}: the training plugin returned status ${formatValue(v.status)}, expected 'completed' or 'diverged' (what ctx.kernels.train returns)`);
  }
  const network = checkNetwork(v.network, dims, bias, where);
  let finalLoss = NaN;
  if (v.finalLoss !== undefined) {
    if (typeof v.finalLoss !== 'number') throw new CoreError('E_ARG', `${where}: the training plugin returned finalLoss ${formatValue(v.finalLoss)}, expected a number`);
    finalLoss = v.finalLoss;
  } else if (v.lossHistory !== undefined) {
    const h = v.lossHistory as ArrayLike<unknown>;
    if (h === null || typeof h !== 'object' || typeof h.length !== 'number') throw new CoreError('E_ARG', `${where}: the training plugin returned lossHistory ${formatValue(v.lossHistory)}, expected a list of numbers`);
    const last = h.length > 0 ? h[h.length - 1] : NaN;
    if (typeof last !== 'number') throw new CoreError('E_ARG', `${where}: the training plugin returned a lossHistory ending in ${formatValue(last)}, expected a number`);
    finalLoss = last;
  }
  return { network, training: { finalLoss } };
}

/**
 * Run one trial of a training plugin: build the frozen context, call the plugin, check its
 * network, measure it with `measureNetwork` (the built-in trial's measurement stage). `cell` names the cell in error messages. Any exception of the plugin is
 * reported as `CoreError('E_ARG')` with cell, seed and trial (and the plugin's error as cause).
 */
export function runTrainingPluginTrial(
  core: Core, params: Partial<InstabilityParams> | Record<string, unknown>, stream: { seed: number; streamHi: number; trial: number }, plugin: TrainingPlugin, cell = 'cell',
): { network: Network; measured: InstabilityTrialDetail } {
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
  const { network, training } = checkResult(value, dims, p.bias, where);
  return { network, measured: measureNetwork(core, p, stream, network, training) };
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
