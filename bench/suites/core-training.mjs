// W1 through the public API: 2→32→32→1 with biases, 256 points, full-batch gradient descent on
// the mean squared error, 2000 steps, f64. core-wasm's `train()` (one WebAssembly call per
// training, including argument validation and copies) against the plain-TypeScript reference
// `referenceTrain()` in the same process, from the same initial parameters and data.
//
// flops per step = 6·B·Σ_l N_{l−1}·N_l (2 for the forward multiply-adds, 2 for the weight
// gradients, 2 for back-propagating the deltas; biases, ReLU and the update are lower order),
// = 6·256·(2·32 + 32·32 + 32·1) = 1 720 320 for W1.

import { initNetwork, loadCore, randomUniform, train } from '@paradox/core-wasm';
import { referenceTrain } from '@paradox/core-wasm/reference';
import { timeRuns } from '../peers/stats.mjs';
import { describe, rateRow, ratioRows } from '../peers/report.mjs';

const SUITE = 'core-training';

/** @param {{ quick?: boolean, log?: (s: string) => void }} ctx */
export async function run(ctx = {}) {
  const log = ctx.log ?? console.log;
  const quick = Boolean(ctx.quick);
  const core = await loadCore();
  const dims = [2, 32, 32, 1];
  const points = 256;
  const steps = quick ? 200 : 2000;
  const lr = 0.05;
  const runs = quick ? 2 : 7;
  const flopsPerStep = 6 * points * dims.slice(1).reduce((s, w, i) => s + w * dims[i], 0);
  // Data: uniform points in the unit square, label 1 left of a wavy boundary.
  const x = randomUniform(core, { seed: 2026, substream: 0 }, 2 * points);
  const y = new Float64Array(points).map((_, b) => (x[2 * b] < 0.5 + 0.2 * Math.sin(6 * x[2 * b + 1]) ? 1 : 0));
  const net = initNetwork(core, dims, true, { init: 'he', seed: 2026 });
  const options = { loss: 'mse', optimizer: 'sgd', lr, epochs: steps, batchSize: 0 };
  log(`W1 MLP ${dims.join('→')}, ${points} points, ${steps} steps full-batch GD (mse, lr ${lr}), f64; ${(flopsPerStep / 1e6).toFixed(2)} MFLOP/step (6·B·Σ N_{l−1}·N_l)`);

  const rows = [];
  const base = (impl) => ({
    suite: SUITE, workload: 'W1', impl, precision: 'f64', dims, points, steps, quick,
    flopFormula: '6·B·Σ N_{l-1}·N_l per step', flopsPerStep,
  });
  const push = (row) => {
    const f = (r) => (r * flopsPerStep) / 1e9;
    row.gflops = { median: f(row.median), min: f(row.min), max: f(row.max) };
    rows.push(row);
    log(`${describe(row)}  final loss ${row.finalLoss.toPrecision(12)}`);
  };

  let coreLoss = NaN;
  const coreSecs = await timeRuns(() => {
    const r = train(core, net, { x, y }, options);
    if (r.status !== 'completed') throw new Error(`core-wasm training diverged: ${r.message}`);
    coreLoss = r.lossHistory[steps - 1];
  }, { runs, warmup: 1 });
  push({ ...rateRow(base('core-wasm'), coreSecs, steps, 'steps/s'), finalLoss: coreLoss });

  const refOptions = { loss: 'mse', optimizer: 'sgd', lr, l1: 0, l2: 0, epochs: steps, batchSize: 0, shuffle: false, seed: 0 };
  let refLoss = NaN;
  // Warm-up on a tenth of the steps: enough for the optimising JIT, and the reference is slow.
  referenceTrain(net, { x, y }, { ...refOptions, epochs: Math.max(10, steps / 10) });
  const refSecs = await timeRuns(() => {
    refLoss = referenceTrain(net, { x, y }, refOptions).lossHistory[steps - 1];
  }, { runs: quick ? 2 : 5, warmup: 0 });
  push({ ...rateRow(base('ts-reference'), refSecs, steps, 'steps/s'), finalLoss: refLoss });

  const rel = Math.abs(coreLoss - refLoss) / Math.abs(refLoss);
  log(`  W1 final losses agree to ${rel.toExponential(2)} relative`);
  rows.push({ suite: SUITE, workload: 'W1', impl: 'check', what: 'relative difference of final losses core vs reference', value: rel });
  const ratios = ratioRows(rows, 'core-wasm', SUITE, 'W1');
  for (const r of ratios) log(`${describe(r)}  (target ≥ 4)`);
  rows.push(...ratios);
  return rows;
}
