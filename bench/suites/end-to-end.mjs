// End to end: Result II sweeps through the `paradox` CLI with two workers — process start-up,
// spec checks, the worker pool, the trials, the run store, the summary and the report with its
// charts. Two figures per run:
//  * whole process (CLI start-up and report included): CPU-seconds of the process (all threads)
//    and wall seconds, measured from outside;
//  * sweep throughput (orchestrator, workers, store, statistics; CLI start-up and report
//    excluded): the trials the results use ÷ the sweep's elapsed time as the orchestrator measures
//    it (its scheduler's start to its last batch), both from the `run-done` event of `--json`
//    (progress.trialsDone, progress.elapsedMs; a fresh run has no resumed trials). Trials run past
//    a stopping rule's decision are not counted (the same definition for every build: older ones
//    printed a rate over all trials run, which overstated it).
//
// Workloads (issue #17's target: the demo's Result II part and the `breakdown` preset, trials per
// second on two cores):
//  * the second document of presets/demo.yaml (30 cells × 1 000 pairs);
//  * the `breakdown` preset with its stopping rule (62 400 pairs);
//  * `breakdown --trials 10` (300 pairs): the fixed cost of a run.
//
// PARADOX_BENCH_BEFORE=/path/to/another/checkout (built: `pnpm build` there) runs that checkout's
// CLI on the same spec files in the same rounds, alternating which side goes first, so a burst of
// outside load hits both; the ratio rows compare medians of CPU-seconds (the measure that survives
// a shared machine) and of wall seconds. Each round also compares what both sides wrote
// (summary.csv, summary.json without timing fields, the chart files) and a check row says whether
// they were identical: against the commit just before a speed-up they must be; against an old
// build the formats may have changed since (the pre-#17 build writes other summary columns).
// PARADOX_BENCH_E2E_ROUNDS sets the rounds (default 3; --quick: 1 round of the fixed-cost run).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const child = fileURLToPath(new URL('../orchestrator/cli-child.mjs', import.meta.url));

const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

function binOf(checkout) {
  const bin = join(checkout, 'packages', 'cli', 'dist', 'bin.js');
  if (!existsSync(bin)) throw new Error(`end-to-end: no CLI build at ${bin}; run pnpm build in ${checkout}`);
  return bin;
}

/**
 * One CLI run in a fresh process; returns CPU ms, wall ms, the sweep's own figures (trials the
 * results use and the orchestrator's elapsed ms, from the `run-done` event) and the run directory.
 */
function runCli(bin, args, dir) {
  const cpuFile = join(dir, 'cpu.json');
  const out = join(dir, 'run');
  const t0 = performance.now();
  const stdout = execFileSync(process.execPath, [child, bin, 'run', ...args, '--workers', '2', '--out', out, '--json'], {
    env: { ...process.env, PARADOX_BENCH_CPU_FILE: cpuFile },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 << 20,
    encoding: 'utf8',
  });
  const wallMs = performance.now() - t0;
  const r = JSON.parse(readFileSync(cpuFile, 'utf8'));
  if (r.code !== 0) throw new Error(`end-to-end: ${bin} run ${args.join(' ')} exited ${r.code}`);
  const done = stdout
    .split('\n')
    .filter((l) => l.startsWith('{') && l.includes('"run-done"'))
    .map((l) => JSON.parse(l))
    .find((e) => e.type === 'run-done');
  if (!done?.progress || done.status !== 'complete') throw new Error(`end-to-end: ${bin} run ${args.join(' ')} printed no complete run-done event`);
  return { cpuMs: r.cpuMs, wallMs, out, trials: done.progress.trialsDone, sweepMs: done.progress.elapsedMs };
}

/** The files a run writes whose bytes must not depend on the build (timings excluded). */
function resultFiles(out) {
  const files = { 'summary.csv': readFileSync(join(out, 'summary.csv')) };
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  // Wall-clock fields differ from run to run by nature; everything else must be equal.
  const strip = (v) => (Array.isArray(v) ? v.map(strip) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !/ms$|Ms$|seconds|time|date|At$|started|finished|duration|elapsed|runId|dir/i.test(k)).map(([k, x]) => [k, strip(x)])) : v);
  files['summary.json (timings aside)'] = Buffer.from(JSON.stringify(strip(summary)));
  const charts = join(out, 'charts');
  if (existsSync(charts)) for (const f of readdirSync(charts).sort()) files[`charts/${f}`] = readFileSync(join(charts, f));
  return files;
}

function differences(a, b) {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].filter((n) => !a[n] || !b[n] || !a[n].equals(b[n]));
}

