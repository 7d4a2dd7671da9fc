// Noncomputability trials per second per core (issue #4; target for `gd`: ≥ 5 000 trials/s).
//
// Workload: the default cell of SPEC §4.1 — d = 2, W = 4, r = 8, λ = 0.05 — at K = 10 with the
// algorithm reading n = 24 bits; `gd` and `adam` run 500 steps (lr 0.1 / Adam defaults), `restarts`
// runs R = 8 restarts of 500-step gd, `coin` solves the two reduced problems and flips a coin.
// One trial = one algorithm run on one member of the pair (SPEC §3.5); the batch function runs
// both members of each pair, so a timed batch of P pairs is 2P trials. Everything is included:
// the exact BigInt oracle (cached per cell, as in a sweep), the context (coin), the WebAssembly
// optimisation, the theorem checks and the evaluation at every ε; results come back as the
// columns a sweep's worker stores (runNoncomputabilityTrialColumns). One thread = one core.
// `cpuRate` (trials per CPU-second of this process) is recorded too: on a shared machine it is
// the better estimate of per-core speed.

import { loadCore } from '@paradox/core-wasm';
import { runNoncomputabilityTrialColumns } from '@paradox/core-wasm/noncomputability';
import { describe, rateRow } from '../peers/report.mjs';

const SEED = 2026;
const CELL = Object.freeze({ K: 10, readBits: 24, d: 2, width: 4, samples: 8, lambda: 0.05, steps: 500 });
const TARGET_GD = 5000;

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export async function run(ctx) {
  const core = await loadCore();
  const rows = [];
  const cases = [
    { algorithm: 'gd', pairs: 1000 },
    { algorithm: 'adam', pairs: 800 },
    { algorithm: 'restarts', restarts: 8, pairs: 120 },
    { algorithm: 'coin', pairs: 20000 },
  ];
  for (const c of cases) {
    const pairs = ctx.quick ? Math.max(20, Math.round(c.pairs / 5)) : c.pairs;
    const params = { ...CELL, algorithm: c.algorithm, ...(c.restarts ? { restarts: c.restarts } : {}) };
    let t = 0;
    const batch = () => {
      runNoncomputabilityTrialColumns(core, params, { seed: SEED, streamHi: 0x4e43, tStart: t, count: pairs });
      t += pairs;
    };
    batch(); // warm-up: JIT, the cell's oracle cache
    const runs = ctx.quick ? 3 : 7;
    const secs = [];
    const cpu = [];
    for (let i = 0; i < runs; i++) {
      const c0 = cpuSeconds();
      const t0 = performance.now();
      batch();
      secs.push((performance.now() - t0) / 1000);
      cpu.push(cpuSeconds() - c0);
    }
    const workload = `${c.algorithm}${c.restarts ? ` (R=${c.restarts})` : ''}: d=2 W=4 r=8, ${c.algorithm === 'coin' ? 'closed form' : '500 steps'}, K=10 n=24`;
    const row = {
      ...rateRow({ workload, impl: 'core-wasm', precision: 'f64' }, secs, 2 * pairs, 'trials/s'),
      cpuRate: (2 * pairs * runs) / cpu.reduce((a, b) => a + b, 0),
      pairsPerSecond: (pairs * runs) / secs.reduce((a, b) => a + b, 0),
    };
    rows.push(row);
    ctx.log(`${describe(row)}; ${row.cpuRate.toFixed(0)} trials per CPU-second`);
    if (c.algorithm === 'gd') {
      rows.push({ workload, impl: 'check', target: TARGET_GD, unit: 'trials/s', value: row.median, pass: row.median >= TARGET_GD });
      ctx.log(`  target gd ≥ ${TARGET_GD} trials/s per core: ${row.median >= TARGET_GD ? 'met' : 'NOT met'} (median ${row.median.toFixed(0)})`);
    }
  }
  return rows;
}
