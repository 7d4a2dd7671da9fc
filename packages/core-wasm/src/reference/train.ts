/**
 * Plain-TypeScript reference training (full batch or minibatch), following the same definitions
 * as the core's training kernel: per epoch, optional Fisher–Yates reshuffle of the index array
 * from the Philox stream, consecutive slices as minibatches, loss measured before each update,
 * ℓ2 in the gradient, ℓ1 as a proximal soft-threshold, penalties on weights only.
 */
import type { Dataset } from '../mlp.js';
import { createNetwork, type Network } from '../network.js';
import { PhiloxStream } from '../rng/philox.js';
import { TRAIN_DEFAULTS, type TrainOptions } from '../train.js';
import { ReferenceWorkspace, referenceLossAndGradient } from './mlp.js';

/** Result of `referenceTrain`. */
export interface RefTrainResult {
  status: 'completed' | 'diverged';
  network: Network;
  steps: number;
  lossHistory: Float64Array;
}

/** Indices of the weights (not biases) of a network. */
function weightMask(dims: readonly number[], bias: boolean): Uint8Array {
  const n = dims.slice(1).reduce((s, w, i) => s + w * dims[i]! + (bias ? w : 0), 0);
  const m = new Uint8Array(n);
  let off = 0;
  for (let l = 1; l < dims.length; l++) {
    const nw = dims[l]! * dims[l - 1]!;
    m.fill(1, off, off + nw);
    off += nw + (bias ? dims[l]! : 0);
  }
  return m;
}

/**
 * Train a copy of `net` on `data` (point-major x: n × N_0, y: n × N_L) with the options and
 * defaults of the core's `train` (`TrainOptions`, `TRAIN_DEFAULTS`). Nothing is validated: this is
 * a cross-check for inputs `train` accepts.
 */
export function referenceTrain(net: Network, data: Dataset, options: TrainOptions = {}): RefTrainResult {
  const o = { ...TRAIN_DEFAULTS, ...options };
  const { x: X, y: Y } = data;
  const d = net.dims[0]!;
  const n = X.length / d;
  const batch = o.batchSize <= 0 || o.batchSize >= n ? n : o.batchSize;
  const shuffle = o.shuffle && batch < n;
  const cur = createNetwork(net.dims, net.bias, net.params);
  const p = cur.params;
  const P = p.length;
  const isW = weightMask(net.dims, net.bias);
  const s1 = new Float64Array(P);
  const s2 = new Float64Array(P);
  let b1t = 1;
  let b2t = 1;
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const rng = new PhiloxStream({ seed: o.seed, stream: o.stream, substream: o.substream });
  const ws = new ReferenceWorkspace(net.dims, net.bias);
  const lossHistory = new Float64Array(o.epochs);
  let steps = 0;
  for (let e = 0; e < o.epochs; e++) {
    if (shuffle) rng.shuffle(idx);
    let epochLoss = 0;
    for (let start = 0; start < n; start += batch) {
      const sl = idx.subarray(start, Math.min(n, start + batch));
      const { loss, grad } = referenceLossAndGradient(cur, X, Y, o.loss, batch === n ? undefined : sl, ws);
      if (!Number.isFinite(loss)) return { status: 'diverged', network: cur, steps, lossHistory };
      epochLoss += loss * sl.length;
      for (let i = 0; i < P; i++) if (isW[i]) grad[i]! += 2 * o.l2 * p[i]!;
      if (o.optimizer === 'sgd') {
        for (let i = 0; i < P; i++) p[i]! -= o.lr * grad[i]!;
      } else if (o.optimizer === 'momentum') {
        for (let i = 0; i < P; i++) {
          s1[i] = o.beta1 * s1[i]! + grad[i]!;
          p[i]! -= o.lr * s1[i]!;
        }
      } else {
        b1t *= o.beta1;
        b2t *= o.beta2;
        for (let i = 0; i < P; i++) {
          const g = grad[i]!;
          s1[i] = o.beta1 * s1[i]! + (1 - o.beta1) * g;
          s2[i] = o.beta2 * s2[i]! + (1 - o.beta2) * g * g;
          p[i]! -= (o.lr * (s1[i]! / (1 - b1t))) / (Math.sqrt(s2[i]! / (1 - b2t)) + o.adamEps);
        }
      }
      const t = o.lr * o.l1;
      if (t > 0) {
        for (let i = 0; i < P; i++) {
          if (!isW[i]) continue;
          const a = Math.abs(p[i]!) - t;
          p[i] = a > 0 ? Math.sign(p[i]!) * a : 0;
        }
      }
      steps++;
    }
    lossHistory[e] = epochLoss / n;
  }
  const finite = p.every((v) => Number.isFinite(v));
  return { status: finite ? 'completed' : 'diverged', network: cur, steps, lossHistory };
}
