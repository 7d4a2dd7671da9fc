// W1 (2→32→32→1) and W2 (2→256→256→1): full-batch gradient descent on the mean squared error,
// 256 points, same data, same initial parameters, same step count for every implementation:
// core-wasm (f64, public `train()`), the plain-TS reference (f64), NumPy (hand-written, f64, one BLAS thread),
// PyTorch (nn + autograd + optim.SGD, f64, one thread), TensorFlow.js cpu and wasm (f32 only).
// Each figure is steps/s over whole training runs after a warm-up; GFLOP/s uses
// flops/step = 6·B·Σ_l N_{l−1}·N_l. The final loss of every implementation is recorded as the
// check that they all did the same work (f64 ones agree to rounding; f32 ones to ~1e-6).

import { loadCore } from '@paradox/core-wasm';
import { referenceTrain } from '@paradox/core-wasm/reference';
import { W1, W2 } from '../peers/workloads.mjs';
import { timeRuns } from '../peers/stats.mjs';
import { describe, rateRow, ratioRows } from '../peers/report.mjs';
import { probePeer, runPeer } from '../peers/python.mjs';
import { coreTrainMlp } from '../peers/core.mjs';
import * as tfp from '../peers/tfjs.mjs';

const SUITE = 'peers-training';

/** Timed runs per implementation (full mode); slow ones get fewer runs and a short warm-up. */
const PLAN = {
  W1: { 'core-wasm': 7, 'ts-reference': 5, numpy: 7, torch: 5, 'tfjs-wasm': 5, 'tfjs-cpu': 3 },
  W2: { 'core-wasm': 5, 'ts-reference': 3, numpy: 5, torch: 5, 'tfjs-wasm': 3, 'tfjs-cpu': 3 },
};
/** `PARADOX_BENCH_SLOW=1` also runs tfjs-cpu on W2 (about 90 s on its own). */
const SLOW = process.env.PARADOX_BENCH_SLOW === '1';

/** Implementations whose warm-up is a tenth of a run (enough to reach the optimising JIT). */
const SHORT_WARMUP = new Set(['ts-reference', 'tfjs-cpu', 'tfjs-wasm']);

function referenceMse(w, params) {
  // The loss of the trained parameters, in plain JS (independent of every implementation).
  const { dims, x, y, points } = w;
  let acc = 0;
  let h = new Float64Array(Math.max(...dims));
  let g = new Float64Array(Math.max(...dims));
  for (let b = 0; b < points; b++) {
    for (let j = 0; j < dims[0]; j++) h[j] = x[b * dims[0] + j];
    let o = 0;
    for (let l = 1; l < dims.length; l++) {
      const nin = dims[l - 1];
      const nout = dims[l];
      for (let i = 0; i < nout; i++) {
        let s = 0;
        for (let j = 0; j < nin; j++) s += params[o + i * nin + j] * h[j];
        s += params[o + nout * nin + i];
        g[i] = l < dims.length - 1 ? Math.max(0, s) : s;
      }
      o += nout * nin + nout;
      [h, g] = [g, h];
    }
    acc += (h[0] - y[b]) ** 2;
  }
  return acc / points;
}

