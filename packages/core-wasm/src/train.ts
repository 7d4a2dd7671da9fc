/**
 * Training inside one WebAssembly call: every epoch and step of a training runs in the kernel,
 * vectorised over the batch. Divergence (a non-finite loss or parameter) is an outcome, not an
 * exception and not garbage.
 */
import type { Core } from './core.js';
import { CoreError } from './errors.js';
import { netIn, numberOption, workLimit } from './internal/args.js';
import { checkData, checkLoss, LOSS_CODE, type Dataset, type Loss } from './mlp.js';
import { LIMITS, validateNetwork, type Network } from './network.js';
import { SUBSTREAM, type U64 } from './rng.js';
import { streamWords } from './rng/philox.js';
import { slotTable, slotVector } from './internal/slots.js';

/** Optimisers (update rules in the README, "Training"). */
export type Optimizer = 'sgd' | 'momentum' | 'adam';

/** Options of `train`; every field has a default in `TRAIN_DEFAULTS`. */
export interface TrainOptions {
  /** Loss on the network output. */
  loss?: Loss;
  /** Update rule. */
  optimizer?: Optimizer;
  /** Learning rate (> 0). */
  lr?: number;
  /** Momentum coefficient: β of `momentum`, β1 of `adam`, in [0, 1) (unused by `sgd`). */
  beta1?: number;
  /** Adam β2, in [0, 1). */
  beta2?: number;
  /** Adam ε (> 0). */
  adamEps?: number;
  /** ℓ1 penalty λ1 Σ|w| on weights, applied proximally (soft-threshold by lr·λ1 after each step). */
  l1?: number;
  /** ℓ2 penalty λ2 Σ w² on weights (gradient 2λ2 w). */
  l2?: number;
  /** Number of passes over the data. */
  epochs?: number;
  /** Minibatch size; 0 (default) or ≥ n means full batch (one step per epoch). */
  batchSize?: number;
  /** Reshuffle the points at the start of every epoch (minibatch only). */
  shuffle?: boolean;
  /** Seed of the minibatch-order stream. */
  seed?: U64;
  /** Stream id of the minibatch-order stream. */
  stream?: U64;
  /** Substream of the minibatch-order stream. */
  substream?: number;
}

/** Defaults of `TrainOptions`. */
export const TRAIN_DEFAULTS = {
  loss: 'mse',
  optimizer: 'sgd',
  lr: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  adamEps: 1e-8,
  l1: 0,
  l2: 0,
  epochs: 100,
  batchSize: 0,
  shuffle: true,
  seed: 0,
  stream: 0,
  substream: SUBSTREAM.minibatch,
} as const satisfies Required<TrainOptions>;

/** Outcome of `train`. */
export type TrainResult =
  | {
      status: 'completed';
      /** The trained network (a new object; the input is not modified). */
      network: Network;
      /** Optimiser steps taken. */
      steps: number;
      /** Mean data loss of every epoch (measured before each step's update). */
      lossHistory: Float64Array;
    }
  | {
      status: 'diverged';
      /** Steps completed before the loss (or a parameter) stopped being finite. */
      steps: number;
      /** Losses of the epochs completed before divergence. */
      lossHistory: Float64Array;
      /** What happened, for logs. */
      message: string;
    };

const OPT_CODE: Record<Optimizer, number> = { sgd: 0, momentum: 1, adam: 2 };

/**
 * Slots of the training kernel's f64 configuration vector (`train_run`), by name: the TypeScript
 * side of assembly/train/slots.ts (TRAIN_CONFIG_*); test/abi-tables.test.ts checks that they agree.
 */
export const TRAIN_CONFIG = slotTable([
  'LOSS', 'OPT', 'LR', 'BETA', 'BETA2', 'EPS', 'L1', 'L2', 'EPOCHS', 'BATCH', 'SHUFFLE', 'SEED_LO', 'SEED_HI', 'SUBSTREAM',
  'STREAM_LO', 'STREAM_HI',
]);

