// `pnpm bench`: runs every suite in bench/suites (or those named on the command line), prints a
// table and writes bench/results/tmp/latest.json (or, with --write, bench/results/latest.json). Speed lives here, never in tests.
//
// A suite is a module exporting `async function run(ctx)` that returns result rows; ctx is
// `{ quick, log }`. Rows are plain objects: measurement rows carry `impl`, `unit` and
// `median`/`min`/`max` over timed runs after warm-up; ratio rows have `impl: 'ratio'` and `value`.
//
// Usage: node bench/run.mjs [--quick] [--write] [suite-name …]
// --quick alone is a smoke run in seconds: the suites in QUICK_SMOKE, each in its quick mode (the
// others — Redis/BullMQ, multi-process scaling, Python peers, GEMM sweeps, verification — take
// minutes even when quick on a shared machine; name them to run them quick too).
// Results go to bench/results/tmp/latest.json (untracked); --write puts them in the tracked
// bench/results/latest.json, the figures the docs cite.

import { readdir, mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, basename } from 'node:path';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const write = args.includes('--write');
const only = args.filter((a) => !a.startsWith('--'));

/** The suites `--quick` runs when none is named: each finishes in a few seconds in quick mode. */
export const QUICK_SMOKE = ['core-training', 'instability', 'noncomputability', 'roofline'];

const fmt = (x) => (typeof x !== 'number' ? String(x ?? '') : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));

function table(rows) {
  const lines = [['suite', 'workload', 'impl', 'precision', 'median', 'min–max', 'unit', 'GFLOP/s']];
  for (const r of rows) {
    if (r.impl === 'check') continue;
    if (r.impl === 'ratio') lines.push([r.suite, r.workload, `${r.of} / ${r.to}`, r.precision ?? '', `×${fmt(r.value)}`, '', 'ratio', '']);
    else if (r.skipped) lines.push([r.suite, r.workload ?? '', r.impl, r.precision ?? '', 'skipped', '', r.skipped, '']);
    else if (r.median !== undefined) {
      lines.push([r.suite, r.workload ?? '', r.impl, r.precision ?? '', fmt(r.median), `${fmt(r.min)}–${fmt(r.max)}`, r.unit ?? '', r.gflops ? fmt(r.gflops.median) : '']);
    }
  }
  const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => String(l[c]).length)));
  return lines.map((l) => l.map((v, c) => String(v).padEnd(widths[c])).join('  ')).join('\n');
}

async function main() {
  const dir = join(here, 'suites');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.mjs')).sort();
  const smoke = quick && !only.length;
  const chosen = only.length ? files.filter((f) => only.includes(basename(f, '.mjs'))) : smoke ? files.filter((f) => QUICK_SMOKE.includes(basename(f, '.mjs'))) : files;
  if (only.length && chosen.length !== only.length) {
    const missing = only.filter((o) => !files.includes(`${o}.mjs`));
    console.error(`bench: unknown suite(s) ${missing.join(', ')}; available: ${files.map((f) => basename(f, '.mjs')).join(', ')}`);
    process.exit(2);
  }
  if (smoke) {
    const rest = files.map((f) => basename(f, '.mjs')).filter((n) => !QUICK_SMOKE.includes(n));
    console.log(`bench --quick: smoke run of ${chosen.map((f) => basename(f, '.mjs')).join(', ')}${rest.length ? `; not run (minutes even when quick): ${rest.join(', ')} — name one to run it, e.g. bench --quick ${rest[0]}` : ''}`);
  }
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const rows = [];
  const failures = [];
  for (const f of chosen) {
    const name = basename(f, '.mjs');
    console.log(`\n== ${name}${quick ? ' (quick)' : ''}`);
    const t0 = performance.now();
    try {
      const mod = await import(pathToFileURL(join(dir, f)).href);
      const out = await mod.run({ quick, log: (s) => console.log(s) });
      for (const r of out ?? []) rows.push({ suite: name, ...r });
    } catch (e) {
      failures.push({ suite: name, error: String(e?.stack ?? e) });
      console.error(`bench: suite ${name} failed: ${e?.stack ?? e}`);
    }
    console.log(`   (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  console.log(`\n${table(rows)}`);
  const cpu = process.cpuUsage(cpu0);
  // CPU of this process and its worker threads (child processes a suite starts are not included).
  console.log(`\nbench: ${((performance.now() - wall0) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU-seconds in this process and its threads`);
  const doc = {
    date: new Date().toISOString(),
    quick,
    machine: { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, cpu: os.cpus()[0]?.model },
    suites: chosen.map((f) => basename(f, '.mjs')),
    rows,
    failures,
  };
  const outDir = write ? join(here, 'results') : join(here, 'results', 'tmp');
  await mkdir(outDir, { recursive: true });
  const out = join(outDir, 'latest.json');
  await writeFile(out, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`\nwrote ${out}${write ? '' : ' (untracked; --write replaces bench/results/latest.json)'}`);
  if (failures.length) process.exit(1);
}

await main();
