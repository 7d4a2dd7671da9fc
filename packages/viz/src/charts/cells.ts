/**
 * Helpers that read cells out of a summary the way every chart needs: split by experiment, label
 * architectures, and decide when a cell has no data (partial runs draw such cells as missing,
 * never as zero).
 */
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

/** `complete` or `partial` (a cell the run stopped in the middle of). */
export function status(cell: CellSummary): 'complete' | 'partial' {
  return cell.complete ? 'complete' : 'partial';
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
