/**
 * The box plot both radius charts draw per facet (chart 5 of an instability run, the radius
 * distributions of an analyse run): for each of the two bounds — the attack's upper bound and the
 * certified lower bound — a whisker from min to max, a box from q25 to q75 and a black median
 * tick, coloured by the bound from the palette owner (`boundColourScale`).
 */
import { boundColourScale } from './style.js';

/** What differs between the two radius charts. */
export interface BoundBoxOptions {
  /** Labels of the bounds in the data's `bound` field: [attack (upper), certified (lower)]. */
  bounds: readonly [string, string];
  /** Title of the colour legend. */
  legendTitle: string;
  /** Title of the radius axis. */
  yTitle: string;
  /** Tooltip fields of a box. */
  tooltip: Record<string, unknown>[];
  /** Transforms each layer starts with (e.g. a filter to the box rows of a mixed data set). */
  transform?: Record<string, unknown>[];
}

/**
 * The Vega-Lite layers `whiskers`, `boxes` and `medians` over rows with `bound`, `min`, `q25`,
 * `median`, `q75` and `max`.
 */
export function boundBoxLayers(o: BoundBoxOptions): Record<string, unknown>[] {
  const x = { field: 'bound', type: 'nominal', title: null, sort: [...o.bounds], axis: { labels: false, ticks: false } };
  const colour = { field: 'bound', type: 'nominal', title: o.legendTitle, scale: boundColourScale(...o.bounds) };
  const t = o.transform ? { transform: o.transform } : {};
  return [
    {
      name: 'whiskers',
      ...t,
      mark: { type: 'rule' },
      encoding: { x, y: { field: 'min', type: 'quantitative', title: o.yTitle }, y2: { field: 'max' }, color: colour },
    },
    {
      name: 'boxes',
      ...t,
      mark: { type: 'bar', opacity: 0.6, width: { band: 0.5 } },
      encoding: { x, y: { field: 'q25', type: 'quantitative' }, y2: { field: 'q75' }, color: colour, tooltip: o.tooltip },
    },
    {
      name: 'medians',
      ...t,
      mark: { type: 'tick', thickness: 2, color: 'black', size: 22 },
      encoding: { x, y: { field: 'median', type: 'quantitative' } },
    },
  ];
}
