/**
 * The headline numbers of a run: the few figures that say whether the paper's claims showed up.
 * Each comes with the value theory predicts, so a reader can compare without the paper.
 */
import { hasData, instabilityCells, noncomputabilityCells } from '../charts/cells.js';
import type { Summary } from '../charts/types.js';

/** One headline figure. */
export interface Headline {
  label: string;
  /** The figure as text (e.g. `0.49 [0.42, 0.56]`). */
  value: string;
  /** What theory says about it. */
  theory: string;
  /** Where it comes from (cell, ε), when it is one cell's number. */
  where?: string;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : '—';
}

/** Headline figures of a summary (empty when the run has no finished trials). */
export function headlines(summary: Summary): Headline[] {
  return summary.run.experiment === 'noncomputability' ? noncomputabilityHeadlines(summary) : instabilityHeadlines(summary);
}

function noncomputabilityHeadlines(summary: Summary): Headline[] {
  const out: Headline[] = [];
  type Best = { p: number; ci: [number, number]; where: string };
  let worstBelow: Best | undefined;
  let sumMax: Best | undefined;
  let bestAbove: Best | undefined;
  for (const cell of noncomputabilityCells(summary)) {
    if (!hasData(cell)) continue;
    for (const row of cell.eps) {
      const where = `${cell.algorithm}, K = ${cell.K}, readBits = ${cell.readBits}, ε = ${row.eps}`;
      if (row.belowBreakdown && cell.readBits <= cell.K) {
        if (!worstBelow || row.min.p > worstBelow.p) worstBelow = { p: row.min.p, ci: row.min.ci, where };
        if (!sumMax || row.sum.p > sumMax.p) sumMax = { p: row.sum.p, ci: row.sum.ci, where };
      }
      if (!row.belowBreakdown && (!bestAbove || row.min.p > bestAbove.p)) bestAbove = { p: row.min.p, ci: row.min.ci, where };
    }
  }
  if (worstBelow) {
    out.push({
      label: 'Best worst-case success below ε_B (readBits ≤ K)',
      value: `${fmt(worstBelow.p)} [${fmt(worstBelow.ci[0])}, ${fmt(worstBelow.ci[1])}]`,
      theory: 'Result II: at most 1/2 for every algorithm',
      where: worstBelow.where,
    });
  }
  if (sumMax) {
    out.push({
      label: 'Largest p̂⁺ + p̂⁻ below ε_B (readBits ≤ K)',
      value: `${fmt(sumMax.p)} [${fmt(sumMax.ci[0])}, ${fmt(sumMax.ci[1])}]`,
      theory: 'paired design: at most 1, exactly, seed by seed',
      where: sumMax.where,
    });
  }
  if (bestAbove) {
    out.push({
      label: 'Best worst-case success at or above ε_B',
      value: `${fmt(bestAbove.p)} [${fmt(bestAbove.ci[0])}, ${fmt(bestAbove.ci[1])}]`,
      theory: 'the hedge (s*/2)(z₁ + z₂) reaches 1 here: the jump',
      where: bestAbove.where,
    });
  }
  return out;
}

function instabilityHeadlines(summary: Summary): Headline[] {
  const out: Headline[] = [];
  let fixedK = 0;
  let fixedN = 0;
  let varK = 0;
  let varN = 0;
  let applies = 0;
  let holds = 0;
  let diverged = 0;
  for (const cell of instabilityCells(summary)) {
    diverged += cell.diverged;
    if (!hasData(cell)) continue;
    applies += cell.f3.applies;
    holds += cell.f3.holds;
    // σ (the shortcut) is the reference unstable network, not a training outcome.
    if (cell.method === 'shortcut') continue;
    if (cell.arch === null || cell.method === 'construct-stable') {
      varK += cell.accurateUnstable.k;
      varN += cell.accurateUnstable.n;
    } else {
      fixedK += cell.accurateUnstable.k;
      fixedN += cell.accurateUnstable.n;
    }
  }
  if (fixedN > 0) {
    out.push({
      label: 'Accurate fixed-architecture networks unstable at radius μ',
      value: `${fmt(fixedK / fixedN)} (${fixedK} of ${fixedN})`,
      theory: 'F3: all of them once m − 1 > P(N)',
    });
  }
  if (varN > 0) {
    out.push({
      label: 'Accurate variable-width networks unstable at radius μ',
      value: `${fmt(varK / varN)} (${varK} of ${varN})`,
      theory: 'F2: ψ_T is stable on every observed stripe',
    });
  }
  if (applies > 0) {
    out.push({
      label: 'F3 checks that held',
      value: `${holds} of ${applies}`,
      theory: 'every one (a failure stops the run as a bug)',
    });
  }
  if (diverged > 0) out.push({ label: 'Trainings that diverged', value: String(diverged), theory: 'recorded outcomes, excluded from the statistics' });
  return out;
}
