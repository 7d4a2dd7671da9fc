// Experiment I on one core: whole instability trials per second, and the attack and certification
// kernels' iteration rates.
//
// I1 is the default configuration: d = 2, m = 16, N = 2→8→8→1, r = 256 training points
// (s = 0), 300 epochs full-batch adam, PGD-20 on every point (plus the always-on exact e_1 rays
// that give every bracket its upper end), IBP + CROWN certified radius by 20-step bisection.
// I2 is the same trial with the whole default attack suite (line, FMN, DeepFool, PGD, FGSM,
// random search). A1/A2 time PGD and FMN steps on a trained network; C1/C2 time IBP and CROWN
// certification steps (one ball each) inside the certified-radius bisection.
// W3 phases: where a W3 trial (bench/suites/peers-trials.mjs) spends its CPU time, from four
// variants of its cell measured in interleaved rounds after a multi-second warm-up — the whole
// trial; without certification; without PGD either (the always-on e₁ line search stays); and
// without training too (0 epochs). Differences of the medians give certification, PGD and
// training; the last variant is sampling, the line search, pieces and the summaries (on an
// untrained network, so an estimate of that part).

import { loadCore } from '@paradox/core-wasm';
import { attack, certifiedRadius, certify, runInstabilityTrial, runInstabilityTrials } from '@paradox/core-wasm/instability';
import { summarize, timeRuns } from '../peers/stats.mjs';
import { W3_PARAMS } from './peers-trials.mjs';
import { describe, rateRow } from '../peers/report.mjs';

const SUITE = 'instability';

