/**
 * The report section of an `analyse` run (a user's network on a user's data): headline sentences
 * and the cell table, every number read from the summary. Hooked into the run section by
 * write.ts (headline) and tables.ts (`cellTable`); the charts are charts/analyse.ts.
 */
import { analyseCells, analyseLabel } from '../charts/analyse.js';
import type { Summary } from '../charts/types.js';
import { esc, num, table, withInterval } from './html.js';

/** Headline sentences of an analyse run, one per cell with analysed points (HTML). */
export function analyseHeadline(summary: Summary): string {
  const cells = analyseCells(summary).filter((c) => c.trials > 0);
  if (cells.length === 0) return '<p class="muted">No point analysed yet: nothing to summarise.</p>';
  const items = cells.map((c) => {
    const gap = c.gap.n > 0 ? `; gap attacked − certified median ${num(c.gap.median)} (max ${num(c.gap.max)}) over ${num(c.gap.n)} points` : '; no point has both bounds finite';
    const checks = c.witnessChecks.nudged + c.witnessChecks.dropped > 0
      ? `; witnesses checked in exact arithmetic: ${num(c.witnessChecks.nudged)} nudged outward, ${num(c.witnessChecks.dropped)} dropped`
      : '';
    const contra = c.certContradictions > 0 ? ` <strong>${num(c.certContradictions)} certified radii exceed an attacked one: a soundness problem, please report it.</strong>` : '';
    return `<li>${esc(analyseLabel(c))}: accuracy ${withInterval(c.accuracy.p, c.accuracy.cp)} on ${num(c.trials)} points${esc(gap)}${esc(checks)}.${contra}</li>`;
  });
  return `<ul class="analyse-headline">${items.join('')}</ul>`;
}

/** The cell table of an analyse run. */
export function analyseTable(summary: Summary): string {
  const cells = analyseCells(summary);
  const radii = [...new Set(cells.flatMap((c) => c.radii.map((r) => r.radius)))].sort((a, b) => a - b);
  const headers = ['cell', 'points', 'accuracy', ...radii.map((r) => `robust at ${r} (certified–attacked)`), 'median certified', 'median attacked', 'median gap', 'nudged / dropped'];
  const rows = cells.map((c) => {
    const d = (s: string) => (c.trials > 0 ? s : '—');
    const at = new Map(c.radii.map((r) => [r.radius, r]));
    return [
      esc(analyseLabel(c)),
      num(c.trials),
      d(withInterval(c.accuracy.p, c.accuracy.cp)),
      ...radii.map((r) => {
        const row = at.get(r);
        return row && c.trials > 0 ? `${num(row.certified.p)}–${num(row.attacked.p)}` : '—';
      }),
      d(num(c.certified.median)),
      d(c.attacked.n > 0 ? num(c.attacked.median) : '—'),
      d(c.gap.n > 0 ? num(c.gap.median) : '—'),
      d(`${num(c.witnessChecks.nudged)} / ${num(c.witnessChecks.dropped)}`),
    ];
  });
  return table(headers, rows, 'Cells: accuracy, robust accuracy bracket and radii over the correct points', 'cells');
}