/** @param {{ quick?: boolean, log?: (s: string) => void }} ctx */
export async function run(ctx = {}) {
  const log = ctx.log ?? console.log;
  const quick = Boolean(ctx.quick);
  const core = await loadCore();
  const rows = [];
  for (const make of [W1, W2]) {
    const full = make();
    const w = quick ? make(Math.max(10, Math.round(full.steps / 10))) : full;
    const plan = PLAN[w.id];
    const runsOf = (impl) => (quick ? 2 : plan[impl]);
    const warm = (impl) => (SHORT_WARMUP.has(impl) || quick ? { ...w, steps: Math.max(5, Math.round(w.steps / 10)) } : w);
    log(`${w.id} MLP ${w.dims.join('→')}, ${w.points} points, ${w.steps} steps full-batch GD (mse, lr ${w.lr})${quick ? ' [quick: steps reduced]' : ''}; ${(w.flopsPerStep / 1e6).toFixed(2)} MFLOP/step`);
    const base = (impl, precision, extra = {}) => ({
      suite: SUITE, workload: w.id, impl, precision, dims: w.dims, points: w.points, steps: w.steps, quick,
      flopFormula: '6·B·Σ N_{l-1}·N_l per step', flopsPerStep: w.flopsPerStep, ...extra,
    });
    const push = (row) => {
      if (row.median !== undefined) {
        const f = (r) => (r * w.flopsPerStep) / 1e9;
        row.gflops = { median: f(row.median), min: f(row.min), max: f(row.max) };
      }
      rows.push(row);
      log(describe(row) + (row.finalLoss !== undefined ? `  final loss ${row.finalLoss.toPrecision(10)}` : ''));
    };

    // core-wasm, through the public train()
    {
      let finalParams;
      const secs = await timeRuns(() => {
        finalParams = coreTrainMlp(core, w);
      }, { runs: runsOf('core-wasm'), warmup: 1 });
      push({ ...rateRow(base('core-wasm', 'f64'), secs, w.steps, 'steps/s'), finalLoss: referenceMse(w, finalParams) });
    }

    // plain-TS reference
    {
      const net = { dims: w.dims, bias: true, params: w.params };
      const opts = { loss: 'mse', optimizer: 'sgd', lr: w.lr, l1: 0, l2: 0, epochs: w.steps, batchSize: 0, shuffle: false, seed: 0 };
      referenceTrain(net, { x: w.x, y: w.y }, { ...opts, epochs: warm('ts-reference').steps });
      let res;
      const secs = await timeRuns(() => {
        res = referenceTrain(net, { x: w.x, y: w.y }, opts);
      }, { runs: runsOf('ts-reference'), warmup: 0 });
      push({ ...rateRow(base('ts-reference', 'f64'), secs, w.steps, 'steps/s'), finalLoss: referenceMse(w, res.network.params) });
    }

    // Python peers
    for (const peer of ['numpy', 'torch']) {
      const probe = probePeer(peer);
      if (!probe.available) {
        const row = { ...base(peer, 'f64'), skipped: `${probe.reason} (install: see bench/README.md)` };
        rows.push(row);
        log(describe(row));
        continue;
      }
      const reply = await runPeer(peer, w, { runs: runsOf(peer) });
      push({ ...rateRow(base(peer, 'f64', { version: reply.version }), reply.seconds, w.steps, 'steps/s'), finalLoss: reply.finalLoss });
    }

    // TensorFlow.js
    for (const backend of ['wasm', 'cpu']) {
      const impl = `tfjs-${backend}`;
      if (impl === 'tfjs-cpu' && w.id === 'W2' && !quick && !SLOW) {
        const row = { ...base(impl, 'f32'), skipped: 'not run by default: ~30 s per run (≈6 steps/s, 4× below tfjs-wasm as on W1/W5) would push pnpm bench past 10 min; PARADOX_BENCH_SLOW=1 includes it' };
        rows.push(row);
        log(describe(row));
        continue;
      }
      await tfp.useBackend(backend);
      tfp.trainMlp(warm(impl));
      let final;
      const secs = await timeRuns(() => {
        final = tfp.trainMlp(w);
      }, { runs: runsOf(impl), warmup: 0 });
      push({ ...rateRow(base(impl, 'f32', { version: tfp.tfVersion }), secs, w.steps, 'steps/s'), finalLoss: final });
    }

    const f64 = rows.filter((r) => r.workload === w.id && r.precision === 'f64' && r.finalLoss !== undefined).map((r) => r.finalLoss);
    const spread = Math.max(...f64) - Math.min(...f64);
    log(`  ${w.id} f64 final losses agree within ${spread.toExponential(2)} (relative ${(spread / Math.abs(f64[0])).toExponential(2)})`);
    rows.push({ suite: SUITE, workload: w.id, impl: 'check', what: 'spread of f64 final losses', value: spread });
    const ratios = ratioRows(rows, 'core-wasm', SUITE, w.id);
    for (const r of ratios) log(describe(r));
    rows.push(...ratios);
  }
  return rows;
}
