/**
 * Helpers that read cells out of a summary the way every chart needs: split by experiment, label
 * architectures, and decide when a cell has no data (partial runs draw such cells as missing,
 * never as zero).
 */
import { countsInHeadline } from '@paradox/orchestrator/summary';
import type { CellSummary, InstabilityCell, NoncomputabilityCell, Summary } from './types.js';

/** Noncomputability cells of a summary, in file order. */
export function noncomputabilityCells(summary: Summary): NoncomputabilityCell[] {
  return summary.cells.filter((c): c is NoncomputabilityCell => c.experiment === 'noncomputability');
}

/** Instability cells of a summary, in file order. */
export function instabilityCells(summary: Summary): InstabilityCell[] {
  return summary.cells.filter((c): c is InstabilityCell => c.experiment === 'instability');
}

/**
 * True when a cell has at least one finished trial. A cell with none has zeros in its
 * proportions (the summary format is NaN-free), which must not be drawn as a measured 0.
 */
export function hasData(cell: CellSummary): boolean {
  if (cell.experiment === 'noncomputability') {
    const row = cell.eps[0];
    return cell.trials > 0 && row !== undefined && row.plus.n > 0 && row.minus.n > 0;
  }
  if (cell.experiment === 'analyse') return cell.trials > 0 && cell.accuracy.n > 0;
  if (cell.experiment === 'verify') return cell.verdict !== null;
  return cell.trials > 0 && cell.accuracy.val.n > 0;
}

/** `2-8-8-1` for a fixed architecture, `variable width` when the method chooses it. */
export function archLabel(arch: number[] | null): string {
  return arch === null ? 'variable width' : arch.join('-');
}

/** The series label of an instability cell: method and architecture. */
export function seriesLabel(cell: InstabilityCell): string {
  return `${cell.method} (${archLabel(cell.arch)})`;
}

/**
 * How a chart marks a cell, by the same rule as the headline (`countsInHeadline`): `complete`,
 * `unfinished` (the run stopped in the middle of it but it has the stopping rule's minimum number
 * of trials, so the headline counts it: drawn like a complete cell, named in its tooltip), or
 * `left out` (fewer trials than that minimum, or unfinished when the rule has none: the headline
 * leaves it out, and charts draw it faded or hollow).
 */
export function status(cell: CellSummary, summary: Summary): 'complete' | 'unfinished' | 'left out' {
  if (cell.complete) return 'complete';
  const minTrials = typeof summary.run.minTrials === 'number' ? summary.run.minTrials : null;
  return countsInHeadline(cell, minTrials) ? 'unfinished' : 'left out';
}

/** What a faded or hollow mark is in this run, for captions (`cells with fewer than 30 trials …`). */
export function leftOutMeaning(summary: Summary): string {
  const minTrials = summary.run.minTrials;
  return typeof minTrials === 'number'
    ? `cells with fewer than ${minTrials} trial${minTrials === 1 ? '' : 's'} (the stopping rule's minimum), which the headline numbers leave out`
    : `cells the run has not finished, which the headline numbers leave out`;
}

/** Distinct values in first-seen order. */
export function distinct<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** Numbers sorted ascending, without duplicates. */
export function sortedDistinct(values: Iterable<number>): number[] {
  return distinct(values).sort((a, b) => a - b);
}

/** Round for display in data labels (charts show 3 significant digits). */
export function round3(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(3)) : x;
}
