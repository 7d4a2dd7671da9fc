// Result rows of the peer suites and their one-line console form.
//
// A measurement row: { suite, workload, impl, precision, unit, median, min, max, runs, ... }
// where median/min/max are rates (higher is better) over `runs` timed runs after warm-up.
// A ratio row: { suite, workload, impl: 'ratio', of, to, value } = median(of) / median(to),
// both measured in the same invocation.
import { summarize } from './stats.mjs';

/** Build a measurement row from per-run seconds: rate = `work` / seconds (e.g. steps, flops). */
export function rateRow(base, seconds, work, unit, scale = 1) {
  const rates = seconds.map((s) => (work / s) * scale);
  const r = summarize(rates);
  const t = summarize(seconds);
  return {
    ...base,
    unit,
    median: r.median,
    min: r.min,
    max: r.max,
    runs: r.n,
    secondsPerRun: { median: t.median, min: t.min, max: t.max },
  };
}

/** Ratio rows of `of` against each other implementation measured in the same suite run. */
export function ratioRows(rows, of, suite, workload) {
  const base = rows.find((r) => r.workload === workload && r.impl === of && r.median !== undefined);
  if (!base) return [];
  return rows
    .filter((r) => r.workload === workload && r.impl !== of && r.impl !== 'ratio' && r.median !== undefined)
    .map((r) => ({ suite, workload, impl: 'ratio', of, to: r.impl, precision: `${base.precision} vs ${r.precision}`, value: base.median / r.median }));
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));

/** One human line per row, for the console. */
export function describe(row) {
  if (row.impl === 'ratio') return `  ${row.workload} ${row.of} / ${row.to}: ×${fmt(row.value)}`;
  if (row.skipped) return `  ${row.workload} ${row.impl}: skipped — ${row.skipped}`;
  const gf = row.gflops ? `  (${fmt(row.gflops.median)} GFLOP/s)` : '';
  return `  ${row.workload} ${row.impl} [${row.precision}]: ${fmt(row.median)} ${row.unit} (min ${fmt(row.min)}, max ${fmt(row.max)}, ${row.runs} runs)${gf}`;
}
