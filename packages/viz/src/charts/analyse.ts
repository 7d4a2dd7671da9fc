/**
 * Charts of an `analyse` run (a user's network on a user's data, one trial per point): the robust
 * accuracy curve (certified lower bound and attacked upper bound against the radius, per cell) and
 * the radius distributions (certified and attacked radii over the correctly classified points, per
 * cell). Every caption sentence is computed from the summary.
 */
import type { AnalyseCell } from '@paradox/orchestrator/summary';
import { status } from './cells.js';
import { boundBoxLayers } from './bound-boxes.js';
import { chartConfig, VEGA_LITE_SCHEMA } from './style.js';
import type { Chart, ChartSpec, Moments, Summary } from './types.js';

const BOUNDS = ['attacked (upper bound)', 'certified (lower bound)'] as const;

/** Analyse cells of a summary, in file order. */
export function analyseCells(summary: Summary): AnalyseCell[] {
  return summary.cells.filter((c): c is AnalyseCell => c.experiment === 'analyse');
}

/** A short label of an analyse cell: its axes (`norm l2, data d.csv`), or the network's file name. */
export function analyseLabel(cell: AnalyseCell): string {
  const base = (p: unknown) => (typeof p === 'string' ? p.split(/[\\/]/).pop() ?? p : String(p));
  const axes = Object.entries(cell.axes).map(([k, v]) => `${k} ${k === 'network' || k === 'data' || k === 'labels' ? base(v) : String(v)}`);
  return axes.length > 0 ? axes.join(', ') : base(cell.network);
}

function fmt(x: number): string {
  return Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : String(x);
}

/**
 * What the robust accuracy curve shows in this run: where the bracket [certified, attacked] is
 * widest, and any radius where the certified share exceeds the attacked one (impossible for sound
 * bounds: reported as a problem).
 */
export function robustAccuracyFinding(summary: Summary): string {
  const cells = analyseCells(summary).filter((c) => c.trials > 0 && c.radii.length > 0);
  if (cells.length === 0) return 'No cell has analysed points at a listed radius yet.';
  let widest: { cell: AnalyseCell; radius: number; cert: number; att: number } | null = null;
  const crossed: string[] = [];
  let closed = 0;
  let rows = 0;
  for (const c of cells) {
    for (const r of c.radii) {
      rows++;
      const gap = r.attacked.p - r.certified.p;
      if (gap < 0) crossed.push(`${analyseLabel(c)} at radius ${fmt(r.radius)} (certified ${fmt(r.certified.p)} > attacked ${fmt(r.attacked.p)})`);
      if (gap === 0) closed++;
      if (widest === null || gap > widest.att - widest.cert) widest = { cell: c, radius: r.radius, cert: r.certified.p, att: r.attacked.p };
    }
  }
  const w = widest!;
  const parts = [
    w.att > w.cert
      ? `The widest bracket is at radius ${fmt(w.radius)} in ${analyseLabel(w.cell)}: between ${fmt(w.cert)} certified and ${fmt(w.att)} not broken by any attack.`
      : 'At every radius the certified and attacked shares coincide: robust accuracy is known exactly there.',
  ];
  if (w.att > w.cert && closed > 0) parts.push(`At ${closed} of ${rows} (cell, radius) pairs the two bounds coincide.`);
  if (crossed.length > 0) parts.push(`Problem: the certified share exceeds the attacked one for ${crossed.join('; ')} — sound bounds cannot do that; please report it.`);
  return parts.join(' ');
}

/**
 * What the radius distributions show in this run: per cell, the median certified and attacked
 * radius over the correct points, and how many correct points no attack broke up to maxRadius.
 */
export function radiusFindingAnalyse(summary: Summary): string {
  const cells = analyseCells(summary).filter((c) => c.accuracy.k > 0);
  if (cells.length === 0) return 'No cell has a correctly classified point yet.';
  return cells
    .map((c) => {
      const unbroken = c.accuracy.k - c.attacked.n;
      const medians = `${analyseLabel(c)}: median certified ${fmt(c.certified.median)}, median attacked ${c.attacked.n > 0 ? fmt(c.attacked.median) : '— (no witness)'}`;
      const none = unbroken > 0 ? `; ${unbroken} of ${c.accuracy.k} correct points without a witness up to the largest radius searched (left out of the attacked box)` : '';
      return `${medians}${none}.`;
    })
    .join(' ');
}