/** @param {{ quick?: boolean, log?: (s: string) => void }} ctx */
export async function run(ctx = {}) {
  const log = ctx.log ?? console.log;
  const quick = Boolean(ctx.quick);
  const core = await loadCore();
  const runs = quick ? 2 : 5;
  const rows = [];
  const push = (row) => {
    rows.push(row);
    log(describe(row));
  };

  const i1 = {
    method: 'train', d: 2, m: 16, r: 256, s: 0, hidden: [8, 8], epochs: 300, optimizer: 'adam', lr: 0.01,
    attacks: ['pgd'], pgdSteps: 20, certify: ['ibp', 'crown'], certIters: 20,
  };
  const i2 = { ...i1, attacks: ['line', 'fmn', 'deepfool', 'pgd', 'fgsm', 'random'] };
  for (const [workload, params] of [['I1', i1], ['I2', i2]]) {
    const count = quick ? 2 : 6;
    let t = 0;
    let last;
    const secs = await timeRuns(() => {
      last = runInstabilityTrials(core, params, { seed: 2026, streamHi: 1, tStart: t, count });
      t += count;
    }, { runs, warmup: 1 });
    const ev = last.reduce((s, r) => s + r.evaluations, 0) / last.length;
    push({
      ...rateRow({ suite: SUITE, workload, impl: 'core-wasm', precision: 'f64', params, quick }, secs, count, 'trials/s'),
      evaluationsPerTrial: ev,
      accuracy: last.map((r) => r.trainAccuracy),
    });
  }

  // W3 phases, per CPU-second of this process.
  {
    const variants = [
      ['whole trial', W3_PARAMS],
      ['no certification', { ...W3_PARAMS, certify: [] }],
      ['no certification, no PGD', { ...W3_PARAMS, certify: [], attacks: [] }],
      ['no certification, no PGD, 0 epochs', { ...W3_PARAMS, certify: [], attacks: [], epochs: 0 }],
    ];
    let t = 0;
    const batch = (params, n) => {
      runInstabilityTrials(core, params, { seed: 2026, streamHi: 3, tStart: t, count: n });
      t += n;
    };
    // Warm-up: seconds, every variant (V8 tiers up the wrapper and the WebAssembly functions).
    const warm = performance.now();
    while (performance.now() - warm < (quick ? 1000 : 3000)) for (const [, params] of variants) batch(params, 4);
    const per = variants.map(() => []);
    const rounds = quick ? 3 : 7;
    const n = quick ? 8 : 30;
    for (let round = 0; round < rounds; round++) {
      variants.forEach(([, params], i) => {
        const c = process.cpuUsage();
        batch(params, n);
        const d = process.cpuUsage(c);
        per[i].push((d.user + d.system) / 1e6);
      });
    }
    const ms = per.map((secs) => summarize(secs.map((s) => (1e3 * s) / n)).median);
    variants.forEach(([label, params], i) => {
      push({
        ...rateRow({ suite: SUITE, workload: `W3 ${label}`, impl: 'core-wasm', precision: 'f64', params, quick }, per[i], n, 'trials/CPU-s'),
        msPerTrial: ms[i],
      });
    });
    const phases = {
      training: ms[2] - ms[3], pgd: ms[1] - ms[2], certification: ms[0] - ms[1], rest: ms[3], whole: ms[0],
    };
    rows.push({ suite: SUITE, workload: 'W3 phases', impl: 'check', what: 'CPU ms per trial by phase (differences of medians)', value: phases });
    log(`  W3 phases, CPU ms per trial: training ${phases.training.toFixed(3)}, PGD ${phases.pgd.toFixed(3)}, certification ${phases.certification.toFixed(3)}, sampling + line search + pieces ${phases.rest.toFixed(3)} (whole ${phases.whole.toFixed(3)})`);
  }

  // A trained network and one of its points for the kernel rates.
  const detail = runInstabilityTrial(core, { ...i1, attacks: ['line'] }, { seed: 7, streamHi: 1, trial: 0 });
  const net = detail.network;
  // The correct point whose flip is closest relative to its stripe boundary: certification there
  // cannot reach the boundary, so every bisection step runs.
  let idx = -1;
  let bestRel = Infinity;
  for (let i = 0; i < detail.train.y.length; i++) {
    const a = detail.points.attacked[i];
    const x1 = detail.train.x[2 * i];
    const b = Math.min(...[...Array(15).keys()].map((j) => Math.abs(x1 - (j + 1) / 16)));
    if (a > 0 && a / b < bestRel) {
      bestRel = a / b;
      idx = i;
    }
  }
  const x = Array.from(detail.train.x.subarray(2 * idx, 2 * idx + 2));
  const rad = detail.points.attacked[idx];

  // PGD at a radius with no flip: every step of every restart runs.
  {
    const steps = 100;
    const restarts = quick ? 5 : 20;
    let evals = 0;
    const secs = await timeRuns(() => {
      const a = attack(core, net, x, { kind: 'pgd', m: 16, eps: rad * 0.5, steps, restarts });
      evals = a.evaluations;
    }, { runs, warmup: 1 });
    push(rateRow({ suite: SUITE, workload: 'A1 pgd', impl: 'core-wasm', precision: 'f64', dims: net.dims, quick }, secs, evals, 'steps/s'));
  }
  {
    let evals = 0;
    const secs = await timeRuns(() => {
      const a = attack(core, net, x, { kind: 'fmn', m: 16, eps: rad * 2, steps: quick ? 200 : 1000 });
      evals = a.evaluations;
    }, { runs, warmup: 1 });
    push(rateRow({ suite: SUITE, workload: 'A2 fmn', impl: 'core-wasm', precision: 'f64', dims: net.dims, quick }, secs, evals, 'steps/s'));
  }
  // Certified radius by bisection: 2 + iters certification steps per call.
  for (const method of ['ibp', 'crown']) {
    const iters = 40;
    const calls = quick ? 20 : 100;
    const secs = await timeRuns(() => {
      // maxRadius above the attack radius: never certifiable, so the bisection runs every step.
      for (let c = 0; c < calls; c++) certifiedRadius(core, net, x, 16, { method, iters, maxRadius: rad * 1.5 });
    }, { runs, warmup: 1 });
    push(rateRow({ suite: SUITE, workload: `C ${method}`, impl: 'core-wasm', precision: 'f64', dims: net.dims, quick }, secs, calls * (iters + 2), 'balls/s'));
    // The same through the one-ball API (validation, copies and one WASM call per ball).
    const secs1 = await timeRuns(() => {
      for (let c = 0; c < calls; c++) certify(core, net, x, rad * 0.5, { method });
    }, { runs, warmup: 1 });
    push(rateRow({ suite: SUITE, workload: `C ${method} (API, 1 ball/call)`, impl: 'core-wasm', precision: 'f64', dims: net.dims, quick }, secs1, calls, 'balls/s'));
  }
  return rows;
}
