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

/**
 * The one owner of series colours: every chart of every report colours an algorithm or a method
 * by its NAME, never by its order of appearance, so `gd` is the same blue in every chart of every
 * report whatever else the run has. Built-in algorithms and instability methods have fixed
 * colours (Okabe–Ito first, then Paul Tol's muted colours for the rarer algorithms); any other
 * name (a plugin) gets one of `EXTRA_COLOURS` chosen by a hash of the name, so it too is stable.
 */
export const SERIES_COLOURS: Readonly<Record<string, string>> = Object.freeze({
  // Noncomputability algorithms (core-wasm BUILT_IN_ALGORITHMS).
  gd: OKABE_ITO[0],
  adam: OKABE_ITO[1],
  coin: OKABE_ITO[2],
  hedge: OKABE_ITO[3],
  'exact-read': OKABE_ITO[5],
  escalate: OKABE_ITO[4],
  sgd: '#332288',
  restarts: '#882255',
  anneal: '#999933',
  // Instability methods (core-wasm INSTABILITY_METHODS).
  train: OKABE_ITO[0],
  'adversarial-train': OKABE_ITO[4],
  'train-variable': OKABE_ITO[1],
  'construct-stable': OKABE_ITO[2],
  shortcut: OKABE_ITO[3],
});

/** Colours for names without a fixed colour (plugins), picked by a hash of the name. */
export const EXTRA_COLOURS = ['#44AA99', '#AA4499', '#117733', '#DDCC77', '#88CCEE', '#661100', '#6699CC', '#888888'] as const;

/** The colour of an algorithm or method, the same in every chart and every report. */
export function seriesColour(name: string): string {
  const fixed = SERIES_COLOURS[name];
  if (fixed !== undefined) return fixed;
  // FNV-1a over UTF-16 code units: a stable, dependency-free hash.
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return EXTRA_COLOURS[h % EXTRA_COLOURS.length]!;
}

/**
 * The Vega-Lite colour scale for a set of algorithm or method names: each name mapped to
 * `seriesColour(name)`, in the given (legend) order.
 */
export function seriesColourScale(names: Iterable<string>): { domain: string[]; range: string[] } {
  const domain = [...new Set(names)];
  return { domain, range: domain.map(seriesColour) };
}

/**
 * Colours of the two bounds on a robustness radius (the radius charts of instability and analyse
 * runs): the attack's upper bound and the certified lower bound, with the word a caption uses for
 * each. Neither is a series colour (`OKABE_ITO`, `SERIES_COLOURS`, `EXTRA_COLOURS`), so within a
 * report a colour never means both a method (or algorithm, or plugin) and a bound.
 */
export const BOUND_COLOURS = Object.freeze({
  attack: Object.freeze({ hex: '#CC3311', name: 'red' }),
  certified: Object.freeze({ hex: '#225555', name: 'dark teal' }),
});

/** The Vega-Lite colour scale of a radius chart's two bounds, given the labels its data uses. */
export function boundColourScale(attackLabel: string, certifiedLabel: string): { domain: string[]; range: string[] } {
  return { domain: [attackLabel, certifiedLabel], range: [BOUND_COLOURS.attack.hex, BOUND_COLOURS.certified.hex] };
}

/**
 * Colours of the two classes of the stripes problem (the decision-boundary chart and the explorer):
 * `hex` fills the data points of the class, `region` (RGB) tints the part of the plane a classifier
 * gives that label, so a point whose fill and background disagree is misclassified. From Paul Tol's
 * medium-contrast scheme, built for colour-blind readers: points dark blue #004488 and dark yellow
 * #997700, regions 40 % tints of its light blue #6699CC and light yellow #EECC66. Neither point
 * colour is a series or bound colour (`OKABE_ITO`, `SERIES_COLOURS`, `EXTRA_COLOURS`,
 * `BOUND_COLOURS`), so a class never shares its colour with `train` or anything else in a report
 * (CIEDE2000 ≥ 14 to every one of them, and ≥ 48 between the two classes also under simulated
 * deuteranopia, protanopia and tritanopia). `name` is the background's word in captions,
 * `pointName` the points'.
 */
export const CLASS_COLOURS = Object.freeze([
  Object.freeze({ label: 0, hex: '#004488', pointName: 'dark blue', region: Object.freeze([194, 214, 235] as const), name: 'blue' }),
  Object.freeze({ label: 1, hex: '#997700', pointName: 'dark yellow', region: Object.freeze([248, 235, 194] as const), name: 'yellow' }),
] as const);

/** The Vega-Lite colour scale of the two classes, given the labels its data uses (class 0 first). */
export function classColourScale(class0: string, class1: string): { domain: string[]; range: string[] } {
  return { domain: [class0, class1], range: [CLASS_COLOURS[0].hex, CLASS_COLOURS[1].hex] };
}

/**
 * Colour of reference lines and regions (1/2, ε_B, m − 1 = P(N), the accurate-and-stable corner):
 * neutral so they never read as a series.
 */
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