/** The robust accuracy curve of an analyse run. */
export function robustAccuracyChart(summary: Summary): Chart {
  const rows: Record<string, unknown>[] = [];
  let missing = 0;
  for (const c of analyseCells(summary)) {
    if (c.trials === 0) {
      missing++;
      continue;
    }
    for (const r of c.radii) {
      rows.push({ cell: analyseLabel(c), bound: BOUNDS[0], radius: r.radius, p: r.attacked.p, lo: r.attacked.cp[0], hi: r.attacked.cp[1], points: c.trials, status: status(c, summary) });
      rows.push({ cell: analyseLabel(c), bound: BOUNDS[1], radius: r.radius, p: r.certified.p, lo: r.certified.cp[0], hi: r.certified.cp[1], points: c.trials, status: status(c, summary) });
    }
  }
  const norms = [...new Set(analyseCells(summary).map((c) => c.norm))];
  const spec: ChartSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Robust accuracy: certified (lower) and attacked (upper) bounds',
    data: { values: rows },
    width: 360,
    height: 220,
    encoding: {
      x: { field: 'radius', type: 'quantitative', title: `radius (${norms.length === 1 ? (norms[0] === 'l2' ? 'ℓ2' : 'ℓ∞') : 'ℓ∞ or ℓ2 by cell'})` },
      y: { field: 'p', type: 'quantitative', title: 'share of points', scale: { domain: [0, 1] } },
      color: { field: 'cell', type: 'nominal', title: 'cell' },
      strokeDash: { field: 'bound', type: 'nominal', title: 'bound', sort: [...BOUNDS] },
    },
    layer: [
      { mark: { type: 'line' } },
      {
        mark: { type: 'point', filled: true },
        encoding: {
          tooltip: [{ field: 'cell' }, { field: 'bound' }, { field: 'radius' }, { field: 'p', format: '.3g' }, { field: 'lo', format: '.3g' }, { field: 'hi', format: '.3g' }, { field: 'points' }, { field: 'status' }],
        },
      },
      { mark: { type: 'rule', opacity: 0.5 }, encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
    ],
    config: chartConfig(),
  };
  return {
    id: 'analyse-robust-accuracy',
    title: 'Robust accuracy',
    caption: `Share of points robust at each radius lies between the certified curve (IBP/CROWN with directed rounding) and the attacked curve (no sound witness found); bars are Clopper–Pearson intervals. ${robustAccuracyFinding(summary)}`,
    missing,
    spec,
  };
}

/** The radius distributions of an analyse run (box per cell and bound from the summary's quartiles). */
export function analyseRadiusChart(summary: Summary): Chart {
  const rows: Record<string, unknown>[] = [];
  let missing = 0;
  for (const c of analyseCells(summary)) {
    if (c.accuracy.k === 0) {
      missing++;
      continue;
    }
    const add = (bound: string, d: Moments) => {
      if (d.n > 0) rows.push({ cell: analyseLabel(c), bound, min: d.min, q25: d.q25, median: d.median, q75: d.q75, max: d.max, points: d.n });
    };
    add(BOUNDS[0], c.attacked);
    add(BOUNDS[1], c.certified);
  }
  const spec: ChartSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Robustness radii over the correctly classified points',
    data: { values: rows },
    facet: { field: 'cell', type: 'nominal', title: 'cell', header: { labelLimit: 0, labelFontSize: 10 } },
    columns: 4,
    spec: {
      width: 100,
      height: 200,
      layer: boundBoxLayers({
        bounds: BOUNDS,
        legendTitle: 'radius over correct points',
        yTitle: 'radius',
        tooltip: [{ field: 'cell' }, { field: 'bound' }, { field: 'min', format: '.3g' }, { field: 'q25', format: '.3g' }, { field: 'median', format: '.3g' }, { field: 'q75', format: '.3g' }, { field: 'max', format: '.3g' }, { field: 'points' }],
      }),
    },
    config: chartConfig(),
  };
  return {
    id: 'analyse-radii',
    title: 'Radius distributions',
    caption: `Each box spans the quartiles of the per-point radius over the correctly classified points, the whisker min to max, the tick the median; the true radius of each point lies between its certified and attacked radius. ${radiusFindingAnalyse(summary)}`,
    missing,
    spec,
  };
}
