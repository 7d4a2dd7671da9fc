/**
 * Chart 3 (SPEC §6): the dichotomy scatter. Each instability cell is a point at (validation
 * accuracy, robust accuracy at radius μ); the vertical bar spans the certified lower bound to the
 * attack upper bound of robust accuracy. Result I: fixed-architecture networks cannot reach the
 * accurate-and-stable corner once m − 1 > P(N); the construction ψ_T can. The caption names the
 * series that reach the corner in this run's own numbers, never by assumption.
 */
import { archLabel, hasData, instabilityCells, leftOutMeaning, round3, status } from './cells.js';
import { chartConfig, REFERENCE_COLOUR, seriesColourScale, VEGA_LITE_SCHEMA } from './style.js';
import type { Chart, ChartSpec, InstabilityCell, Summary } from './types.js';

/** The radius row closest to μ (the radius of F1/F3), if the cell measured any radius. */
export function rowAtMu(cell: InstabilityCell) {
  let best: InstabilityCell['radii'][number] | undefined;
  for (const row of cell.radii) if (best === undefined || Math.abs(row.radius - cell.mu) < Math.abs(best.radius - cell.mu)) best = row;
  return best;
}

/** Lower-left edge of the shaded accurate-and-stable corner, on both axes. */
export const CORNER = 0.9;

/**
 * What the dichotomy chart shows in this run, in words: which series (method, architecture) have
 * a cell in the shaded corner and which stay outside, with their best robust accuracy at μ.
 */
export function dichotomyFinding(summary: Summary): string {
  const by = new Map<string, { inCorner: number; cells: number; best: number }>();
  for (const cell of instabilityCells(summary)) {
    const at = rowAtMu(cell);
    if (!hasData(cell) || at === undefined) continue;
    const key = `${cell.method} (${archLabel(cell.arch)})`;
    const e = by.get(key) ?? { inCorner: 0, cells: 0, best: 0 };
    e.cells++;
    if (cell.accuracy.val.mean >= CORNER && at.robustAttack.mean >= CORNER) e.inCorner++;
    e.best = Math.max(e.best, at.robustAttack.mean);
    by.set(key, e);
  }
  if (by.size === 0) return 'No cell has finished trials yet.';
  const inside = [...by].filter(([, e]) => e.inCorner > 0);
  const outside = [...by].filter(([, e]) => e.inCorner === 0);
  const parts: string[] = [];
  parts.push(
    inside.length === 0
      ? 'In this run no cell reaches the shaded accurate-and-stable corner.'
      : `In the shaded accurate-and-stable corner: ${inside.map(([k, e]) => `${k}, ${e.inCorner} of ${e.cells} cells`).join('; ')}.`,
  );
  if (outside.length > 0) {
    parts.push(`Outside it: ${outside.map(([k, e]) => `${k}, robust accuracy at most ${round3(e.best)}`).join('; ')}.`);
  }
  return parts.join(' ');
}

/** Build chart 3 from an instability summary. */
export function dichotomyChart(summary: Summary): Chart {
  const rows: Record<string, unknown>[] = [];
  let missing = 0;
  for (const cell of instabilityCells(summary)) {
    const at = rowAtMu(cell);
    if (!hasData(cell) || at === undefined) {
      missing++;
      continue;
    }
    rows.push({
      kind: 'cell',
      method: cell.method,
      arch: archLabel(cell.arch),
      m: cell.m,
      mu: cell.mu,
      radius: at.radius,
      accuracy: cell.accuracy.val.mean,
      upper: at.robustAttack.mean,
      lower: at.robustCert.mean,
      trials: cell.trials,
      status: status(cell, summary),
    });
  }
  rows.push({ kind: 'corner', x: CORNER, x2: 1, y: CORNER, y2: 1, label: 'accurate and stable' });
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  const x = { field: 'accuracy', type: 'quantitative', title: 'validation accuracy (fraction of V)', scale: { domain: [0, 1] } };
  const colour = { field: 'method', type: 'nominal', title: 'method', scale: seriesColourScale(instabilityCells(summary).map((c) => c.method)) };
  const spec: ChartSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Accuracy against robust accuracy at radius μ',
    data: { values: rows },
    width: 420,
    height: 320,
    layer: [
      {
        name: 'corner',
        transform: only('corner'),
        mark: { type: 'rect', fill: REFERENCE_COLOUR, opacity: 0.12, stroke: REFERENCE_COLOUR, strokeDash: [4, 2] },
        encoding: { x: { field: 'x', type: 'quantitative' }, x2: { field: 'x2' }, y: { field: 'y', type: 'quantitative' }, y2: { field: 'y2' } },
      },
      {
        name: 'cornerLabel',
        transform: only('corner'),
        mark: { type: 'text', align: 'right', baseline: 'top', dx: -2, dy: 3, fontSize: 10, color: REFERENCE_COLOUR },
        encoding: { x: { field: 'x2', type: 'quantitative' }, y: { field: 'y2', type: 'quantitative' }, text: { field: 'label' } },
      },
      {
        name: 'intervals',
        transform: only('cell'),
        mark: { type: 'rule', strokeWidth: 2, opacity: 0.6 },
        encoding: { x, y: { field: 'lower', type: 'quantitative' }, y2: { field: 'upper' }, color: colour },
      },
      {
        name: 'points',
        transform: only('cell'),
        mark: { type: 'point', size: 60, strokeWidth: 1.5, filled: true },
        encoding: {
          x,
          y: {
            field: 'upper',
            type: 'quantitative',
            title: 'robust accuracy at radius μ',
            scale: { domain: [0, 1] },
          },
          color: colour,
          shape: { field: 'arch', type: 'nominal', title: 'architecture' },
          opacity: { condition: { test: "datum.status === 'left out'", value: 0.45 }, value: 1 },
          tooltip: [
            { field: 'method' },
            { field: 'arch', title: 'architecture' },
            { field: 'm', title: 'stripes m' },
            { field: 'radius', format: '.3g' },
            { field: 'accuracy', format: '.3f' },
            { field: 'lower', format: '.3f', title: 'certified robust accuracy' },
            { field: 'upper', format: '.3f', title: 'attacked robust accuracy' },
            { field: 'trials' },
            { field: 'status' },
          ],
        },
      },
    ],
    config: chartConfig(),
  };
  return {
    id: 'dichotomy',
    title: 'The dichotomy: accurate or stable',
    caption: `One point per cell (method, architecture, stripes m): x is the mean accuracy on the validation set, y the robust accuracy at radius μ found by attacks, with a bar down to the certified robust accuracy. Theory: once m − 1 > P(N), a fixed architecture lands left (inaccurate) or low (unstable). ${dichotomyFinding(summary)}${rows.some((r) => r.status === 'left out') ? ` Faded points are ${leftOutMeaning(summary)}.` : ''}`,
    missing,
    spec,
  };
}
