// W3 and W4: whole trials, the work this project exists for. Small problems, where a
// framework's per-operation overhead dominates and a whole trial inside one WebAssembly call
// should win by an order of magnitude.
//
// W3 — one instability trial (SPEC §2; d = 2, m = 8, r = s = 64, N = 2→8→8→1, Adam lr 0.01,
//   300 full-batch epochs, mse; then on every point of T ∪ V: the e₁ line search, PGD-20 (ℓ∞,
//   random start, step 2.5ρ/20) at μ and at the radii μ/2, μ, 2μ, and IBP + CROWN certified radii
//   by bisection). The peers do the closest equivalent they offer: the same training (same T,
//   same initial parameters) and batched PGD-20 at the three radii on all 128 points; none of them
//   certifies, so core-wasm is also timed with certification off ("train + PGD") for a
//   like-for-like ratio.
// W4 — one noncomputability trial (SPEC §3; algorithm `gd`, d = 2, W = 4, r = 8, λ = 0.05,
//   lr 0.1, 500 steps; K = 10, read at n = 24 bits): both members of the pair are optimised (the
//   paired design). The peers run the same proximal GD on the same read data from one shared
//   initialisation; core-wasm's trial additionally builds the pair, runs the exact BigInt
//   oracle and evaluates success at every ε.
// Unit: trials/s (one trial = the whole job above; for W4 both signs).

import {
  initNetwork, loadCore, makeHardPair, normaliseInstabilityParams, normaliseNoncomputabilityParams,
  runInstabilityTrials, runNoncomputabilityTrials, sampleStripes,
} from '@paradox/core-wasm';
import { noncomputabilityWorkload, rng32 } from '../peers/workloads.mjs';
import { timeRuns } from '../peers/stats.mjs';
import { describe, rateRow, ratioRows } from '../peers/report.mjs';
import { probePeer, runPeer } from '../peers/python.mjs';
import * as tfp from '../peers/tfjs.mjs';

const SUITE = 'peers-trials';
const SEED = 2026;

/** W3's cell: PGD as the attack (the e₁ line search always runs), IBP + CROWN certificates. */
export const W3_PARAMS = Object.freeze({ attacks: ['pgd'], certify: ['ibp', 'crown'], pgdSteps: 20 });
/** W4's cell. */
export const W4_PARAMS = Object.freeze({ algorithm: 'gd', K: 10, readBits: 24, width: 4, samples: 8, steps: 500 });

function w3PeerWorkload(core) {
  const p = normaliseInstabilityParams(W3_PARAMS);
  const dims = [p.d, ...p.hidden, 1];
  const stream = (substream) => ({ seed: SEED, streamHi: 0, streamLo: 0, substream });
  const T = sampleStripes(core, p, p.r, stream(1));
  const V = sampleStripes(core, p, p.s, stream(2));
  const net = initNetwork(core, dims, true, { init: p.init, seed: SEED });
  const radii = p.radii;
  const n = T.n + V.n;
  const u = rng32(SEED);
  const starts = Float64Array.from({ length: radii.length * n * p.d }, () => 2 * u() - 1);
  const xAll = new Float64Array(n * p.d);
  xAll.set(T.X);
  xAll.set(V.X, T.X.length);
  const yAll = new Float64Array(n);
  yAll.set(T.y);
  yAll.set(V.y, T.n);
  return {
    id: 'W3', kind: 'instability', dims, params: net.params, xT: T.X, yT: T.y, xAll, yAll, radii, starts,
    lr: p.lr, beta1: p.beta1, beta2: p.beta2, eps: p.adamEps, epochs: p.epochs, pgdSteps: p.pgdSteps,
  };
}

function w4PeerWorkload() {
  const q = normaliseNoncomputabilityParams(W4_PARAMS);
  const pair = makeHardPair(q, SEED);
  if (q.readBits < pair.plus.exp) throw new Error('W4: readBits must cover the data exactly for the peers to read the same values');
  return noncomputabilityWorkload({
    d: q.d, width: q.width, samples: q.samples, lambda: q.lambda, lr: q.lr, steps: q.steps,
    data: { plus: { x: pair.plus.xF64, y: pair.plus.yF64 }, minus: { x: pair.minus.xF64, y: pair.minus.yF64 } },
  });
}

