// W3 and W4: whole trials, the work this project exists for, against the peer a skilled user
// would write: T independent trials in one vectorised call (NumPy, PyTorch; trial axis leading or
// last) or a compiled loop over trials (Numba), T ∈ {1, 64, 1024, 8192} (W3: {1, 64, 256, 1024}),
// one thread.
//
// W3 — one instability trial (SPEC §2; d = 2, m = 8, r = s = 64, N = 2→8→8→1, Adam lr 0.01,
//   300 full-batch epochs, mse; then on every point of T ∪ V: the e₁ line search, PGD-20 (ℓ∞,
//   random start, step 2.5ρ/20) at μ and at the radii μ/2, μ, 2μ, and IBP + CROWN certified radii
//   by bisection). The peers do the same training (each trial its own data and initial network)
//   and batched PGD-20 at the three radii on all 128 points; none of them certifies, so core-wasm
//   is also timed with certification off ("train + PGD").
// W4 — one noncomputability trial (SPEC §3; algorithm `gd`, d = 2, W = 4, r = 8, λ = 0.05,
//   lr 0.1, 500 steps; K = 10, read at n = 24 bits), both members of the pair (the paired design).
//   The peers run the same proximal GD from a per-trial He-normal init shared by both signs, then
//   the probes, dist and success at every ε and the cost; they leave out the exact BigInt oracle
//   (their data arrive already read), the Philox streams and the theorem checks. Both sides return
//   their results as arrays (core-wasm: runNoncomputabilityTrialColumns, what a sweep's worker
//   consumes), 1024 trials per call on the core's side too.
//
// Method. Rates are trials per CPU-second (process CPU time of each side; on a machine shared with
// other work this is the robust per-core figure); wall-clock rates are kept in the rows too. Both
// sides are warmed up for seconds first (V8 keeps tiering up the TypeScript around the W4 kernel
// for about four batches of 400 pairs; Numba compiles on its first call). Then every peer
// configuration is measured in rounds interleaved with core-wasm rounds (core, peer, core, peer…),
// and each ratio is the median core round over the median peer round of the same rounds. The best
// peer of a workload is the configuration with the highest rate; the headline ratio is against it.
// Two cores: core-wasm on two worker threads against two peer processes running the best
// configuration at T = 1024, wall time, alternating rounds.

import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { initNetwork, loadCore, trialStream } from '@paradox/core-wasm';
import { normaliseInstabilityParams, runInstabilityTrials, sampleStripes } from '@paradox/core-wasm/instability';
import { makeHardPair, normaliseNoncomputabilityParams, runNoncomputabilityTrialColumns } from '@paradox/core-wasm/noncomputability';
import { noncomputabilityWorkload, rng32, toJson } from '../peers/workloads.mjs';
import { summarize, timeRuns } from '../peers/stats.mjs';
import { describe, rateRow } from '../peers/report.mjs';
import { peerSession, probePeer } from '../peers/python.mjs';
import * as tfp from '../peers/tfjs.mjs';

const SUITE = 'peers-trials';
const SEED = 2026;

/** W3's cell: PGD as the attack (the e₁ line search always runs), IBP + CROWN certificates. */
export const W3_PARAMS = Object.freeze({ attacks: ['pgd'], certify: ['ibp', 'crown'], pgdSteps: 20 });
/** W4's cell. */
export const W4_PARAMS = Object.freeze({ algorithm: 'gd', K: 10, readBits: 24, width: 4, samples: 8, steps: 500 });

/**
 * Nominal flops of one trial (what the GFLOP/s figures count; ReLU, comparisons and the proximal
 * step's abs/max are not counted as flops, the subtractions around them are).
 * W4, per step and sign: forward 2rWd + 2rW (φ) + 2r (error, loss), backward 2rW (∂v) + rW (e·v)
 * + 2rWd (∂w) + r, update 3(Wd + W); both signs, `steps` steps.
 * W3: the training 6·B·Σ N_{l−1}N_l per epoch plus 10 flops per parameter (Adam), and PGD: per step
 * and point a forward 2·Σ N_{l−1}N_l and an input gradient 2·Σ N_{l−1}N_l, 20 steps × 3 radii on
 * 128 points (the peers' work; the core's line search and certification are not counted).
 */
