// Render bench/results/latest.json as the Markdown tables of docs/performance.md, so the document
// is regenerated from a real run instead of being typed by hand:
//   node bench/peers/render-doc.mjs [bench/results/latest.json] > /tmp/tables.md
// Prints the machine line, one table per workload (measurements with median, min–max, runs,
// GFLOP/s where a flop formula exists, then the core-wasm ratios), and every other suite's rows.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const file = process.argv[2] ?? path.join(here, '..', 'results', 'latest.json');
const doc = JSON.parse(readFileSync(file, 'utf8'));

const fmt = (x) => (typeof x !== 'number' ? String(x ?? '') : x >= 1000 ? Math.round(x).toLocaleString('en-US').replace(/,/g, ' ') : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
const out = [];
out.push(`Run of ${doc.date}${doc.quick ? ' (QUICK mode: reduced steps and runs — not for publication)' : ''}; Node ${doc.machine?.node}, ${doc.machine?.cpus} logical CPUs, ${doc.machine?.cpu}.`);
if (doc.failures?.length) out.push(`\nSuites that failed in this run: ${doc.failures.map((f) => f.suite).join(', ')}.`);

const rows = doc.rows ?? [];
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
process.stdout.write(`${out.join('\n')}\n`);
