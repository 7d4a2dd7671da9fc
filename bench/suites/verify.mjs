// Complete verification on the VNN-COMP 2021 ACAS Xu benchmark (45 networks, properties 1–10,
// the competition's 186 instances from acasxu_instances.csv, committed under
// packages/core-wasm/test/fixtures/vnncomp2021): per instance the verdict of core-wasm's
// `verify` (branch and bound, sound both ways) within a per-instance time limit on one core, and
// the time. Rows: decided counts (unsat = verified, sat = falsified) and time per instance.
// PARADOX_BENCH_VERIFY_TIMEOUT sets the limit in seconds (default 5; VNN-COMP used the CSV's
// timeouts, 116–300 s, on an AWS instance); --quick runs 6 instances at 2 s.
// The published VNN-COMP 2021 results of α,β-CROWN and nnenum are not reproduced here (their
// numbers are in the competition report, arXiv 2109.00498; GPU/AWS hardware differs from this
// machine), so no comparison row is computed from them.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { loadCore, parseVnnlib, verify } from '@paradox/core-wasm';
import { loadOnnx } from '@paradox/core-wasm/onnx';

const SUITE = 'verify';
const here = dirname(fileURLToPath(import.meta.url));
const FIX = join(here, '../../packages/core-wasm/test/fixtures/vnncomp2021');

/** @param {{ quick?: boolean, log?: (s: string) => void }} ctx */
export async function run(ctx = {}) {
  const log = ctx.log ?? console.log;
  const quick = Boolean(ctx.quick);
  const limit = quick ? 2 : Number(process.env.PARADOX_BENCH_VERIFY_TIMEOUT ?? 5);
  if (!(limit > 0)) throw new Error(`PARADOX_BENCH_VERIFY_TIMEOUT: expected seconds > 0, got ${process.env.PARADOX_BENCH_VERIFY_TIMEOUT}`);
  const lines = readFileSync(join(FIX, 'acasxu-props/acasxu_instances.csv'), 'utf8').trim().split('\n');
  let instances = lines.map((l) => l.split(',')).map(([onnx, prop]) => ({ onnx: onnx.trim(), prop: prop.trim() }));
  if (quick) instances = [0, 1, 45, 90, 135, 180].map((i) => instances[i]).filter(Boolean);
  const core = await loadCore();
  const nets = new Map();
  const counts = { verified: 0, falsified: 0, unknown: 0 };
  const times = [];
  let decidedTime = 0;
  log(`ACAS Xu (VNN-COMP 2021): ${instances.length} instances, ${limit} s each, one core`);
  for (const { onnx, prop } of instances) {
    if (!nets.has(onnx)) nets.set(onnx, loadOnnx(readFileSync(join(FIX, 'acasxu', onnx))));
    const net = nets.get(onnx);
    const property = parseVnnlib(readFileSync(join(FIX, 'acasxu-props', prop), 'utf8'), 5, 5);
    const r = verify(core, net, property, { timeLimit: limit });
    counts[r.verdict]++;
    times.push(r.seconds);
    if (r.verdict !== 'unknown') decidedTime += r.seconds;
    log(`  ${onnx.replace('ACASXU_run2a_', '').replace('_batch_2000.onnx', '')} ${prop.replace('.vnnlib', '')}: ${r.verdict === 'verified' ? 'unsat' : r.verdict === 'falsified' ? 'sat' : r.reason === 'time' ? 'timeout' : 'unknown'} (${r.nodes} sub-boxes, ${r.seconds.toFixed(2)} s)`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const decided = counts.verified + counts.falsified;
  log(`  decided ${decided}/${instances.length} (unsat ${counts.verified}, sat ${counts.falsified}), undecided ${counts.unknown}; ${decidedTime.toFixed(1)} s on the decided ones`);
  const base = { suite: SUITE, workload: 'ACAS Xu', precision: 'f64, sound', runs: instances.length };
  return [
    { ...base, impl: 'core-wasm verify', unit: 'decided instances', median: decided, min: decided, max: decided, verified: counts.verified, falsified: counts.falsified, unknown: counts.unknown, timeLimit: limit },
    { ...base, impl: 'core-wasm verify', unit: 's per instance', median, min: sorted[0], max: sorted[sorted.length - 1] },
  ];
}
