// A fingerprint of whole instability trials, pinned: the SHA-256 of the bits of every number in
// 64 trials' results for each method (plain training with mse/Adam, logistic/momentum with ℓ1 and
// ℓ2, sgd where about half the trials diverge; adversarial training; train-variable; both
// constructions). The hashes were computed at 6535778, before issue #17 moved a batch of trials
// into one WASM call (inst_trials) — so the batch path, every batch size and the per-trial
// detail path must all reproduce the results trials had then, bit for bit.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCore, type Core } from '../src/index.js';
import { runInstabilityTrial, runInstabilityTrials, type InstabilityTrialResult } from '../src/instability/index.js';

let core: Core;
beforeAll(async () => {
  core = await loadCore(process.env.INSTABILITY_WASM ? { source: process.env.INSTABILITY_WASM } : {});
});

const CELLS: [Record<string, unknown>, string][] = [
  [{ method: 'train', m: 6, r: 21, s: 9, hidden: [4, 4], epochs: 40, attacks: ['pgd', 'fgsm'], pgdSteps: 8, certify: ['ibp', 'crown'] },
    '398e6b382271443a53955ec740ef96c5a0c00c7531437fefab3af43e1cb269b4'],
  [{ method: 'train', m: 8, r: 16, s: 8, hidden: [5], epochs: 30, loss: 'logistic', optimizer: 'momentum', lr: 0.05, l1: 1e-3, l2: 1e-3, attacks: ['pgd'], pgdSteps: 5, certify: ['ibp'] },
    'cc011861b73e6ac79290fdb798a6825a52fa79155db235726e6abcde5f76496b'],
  // 36 of the 64 trials diverge: diverged and finished trials interleave in every batch.
  [{ method: 'train', m: 8, r: 64, s: 0, hidden: [8, 8], epochs: 100, optimizer: 'sgd', lr: 17, attacks: ['pgd'], pgdSteps: 4, certify: ['ibp'] },
    'b3c76b66647b4d11f462a746f5da58b56490402a8f03d85df02714de43e0f2db'],
  [{ method: 'adversarial-train', m: 6, r: 16, s: 8, hidden: [4, 4], epochs: 10, pgdSteps: 5, attacks: ['pgd'], certify: ['ibp'] },
    '2c02eb9910630d3a2aa6b5a417552f1ac6e73ee25fd53b46028bbc09e6078cec'],
  [{ method: 'train-variable', m: 6, r: 16, s: 8, epochs: 20, attacks: ['pgd'], pgdSteps: 5, certify: ['crown'] },
    'a2521bf220b1d803cc8050e450d9d3a2338a9d3f0068faa061ece8099deb4717'],
  [{ method: 'shortcut', m: 6, r: 16, s: 8, attacks: ['pgd'], pgdSteps: 5 },
    '68b10f7193e116c477e9768e735c2e9127c8069ce3bd8356424a785428f02414'],
  [{ method: 'construct-stable', m: 6, r: 16, s: 8, attacks: ['pgd'], pgdSteps: 5 },
    '56dac2c823cce8355ac79f60f035c9e676429180ccfc02cef1898655d96ec379'],
];

const SEED = 2 ** 33 + 5;
const STREAM_HI = 77;
const T0 = 1000;
const COUNT = 64;

/** Every number (booleans as 0/1) of the results, object keys in sorted order. */
function leaves(v: unknown, out: number[]): void {
  if (typeof v === 'number') out.push(v);
  else if (typeof v === 'boolean') out.push(v ? 1 : 0);
  else if (Array.isArray(v)) for (const x of v) leaves(x, out);
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v).sort()) leaves((v as Record<string, unknown>)[k], out);
}

/** SHA-256 of the f64 bits of every number (−0, NaN payloads and all). */
function fingerprint(results: InstabilityTrialResult[]): string {
  const out: number[] = [];
  leaves(results, out);
  return createHash('sha256').update(Buffer.from(Float64Array.from(out).buffer)).digest('hex');
}

/** Trials T0 … T0 + COUNT − 1 of a cell in batches of `batch`. */
function inBatches(p: Record<string, unknown>, batch: number): InstabilityTrialResult[] {
  const all: InstabilityTrialResult[] = [];
  for (let t = T0; t < T0 + COUNT; t += batch) {
    all.push(...runInstabilityTrials(core, p, { seed: SEED, streamHi: STREAM_HI, tStart: t, count: Math.min(batch, T0 + COUNT - t) }));
  }
  return all;
}

describe('instability trial fingerprint (pinned before the batched trial path)', () => {
  for (const [p, hash] of CELLS) {
    it(`${p.method as string} ${JSON.stringify(p).slice(0, 90)}…: batches of 64, 3 and 1 give the pinned bits`, () => {
      for (const batch of [64, 3, 1]) expect(fingerprint(inBatches(p, batch)), `batch ${batch}`).toBe(hash);
    });
  }

  it('the per-trial detail path (inst_trial) measures the same as the batch path', () => {
    const [p] = CELLS[2]!;
    const batch = runInstabilityTrials(core, p, { seed: SEED, streamHi: STREAM_HI, tStart: T0, count: 6 });
    const one = batch.map((r) => {
      const { network: _n, train: _t, val: _v, points: _p, ...measured } = runInstabilityTrial(core, p, { seed: SEED, streamHi: STREAM_HI, trial: r.trial });
      return measured;
    });
    expect(fingerprint(one)).toBe(fingerprint(batch));
    expect(batch.some((r) => r.diverged) && batch.some((r) => !r.diverged)).toBe(true);
  });

  it('the fingerprint sees a change: another cell, or one trial more, hashes differently', () => {
    const [p, hash] = CELLS[0]!;
    const shifted = runInstabilityTrials(core, p, { seed: SEED, streamHi: STREAM_HI + 1, tStart: T0, count: COUNT });
    expect(fingerprint(shifted)).not.toBe(hash);
    const longer = runInstabilityTrials(core, p, { seed: SEED, streamHi: STREAM_HI, tStart: T0, count: COUNT + 1 });
    expect(fingerprint(longer)).not.toBe(hash);
  });
});
