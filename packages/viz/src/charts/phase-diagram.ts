/**
 * Chart 2 (SPEC §6): phase diagram of min(p̂⁺, p̂⁻) over (K, readBits), one panel per algorithm,
 * at one ε below the breakdown epsilon. Theory: where readBits ≤ K the adversarial oracle hands
 * both inputs of the pair the same data, so the value is at most 1/2; only reading more bits than
 * K can lift it. Grid positions the run has not reached are drawn grey and labelled "missing".
 */
import { distinct, hasData, leftOutMeaning, noncomputabilityCells, sortedDistinct, status } from './cells.js';
import { chartConfig, MISSING_FILL, VEGA_LITE_SCHEMA } from './style.js';
import { successFinding } from './success-vs-epsilon.js';
import type { Chart, ChartSpec, NoncomputabilityCell, Summary } from './types.js';

/** Options for `phaseDiagramChart`. */
export interface PhaseDiagramOptions {
  /**
   * The ε to show. Default: per cell, the largest ε of the sweep below ε_B (the hardest regime
   * where Result II applies); when a cell has none, its smallest ε.
   */
  eps?: number;
  /** Panels per row (default: one row of up to 5 algorithms). */
  columns?: number;
}

function pickRow(cell: NoncomputabilityCell, eps: number | undefined) {
  if (eps !== undefined) {
    let best = cell.eps[0];
    for (const row of cell.eps) if (best === undefined || Math.abs(row.eps - eps) < Math.abs(best.eps - eps)) best = row;
    return best;
  }
  const below = cell.eps.filter((r) => r.belowBreakdown);
  if (below.length > 0) return below.reduce((a, b) => (b.eps > a.eps ? b : a));
  return cell.eps.reduce<(typeof cell.eps)[number] | undefined>((a, b) => (a === undefined || b.eps < a.eps ? b : a), undefined);
}

/** Build chart 2 from a noncomputability summary. */
export function phaseDiagramChart(summary: Summary, options: PhaseDiagramOptions = {}): Chart {
  const cells = noncomputabilityCells(summary);
  const algorithms = distinct(cells.map((c) => c.algorithm));
  const Ks = sortedDistinct(cells.map((c) => c.K));
  const bits = sortedDistinct(cells.map((c) => c.readBits));
  const byKey = new Map(cells.map((c) => [`${c.algorithm}\u0000${c.K}\u0000${c.readBits}`, c]));
  const rows: Record<string, unknown>[] = [];
  let missing = 0;
  const epsShown = new Set<number>();
  for (const algorithm of algorithms) {
    for (const K of Ks) {
      for (const readBits of bits) {
        const cell = byKey.get(`${algorithm}\u0000${K}\u0000${readBits}`);
        const row = cell && hasData(cell) ? pickRow(cell, options.eps) : undefined;
        const base = { algorithm, K, readBits, capped: readBits <= K };
        // A grid position with no cell is only "missing" when the run says cells are absent;
        // in a complete run it is a combination the sweep never asked for (e.g. zipped axes).
        if (!cell && summary.cells.length >= summary.run.cellsTotal) continue;
        if (!cell || !row) {
          missing++;
          rows.push({ ...base, kind: 'missing', label: 'missing' });
          continue;
        }
        epsShown.add(row.eps);
        rows.push({
          ...base,
          kind: 'value',
          p: row.min.p,
          lo: row.min.ci[0],
          hi: row.min.ci[1],
          eps: row.eps,
          label: row.min.p.toFixed(2) + (status(cell, summary) === 'left out' ? '*' : ''),
          trials: cell.trials,
          status: status(cell, summary),
        });
      }
    }
  }
  const epsText = epsShown.size === 1 ? `ε = ${[...epsShown][0]}` : options.eps !== undefined ? `ε ≈ ${options.eps}` : 'the largest ε below ε_B';
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  const x = { field: 'readBits', type: 'ordinal', title: 'bits read n', sort: bits, axis: { labelAngle: 0 } };
  const y = { field: 'K', type: 'ordinal', title: 'pair level K', sort: [...Ks].reverse() };
  const spec: ChartSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: `Worst-case success min(p̂⁺, p̂⁻) at ${epsText}`,
    data: { values: rows },
    facet: { field: 'algorithm', type: 'nominal', title: 'algorithm', sort: algorithms },
    columns: options.columns ?? Math.min(Math.max(1, algorithms.length), 5),
    spec: {
      width: Math.max(120, 40 * bits.length),
      height: Math.max(90, 32 * Ks.length),
      encoding: { x, y },
      layer: [
        {
          name: 'cells',
          transform: only('value'),
          mark: { type: 'rect' },
          encoding: {
            color: {
              field: 'p',
              type: 'quantitative',
              title: 'min(p̂⁺, p̂⁻)',
              scale: { scheme: 'blueorange', domain: [0, 1], domainMid: 0.5 },
            },
            tooltip: [
              { field: 'algorithm' },
              { field: 'K' },
              { field: 'readBits' },
              { field: 'eps', title: 'ε' },
              { field: 'p', format: '.3f', title: 'min(p̂⁺, p̂⁻)' },
              { field: 'lo', format: '.3f', title: 'interval low' },
              { field: 'hi', format: '.3f', title: 'interval high' },
              { field: 'trials' },
              { field: 'status' },
            ],
          },
        },
        {
          name: 'missing',
          transform: only('missing'),
          mark: { type: 'rect', fill: MISSING_FILL },
        },
        {
          name: 'capped',
          transform: [{ filter: 'datum.capped' }],
          mark: { type: 'rect', fill: null, stroke: '#000000', strokeWidth: 1.5, strokeDash: [4, 2] },
        },
        {
          name: 'labels',
          mark: { type: 'text', fontSize: 10 },
          encoding: {
            text: { field: 'label' },
            color: { condition: { test: "datum.kind === 'value' && abs(datum.p - 0.5) > 0.3", value: 'white' }, value: 'black' },
          },
        },
      ],
    },
    config: chartConfig(),
  };
  return {
    id: 'phase-diagram',
    title: 'Phase diagram over precision',
    caption: `Rows: the hard-pair level K (the two inputs differ by 2^−K); columns: bits n read per data coordinate. Colour is min(p̂⁺, p̂⁻) at ${epsText}: blue below 1/2, orange above. Dashed outlines mark readBits ≤ K, where the oracle cannot tell the two inputs apart and Theorem H bounds every algorithm by 1/2 (below ε_B); only to the right of that frontier can an algorithm that reads enough bits succeed on both. ${successFinding(summary)}${missing > 0 ? ' Grey cells are missing from a partial run.' : ''}${rows.some((r) => r.status === 'left out') ? ` * marks ${leftOutMeaning(summary)}.` : ''}`,
    missing,
    spec,
  };
}