/** Train `net` on `data` (point-major x: n × N_0, y: n × N_L) in one WebAssembly call. */
export function train(core: Core, net: Network, data: Dataset, options: TrainOptions = {}): TrainResult {
  validateNetwork(net);
  const o = { ...TRAIN_DEFAULTS, ...options };
  const loss = checkLoss(o.loss);
  const opt = OPT_CODE[o.optimizer as Optimizer];
  if (opt === undefined) throw new CoreError('E_ARG', `optimizer: expected one of sgd, momentum, adam, got ${JSON.stringify(o.optimizer)}`);
  const nL = net.dims[net.dims.length - 1]!;
  if (loss !== 'mse' && nL !== 1) throw new CoreError('E_ARG', `loss: ${loss} needs a single output (N_L = 1), got N_L = ${nL}`);
  numberOption(o.lr, 'lr', Number.MIN_VALUE, 1e6);
  numberOption(o.beta1, 'beta1', 0, 0.999999);
  numberOption(o.beta2, 'beta2', 0, 0.999999);
  numberOption(o.adamEps, 'adamEps', Number.MIN_VALUE, 1);
  numberOption(o.l1, 'l1', 0, 1e6);
  numberOption(o.l2, 'l2', 0, 1e6);
  numberOption(o.epochs, 'epochs', 0, LIMITS.maxEpochs, true);
  numberOption(o.batchSize, 'batchSize', 0, LIMITS.maxPoints, true);
  if (typeof o.shuffle !== 'boolean') throw new CoreError('E_ARG', `shuffle: expected true or false, got ${String(o.shuffle)}`);
  let w: [number, number, number, number, number];
  try {
    w = streamWords({ seed: o.seed, stream: o.stream, substream: o.substream });
  } catch (e) {
    throw new CoreError('E_ARG', `train: ${(e as Error).message}`);
  }
  const { X, Y, n } = checkData(net, data);
  const [seedLo, seedHi, substream, streamLo, streamHi] = w;
  const cfg = slotVector(TRAIN_CONFIG, {
    LOSS: LOSS_CODE[loss],
    OPT: opt,
    LR: o.lr,
    BETA: o.beta1,
    BETA2: o.beta2,
    EPS: o.adamEps,
    L1: o.l1,
    L2: o.l2,
    EPOCHS: o.epochs,
    BATCH: o.batchSize,
    SHUFFLE: o.shuffle ? 1 : 0,
    SEED_LO: seedLo,
    SEED_HI: seedHi,
    SUBSTREAM: substream,
    STREAM_LO: streamLo,
    STREAM_HI: streamHi,
  });
  const P = net.params.length;
  return core.raw.scoped((s) => {
    const { dims, params, L, bias } = netIn(s, net);
    const ws = core.raw.fn<(...a: number[]) => number>('train_work_size')(dims, L, bias, n, o.batchSize);
    workLimit(ws, 'train');
    const lossOut = s.alloc(o.epochs * 8);
    const stepsOut = s.alloc(4);
    const status = core.raw.fn<(...a: number[]) => number>('train_run')(
      dims, L, bias, params, s.f64(X), s.f64(Y), n, s.f64(cfg), lossOut, stepsOut, s.alloc(ws * 8),
    );
    const steps = s.readI32(stepsOut, 1)[0]!;
    const batch = o.batchSize <= 0 || o.batchSize >= n ? n : o.batchSize;
    const stepsPerEpoch = Math.ceil(n / batch);
    if (status !== 0) {
      const epochsDone = Math.floor(steps / stepsPerEpoch);
      return {
        status: 'diverged',
        steps,
        lossHistory: s.readF64(lossOut, epochsDone),
        message: `training diverged after ${steps} steps (the loss or a parameter became NaN or infinite); try a smaller lr (got ${o.lr})`,
      };
    }
    return {
      status: 'completed',
      network: { dims: net.dims, bias: net.bias, params: s.readF64(params, P) },
      steps,
      lossHistory: s.readF64(lossOut, o.epochs),
    };
  });
}
