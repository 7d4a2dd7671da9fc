// How an instability trial trains its network (methods `train`, `adversarial-train` and
// `train-variable`): plain training through the shared whole-training kernel, or Madry-style
// adversarial training built from the shared loss/gradient and optimiser kernels. Both write their
// outcome to a `TrainOutcome` the caller owns (no state survives the call).

import { Net } from "./net";
import { Stripes, labelOf } from "./stripes";
import { NORM_INF } from "../certify/rounding";
import { at } from "./vec";
import { Philox } from "../rng/philox";
import { SUBSTREAM_INSTABILITY_MINIBATCH } from "../rng/substreams";
import { mlpTrain, trainWorkSize, mlpLossGrad, lossGradWorkSize, effectiveBatch, TRAIN_OK } from "../train/trainer";
import { lossGrad } from "../train/losses";
import { addL2Grad, proxL1, optimStep, OptimState } from "../train/optim";
import {
  TRAIN_CONFIG_BATCH, TRAIN_CONFIG_BETA, TRAIN_CONFIG_BETA2, TRAIN_CONFIG_EPOCHS, TRAIN_CONFIG_EPS,
  TRAIN_CONFIG_L1, TRAIN_CONFIG_L2, TRAIN_CONFIG_LOSS, TRAIN_CONFIG_LR, TRAIN_CONFIG_OPT,
  TRAIN_CONFIG_SEED_HI, TRAIN_CONFIG_SEED_LO, TRAIN_CONFIG_SHUFFLE, TRAIN_CONFIG_SIZE,
  TRAIN_CONFIG_STREAM_HI, TRAIN_CONFIG_STREAM_LO, TRAIN_CONFIG_SUBSTREAM,
} from "../train/slots";
import {
  TRIAL_CONFIG_ADV_STEPS, TRIAL_CONFIG_BATCH, TRIAL_CONFIG_BETA, TRIAL_CONFIG_BETA2,
  TRIAL_CONFIG_EPOCHS, TRIAL_CONFIG_EPS, TRIAL_CONFIG_L1, TRIAL_CONFIG_L2, TRIAL_CONFIG_LOSS,
  TRIAL_CONFIG_LR, TRIAL_CONFIG_NORM, TRIAL_CONFIG_OPT, TRIAL_CONFIG_RHO_TRAIN,
  TRIAL_CONFIG_SHUFFLE,
} from "./slots";

/** What a training produced: whether it completed with finite parameters, and its final loss. */
export class TrainOutcome {
  /** False when the loss or a parameter stopped being finite. */
  ok: bool = true;
  /** Loss of the last epoch (plain) or of the last finite step (adversarial); NaN when untrained. */
  finalLoss: f64 = NaN;
}

/**
 * Madry-style adversarial training: every step replaces the minibatch by PGD maximisers of the
 * loss in the ρ-ball (ℓ∞ sign steps or ℓ2 normalised steps, random start, `k` steps of 2.5ρ/k),
 * labelled by the true f at the moved point, then takes one optimiser step on them with the
 * shared loss/gradient and optimiser kernels. Writes to `outcome` whether it completed and the
 * loss of the last finite step.
 */
