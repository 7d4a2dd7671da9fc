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
// `--section trials`: only the whole-trial comparison (peers-trials + roofline suites), written
// between <!-- trials:start --> / <!-- trials:end -->, so it can be refreshed from a run of those
// suites alone without touching the tables of the full run.
const si = args.indexOf('--section');
const sectionName = si >= 0 ? args.splice(si, 2)[1] : 'results';
if (!['results', 'trials'].includes(sectionName)) throw new Error(`--section: expected results or trials, got ${sectionName}`);
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
// W3/W4 against the best *batched* peer: issue #17's targets, in the whole-trial section.
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
  if (suite === 'peers-trials' || suite === 'roofline') continue; // the whole-trial section below
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
out.push(...trialsSection(rows));
const md = sectionName === 'trials' ? `${[out[0], ...trialsSection(rows)].join('\n')}\n` : `${out.join('\n')}\n`;
if (target) {
  const text = readFileSync(target, 'utf8');
  const start = `<!-- ${sectionName}:start -->`;
  const end = `<!-- ${sectionName}:end -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${target}: markers ${start} … ${end} not found`);
  writeFileSync(target, `${text.slice(0, a + start.length)}\n${md}${text.slice(b)}`);
  console.log(`updated ${target} from ${file}`);
} else {
  process.stdout.write(md);
}

/**
 * The whole-trial comparison (issue #17): targets, then per workload one table of the batched
 * peers (rate per CPU-second and the core ÷ peer ratio of the same rounds, per T), the core rows,
 * the best peer, the two-core comparison, and the roofline.
 */
function trialsSection(all) {
  const rs = all.filter((r) => r.suite === 'peers-trials' || r.suite === 'roofline');
  if (!rs.length) return [];
  const o = [];
  const best = (w) => rs.find((r) => r.suite === 'peers-trials' && r.workload === w && r.impl === 'best peer');
  const two = (w) => rs.find((r) => r.suite === 'peers-trials' && r.workload === w && r.impl === 'ratio' && r.twoCores);
  const roof = (w) => rs.find((r) => r.suite === 'roofline' && r.workload === w && r.fractionOfPeak);
  const peak = rs.find((r) => r.suite === 'roofline' && r.workload === 'f64x2 peak');
  const t = [];
  const line = (what, goal, value, shown, ok) => t.push(`| ${what} | ${goal} | ${value === undefined ? 'not measured in this run' : shown} | ${value === undefined ? '—' : ok ? 'met' : '**not met**'} |`);
  const b4 = best('W4');
  const b3 = best('W3');
  line(`W4 core-wasm ÷ best batched peer${b4 ? ` (${b4.peer})` : ''}, per CPU-second`, '≥ 4×', b4?.ratio, `×${fmt(b4?.ratio)}`, b4?.ratio >= 4);
  const t4 = two('W4');
  line(`W4 on two cores, wall time${t4 ? ` (${t4.to})` : ''}`, '≥ 4×', t4?.value, `×${fmt(t4?.value)}`, t4?.value >= 4);
  line(`W3 core-wasm whole trial ÷ best batched peer${b3 ? ` (${b3.peer})` : ''}`, '≥ 5×', b3?.ratio, `×${fmt(b3?.ratio)}`, b3?.ratio >= 5);
  const r4 = roof('W4');
  line('W4 fraction of the f64x2 peak', '≥ 30 %', r4?.fractionOfPeak?.median, `${fmt(100 * (r4?.fractionOfPeak?.median ?? 0))} %`, r4?.fractionOfPeak?.median >= 0.3);
  o.push('\n#### Targets (issue #17)\n');
  o.push('| target | goal | measured (medians, same run) | |');
  o.push('|---|---|---|---|');
  o.push(...t);
  for (const w of ['W3', 'W4']) {
    const ws = rs.filter((r) => r.suite === 'peers-trials' && r.workload === w);
    if (!ws.length) continue;
    o.push(`\n#### peers-trials — ${w}\n`);
    const peers = ws.filter((r) => r.T !== undefined && r.median !== undefined);
    const Ts = [...new Set(peers.map((r) => r.T))].sort((a, b) => a - b);
    const labels = [...new Set(peers.map((r) => r.impl.replace(/, T=\d+$/, '')))];
    if (peers.length) {
      o.push(`Batched peers, trials per CPU-second (core-wasm ÷ peer in the same interleaved rounds), one thread:\n`);
      o.push(`| peer | ${Ts.map((x) => `T = ${x}`).join(' | ')} |`);
      o.push(`|---|${Ts.map(() => '---').join('|')}|`);
      for (const l of labels) {
        const cells = Ts.map((x) => {
          const r = peers.find((p) => p.impl === `${l}, T=${x}`);
          if (!r) return '';
          const q = ws.find((p) => p.impl === 'ratio' && p.to === r.impl);
          return `${fmt(r.median)} (×${fmt(q?.value)})`;
        });
        o.push(`| ${l} | ${cells.join(' | ')} |`);
      }
      o.push('');
    }
    const meas = ws.filter((r) => r.T === undefined && (r.median !== undefined || r.skipped) && r.impl !== 'best peer' && r.impl !== 'ratio');
    o.push('| implementation | precision | median | min–max | unit | runs | GFLOP/s (median) |');
    o.push('|---|---|---|---|---|---|---|');
    for (const r of meas) {
      const name = r.variant ? `${r.impl} <small>(${r.variant})</small>` : r.impl;
      if (r.skipped) o.push(`| ${name} | ${r.precision ?? ''} | skipped | | ${r.skipped} | | |`);
      else o.push(`| ${name} | ${r.precision ?? ''} | ${fmt(r.median)} | ${fmt(r.min)}–${fmt(r.max)} | ${r.unit ?? ''} | ${r.runs ?? ''} | ${r.gflops ? fmt(r.gflops.median) : ''} |`);
    }
    const b = best(w);
    const tw = two(w);
    const own = ws.filter((r) => r.impl === 'ratio' && !r.twoCores && !r.bracketed);
    o.push('');
    if (b) o.push(`Best peer: **${b.peer}** (${fmt(b.median)} trials/CPU-s); core-wasm whole trial ÷ best peer **×${fmt(b.ratio)}**.${tw ? ` Two cores (wall): ${tw.of} ÷ ${tw.to} **×${fmt(tw.value)}**.` : ''}${own.length ? ` ${own.map((r) => `${r.of} / ${r.to} ×${fmt(r.value)}`).join('; ')}.` : ''}`);
  }
  if (peak) {
    o.push('\n#### roofline — f64x2 peak and achieved rates\n');
    o.push('| workload | GFLOP/s per CPU-second (median) | min–max | fraction of the f64x2 peak |');
    o.push('|---|---|---|---|');
    o.push(`| f64x2 peak (${peak.variant}) | ${fmt(peak.median)} | ${fmt(peak.min)}–${fmt(peak.max)} | 100 % |`);
    for (const w of ['W1', 'W3', 'W4']) {
      const r = roof(w);
      if (r) o.push(`| ${w} core-wasm | ${fmt(r.median)} | ${fmt(r.min)}–${fmt(r.max)} | ${fmt(100 * r.fractionOfPeak.median)} % (${fmt(100 * r.fractionOfPeak.min)}–${fmt(100 * r.fractionOfPeak.max)}) |`);
    }
  }
  return o;
}
