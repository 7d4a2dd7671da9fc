// Complete verification on the VNN-COMP 2021 benchmarks `acasxu` (45 networks, properties 1–10,
// the competition's 186 instances from acasxu_instances.csv) and `mnistfc` (networks 256x2/4/6,
// 15 images at eps 0.03 and 0.05: 90 instances from mnistfc_instances.csv), all committed under
// packages/core-wasm/test/fixtures/vnncomp2021 (nothing is downloaded). Per instance: the verdict
// of core-wasm's `verify` (branch and bound, sound both ways) within a per-instance time limit on
// one core, and its time.
//
// The verifier's defaults apply: input splits on ACAS Xu (5 inputs), ReLU splits with optimised
// α/β multipliers on MNIST (784 inputs; `split: 'auto'`).
//
// Every `sat` (falsified) verdict's counterexample is replayed by replay_exact.py: the ONNX file
// read by the official onnx package and evaluated in exact integer arithmetic, the .vnnlib read by
// its own parser; the suite fails if one is not confirmed. The published VNN-COMP 2021 results of
// α,β-CROWN and nnenum (published-2021.json, extracted from the competition's results repository)
// give the comparison rows and a cross-check: an instance verified here but `sat` there, or
// falsified here but `unsat` there, is counted (and fails the suite: one of the two is wrong).
//
// PARADOX_BENCH_VERIFY_TIMEOUT: seconds per instance (default 60, as the issue asks; VNN-COMP
// used the CSV's 116–300 s on its AWS hardware), measured on PARADOX_BENCH_VERIFY_CLOCK: `cpu`
// (default: this process's CPU time, so that a loaded shared machine does not shrink the budget;
// one core, the verifier is single-threaded) or `wall`. PARADOX_BENCH_VERIFY_SETS: a
// comma-separated subset of `acasxu,mnistfc`. --quick runs 6 ACAS Xu and 3 MNIST instances at 2 s.

import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { loadCore, parseVnnlib, verify } from '@paradox/core-wasm';
import { loadOnnx } from '@paradox/core-wasm/onnx';

const here = dirname(fileURLToPath(import.meta.url));
const FIX = join(here, '../../packages/core-wasm/test/fixtures/vnncomp2021');
const PY = '/usr/bin/python3';

const SETS = {
  acasxu: { nets: 'acasxu', props: 'acasxu-props', csv: 'acasxu_instances.csv', quick: [0, 1, 45, 90, 135, 180] },
  mnistfc: { nets: 'mnistfc', props: 'mnistfc-props', csv: 'mnistfc_instances.csv', quick: [0, 30, 60] },
};

/** The exact hexadecimal form of an f64 (Python's float.fromhex reads it). */
function hex(v) {
  if (v === 0) return Object.is(v, -0) ? '-0x0p+0' : '0x0p+0';
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, v);
  const bits = b.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  const frac = (bits & ((1n << 52n) - 1n)).toString(16).padStart(13, '0');
  return `${v < 0 ? '-' : ''}${e === 0 ? `0x0.${frac}p-1022` : `0x1.${frac}p${e - 1023}`}`;
}

