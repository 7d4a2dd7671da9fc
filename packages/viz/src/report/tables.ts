/** Tables of cell summaries for the report: one row per cell, missing cells marked as such. */
import { archLabel, hasData, instabilityCells, noncomputabilityCells, sortedDistinct, status } from '../charts/cells.js';
import { rowAtMu } from '../charts/dichotomy.js';
import type { CellSummary, Summary } from '../charts/types.js';
import { analyseTable } from './analyse-section.js';
import { esc, num, table, withInterval } from './html.js';

/** A cell's status in words, by the same rule as the charts and the headline (`status`). */
function statusCell(cell: CellSummary, summary: Summary): string {
  if (cell.trials === 0) return 'missing';
  const s = status(cell, summary);
  return s === 'left out' ? 'unfinished, left out of the headline' : s;
}

/** The cell table of a noncomputability run: min(p̂⁺, p̂⁻) with its interval at every ε. */
export function noncomputabilityTable(summary: Summary): string {
  const cells = noncomputabilityCells(summary);
  const epsilons = sortedDistinct(cells.flatMap((c) => c.eps.map((r) => r.eps)));
  const headers = ['algorithm', 'K', 'readBits', 'trials / sign', 'status', 'ε_B', ...epsilons.map((e) => `min(p̂⁺,p̂⁻) at ε = ${e}`), 'mean bits read'];
  const rows = cells.map((c) => {
    const data = hasData(c);
    const byEps = new Map(c.eps.map((r) => [r.eps, r]));
    return [
      esc(c.algorithm),
      num(c.K),
      num(c.readBits),
      num(c.trials),
      esc(statusCell(c, summary)),
      num(c.epsB),
      ...epsilons.map((e) => {
        const r = byEps.get(e);
        return data && r ? withInterval(r.min.p, r.min.ci) : '—';
      }),
      data ? num(c.bitsRead.mean) : '—',
    ];
  });
  return table(headers, rows, 'Cells: worst-case success with its confidence interval', 'cells');
}

/** The cell table of an instability run. */
export function instabilityTable(summary: Summary): string {
  const headers = [
    'method',
    'architecture',
    'm',
    'μ',
    'trials',
    'status',
    'P(N)',
    'val. accuracy',
    'accurate',
    'accurate & unstable',
    'unstable share',
    'robust acc. at μ (cert–attack)',
    'median radius: cert',
    'attack',
    'F3 held / applied',
    'diverged',
  ];
  const rows = instabilityCells(summary).map((c) => {
    const data = hasData(c);
    const at = rowAtMu(c);
    const d = (s: string) => (data ? s : '—');
    return [
      esc(c.method),
      esc(archLabel(c.arch)),
      num(c.m),
      num(c.mu),
      num(c.trials),
      esc(statusCell(c, summary)),
      d(num(c.pieceBound.mean)),
      d(num(c.accuracy.val.mean)),
      d(withInterval(c.accurate.p, c.accurate.cp)),
      d(c.accurateUnstable.n > 0 ? withInterval(c.accurateUnstable.p, c.accurateUnstable.cp) : '—'),
      d(num(c.unstableShare.mean)),
      d(at ? `${num(at.robustCert.mean)}–${num(at.robustAttack.mean)}` : '—'),
      d(num(c.radius.certMedian.median)),
      d(num(c.radius.attackMedian.median)),
      d(`${c.f3.holds} / ${c.f3.applies}`),
      num(c.diverged),
    ];
  });
  return table(headers, rows, 'Cells: accuracy, stability and radius brackets (means over trials)', 'cells');
}

/** The cell table of a verify run: one row per instance, with its VNN-COMP result. */
function verifyTable(summary: Summary): string {
  const cells = summary.cells.filter((c) => c.experiment === 'verify');
  const rows = cells.map((c) => [
    esc(c.network.split(/[\\/]/).pop() ?? c.network),
    esc(c.property.split(/[\\/]/).pop() ?? c.property),
    c.result === null ? '—' : esc(c.result),
    c.verdict === 'unknown' && c.reason !== null ? esc(`${c.reason} limit`) : '',
    c.nodes === null ? '—' : num(c.nodes),
  ]);
  return table(['network', 'property', 'result', 'stopped at', 'nodes'], rows, 'Instances: VNN-COMP result (unsat: verified, sat: counterexample found) and sub-domains bounded', 'cells');
}

/** The cell table for a summary of any experiment. */
export function cellTable(summary: Summary): string {
  if (summary.run.experiment === 'analyse') return analyseTable(summary);
  if (summary.run.experiment === 'verify') return verifyTable(summary);
  return summary.run.experiment === 'noncomputability' ? noncomputabilityTable(summary) : instabilityTable(summary);
}
