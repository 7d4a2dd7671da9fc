/**
 * Chart 5 (SPEC §6): distributions of per-trial median robustness radii per method, the attack
 * upper bound beside the certified lower bound. Each box spans the quartiles over trials, the
 * whisker min to max, the tick the median; a black tick marks the hidden gap μ, the radius at
 * which the shortcut network σ breaks.
 */
import { distinct, hasData, instabilityCells, seriesLabel, sortedDistinct, status } from './cells.js';
import { boundBoxLayers } from './bound-boxes.js';
import { BOUND_COLOURS, chartConfig, VEGA_LITE_SCHEMA } from './style.js';
import type { Chart, ChartSpec, Moments, Summary } from './types.js';

const BOUNDS = ['attack (upper bound)', 'certified (lower bound)'] as const;

/** Options for `radiusDistributionsChart`. */
export interface RadiusDistributionsOptions {
  /** Panels per row (default 6). */
  columns?: number;
}

/**
 * What chart 5 shows in this run: per series, in how many cells the typical (median) attacked
 * radius is at most μ, and in how many the typical certified radius exceeds μ.
 */
export function radiusFinding(summary: Summary): string {
  const by = new Map<string, { cells: number; attackedBelow: number; certifiedAbove: number }>();
  for (const cell of instabilityCells(summary)) {
    if (!hasData(cell)) continue;
    const key = seriesLabel(cell);
    const e = by.get(key) ?? { cells: 0, attackedBelow: 0, certifiedAbove: 0 };
    e.cells++;
    if (cell.radius.attackMedian.median <= cell.mu) e.attackedBelow++;
    if (cell.radius.certMedian.median > cell.mu) e.certifiedAbove++;
    by.set(key, e);
  }
  if (by.size === 0) return 'No cell has finished trials yet.';
  return `In this run, cells whose typical attacked radius is at most μ / whose typical certified radius exceeds μ: ${[...by]
    .map(([k, e]) => `${k} ${e.attackedBelow} / ${e.certifiedAbove} of ${e.cells}`)
    .join('; ')}.`;
}

/** Build chart 5 from an instability summary. */
export function radiusDistributionsChart(summary: Summary, options: RadiusDistributionsOptions = {}): Chart {
  const rows: Record<string, unknown>[] = [];
  let missing = 0;
  const groups: string[] = [];
  const cells = instabilityCells(summary);
  // Facet headers break at '|': method, architecture, m on three short lines.
  const group = (series: string, m: number) => `${series.replace(' (', '|(')}|m = ${m}`;
  const present = new Set(cells.map((c) => group(seriesLabel(c), c.m)));
  // Cells absent from a partial run's summary: every (series, m) of the sweep's grid that has no
  // entry, so they show as "missing" panels rather than disappearing.
  const absent: string[] = [];
  if (cells.length < summary.run.cellsTotal) {
    for (const series of distinct(cells.map(seriesLabel))) {
      for (const m of sortedDistinct(cells.map((c) => c.m))) if (!present.has(group(series, m))) absent.push(group(series, m));
    }
  }
  for (const cell of cells) {
    const g = group(seriesLabel(cell), cell.m);
    if (!groups.includes(g)) groups.push(g);
    if (!hasData(cell)) {
      missing++;
      rows.push({ kind: 'missing', group: g, label: 'missing' });
      continue;
    }
    const add = (bound: string, d: Moments) =>
      rows.push({ kind: 'box', group: g, bound, min: d.min, q25: d.q25, median: d.median, q75: d.q75, max: d.max, trials: d.n, status: status(cell, summary) });
    add(BOUNDS[0], cell.radius.attackMedian);
    add(BOUNDS[1], cell.radius.certMedian);
    rows.push({ kind: 'mu', group: g, mu: cell.mu });
  }
  for (const g of absent) {
    missing++;
    groups.push(g);
    rows.push({ kind: 'missing', group: g, label: 'missing' });
  }
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  const spec: ChartSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Robustness radii: attacked and certified',
    data: { values: rows },
    facet: { field: 'group', type: 'nominal', title: 'method (architecture), stripes m', sort: groups, header: { labelLimit: 0, labelFontSize: 10, labelExpr: "split(datum.label, '|')" } },
    columns: options.columns ?? 6,
    spec: {
      width: 100,
      height: 200,
      layer: [
        {
          name: 'mu',
          transform: only('mu'),
          mark: { type: 'rule', color: 'black', strokeDash: [4, 3] },
          encoding: { y: { field: 'mu', type: 'quantitative' } },
        },
        ...boundBoxLayers({
          bounds: BOUNDS,
          legendTitle: 'per-trial median radius',
          yTitle: 'radius (ℓ∞, input units)',
          transform: only('box'),
          tooltip: [
            { field: 'group' },
            { field: 'bound' },
            { field: 'min', format: '.3g' },
            { field: 'q25', format: '.3g' },
            { field: 'median', format: '.3g' },
            { field: 'q75', format: '.3g' },
            { field: 'max', format: '.3g' },
            { field: 'trials' },
            { field: 'status' },
          ],
        }),
        {
          name: 'missing',
          transform: only('missing'),
          mark: { type: 'text', color: '#777777', fontSize: 11 },
          encoding: { text: { field: 'label' }, x: { value: 60 }, y: { value: 100 } },
        },
      ],
    },
    config: chartConfig(),
  };
  return {
    id: 'radius-distributions',
    title: 'Robustness radii per method',
    caption: `For each method and stripe count: the distribution over trials of the median per-point robustness radius, as found by attacks (upper bound, ${BOUND_COLOURS.attack.name}) and as certified (lower bound, ${BOUND_COLOURS.certified.name}); the true radius lies between them. The dashed line is the hidden gap μ, the radius at which σ breaks. ${radiusFinding(summary)}`,
    missing,
    spec,
  };
}