export function adversarialTrain(
  net: Net, s: Stripes, X: usize, Y: usize, n: i32, cfg: usize, rng: Philox, advRng: Philox, outcome: TrainOutcome,
): void {
  const dims = changetype<usize>(net.dims);
  const L = net.L;
  const bias = net.bias;
  const params = net.params;
  const d = s.d;
  const kind = <i32>at(cfg, TRIAL_CONFIG_LOSS);
  const batch = effectiveBatch(n, <i32>at(cfg, TRIAL_CONFIG_BATCH));
  const epochs = <i32>at(cfg, TRIAL_CONFIG_EPOCHS);
  const rho = at(cfg, TRIAL_CONFIG_RHO_TRAIN);
  const k = max(1, <i32>at(cfg, TRIAL_CONFIG_ADV_STEPS));
  const norm = <i32>at(cfg, TRIAL_CONFIG_NORM);
  const P = net.nParams;
  const grad = heap.alloc(<usize>P << 3);
  const s1 = heap.alloc(<usize>P << 3);
  const s2 = heap.alloc(<usize>P << 3);
  memory.fill(s1, 0, <usize>P << 3);
  memory.fill(s2, 0, <usize>P << 3);
  const work = heap.alloc(<usize>lossGradWorkSize(dims, L, batch) << 3);
  const Xa = heap.alloc(<usize>(batch * d) << 3);
  const Ya = heap.alloc(<usize>batch << 3);
  const idx = heap.alloc(<usize>n << 2);
  for (let i = 0; i < n; i++) store<i32>(idx + (<usize>i << 2), i);
  const g = new StaticArray<f64>(d);
  const xp = new StaticArray<f64>(d);
  const st = new OptimState();
  const shuffle = at(cfg, TRIAL_CONFIG_SHUFFLE) != 0 && batch < n;
  let ok = true;
  const a = 2.5 * rho / <f64>k;
  for (let e = 0; e < epochs && ok; e++) {
    if (shuffle) rng.shuffleI32(idx, n);
    for (let start = 0; start < n; start += batch) {
      const nb = min(batch, n - start);
      for (let b = 0; b < nb; b++) {
        const i = load<i32>(idx + (<usize>(start + b) << 2));
        const x0 = X + (<usize>(i * d) << 3);
        // Random start in the ball, then k ascent steps on the loss, projected.
        for (let j = 0; j < d; j++) unchecked((xp[j] = load<f64>(x0 + (<usize>j << 3)) + rho * (2.0 * advRng.uniform() - 1.0)));
        if (norm != NORM_INF) projectL2(xp, x0, rho, d);
        for (let t = 0; t < k; t++) {
          const phi = net.forward(changetype<usize>(xp));
          const y = <f64>labelOf(unchecked(xp[0]), s.m);
          const lg = lossGrad(kind, phi, y);
          net.inputGrad(changetype<usize>(g));
          if (norm == NORM_INF) {
            for (let j = 0; j < d; j++) {
              const gj = lg * unchecked(g[j]);
              const x0j = load<f64>(x0 + (<usize>j << 3));
              const v = unchecked(xp[j]) + (gj > 0 ? a : gj < 0 ? -a : 0.0);
              unchecked((xp[j] = Math.min(x0j + rho, Math.max(x0j - rho, v))));
            }
          } else {
            let nn = 0.0;
            for (let j = 0; j < d; j++) nn += unchecked(g[j]) * unchecked(g[j]);
            nn = Math.sqrt(nn) * Math.abs(lg);
            if (nn > 0) for (let j = 0; j < d; j++) unchecked((xp[j] += a * lg * unchecked(g[j]) / nn));
            projectL2(xp, x0, rho, d);
          }
        }
        for (let j = 0; j < d; j++) store<f64>(Xa + (<usize>(b * d + j) << 3), unchecked(xp[j]));
        store<f64>(Ya + (<usize>b << 3), <f64>labelOf(unchecked(xp[0]), s.m));
      }
      const loss = mlpLossGrad(dims, L, bias, params, Xa, Ya, 0, nb, kind, grad, work);
      if (!isFinite(loss)) {
        ok = false;
        break;
      }
      outcome.finalLoss = loss;
      addL2Grad(dims, L, bias, params, grad, at(cfg, TRIAL_CONFIG_L2));
      optimStep(<i32>at(cfg, TRIAL_CONFIG_OPT), P, params, grad, s1, s2, at(cfg, TRIAL_CONFIG_LR), at(cfg, TRIAL_CONFIG_BETA), at(cfg, TRIAL_CONFIG_BETA2), at(cfg, TRIAL_CONFIG_EPS), st);
      proxL1(dims, L, bias, params, at(cfg, TRIAL_CONFIG_LR) * at(cfg, TRIAL_CONFIG_L1));
    }
  }
  heap.free(grad);
  heap.free(s1);
  heap.free(s2);
  heap.free(work);
  heap.free(Xa);
  heap.free(Ya);
  heap.free(idx);
  if (ok) {
    for (let i = 0; i < P; i++) {
      if (!isFinite(load<f64>(params + (<usize>i << 3)))) {
        ok = false;
        break;
      }
    }
  }
  outcome.ok = ok;
}

