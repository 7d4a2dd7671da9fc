// Where a W3 trial's instructions go, counted exactly (not sampled): runs N whole W3 trials
// (bench/suites/peers-trials.mjs W3_PARAMS) under `valgrind --tool=callgrind` with V8 writing a
// perf map of its generated code, then attributes every executed x86 instruction to the
// WebAssembly function whose code holds it. WebAssembly runs only inside the trials, so the sums
// divided by N are instructions per trial; they repeat to the instruction on a loaded machine,
// which wall or CPU time cannot. Not part of `pnpm bench` (valgrind is optional, ~40 s for N = 30).
//
//   node bench/profile/w3-instructions.mjs [N = 30] [--wasm FILE] [--top K] [--json]
//
// --wasm picks a build (default: a release build with a name section, compiled here into a
// temporary file from packages/core-wasm/assembly — names only, the optimisation is the release
// target's). The V8 flags make the counts repeatable: TurboFan only (--no-liftoff, no tier-up),
// so no function is counted half in baseline code. Phases group functions by source module:
// training (nn/fm, train/), certification (certify/: IBP, CROWN, the bisection, and the witness
// enclosures of certify/point.ts), PGD (instability/pgdbatch), the rest (line search, forward
// passes, pieces, sampling, the runtime).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const coreDir = join(root, 'packages', 'core-wasm');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const N = Number(args.find((a, i) => /^\d+$/.test(a) && !['--top', '--wasm'].includes(args[i - 1])) ?? 30);
const top = Number(opt('--top', 20));
const json = args.includes('--json');
if (!(Number.isInteger(N) && N >= 1)) {
  console.error(`w3-instructions: N must be a whole number ≥ 1, got ${N}`);
  process.exit(2);
}
if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('w3-instructions: valgrind is not installed (Debian: apt-get install valgrind)');
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'w3-instr-'));
try {
  let wasm = opt('--wasm', '');
  if (!wasm) {
    wasm = join(work, 'named.wasm');
    const asc = spawnSync('npx', ['asc', 'assembly/index.ts', '--target', 'release', '--debug', '-o', wasm], { cwd: coreDir, stdio: 'inherit' });
    if (asc.status !== 0) throw new Error('asc failed');
  }
  const child = join(work, 'child.mjs');
  writeFileSync(child, `
import { loadCore } from ${JSON.stringify(join(coreDir, 'dist', 'index.js'))};
import { runInstabilityTrials } from ${JSON.stringify(join(coreDir, 'dist', 'instability', 'index.js'))};
import { W3_PARAMS } from ${JSON.stringify(join(root, 'bench', 'suites', 'peers-trials.mjs'))};
const core = await loadCore({ source: ${JSON.stringify(resolve(wasm))} });
runInstabilityTrials(core, W3_PARAMS, { seed: 2026, streamHi: 3, tStart: 0, count: ${N} });
`);
  const out = join(work, 'callgrind.out');
  const vg = spawnSync('valgrind', [
    '--tool=callgrind', '--dump-instr=yes', `--callgrind-out-file=${out}`,
    process.execPath, '--no-liftoff', '--no-wasm-tier-up', '--perf-basic-prof', child,
  ], { cwd: work, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (vg.status !== 0) throw new Error(`valgrind failed: ${vg.stderr.slice(-2000)}`);
  const pid = /^pid: (\d+)/m.exec(readFileSync(out, 'utf8').slice(0, 400))?.[1];
  const mapFile = join('/tmp', `perf-${pid}.map`);
  const ranges = readFileSync(mapFile, 'utf8').split('\n').filter(Boolean).map((l) => {
    const [a, s, ...name] = l.split(' ');
    return [parseInt(a, 16), parseInt(s, 16), name.join(' ')];
  }).sort((x, y) => x[0] - y[0]);
  rmSync(mapFile, { force: true });
  const starts = ranges.map((r) => r[0]);
  const find = (a) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= a) lo = mid;
      else hi = mid - 1;
    }
    const r = ranges[lo];
    return r && r[0] <= a && a < r[0] + r[1] ? r[2] : '';
  };
  // Callgrind's format: cost lines "addr line Ir" (addresses absolute, +d, -d or *); the line after
  // a "calls=" line is the inclusive cost of that call and is skipped (self costs only).
  const byFn = new Map();
  let addr = 0;
  let skip = false;
  let total = 0;
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    const c = line.charCodeAt(0);
    if (!(line && ((c >= 48 && c <= 57) || line[0] === '+' || line[0] === '-' || line[0] === '*'))) {
      if (line.startsWith('calls=')) skip = true;
      continue;
    }
    const p = line.split(' ');
    const t = p[0];
    if (t.startsWith('0x')) addr = parseInt(t, 16);
    else if (t[0] === '+') addr += parseInt(t.slice(1), 16);
    else if (t[0] === '-') addr -= parseInt(t.slice(1), 16);
    if (skip) {
      skip = false;
      continue;
    }
    if (p.length < 3) continue;
    const ir = Number(p[2]);
    total += ir;
    const name = find(addr);
    if (!name.includes('assembly/') && !name.includes('~lib/')) continue;
    const fn = name.replace(/^JS:/, '').replace(/-\d+-turbofan$/, '');
    byFn.set(fn, (byFn.get(fn) ?? 0) + ir);
  }
  const phaseOf = (fn) =>
    fn.includes('assembly/nn/fm') || fn.includes('assembly/train/') ? 'training'
      : fn.includes('assembly/certify/') ? 'certification'
        : fn.includes('instability/pgdbatch') ? 'PGD' : 'rest';
  const phases = { training: 0, certification: 0, PGD: 0, rest: 0 };
  let wasmTotal = 0;
  for (const [fn, ir] of byFn) {
    phases[phaseOf(fn)] += ir / N;
    wasmTotal += ir / N;
  }
  const fns = [...byFn].map(([fn, ir]) => ({ fn, perTrial: ir / N })).sort((a, b) => b.perTrial - a.perTrial);
  if (json) {
    console.log(JSON.stringify({ trials: N, perTrial: wasmTotal, phases, functions: fns.slice(0, top), processInstructions: total }, null, 2));
  } else {
    const M = (x) => (x / 1e6).toFixed(2);
    console.log(`W3, ${N} trials: ${M(wasmTotal)} M WebAssembly instructions per trial (process total ${M(total)} M incl. start-up and compilation)`);
    for (const [k, v] of Object.entries(phases)) console.log(`  ${k.padEnd(14)} ${M(v).padStart(6)} M  ${((100 * v) / wasmTotal).toFixed(1).padStart(5)} %`);
    console.log('  by function:');
    for (const { fn, perTrial } of fns.slice(0, top)) console.log(`  ${M(perTrial).padStart(6)} M  ${((100 * perTrial) / wasmTotal).toFixed(1).padStart(5)} %  ${fn}`);
  }
} finally {
  for (const f of readdirSync(work)) rmSync(join(work, f), { force: true });
  rmSync(work, { recursive: true, force: true });
}
