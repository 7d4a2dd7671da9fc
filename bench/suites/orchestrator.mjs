// Orchestrator: parallel efficiency on noncomputability sweeps of ≥ 10^6 trial pairs (all cores
// against one worker, each in a fresh process; the breakdown preset's algorithm mix carries the
// target, the cheapest algorithms alone are the stress case), and peak RSS of the orchestrator
// process on a sweep of ≥ 10^7 pairs of the cheap `coin` algorithm, against one of 10^6 to show it
// is flat (memory must not grow with the number of trials). Targets (issue #5): efficiency ≥ 0.9 on the
// 2-core machine; peak RSS ≤ 200 MB.
//
// A noncomputability "trial" is a pair: both signs of trial t run on the same random stream.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SUITE = 'orchestrator';
const here = fileURLToPath(new URL('../orchestrator/', import.meta.url));
const child = join(here, 'sweep-child.mjs');

/** One sweep in a fresh node process; returns its JSON report. */
function sweep(spec, workers) {
  const dir = mkdtempSync(join(tmpdir(), 'paradox-bench-orch-'));
  try {
    const out = execFileSync(process.execPath, [child, JSON.stringify(spec), String(workers), join(dir, 'run')], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const r = JSON.parse(out.trim().split('\n').at(-1));
    if (r.status !== 'complete') throw new Error(`sweep ended ${r.status}`);
    return r;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pairs spread evenly over the cells of a grid. */
function spec(name, grid, fixed, pairs) {
  const cells = Object.values(grid).reduce((a, v) => a * v.length, 1);
  return { name, experiment: 'noncomputability', seed: 5, grid, fixed, trials: Math.ceil(pairs / cells) };
}

const MB = 2 ** 20;

/** @param {{ quick?: boolean, log?: (s: string) => void }} ctx */
export async function run(ctx = {}) {
  const log = ctx.log ?? console.log;
  const quick = Boolean(ctx.quick);
  const cores = availableParallelism();
  const rows = [];

  // Parallel efficiency: one worker against all workers, alternating over several rounds (each
  // sweep in a fresh process) so a burst of outside load hits both sides; the figure is the ratio
  // of the median throughputs, with the per-round ratios as its range. Two sweeps of 10^6 pairs:
  //  * the target: the algorithm mix of the `breakdown` preset (gd, adam, coin, hedge, exact-read;
  //    300 steps), the kind of sweep the experiment is run with;
  //  * a stress case of only the cheapest algorithms (~10 µs per pair, allocation-bound JavaScript),
  //    where the orchestrator's own work and the machine's contention weigh most.
  const effPairs = quick ? 100_000 : 1_000_000;
  const mix = spec('efficiency-mix', { algorithm: ['gd', 'adam', 'coin', 'hedge', 'exact-read'], K: [12, 24] }, { readBits: 16, steps: 300 }, effPairs);
  const cheap = spec('efficiency-cheap', { algorithm: ['coin', 'exact-read', 'hedge'], K: [8, 16] }, { readBits: 12 }, effPairs);
  const median = (xs) => {
    const a = [...xs].sort((x, y) => x - y);
    return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  };
  const efficiencyRows = (workload, s, rounds, target) => {
    log(`${workload}: 1 worker, then ${cores} workers, ${rounds} round(s) (fresh process each)`);
    const load0 = loadavg()[0];
    const ones = [];
    const alls = [];
    for (let i = 0; i < rounds; i++) {
      ones.push(sweep(s, 1));
      alls.push(sweep(s, cores));
    }
    const load1 = loadavg()[0];
    const rate = (r) => (r.pairs * 1000) / r.ms;
    const thr1s = ones.map(rate);
    const thrNs = alls.map(rate);
    const thr1 = median(thr1s);
    const thrN = median(thrNs);
    const efficiency = thrN / thr1 / cores;
    const perRound = thrNs.map((t, i) => t / thr1s[i] / cores);
    // Wall-clock efficiency is only meaningful on an otherwise idle machine; the CPU cost per pair
    // (all threads of the process) shows the parallel overhead even when other work competes.
    const cpuPerPair = (rs) => median(rs.map((r) => r.cpuMs / r.pairs));
    const cpuEfficiency = cpuPerPair(ones) / cpuPerPair(alls);
    log(`  1 worker ${thr1.toFixed(0)} pairs/s (${thr1s.map((t) => t.toFixed(0)).join(', ')}); ${cores} workers ${thrN.toFixed(0)} pairs/s (${thrNs.map((t) => t.toFixed(0)).join(', ')})`);
    log(`  efficiency ${efficiency.toFixed(3)} (rounds ${perRound.map((e) => e.toFixed(3)).join(', ')}${target ? `; target ≥ ${target}` : ''})`);
    log(`  CPU per pair: 1 worker ${(cpuPerPair(ones) * 1000).toFixed(1)} µs, ${cores} workers ${(cpuPerPair(alls) * 1000).toFixed(1)} µs (ratio ${cpuEfficiency.toFixed(3)}); load average ${load0.toFixed(1)} → ${load1.toFixed(1)} on ${cores} cores`);
    const base = { suite: SUITE, workload, quick, pairs: effPairs, cores, rounds, loadAverage: [load0, load1] };
    const range = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
    return [
      { ...base, impl: 'orchestrator, 1 worker', unit: 'pairs/s', ...range(thr1s) },
      { ...base, impl: `orchestrator, ${cores} workers`, unit: 'pairs/s', ...range(thrNs) },
      { ...base, impl: 'ratio', of: `${cores} workers`, to: '1 worker', value: thrN / thr1 },
      { ...base, impl: 'parallel efficiency', unit: `(thr${cores}/thr1)/${cores}`, median: efficiency, min: Math.min(...perRound), max: Math.max(...perRound), ...(target ? { target } : {}) },
      { ...base, impl: 'CPU efficiency', unit: `cpu/pair 1 ÷ cpu/pair ${cores}`, median: cpuEfficiency, min: cpuEfficiency, max: cpuEfficiency },
    ];
  };
  const e = (n) => n.toExponential(0);
  rows.push(...efficiencyRows(`noncomputability ${e(effPairs)} pairs, breakdown mix (gd, adam, coin, hedge, exact-read × K 12/24)`, mix, quick ? 1 : 3, 0.9));
  rows.push(...efficiencyRows(`noncomputability ${e(effPairs)} pairs, cheapest algorithms only (coin, exact-read, hedge × K 8/16)`, cheap, quick ? 1 : 3));
  // Control: how much parallelism the machine gave at all (a pure CPU loop, 1 vs all threads).
  const loop = join(here, 'cpu-loop.mjs');
  const loop1 = Number(execFileSync(process.execPath, [loop, '1'], { encoding: 'utf8' }));
  const loopN = Number(execFileSync(process.execPath, [loop, String(cores)], { encoding: 'utf8' }));
  const machine = (cores * loop1) / loopN / cores;
  log(`  control: a pure CPU loop in ${cores} threads runs at ${machine.toFixed(3)} of ideal scaling on this machine right now`);
  rows.push({ suite: SUITE, workload: 'control: pure CPU loop', quick, cores, impl: 'machine scaling (CPU loop control)', unit: `(${cores}·t1/t${cores})/${cores}`, median: machine, min: machine, max: machine });

  // Peak RSS, small and large sweep of the cheap `coin` algorithm on all cores.
  const small = quick ? 200_000 : 1_000_000;
  const large = quick ? 1_000_000 : 10_000_000;
  for (const pairs of [small, large]) {
    const s = spec('memory', { K: [8, 16, 24, 32] }, { algorithm: 'coin', readBits: 12 }, pairs);
    log(`coin ${pairs.toExponential(0)} pairs on ${cores} workers: peak RSS…`);
    const r = sweep(s, cores);
    const peak = r.maxRssBytes / MB;
    const half = r.samples.filter(([t]) => t < r.ms / 2).reduce((m, [, v]) => Math.max(m, v), 0) / MB;
    const late = r.samples.filter(([t]) => t >= r.ms / 2).reduce((m, [, v]) => Math.max(m, v), 0) / MB;
    log(`  ${((r.pairs * 1000) / r.ms).toFixed(0)} pairs/s; peak RSS ${peak.toFixed(0)} MB (first half ≤ ${half.toFixed(0)} MB, second half ≤ ${late.toFixed(0)} MB; target ≤ 200)`);
    const w = `coin ${pairs.toExponential(0)} pairs, ${cores} workers`;
    rows.push({ suite: SUITE, workload: w, quick, pairs, impl: 'peak RSS', unit: 'MB', median: peak, min: peak, max: peak, target: 200 });
    rows.push({ suite: SUITE, workload: w, quick, pairs, impl: 'peak RSS sampled in the 1st half', unit: 'MB', median: half, min: half, max: half });
    rows.push({ suite: SUITE, workload: w, quick, pairs, impl: 'peak RSS sampled in the 2nd half', unit: 'MB', median: late, min: late, max: late });
    rows.push({ suite: SUITE, workload: w, quick, pairs, impl: 'orchestrator throughput', unit: 'pairs/s', median: (r.pairs * 1000) / r.ms, min: (r.pairs * 1000) / r.ms, max: (r.pairs * 1000) / r.ms });
  }
  return rows;
}