export function trialFlops(wid) {
  if (wid === 'W4') {
    const { width: W, samples: r, steps } = normaliseNoncomputabilityParams(W4_PARAMS);
    const d = 2;
    const perStep = 2 * r * W * d + 2 * r * W + 2 * r + 2 * r * W + r * W + 2 * r * W * d + r + 3 * (W * d + W);
    return 2 * steps * perStep;
  }
  const p = normaliseInstabilityParams(W3_PARAMS);
  const dims = [p.d, ...p.hidden, 1];
  let macs = 0;
  let params = 0;
  for (let l = 1; l < dims.length; l++) {
    macs += dims[l - 1] * dims[l];
    params += dims[l - 1] * dims[l] + dims[l];
  }
  const train = p.epochs * (6 * p.r * macs + 10 * params);
  const pgd = p.radii.length * p.pgdSteps * (p.r + p.s) * 4 * macs;
  return train + pgd;
}

function w3Variant(core, p, k) {
  const dims = [p.d, ...p.hidden, 1];
  const stream = (substream) => ({ seed: SEED, stream: trialStream(k, 0), substream });
  const T = sampleStripes(core, p, p.r, stream(1));
  const V = sampleStripes(core, p, p.s, stream(2));
  const net = initNetwork(core, dims, true, { init: p.init, seed: SEED + k });
  const nT = T.y.length;
  const nV = V.y.length;
  const xAll = new Float64Array((nT + nV) * p.d);
  xAll.set(T.x);
  xAll.set(V.x, T.x.length);
  const yAll = new Float64Array(nT + nV);
  yAll.set(T.y);
  yAll.set(V.y, nT);
  return { params: net.params, xT: T.x, yT: T.y, xAll, yAll };
}

/** W3 for the peers: 16 distinct trials (data + initial network from the core's samplers), tiled to T. */
function w3PeerWorkload(core) {
  const p = normaliseInstabilityParams(W3_PARAMS);
  const variants = Array.from({ length: 16 }, (_, k) => w3Variant(core, p, k));
  const u = rng32(SEED);
  const n = p.r + p.s;
  const starts = Float64Array.from({ length: p.radii.length * n * p.d }, () => 2 * u() - 1);
  return {
    id: 'W3', kind: 'instability', dims: [p.d, ...p.hidden, 1], variants, radii: p.radii, starts,
    lr: p.lr, beta1: p.beta1, beta2: p.beta2, eps: p.adamEps, epochs: p.epochs, pgdSteps: p.pgdSteps,
    // the single-trial form tfjs takes (trial 0)
    ...variants[0],
  };
}