/** @param {{ quick?: boolean, log?: (s: string) => void }} ctx */
export async function run(ctx = {}) {
  const log = ctx.log ?? console.log;
  const quick = Boolean(ctx.quick);
  const rounds = Number(process.env.PARADOX_BENCH_E2E_ROUNDS ?? (quick ? 1 : 3));
  const beforeDir = process.env.PARADOX_BENCH_BEFORE ? resolve(process.env.PARADOX_BENCH_BEFORE) : undefined;
  const sides = [{ name: 'this build', bin: binOf(root) }, ...(beforeDir ? [{ name: `before (${beforeDir})`, bin: binOf(beforeDir) }] : [])];
  const work = mkdtempSync(join(tmpdir(), 'paradox-bench-e2e-'));
  const rows = [];
  try {
    // Both sides run this checkout's spec files.
    const presets = join(root, 'packages', 'cli', 'presets');
    const demoDocs = readFileSync(join(presets, 'demo.yaml'), 'utf8').split(/^---\s*$/m);
    const demo2 = join(work, 'demo-result-ii.yaml');
    writeFileSync(demo2, demoDocs[1].trimStart());
    const breakdown = join(presets, 'breakdown.yaml');
    const workloads = [
      { name: 'breakdown --trials 10 (300 pairs: the fixed cost)', args: [breakdown, '--trials', '10'], pairs: 300 },
      ...(quick
        ? []
        : [
            { name: "demo's Result II part (30 cells × 1 000 pairs)", args: [demo2], pairs: 30_000 },
            { name: 'breakdown preset (its stopping rule)', args: [breakdown], pairs: 62_400 },
          ]),
    ];
    for (const w of workloads) {
      log(`${w.name}: ${rounds} round(s), ${sides.map((s) => s.name).join(' and ')}, 2 workers, fresh process each`);
      const load0 = loadavg()[0];
      const res = sides.map(() => []);
      let mismatch;
      for (let i = 0; i < rounds; i++) {
        const order = i % 2 ? [...sides.keys()].reverse() : [...sides.keys()];
        const files = [];
        for (const s of order) {
          const dir = mkdtempSync(join(work, 'run-'));
          const r = runCli(sides[s].bin, w.args, dir);
          res[s].push(r);
          files[s] = resultFiles(r.out);
          rmSync(dir, { recursive: true, force: true });
        }
        if (sides.length > 1) {
          const diff = differences(files[0], files[1]);
          if (diff.length) mismatch = diff;
        }
        const rate = (r) => (r.trials / r.sweepMs) * 1000;
        log(
          `  round ${i + 1}: ${sides
            .map((s, k) => `${s.name} ${(res[k][i].cpuMs / 1000).toFixed(2)} CPU-s, ${(res[k][i].wallMs / 1000).toFixed(1)} s wall, sweep ${res[k][i].trials} trials in ${(res[k][i].sweepMs / 1000).toFixed(2)} s = ${Math.round(rate(res[k][i]))} trials/s`)
            .join('; ')}`,
        );
      }
      const load1 = loadavg()[0];
      const base = { workload: w.name, quick, pairs: w.pairs, workers: 2, cores: availableParallelism(), rounds, loadAverage: [load0, load1] };
      for (const [k, s] of sides.entries()) {
        const cpu = res[k].map((r) => r.cpuMs / 1000);
        const wall = res[k].map((r) => r.wallMs / 1000);
        rows.push({ ...base, impl: `${s.name}, CPU`, unit: 'CPU-s per run', median: median(cpu), min: Math.min(...cpu), max: Math.max(...cpu), runs: cpu });
        rows.push({ ...base, impl: `${s.name}, wall`, unit: 's per run', median: median(wall), min: Math.min(...wall), max: Math.max(...wall), runs: wall });
        const sweep = res[k].map((r) => (r.trials / r.sweepMs) * 1000);
        rows.push({ ...base, impl: `${s.name}, sweep`, unit: 'trials/s (sweep throughput: trials the results use ÷ the orchestrator\'s elapsed time)', median: median(sweep), min: Math.min(...sweep), max: Math.max(...sweep), runs: sweep, trials: res[k].map((r) => r.trials) });
      }
      if (sides.length > 1) {
        const ratio = (f) => median(res[1].map(f)) / median(res[0].map(f));
        rows.push({ ...base, impl: 'ratio', of: 'before CPU-s', to: 'this build CPU-s', value: ratio((r) => r.cpuMs) });
        rows.push({ ...base, impl: 'ratio', of: 'before wall', to: 'this build wall', value: ratio((r) => r.wallMs) });
        // A rate: this build ÷ before (higher is better), so the ratio reads like the others.
        const sweepRatio = median(res[0].map((r) => r.trials / r.sweepMs)) / median(res[1].map((r) => r.trials / r.sweepMs));
        rows.push({ ...base, impl: 'ratio', of: 'this build sweep trials/s', to: 'before sweep trials/s', value: sweepRatio });
        // Builds far apart may write different formats (columns added since): then this says so
        // rather than failing; against the commit just before a change it is the check that counts.
        const same = mismatch ? `results differ in ${mismatch.join(', ')}` : 'same summary.csv, summary.json (timings aside) and charts from both builds in every round';
        rows.push({ ...base, impl: 'check', ok: !mismatch, what: same });
        log(
          `  ${same}; whole process, before ÷ this build: CPU ×${ratio((r) => r.cpuMs).toFixed(2)}, wall ×${ratio((r) => r.wallMs).toFixed(2)}; sweep throughput, this build ÷ before: ×${sweepRatio.toFixed(2)} (load average ${load0.toFixed(1)} → ${load1.toFixed(1)})`,
        );
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