/** Replay witnesses exactly (replay_exact.py); null with the reason when python3/onnx is missing. */
function replay(jobs) {
  if (jobs.length === 0) return { results: [] };
  if (!existsSync(PY)) return { skipped: `${PY} not found` };
  const r = spawnSync(PY, [join(FIX, 'replay_exact.py')], { input: JSON.stringify(jobs), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    if (/No module named 'onnx'/.test(r.stderr)) return { skipped: 'python3-onnx not installed' };
    throw new Error(`replay_exact.py failed (exit ${r.status}): ${r.stderr}`);
  }
  return { results: JSON.parse(r.stdout) };
}

/** Published counts and time on the decided instances (runtime minus the tool's overhead). */
function published(pub, tool, set, keys) {
  const t = pub.tools[tool];
  const rows = t.instances[set] ?? {};
  let unsat = 0;
  let sat = 0;
  let time = 0;
  let missing = 0;
  for (const k of keys) {
    const r = rows[k];
    if (!r) {
      missing++;
      continue;
    }
    if (r.result === 'unsat') unsat++;
    if (r.result === 'sat') sat++;
    if (r.result !== 'unknown') time += Math.max(0, r.seconds - t.overhead);
  }
  return { unsat, sat, time, missing, overhead: t.overhead };
}

/** @param {{ quick?: boolean, log?: (s: string) => void }} ctx */
export async function run(ctx = {}) {
  const log = ctx.log ?? console.log;
  const quick = Boolean(ctx.quick);
  const envLimit = process.env.PARADOX_BENCH_VERIFY_TIMEOUT;
  const limit = quick ? 2 : Number(envLimit ?? 60);
  if (!(limit > 0)) throw new Error(`PARADOX_BENCH_VERIFY_TIMEOUT: expected seconds > 0, got ${envLimit}`);
  const clockName = process.env.PARADOX_BENCH_VERIFY_CLOCK ?? 'cpu';
  if (clockName !== 'cpu' && clockName !== 'wall') throw new Error(`PARADOX_BENCH_VERIFY_CLOCK: expected cpu or wall, got ${clockName}`);
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const clock = clockName === 'cpu' ? cpuNow : () => performance.now() / 1000;
  const wanted = (process.env.PARADOX_BENCH_VERIFY_SETS ?? 'acasxu,mnistfc').split(',').map((s) => s.trim()).filter(Boolean);
  for (const w of wanted) if (!SETS[w]) throw new Error(`PARADOX_BENCH_VERIFY_SETS: unknown set ${w}; allowed: ${Object.keys(SETS).join(', ')}`);
  const pub = JSON.parse(readFileSync(join(FIX, 'published-2021.json'), 'utf8'));
  const core = await loadCore();
  const out = [];
  for (const set of wanted) {
    const S = SETS[set];
    const lines = readFileSync(join(FIX, S.props, S.csv), 'utf8').trim().split('\n');
    let instances = lines.map((l) => l.split(',')).map(([onnx, prop]) => ({ onnx: onnx.trim(), prop: prop.trim() }));
    if (quick) instances = S.quick.map((i) => instances[i]).filter(Boolean);
    const nets = new Map();
    const counts = { verified: 0, falsified: 0, unknown: 0 };
    const times = [];
    let decidedTime = 0;
    let cpuTotal = 0;
    const jobs = [];
    const verdicts = new Map();
    log(`${set} (VNN-COMP 2021): ${instances.length} instances, ${limit} s ${clockName === 'cpu' ? 'CPU' : 'wall-clock'} each, one core`);
    for (const { onnx, prop } of instances) {
      if (!nets.has(onnx)) nets.set(onnx, loadOnnx(readFileSync(join(FIX, S.nets, onnx))));
      const net = nets.get(onnx);
      const propPath = join(FIX, S.props, existsSync(join(FIX, S.props, prop)) ? prop : `${prop}.gz`);
      const raw = readFileSync(propPath);
      const text = propPath.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      const property = parseVnnlib(text, net.dims[0], net.dims[net.dims.length - 1]);
      const cpu0 = cpuNow();
      const w0 = performance.now();
      // Only the time limit stops an instance (the default 200 000-node cap is hit in ~20 s on ACAS Xu).
      const r = verify(core, net, property, { timeLimit: limit, clock, maxNodes: 1e9, maxQueue: 1e6 });
      const cpuS = cpuNow() - cpu0;
      const wallS = (performance.now() - w0) / 1000;
      cpuTotal += cpuS;
      counts[r.verdict]++;
      times.push(r.seconds);
      if (r.verdict !== 'unknown') decidedTime += r.seconds;
      const word = r.verdict === 'verified' ? 'unsat' : r.verdict === 'falsified' ? 'sat' : r.reason === 'time' ? 'timeout' : `unknown (${r.reason})`;
      verdicts.set(`${onnx},${prop}`, r.verdict === 'verified' ? 'unsat' : r.verdict === 'falsified' ? 'sat' : 'unknown');
      if (r.witness) jobs.push({ onnx: join(FIX, S.nets, onnx), vnnlib: propPath, x: Array.from(r.witness.x, hex), key: `${onnx} ${prop}` });
      log(`  ${onnx.replace('ACASXU_run2a_', '').replace('_batch_2000.onnx', '').replace('.onnx', '')} ${prop.replace('.vnnlib', '')}: ${word} (${r.nodes} sub-domains, ${r.splits.input} input / ${r.splits.relu} ReLU splits, ${cpuS.toFixed(2)} s CPU, ${wallS.toFixed(2)} s wall)`);
    }
    // Independent exact replay of every counterexample.
    const rep = replay(jobs.map(({ key: _key, ...j }) => j));
    let confirmed = 0;
    if (rep.results) {
      rep.results.forEach((res, i) => {
        if (res.inBox && res.unsafe) confirmed++;
        else log(`  NOT CONFIRMED: ${jobs[i].key} (in box: ${res.inBox}, outputs unsafe: ${res.unsafe})`);
      });
      log(`  counterexamples replayed exactly (onnx + integer arithmetic): ${confirmed}/${jobs.length} confirmed`);
    } else {
      log(`  counterexamples not replayed: ${rep.skipped}`);
    }
    // Cross-check against the published verdicts.
    const keys = instances.map((i) => `${i.onnx},${i.prop}`);
    let conflicts = 0;
    for (const tool of Object.keys(pub.tools)) {
      for (const k of keys) {
        const theirs = pub.tools[tool].instances[set]?.[k]?.result;
        const ours = verdicts.get(k);
        if ((ours === 'unsat' && theirs === 'sat') || (ours === 'sat' && theirs === 'unsat')) {
          conflicts++;
          log(`  CONFLICT with ${tool}: ${k}: ${ours} here, ${theirs} there`);
        }
      }
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const decided = counts.verified + counts.falsified;
    log(`  decided ${decided}/${instances.length} (unsat ${counts.verified}, sat ${counts.falsified}), undecided ${counts.unknown}; ${decidedTime.toFixed(1)} s (${clockName}) on the decided ones, ${times.reduce((a, b) => a + b, 0).toFixed(1)} s (${clockName}) in all, ${cpuTotal.toFixed(1)} s CPU in all`);
    const base = { workload: set, precision: 'f64, sound', runs: instances.length };
    out.push(
      { ...base, impl: 'core-wasm verify', unit: 'decided instances', median: decided, min: decided, max: decided, verified: counts.verified, falsified: counts.falsified, unknown: counts.unknown, timeLimit: limit, clock: clockName, decidedSeconds: decidedTime, cpuSeconds: cpuTotal, conflicts, witnesses: jobs.length, witnessesConfirmed: rep.results ? confirmed : null },
      { ...base, impl: 'core-wasm verify', unit: `s per instance (${clockName})`, median, min: sorted[0], max: sorted[sorted.length - 1] },
    );
    for (const tool of Object.keys(pub.tools)) {
      const p = published(pub, tool, set, keys);
      const n = p.unsat + p.sat;
      log(`  published VNN-COMP 2021 ${tool}: decided ${n}/${keys.length - p.missing} (unsat ${p.unsat}, sat ${p.sat}), ${p.time.toFixed(1)} s on the decided ones after the ${p.overhead} s start-up overhead${p.missing ? `; ${p.missing} instance(s) absent from its results file` : ''} (competition AWS hardware, per-instance timeouts 116–300 s)`);
      out.push({ ...base, precision: 'as published', impl: `VNN-COMP 2021 ${tool} (published)`, unit: 'decided instances', median: n, min: n, max: n, verified: p.unsat, falsified: p.sat, decidedSeconds: p.time, published: true });
    }
    if (rep.results && confirmed !== jobs.length) throw new Error(`${set}: ${jobs.length - confirmed} counterexample(s) not confirmed by the exact replay`);
    if (conflicts > 0) throw new Error(`${set}: ${conflicts} verdict(s) contradict the published results`);
  }
  return out;
}
