/**
 * Shared look of every chart: the Okabe–Ito palette (distinguishable under the common forms of
 * colour blindness), one font that the PNG renderer can also find, and the Vega-Lite config.
 */

/** Okabe–Ito colours in the order charts use them for categories. */
export const OKABE_ITO = [
  '#0072B2', // blue
  '#E69F00', // orange
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#56B4E9', // sky blue
  '#D55E00', // vermillion
  '#F0E442', // yellow (last: weak contrast on white)
  '#000000',
] as const;

/** Colour of reference lines (1/2, ε_B, m − 1 = P(N)): neutral so they never read as a series. */
export const REFERENCE_COLOUR = '#555555';

/** Fill of a cell that has no data yet (partial runs). */
export const MISSING_FILL = '#d9d9d9';

/** The font family charts ask for; `renderPng` loads a file of this family. */
export const CHART_FONT = 'DejaVu Sans';

/** The `$schema` every spec carries, so editors validate it. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Vega-Lite `config` shared by all charts. */
export function chartConfig(): Record<string, unknown> {
  return {
    font: CHART_FONT,
    range: { category: [...OKABE_ITO] },
    axis: { titleFontSize: 12, labelFontSize: 11, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
    legend: { titleFontSize: 12, labelFontSize: 11, titleFontWeight: 'normal', labelLimit: 320, titleLimit: 320 },
    header: { titleFontSize: 12, labelFontSize: 12, titleFontWeight: 'normal' },
    title: { fontSize: 14, anchor: 'start', fontWeight: 'bold' },
    view: { stroke: '#cccccc' },
    background: 'white',
  };
}
