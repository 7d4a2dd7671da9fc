/**
 * Chart 3 (SPEC §6): the dichotomy scatter. Each instability cell is a point at (validation
 * accuracy, robust accuracy at radius μ); the vertical bar spans the certified lower bound to the
 * attack upper bound of robust accuracy. Result I: fixed-architecture methods never reach the
 * accurate-and-stable corner (1, 1) once m − 1 > P(N); variable-width networks (ψ_T,
 * train-variable) do.
 */
import { archLabel, hasData, instabilityCells, status } from './cells.js';
import { chartConfig, REFERENCE_COLOUR, VEGA_LITE_SCHEMA } from './style.js';
import type { Chart, ChartSpec, InstabilityCell, Summary } from './types.js';

/** The radius row closest to μ (the radius of F1/F3), if the cell measured any radius. */
export function rowAtMu(cell: InstabilityCell) {
  let best: InstabilityCell['radii'][number] | undefined;
  for (const row of cell.radii) if (best === undefined || Math.abs(row.radius - cell.mu) < Math.abs(best.radius - cell.mu)) best = row;
  return best;
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
      status: status(cell),
    });
  }
  rows.push({ kind: 'corner', x: 0.9, x2: 1, y: 0.9, y2: 1, label: 'accurate and stable' });
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  const x = { field: 'accuracy', type: 'quantitative', title: 'validation accuracy (fraction of V)', scale: { domain: [0, 1] } };
  const colour = { field: 'method', type: 'nominal', title: 'method' };
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
        mark: { type: 'rect', fill: '#009E73', opacity: 0.12, stroke: REFERENCE_COLOUR, strokeDash: [4, 2] },
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
          opacity: { condition: { test: "datum.status === 'partial'", value: 0.45 }, value: 1 },
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
    caption:
      'One point per cell (method, architecture, stripes m): x is the mean accuracy on the validation set, y the robust accuracy at radius μ found by attacks, with a bar down to the certified robust accuracy. Fixed-architecture training lands either left (inaccurate) or low (unstable); only variable-width networks reach the shaded accurate-and-stable corner. Faded points are unfinished cells.',
    missing,
    spec,
  };
}