/** Project xp onto the ℓ2 ball of radius rho around x0. */
function projectL2(xp: StaticArray<f64>, x0: usize, rho: f64, d: i32): void {
  let nn = 0.0;
  for (let j = 0; j < d; j++) {
    const v = unchecked(xp[j]) - load<f64>(x0 + (<usize>j << 3));
    nn += v * v;
  }
  nn = Math.sqrt(nn);
  if (nn > rho) {
    const sc = rho / nn;
    for (let j = 0; j < d; j++) {
      const x0j = load<f64>(x0 + (<usize>j << 3));
      unchecked((xp[j] = x0j + (unchecked(xp[j]) - x0j) * sc));
    }
  }
}

/**
 * Plain training through the shared whole-training kernel (minibatch order from substream
 * SUBSTREAM_INSTABILITY_MINIBATCH of the trial's stream). Writes to `outcome` whether it completed
 * and the last epoch's loss.
 */
export function plainTrain(
  net: Net, X: usize, Y: usize, n: i32, cfg: usize, seedLo: u32, seedHi: u32, streamLo: u32, streamHi: u32, outcome: TrainOutcome,
): void {
  const dims = changetype<usize>(net.dims);
  const batch = effectiveBatch(n, <i32>at(cfg, TRIAL_CONFIG_BATCH));
  const tc = new StaticArray<f64>(TRAIN_CONFIG_SIZE);
  tc[TRAIN_CONFIG_LOSS] = at(cfg, TRIAL_CONFIG_LOSS);
  tc[TRAIN_CONFIG_OPT] = at(cfg, TRIAL_CONFIG_OPT);
  tc[TRAIN_CONFIG_LR] = at(cfg, TRIAL_CONFIG_LR);
  tc[TRAIN_CONFIG_BETA] = at(cfg, TRIAL_CONFIG_BETA);
  tc[TRAIN_CONFIG_BETA2] = at(cfg, TRIAL_CONFIG_BETA2);
  tc[TRAIN_CONFIG_EPS] = at(cfg, TRIAL_CONFIG_EPS);
  tc[TRAIN_CONFIG_L1] = at(cfg, TRIAL_CONFIG_L1);
  tc[TRAIN_CONFIG_L2] = at(cfg, TRIAL_CONFIG_L2);
  tc[TRAIN_CONFIG_EPOCHS] = at(cfg, TRIAL_CONFIG_EPOCHS);
  tc[TRAIN_CONFIG_BATCH] = <f64>batch;
  tc[TRAIN_CONFIG_SHUFFLE] = at(cfg, TRIAL_CONFIG_SHUFFLE);
  tc[TRAIN_CONFIG_SEED_LO] = <f64>seedLo;
  tc[TRAIN_CONFIG_SEED_HI] = <f64>seedHi;
  tc[TRAIN_CONFIG_SUBSTREAM] = <f64>SUBSTREAM_INSTABILITY_MINIBATCH;
  tc[TRAIN_CONFIG_STREAM_LO] = <f64>streamLo;
  tc[TRAIN_CONFIG_STREAM_HI] = <f64>streamHi;
  const epochs = max(1, <i32>at(cfg, TRIAL_CONFIG_EPOCHS));
  const lossOut = new StaticArray<f64>(epochs);
  const stepsOut = new StaticArray<i32>(1);
  const work = heap.alloc(<usize>trainWorkSize(dims, net.L, net.bias, n, batch) << 3);
  const rc = mlpTrain(
    dims, net.L, net.bias, net.params, X, Y, n, changetype<usize>(tc),
    changetype<usize>(lossOut), changetype<usize>(stepsOut), work,
  );
  heap.free(work);
  outcome.finalLoss = at(cfg, TRIAL_CONFIG_EPOCHS) >= 1 ? lossOut[epochs - 1] : NaN;
  outcome.ok = rc == TRAIN_OK;
}
