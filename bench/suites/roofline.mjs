// Roofline: the f64x2 arithmetic peak of this machine's WebAssembly engine (peers/peak.mjs: K
// independent a ← a·m + c chains, the best K of 8/10/12) and, measured in the same rounds, the
// rate core-wasm reaches on W1 (training 2→32→32→1), W3 (whole instability trial) and W4 (whole
// noncomputability trial), as GFLOP/s and as a fraction of that peak. Rates are per CPU-second of
// this process, so other work on a shared machine does not count against either side; the rounds
// alternate peak, W1, W3, W4 so that drift hits them alike. Flop counts: W1 6·B·Σ N_{l−1}N_l per
// step (peers/workloads.mjs); W3/W4 the nominal counts of suites/peers-trials.mjs (`trialFlops`).

import { loadCore } from '@paradox/core-wasm';
import { runInstabilityTrials } from '@paradox/core-wasm/instability';
import { runNoncomputabilityTrialColumns } from '@paradox/core-wasm/noncomputability';
import { coreTrainMlp } from '../peers/core.mjs';
import { peakKernel } from '../peers/peak.mjs';
import { W1 } from '../peers/workloads.mjs';
import { summarize } from '../peers/stats.mjs';
import { W3_PARAMS, W4_PARAMS, trialFlops } from './peers-trials.mjs';

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** GFLOP/s per CPU-second of `body()` (which returns the flops it did), repeated for ≥ `seconds`. */
function measure(body, seconds) {
  const c0 = cpuNow();
  const w0 = performance.now();
  let flops = 0;
  do flops += body();
  while (performance.now() - w0 < seconds * 1000);
  return flops / (cpuNow() - c0) / 1e9;
}

export async function run(ctx) {
  const quick = Boolean(ctx.quick);
  const core = await loadCore();
  const SEC = quick ? 0.3 : 1;
  const ROUNDS = quick ? 2 : 5;
  const kernels = await Promise.all([8, 10, 12].map(peakKernel));
  const iters = 2_000_000;
  const peakOf = (k) => () => {
    if (!Number.isFinite(k.run(iters))) throw new Error('peak kernel returned a non-finite sum');
    return iters * k.flopsPerIteration;
  };
  const w1 = W1(200);
  const w1Flops = w1.flopsPerStep * w1.steps;
  let t3 = 0;
  let t4 = 0;
  const f3 = trialFlops('W3');
  const f4 = trialFlops('W4');
  const work = {
    W1: () => {
      coreTrainMlp(core, w1);
      return w1Flops;
    },
    W3: () => {
      runInstabilityTrials(core, W3_PARAMS, { seed: 2026, streamHi: 0, tStart: t3, count: 10 });
      t3 += 10;
      return 10 * f3;
    },
    W4: () => {
      runNoncomputabilityTrialColumns(core, W4_PARAMS, { seed: 2026, streamHi: 0, tStart: t4, count: 400 });
      t4 += 400;
      return 400 * f4;
    },
  };
  // warm-up, seconds each (V8 tiers up the TypeScript around the W4 kernel over several batches)
  for (const k of kernels) measure(peakOf(k), quick ? 0.1 : 0.3);
  for (const f of Object.values(work)) measure(f, quick ? 0.3 : 2);
  const peakRounds = [];
  const rounds = { W1: [], W3: [], W4: [] };
  const frac = { W1: [], W3: [], W4: [] };
  for (let i = 0; i < ROUNDS; i++) {
    const p = Math.max(...kernels.map((k) => measure(peakOf(k), SEC / 3)));
    peakRounds.push(p);
    for (const [w, f] of Object.entries(work)) {
      const g = measure(f, SEC);
      rounds[w].push(g);
      frac[w].push(g / p);
    }
  }
  const rows = [];
  const pk = summarize(peakRounds);
  rows.push({ workload: 'f64x2 peak', impl: 'WebAssembly f64x2 mul+add chains', precision: 'f64', unit: 'GFLOP/s per CPU-s', median: pk.median, min: pk.min, max: pk.max, runs: pk.n, variant: 'best of 8, 10, 12 chains per round' });
  ctx.log(`  f64x2 peak: ${pk.median.toFixed(2)} GFLOP/s per CPU-second (min ${pk.min.toFixed(2)}, max ${pk.max.toFixed(2)}, ${pk.n} rounds)`);
  for (const w of ['W1', 'W3', 'W4']) {
    const g = summarize(rounds[w]);
    const f = summarize(frac[w]);
    rows.push({ workload: w, impl: 'core-wasm', precision: 'f64', unit: 'GFLOP/s per CPU-s', median: g.median, min: g.min, max: g.max, runs: g.n, fractionOfPeak: { median: f.median, min: f.min, max: f.max } });
    ctx.log(`  ${w} core-wasm: ${g.median.toFixed(2)} GFLOP/s per CPU-second = ${(100 * f.median).toFixed(1)} % of the f64x2 peak (rounds ${frac[w].map((x) => (100 * x).toFixed(1)).join(', ')} %)`);
  }
  return rows;
}
