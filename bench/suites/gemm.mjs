// W5: one GEMM, C = A·B with A, B 256×256 f64, as the machine's practical arithmetic limit.
// core-wasm's blocked f64x2 kernel against NumPy/OpenBLAS (one thread, with the environment's
// OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE pins as they are and with both removed), PyTorch (one
// thread), TensorFlow.js (f32: cpu and wasm backends) and a plain-JS loop. Flops = 2·m·k·n.

import { gemm, loadCore } from '@paradox/core-wasm';
import { W5 } from '../peers/workloads.mjs';
import { timeRuns } from '../peers/stats.mjs';
import { describe, rateRow, ratioRows } from '../peers/report.mjs';
import { probePeer, runPeer } from '../peers/python.mjs';
import * as tfp from '../peers/tfjs.mjs';

const SUITE = 'gemm';
const PINS = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

/** Plain-JS i-k-j loop (the TS baseline: what one writes without a kernel library). */
function jsGemm(a, b, c, m, k, n) {
  c.fill(0);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p];
      const bo = p * n;
      const co = i * n;
      for (let j = 0; j < n; j++) c[co + j] += x * b[bo + j];
    }
  }
}

function checksum(c) {
  let s = 0;
  for (let i = 0; i < c.length; i++) s += c[i];
  return s;
}

/** @param {{ quick?: boolean, log?: (s: string) => void }} ctx */
export async function run(ctx = {}) {
  const log = ctx.log ?? console.log;
  const quick = Boolean(ctx.quick);
  const w = W5();
  const runs = quick ? 3 : 9;
  const inner = quick ? 5 : 20;
  const { m, k, n } = w;
  const rows = [];
  const base = (impl, precision, extra = {}) => ({ suite: SUITE, workload: 'W5', impl, precision, shape: `${m}×${k} · ${k}×${n}`, flopFormula: '2·m·k·n', ...extra });
  const push = (row) => {
    if (row.median !== undefined) row.gflops = { median: row.median, min: row.min, max: row.max };
    rows.push(row);
    log(describe(row));
  };
  log(`W5 GEMM ${m}×${k}·${k}×${n} (${runs} runs × ${inner} products, 1 warm-up run)`);

  // core-wasm kernel on data already in linear memory (what a kernel inside a trial sees).
  const core = await loadCore();
  const ref = gemm(core, w.a, w.b, m, k, n);
  const refSum = checksum(ref);
  {
    const kernel = core.raw.fn('linalg_gemm_f64');
    const ex = core.raw.exports;
    const pa = ex.mem_alloc(m * k * 8);
    const pb = ex.mem_alloc(k * n * 8);
    const pc = ex.mem_alloc(m * n * 8);
    try {
      new Float64Array(ex.memory.buffer, pa, m * k).set(w.a);
      new Float64Array(ex.memory.buffer, pb, k * n).set(w.b);
      const secs = await timeRuns(() => {
        for (let r = 0; r < inner; r++) kernel(pa, pb, pc, m, k, n);
      }, { runs });
      push(rateRow(base('core-wasm', 'f64', { variant: 'kernel, data in WASM memory' }), secs.map((s) => s / inner), w.flops, 'GFLOP/s', 1e-9));
    } finally {
      ex.mem_free(pc);
      ex.mem_free(pb);
      ex.mem_free(pa);
    }
  }
  {
    const secs = await timeRuns(() => {
      for (let r = 0; r < inner; r++) gemm(core, w.a, w.b, m, k, n);
    }, { runs });
    push(rateRow(base('core-wasm gemm()', 'f64', { variant: 'typed API: validation and copies in/out included' }), secs.map((s) => s / inner), w.flops, 'GFLOP/s', 1e-9));
  }

  // Python peers.
  const pins = Object.fromEntries(PINS.map((v) => [v, process.env[v] ?? null]));
  for (const [impl, peer, unset, label] of [
    ['numpy', 'numpy', [], `environment as is (${PINS.map((v) => `${v}=${pins[v] ?? 'unset'}`).join(', ')})`],
    ['numpy (pins unset)', 'numpy', PINS, `${PINS.join(' and ')} removed from the subprocess environment`],
    ['torch', 'torch', [], 'environment as is'],
  ]) {
    const probe = probePeer(peer);
    if (!probe.available) {
      const row = { ...base(impl, 'f64'), skipped: probe.reason };
      rows.push(row);
      log(describe(row));
      continue;
    }
    const reply = await runPeer(peer, w, { runs, extra: { inner } , unset });
    const row = rateRow(base(impl, 'f64', { variant: label, version: reply.version, env: reply.env, blas: reply.blas }), reply.seconds, w.flops, 'GFLOP/s', 1e-9);
    row.checksumDiff = Math.abs(reply.checksum - refSum);
    push(row);
  }

  // TensorFlow.js (f32 only).
  for (const backend of ['wasm', 'cpu']) {
    await tfp.useBackend(backend);
    const secs = await timeRuns(() => tfp.gemmLoop(w, inner), { runs });
    push(rateRow(base(`tfjs-${backend}`, 'f32', { version: tfp.tfVersion }), secs.map((s) => s / inner), w.flops, 'GFLOP/s', 1e-9));
  }

  // Plain JS.
  {
    const c = new Float64Array(m * n);
    const jsInner = quick ? 1 : 3;
    const secs = await timeRuns(() => {
      for (let r = 0; r < jsInner; r++) jsGemm(w.a, w.b, c, m, k, n);
    }, { runs: quick ? 2 : 5 });
    const row = rateRow(base('plain JS', 'f64', { variant: 'i-k-j triple loop on Float64Array' }), secs.map((s) => s / jsInner), w.flops, 'GFLOP/s', 1e-9);
    row.checksumDiff = Math.abs(checksum(c) - refSum);
    push(row);
  }

  const ratios = ratioRows(rows, 'core-wasm', SUITE, 'W5');
  for (const r of ratios) log(describe(r));
  return [...rows, ...ratios];
}
