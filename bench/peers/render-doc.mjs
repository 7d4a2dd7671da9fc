// Render bench/results/latest.json as the Markdown tables of docs/performance.md, so the document
// is regenerated from a real run instead of being typed by hand:
//   node bench/peers/render-doc.mjs [bench/results/latest.json]          (prints the Markdown)
//   node bench/peers/render-doc.mjs --write docs/performance.md          (replaces the part between
//                                                 its <!-- results:start --> / end markers)
// Prints the machine line, one table per workload (measurements with median, min–max, runs,
// GFLOP/s where a flop formula exists, then the core-wasm ratios), and every other suite's rows.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const wi = args.indexOf('--write');
const target = wi >= 0 ? args.splice(wi, 2)[1] : undefined;
const file = args[0] ?? path.join(here, '..', 'results', 'latest.json');
const doc = JSON.parse(readFileSync(file, 'utf8'));

const fmt = (x) => (typeof x !== 'number' ? String(x ?? '') : x >= 1000 ? Math.round(x).toLocaleString('en-US').replace(/,/g, ' ') : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
const out = [];
out.push(`Run of ${doc.date}${doc.quick ? ' (QUICK mode: reduced steps and runs — not for publication)' : ''}; Node ${doc.machine?.node}, ${doc.machine?.cpus} logical CPUs, ${doc.machine?.cpu}.`);
if (doc.failures?.length) out.push(`\nSuites that failed in this run: ${doc.failures.map((f) => f.suite).join(', ')}.`);

const rows = doc.rows ?? [];

// Targets of issue #9 that the peer suites measure, each met or not with its figure.
const med = (suite, workload, impl) => rows.find((r) => r.suite === suite && r.workload === workload && r.impl === impl && r.median !== undefined);
const ratio = (suite, workload, to, of = 'core-wasm') => rows.find((r) => r.suite === suite && r.workload === workload && r.impl === 'ratio' && r.of === of && r.to === to)?.value;
const bestPeer = (workload) => {
  const peers = rows.filter((r) => r.suite === 'peers-trials' && r.workload === workload && r.median !== undefined && !r.impl.startsWith('core-wasm'));
  return peers.reduce((a, b) => (!a || b.median > a.median ? b : a), undefined);
};
const targets = [];
const check = (what, value, goal, unit = '×') => {
  if (value === undefined) targets.push(`| ${what} | ${unit === '×' ? `≥ ${goal}×` : `≥ ${goal} ${unit}`.trim()} | not measured in this run | — |`);
  else targets.push(`| ${what} | ${unit === '×' ? `≥ ${goal}×` : `≥ ${goal} ${unit}`.trim()} | ${unit === '×' ? `×${fmt(value)}` : `${fmt(value)} ${unit}`.trim()} | ${value >= goal ? 'met' : '**not met**'} |`);
};
check('W1 core-wasm f64 vs PyTorch f64', ratio('peers-training', 'W1', 'torch'), 1.5);
check('W1 core-wasm f64 vs NumPy f64', ratio('peers-training', 'W1', 'numpy'), 0.8);
check('W1 core-wasm f64 vs tfjs-wasm (f32)', ratio('peers-training', 'W1', 'tfjs-wasm'), 5);
check('W2 core-wasm f64 vs tfjs-wasm (f32)', ratio('peers-training', 'W2', 'tfjs-wasm'), 4);
check('W2 core-wasm f64 arithmetic rate', med('peers-training', 'W2', 'core-wasm')?.gflops?.median, 15, 'GFLOP/s');
for (const w of ['W3', 'W4']) {
  const b = bestPeer(w);
  check(`${w} core-wasm whole trial vs best peer${b ? ` (${b.impl})` : ''}`, b ? ratio('peers-trials', w, b.impl) : undefined, 10);
}
// Scaling targets, from the orchestrator and bullmq suites (their rows carry `target`).
const eff = rows.find((r) => r.suite === 'orchestrator' && r.impl === 'parallel efficiency' && r.target !== undefined);
check(`parallel efficiency on all cores (${eff?.workload ?? 'sweep'})`, eff?.median, 0.9, '');
const bq = rows.find((r) => r.suite === 'bullmq' && r.impl === 'ratio' && r.of === 'bullmq');
check('bullmq (2 workers) throughput relative to local', bq?.value, 0.85);
for (const r of rows.filter((x) => x.suite === 'orchestrator' && x.impl === 'peak RSS')) {
  targets.push(`| orchestrator peak RSS, ${r.workload} | ≤ 200 MB, flat | ${fmt(r.median)} MB | ${r.median <= 200 ? 'met' : '**not met**'} |`);
}
out.push('\n#### Targets (issue #9)\n');
out.push('| target | goal | measured (medians, same run) | |');
out.push('|---|---|---|---|');
out.push(...targets);
const key = (r) => `${r.suite}|${r.workload ?? ''}`;
const groups = new Map();
for (const r of rows) {
  if (!groups.has(key(r))) groups.set(key(r), []);
  groups.get(key(r)).push(r);
}
for (const [k, rs] of groups) {
  const [suite, workload] = k.split('|');
  out.push(`\n#### ${suite}${workload ? ` — ${workload}` : ''}\n`);
  const meas = rs.filter((r) => r.median !== undefined || r.skipped);
  const hasGf = meas.some((r) => r.gflops);
  if (meas.length) {
    out.push(`| implementation | precision | median | min–max | unit | runs${hasGf ? ' | GFLOP/s (median)' : ''} |`);
    out.push(`|---|---|---|---|---|---${hasGf ? '|---' : ''}|`);
    for (const r of meas) {
      const name = r.variant ? `${r.impl} <small>(${r.variant})</small>` : r.impl;
      if (r.skipped) out.push(`| ${name} | ${r.precision ?? ''} | skipped | | ${r.skipped} | ${hasGf ? '| ' : ''}|`);
      else out.push(`| ${name} | ${r.precision ?? ''} | ${fmt(r.median)} | ${fmt(r.min)}–${fmt(r.max)} | ${r.unit ?? ''} | ${r.runs ?? ''}${hasGf ? ` | ${r.gflops ? fmt(r.gflops.median) : ''}` : ''} |`);
    }
  }
  const ratios = rs.filter((r) => r.impl === 'ratio');
  if (ratios.length) {
    out.push('');
    out.push(`Ratios (same run, medians): ${ratios.map((r) => `${r.of} / ${r.to} **×${fmt(r.value)}**`).join('; ')}.`);
  }
  const other = rs.filter((r) => r.median === undefined && !r.skipped && r.impl !== 'ratio');
  for (const r of other) {
    const { suite: _s, workload: _w, ...rest } = r;
    out.push(`\n- ${JSON.stringify(rest)}`);
  }
}
const md = `${out.join('\n')}\n`;
if (target) {
  const text = readFileSync(target, 'utf8');
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${target}: markers ${start} … ${end} not found`);
  writeFileSync(target, `${text.slice(0, a + start.length)}\n${md}${text.slice(b)}`);
  console.log(`updated ${target} from ${file}`);
} else {
  process.stdout.write(md);
}
