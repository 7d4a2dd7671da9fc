/**
 * Chart 6 (SPEC §6): decision-boundary images on the (x_1, x_2) plane, one panel per classifier
 * (the true f, a trained fixed network, ψ_T, …). The background of each panel is a raster of the
 * classifier's output evaluated on a grid (by core-wasm, see `boundary/trial.ts`); on top are the
 * data points by class and the adversarial examples found against that classifier, each joined to
 * the data point it came from.
 */
import { encodePng, pngDataUrl } from '../boundary/png.js';
import { colourRegions, type PlaneGrid } from '../boundary/grid.js';
import { CLASS_COLOURS, chartConfig, classColourScale, REFERENCE_COLOUR, VEGA_LITE_SCHEMA } from './style.js';
import type { Chart, ChartSpec } from './types.js';

/** A data point of T ∪ V projected on the plane. */
export interface BoundaryPoint {
  x1: number;
  x2: number;
  label: 0 | 1;
  /** Which sample it belongs to (default `train`). */
  set?: 'train' | 'validation';
}

/** An adversarial example: where an attack moved a data point to (and where from). */
export interface AdversarialPoint {
  x1: number;
  x2: number;
  from?: { x1: number; x2: number };
}

/** One classifier to draw. */
export interface BoundaryPanel {
  /** Panel title, e.g. `true f`, `trained 2-8-1`, `ψ_T (width 6)`. */
  title: string;
  /** Outputs on `scene.grid` in `gridInputs` layout (row-major from the top). */
  values: ArrayLike<number>;
  /** Adversarial examples found against this classifier. */
  adversarial?: AdversarialPoint[];
}

/** Everything chart 6 draws. */
export interface BoundaryScene {
  grid: PlaneGrid;
  points: BoundaryPoint[];
  panels: BoundaryPanel[];
  /** Stripes m: draws the true stripe boundaries x_1 = j/m as faint lines when given. */
  m?: number;
  /** A sentence appended to the caption (which trial, which parameters). */
  note?: string;
  /** Panel size in pixels (default 300 × 220). */
  width?: number;
  height?: number;
}

/** Adversarial examples per panel, in words (what the crosses of this scene show). */
export function boundaryFinding(scene: BoundaryScene): string {
  const counted = scene.panels.filter((p) => p.adversarial !== undefined);
  if (counted.length === 0) return '';
  return `Adversarial examples found: ${counted.map((p) => `${p.adversarial!.length === 0 ? 'none' : p.adversarial!.length} against ${p.title}`).join(', ')}.`;
}

/** Build chart 6. Node only (the raster is PNG-encoded with node:zlib). */
export function decisionBoundaryChart(scene: BoundaryScene): Chart {
  const { grid, points } = scene;
  if (scene.panels.length === 0) throw new RangeError('decisionBoundaryChart: scene.panels is empty; give at least one classifier');
  const [a1, b1] = grid.extent.x1;
  const [a2, b2] = grid.extent.x2;
  const x = { field: 'x1', type: 'quantitative', title: 'x₁ (decides the class)', scale: { domain: [a1, b1], nice: false } };
  const y = { field: 'x2', type: 'quantitative', title: 'x₂ (hidden gap ±μ)', scale: { domain: [a2, b2], nice: false } };
  const pointRows = points.map((p) => ({ ...p, cls: `class ${p.label}`, set: p.set ?? 'train' }));
  const stripeRows =
    scene.m !== undefined ? Array.from({ length: scene.m - 1 }, (_, j) => ({ x1: (j + 1) / scene.m! })).filter((r) => r.x1 > a1 && r.x1 < b1) : [];
  const panels = scene.panels.map((panel, index) => {
    const rgba = colourRegions(panel.values, grid.nx, grid.ny);
    const url = pngDataUrl(encodePng(new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength), grid.nx, grid.ny));
    const adversarial = panel.adversarial ?? [];
    const moves = adversarial.filter((a) => a.from).map((a) => ({ x1: a.from!.x1, x2: a.from!.x2, x1e: a.x1, x2e: a.x2 }));
    return {
      title: panel.title,
      width: scene.width ?? 300,
      height: scene.height ?? 220,
      layer: [
        {
          name: `raster${index}`,
          data: { values: [{ x1: a1, x1e: b1, x2: a2, x2e: b2, url }] },
          // aria off: the default aria label would repeat the whole base64 image in the SVG.
          mark: { type: 'image', aspect: false, aria: false },
          encoding: { x, x2: { field: 'x1e' }, y, y2: { field: 'x2e' }, url: { field: 'url', type: 'nominal' } },
        },
        {
          name: `stripes${index}`,
          data: { values: stripeRows },
          mark: { type: 'rule', color: '#999999', strokeWidth: 0.7, strokeDash: [2, 3] },
          encoding: { x },
        },
        {
          name: `midline${index}`,
          data: { values: [{ x2: 0.5 }] },
          mark: { type: 'rule', color: REFERENCE_COLOUR, strokeWidth: 0.8, strokeDash: [5, 3] },
          encoding: { y },
        },
        {
          name: `moves${index}`,
          data: { values: moves },
          mark: { type: 'rule', color: '#000000', strokeWidth: 0.8 },
          encoding: { x, y, x2: { field: 'x1e' }, y2: { field: 'x2e' } },
        },
        {
          name: `points${index}`,
          data: { values: pointRows },
          mark: { type: 'point', size: 28, strokeWidth: 1.2, filled: true, stroke: '#000000', strokeOpacity: 0.6 },
          encoding: {
            x,
            y,
            color: { field: 'cls', type: 'nominal', title: 'data point', scale: classColourScale('class 0', 'class 1') },
            shape: { field: 'set', type: 'nominal', title: 'sample', scale: { domain: ['train', 'validation'], range: ['circle', 'triangle-up'] } },
          },
        },
        {
          name: `adversarial${index}`,
          data: { values: adversarial.map((a) => ({ x1: a.x1, x2: a.x2, kind: 'adversarial example' })) },
          mark: { type: 'point', shape: 'cross', size: 50, filled: true, color: '#000000' },
          // A one-entry ordinal opacity scale only to give the crosses a legend entry.
          encoding: { x, y, opacity: { field: 'kind', type: 'ordinal', title: null, scale: { domain: ['adversarial example'], range: [1] } } },
        },
      ],
    };
  });
  const spec: ChartSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: 'Decision boundaries on the (x₁, x₂) plane',
    hconcat: panels,
    resolve: { scale: { color: 'shared', shape: 'shared' } },
    config: chartConfig(),
  };
  return {
    id: 'decision-boundary',
    title: 'Decision boundaries',
    caption: `${scene.note ? `${scene.note} ` : ''}Background: the label that each classifier’s output φ is within 1/2 of (${CLASS_COLOURS[0].name} 0, ${CLASS_COLOURS[1].name} 1, grey neither: wrong whatever the true class), dark lines where that changes; faint dotted lines are the true stripe boundaries and the dashed line the mid-line x₂ = 1/2. Dots are data points by true class, ${CLASS_COLOURS[0].pointName} class 0 and ${CLASS_COLOURS[1].pointName} class 1; crosses the adversarial examples found, joined to their starting points. ${boundaryFinding(scene)}`,
    missing: 0,
    spec,
  };
}