/** @param {{ quick?: boolean, log?: (s: string) => void }} ctx */
export async function run(ctx = {}) {
  const log = ctx.log ?? console.log;
  const quick = Boolean(ctx.quick);
  const core = await loadCore();
  const rows = [];
  const runs = (n) => (quick ? 2 : n);

  for (const wid of ['W3', 'W4']) {
    const w = wid === 'W3' ? w3PeerWorkload(core) : w4PeerWorkload();
    const base = (impl, precision, extra = {}) => ({ suite: SUITE, workload: wid, impl, precision, quick, ...extra });
    const push = (row) => {
      rows.push(row);
      log(describe(row) + (row.peerResult ? `  ${JSON.stringify(row.peerResult)}` : ''));
    };
    log(wid === 'W3'
      ? `W3 instability trial: ${w.dims.join('→')}, Adam ${w.epochs} epochs on ${w.yT.length} points, PGD-${w.pgdSteps} at radii ${w.radii.map((r) => r.toPrecision(3)).join(', ')} on ${w.yAll.length} points (+ IBP/CROWN in core-wasm)`
      : `W4 noncomputability trial: gd, W=${w.width}, r=${w.samples}, ${w.steps} steps per sign, both signs`);

    // core-wasm: whole trials through the public API, `count` trials per timed run.
    const variants = wid === 'W3'
      ? [['core-wasm', W3_PARAMS, 'whole trial: train + line search + PGD-20 + IBP/CROWN radii'], ['core-wasm (train + PGD)', { ...W3_PARAMS, certify: [] }, 'certification off: the work the peers do, plus the line search']]
      : [['core-wasm', W4_PARAMS, 'whole paired trial: pair, Δ1 oracle (BigInt), proximal GD ×2, ε checks']];
    const count = wid === 'W3' ? (quick ? 4 : 20) : (quick ? 50 : 400);
    for (const [impl, params, variant] of variants) {
      const fn = wid === 'W3' ? runInstabilityTrials : runNoncomputabilityTrials;
      let t0 = 0;
      const secs = await timeRuns(() => {
        fn(core, params, { seed: SEED, streamHi: 0, tStart: t0, count });
        t0 += count;
      }, { runs: runs(7), warmup: 1 });
      push(rateRow(base(impl, 'f64', { variant, trialsPerRun: count }), secs, count, 'trials/s'));
    }

    // Python peers.
    const peerTrials = wid === 'W3' ? 1 : quick ? 2 : 5;
    for (const peer of ['numpy', 'torch']) {
      const probe = probePeer(peer);
      if (!probe.available) {
        push({ ...base(peer, 'f64'), skipped: `${probe.reason} (install: see bench/README.md)` });
        continue;
      }
      const reply = await runPeer(peer, w, { runs: runs(5), extra: { trials: peerTrials } });
      const { ok: _ok, seconds, impl: _impl, version, env: _env, threads: _threads, ...result } = reply;
      push({ ...rateRow(base(peer, 'f64', { version }), seconds, 1, 'trials/s'), peerResult: result });
    }

    // TensorFlow.js.
    for (const backend of ['wasm', 'cpu']) {
      const impl = `tfjs-${backend}`;
      await tfp.useBackend(backend);
      const trial = wid === 'W3' ? tfp.instabilityTrial : tfp.noncomputabilityTrial;
      let result;
      const secs = await timeRuns(() => {
        result = trial(w);
      }, { runs: runs(3), warmup: 1 });
      push({ ...rateRow(base(impl, 'f32', { version: tfp.tfVersion }), secs, 1, 'trials/s'), peerResult: result });
    }

    const ratios = ratioRows(rows, 'core-wasm', SUITE, wid);
    if (wid === 'W3') ratios.push(...ratioRows(rows, 'core-wasm (train + PGD)', SUITE, wid).filter((r) => r.to !== 'core-wasm'));
    const peers = rows.filter((r) => r.workload === wid && r.median !== undefined && !r.impl.startsWith('core-wasm'));
    const best = peers.reduce((a, b) => (b.median > a.median ? b : a), peers[0]);
    for (const r of ratios) log(describe(r));
    if (best) log(`  ${wid} best peer: ${best.impl} (${best.median.toFixed(1)} trials/s)`);
    rows.push(...ratios);
  }
  return rows;
}