function w4PeerWorkload() {
  const q = normaliseNoncomputabilityParams(W4_PARAMS);
  const pair = makeHardPair(q, SEED);
  if (q.readBits < pair.plus.exp) throw new Error('W4: readBits must cover the data exactly for the peers to read the same values');
  return {
    ...noncomputabilityWorkload({
      d: q.d, width: q.width, samples: q.samples, lambda: q.lambda, lr: q.lr, steps: q.steps,
      data: { plus: { x: pair.plus.xF64, y: pair.plus.yF64 }, minus: { x: pair.minus.xF64, y: pair.minus.yF64 } },
    }),
    sStar: pair.truth.sStar,
    epsilons: q.epsilons,
  };
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Core-wasm side of one workload: `round(minSeconds)` runs whole batches, returns {trials, wall, cpu}. */
function coreRunner(core, wid, params) {
  const fn = wid === 'W3' ? runInstabilityTrials : runNoncomputabilityTrialColumns;
  const count = wid === 'W3' ? 20 : 1024;
  let t = 0;
  return (minSeconds) => {
    const c0 = cpuNow();
    const w0 = performance.now();
    let trials = 0;
    do {
      fn(core, params, { seed: SEED, streamHi: 0, tStart: t, count });
      t += count;
      trials += count;
    } while (performance.now() - w0 < minSeconds * 1000);
    return { trials, wall: (performance.now() - w0) / 1000, cpu: cpuNow() - c0 };
  };
}

const rate = (m) => m.trials / m.cpu;
const wallRate = (m) => m.trials / m.wall;
const med = (xs) => summarize(xs).median;

/** Rows of one measured configuration from its rounds ({trials, wall, cpu} each). */
function roundsRow(base, rounds, flops) {
  const cpu = summarize(rounds.map(rate));
  const wall = summarize(rounds.map(wallRate));
  return {
    ...base, unit: 'trials/CPU-s', median: cpu.median, min: cpu.min, max: cpu.max, runs: cpu.n,
    wallRate: { median: wall.median, min: wall.min, max: wall.max },
    ...(flops ? { gflops: { median: (cpu.median * flops) / 1e9, min: (cpu.min * flops) / 1e9, max: (cpu.max * flops) / 1e9 } } : {}),
  };
}

/** Two cores: core-wasm on 2 worker threads vs 2 peer processes; wall-clock trials/s per round. */
async function twoCores(wid, params, best, task, { rounds, seconds, log }) {
  const workers = [0, 1].map((i) => new Worker(fileURLToPath(new URL('../peers/trial-worker.mjs', import.meta.url)), {
    workerData: { workload: wid, params, seed: SEED, streamHi: 7 + i, count: wid === 'W3' ? 20 : 1024, tStart: 0 },
  }));
  const next = (w) => new Promise((res, rej) => {
    w.once('message', res);
    w.once('error', rej);
  });
  await Promise.all(workers.map(next)); // ready
  const coreRound = async (s) => {
    const t0 = performance.now();
    const replies = await Promise.all(workers.map((w) => {
      const p = next(w);
      w.postMessage({ minSeconds: s });
      return p;
    }));
    const wall = (performance.now() - t0) / 1000;
    return replies.reduce((a, r) => a + r.trials, 0) / wall;
  };
  const sessions = [peerSession(), peerSession()];
  const setup = `{"cmd":"setup","task":${toJson(task)}}`;
  await Promise.all(sessions.map((s) => s.request(setup)));
  const req = (s) => ({ cmd: 'run', impl: best.impl, layout: best.layout, T: best.T, minSeconds: s });
  const peerRound = async (s) => {
    const t0 = performance.now();
    const replies = await Promise.all(sessions.map((p) => p.request(req(s))));
    return replies.reduce((a, r) => a + r.trials, 0) / ((performance.now() - t0) / 1000);
  };
  try {
    await coreRound(2 * seconds); // warm-up of both sides: seconds, not one batch
    await peerRound(seconds);
    const c = [];
    const p = [];
    for (let i = 0; i < rounds; i++) {
      c.push(await coreRound(seconds));
      p.push(await peerRound(seconds));
    }
    log(`  ${wid} 2 cores: core-wasm ${c.map((x) => x.toFixed(0)).join(' ')} trials/s; ${best.label} ×2 ${p.map((x) => x.toFixed(0)).join(' ')} trials/s`);
    const cs = summarize(c);
    const ps = summarize(p);
    return [
      { workload: wid, impl: 'core-wasm, 2 workers', precision: 'f64', unit: 'trials/s (wall)', median: cs.median, min: cs.min, max: cs.max, runs: cs.n, variant: 'two worker threads, one core each', twoCores: true },
      { workload: wid, impl: `${best.label}, 2 processes`, precision: 'f64', unit: 'trials/s (wall)', median: ps.median, min: ps.min, max: ps.max, runs: ps.n, variant: `two processes, T = ${best.T} each`, twoCores: true },
      { workload: wid, impl: 'ratio', of: 'core-wasm, 2 workers', to: `${best.label}, 2 processes`, precision: 'f64 vs f64', value: cs.median / ps.median, twoCores: true },
    ];
  } finally {
    for (const s of sessions) s.close();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** @param {{ quick?: boolean, log?: (s: string) => void }} ctx */
export async function run(ctx = {}) {
  const log = ctx.log ?? console.log;
  const quick = Boolean(ctx.quick);
  const core = await loadCore();
  const rows = [];
  const ROUNDS = quick ? 1 : 3;
  const SEC = quick ? 0.3 : 0.8;
  const WARM = quick ? 0.5 : 3;
  // W3 stops at 1024: one NumPy batch of 8192 W3 trials takes ~40 s, and the batched rates
  // have flattened out by 1024 (measured: 215 trials/CPU-s at 1024 vs 164 at 64).
  const tsOf = (wid) => (quick ? [1, 64] : wid === 'W3' ? [1, 64, 256, 1024] : [1, 64, 1024, 8192]);

  // PARADOX_BENCH_TRIALS=W4 (or W3) runs one workload only, e.g. to refresh it after a kernel change.
  const only = (process.env.PARADOX_BENCH_TRIALS ?? 'W3,W4').split(',').map((x) => x.trim());
  for (const wid of ['W3', 'W4'].filter((w) => only.includes(w))) {
    const task = wid === 'W3' ? w3PeerWorkload(core) : w4PeerWorkload();
    const flops = trialFlops(wid);
    const Ts = tsOf(wid);
    const base = (impl, precision, extra = {}) => ({ suite: SUITE, workload: wid, impl, precision, quick, ...extra });
    const push = (row) => {
      rows.push(row);
      log(describe(row) + (row.gflops ? '' : '') + (row.peerResult ? `  ${JSON.stringify(row.peerResult)}` : ''));
    };
    log(wid === 'W3'
      ? `W3 instability trial: ${task.dims.join('→')}, Adam ${task.epochs} epochs on ${task.yT.length} points, PGD-${task.pgdSteps} at radii ${task.radii.map((r) => r.toPrecision(3)).join(', ')} on ${task.yAll.length} points (+ line search, IBP/CROWN in core-wasm); ${(flops / 1e6).toFixed(2)} MFLOP nominal`
      : `W4 noncomputability trial: gd, W=${task.width}, r=${task.samples}, ${task.steps} steps per sign, both signs; ${(flops / 1e3).toFixed(0)} kFLOP nominal`);

    const variants = wid === 'W3'
      ? [['core-wasm', W3_PARAMS, 'whole trial: train + line search + PGD-20 + IBP/CROWN radii'], ['core-wasm (train + PGD)', { ...W3_PARAMS, certify: [] }, 'certification off: the work the peers do, plus the line search']]
      : [['core-wasm', W4_PARAMS, 'whole paired trial: pair, Δ1 oracle (BigInt), proximal GD ×2, ε checks']];
    const runners = variants.map(([impl, params, variant]) => ({ impl, params, variant, round: coreRunner(core, wid, params), rounds: [] }));
    for (const r of runners) r.round(WARM);
    const main = runners[0];

    // Python peers, batched, each configuration bracketed by core-wasm rounds.
    const peersOk = probePeer('numpy');
    const configs = [];
    if (!peersOk.available) {
      push({ ...base('numpy / torch / numba (batched)', 'f64'), skipped: `${peersOk.reason} (install: see bench/README.md)` });
    } else {
      const session = peerSession();
      try {
        const info = await session.request(`{"cmd":"setup","task":${toJson(task)}}`);
        const libs = [['numpy', info.numpy], ['torch', info.torch], ['numba', wid === 'W4' ? info.numba : null]];
        for (const [lib, version] of libs) {
          if (!version) {
            if (lib !== 'numba' || wid === 'W4') push({ ...base(lib, 'f64'), skipped: `${lib} is not importable by the peer interpreter (Debian: python3-${lib})` });
            continue;
          }
          const layouts = lib === 'numba' ? ['loop'] : wid === 'W3' ? ['lead'] : ['lead', 'last'];
          for (const layout of layouts) {
            for (const T of Ts) {
              const label = `${lib}${layout === 'loop' ? ' (compiled loop over trials)' : layout === 'lead' ? ' (trials leading)' : ' (trials last)'}`;
              const req = { cmd: 'run', impl: lib, layout: layout === 'loop' ? 'lead' : layout, T, minSeconds: SEC };
              await session.request({ ...req, minSeconds: quick ? 0 : Math.min(WARM, 1.5) }); // warm-up (Numba compiles here)
              const peerRounds = [];
              const coreRounds = [];
              let check;
              for (let i = 0; i < ROUNDS; i++) {
                const c = main.round(SEC);
                coreRounds.push(c);
                main.rounds.push(c);
                const p = await session.request(req);
                peerRounds.push(p);
                check = p.check;
              }
              const row = roundsRow(base(`${label}, T=${T}`, 'f64', { version, lib, layout, T, variant: T === 1 ? 'per-call, one trial at a time' : `${T} trials per call` }), peerRounds, flops);
              row.peerResult = wid === 'W4' ? { trial0: check.trial0, successRate: check.successRate } : check;
              push(row);
              const ratio = med(coreRounds.map(rate)) / row.median;
              rows.push({ suite: SUITE, workload: wid, impl: 'ratio', of: 'core-wasm', to: row.impl, precision: 'f64 vs f64', value: ratio, bracketed: true });
              log(`    core-wasm / ${row.impl}: ×${ratio.toFixed(2)} (core ${med(coreRounds.map(rate)).toFixed(0)} trials/CPU-s in the same rounds)`);
              configs.push({ impl: lib, layout: layout === 'loop' ? 'lead' : layout, T, label, row, ratio });
            }
          }
        }
      } finally {
        session.close();
      }
    }

    // core-wasm rows: every round it ran (the brackets above, or a few of its own).
    for (const r of runners) {
      while (r.rounds.length < (quick ? 2 : 5)) r.rounds.push(r.round(SEC));
      push(roundsRow(base(r.impl, 'f64', { variant: r.variant }), r.rounds, flops));
    }
    if (wid === 'W3') {
      const a = rows.find((x) => x.workload === 'W3' && x.impl === 'core-wasm' && x.median !== undefined);
      const b = rows.find((x) => x.workload === 'W3' && x.impl === 'core-wasm (train + PGD)' && x.median !== undefined);
      rows.push({ suite: SUITE, workload: wid, impl: 'ratio', of: 'core-wasm', to: 'core-wasm (train + PGD)', precision: 'f64 vs f64', value: a.median / b.median });
    }

    // The best peer: highest rate of any configuration; the headline ratio is against it.
    const best = configs.reduce((a, b) => (!a || b.row.median > a.row.median ? b : a), undefined);
    if (best) {
      rows.push({ suite: SUITE, workload: wid, impl: 'best peer', precision: 'f64', peer: best.row.impl, median: best.row.median, unit: 'trials/CPU-s', ratio: best.ratio, headline: true });
      log(`  ${wid} best peer: ${best.row.impl} (${best.row.median.toFixed(0)} trials/CPU-s); core-wasm whole trial / best peer ×${best.ratio.toFixed(2)} (bracketed rounds)`);
      const b1024 = configs.filter((c) => c.T === (quick ? 64 : 1024)).reduce((a, b) => (!a || b.row.median > a.row.median ? b : a), undefined);
      if (b1024) {
        const two = await twoCores(wid, variants[0][1], b1024, task, { rounds: ROUNDS, seconds: quick ? 0.5 : 1.5, log });
        for (const r of two) rows.push({ suite: SUITE, quick, ...r });
        log(`  ${wid} 2 cores: core-wasm on 2 workers / ${b1024.label} T=${b1024.T} ×2 processes: ×${two[2].value.toFixed(2)} (wall)`);
      }
    }

    // TensorFlow.js (f32), per call, one trial at a time: kept for reference.
    for (const backend of ['wasm', 'cpu']) {
      const impl = `tfjs-${backend}`;
      await tfp.useBackend(backend);
      const trial = wid === 'W3' ? tfp.instabilityTrial : tfp.noncomputabilityTrial;
      let result;
      const secs = await timeRuns(() => {
        result = trial(task);
      }, { runs: quick ? 2 : 3, warmup: 1 });
      push({ ...rateRow(base(impl, 'f32', { version: tfp.tfVersion, variant: 'per-call, one trial at a time' }), secs, 1, 'trials/s'), peerResult: result });
    }
  }
  return rows;
}
