/**
 * Vega-Lite → Vega → SVG in Node, without a canvas: vega's headless `View.toSVG`
 * measures text with its own estimate (`vega-render.ts`), here with the runtime `vega-runtime.ts`
 * loads once (the prebuilt bundle when it exists).
 */
import type * as vega from 'vega';
import type { ChartSpec } from '../charts/types.js';
import { compileWith, renderSvgWith } from './vega-render.js';
import { loadVegaRuntime, type VegaRuntime } from './vega-runtime.js';

export { ChartError } from './vega-render.js';

/** vega and vega-lite, loaded once. */
const runtime: VegaRuntime = await loadVegaRuntime();

/** Compile a Vega-Lite spec to a Vega spec (throws `ChartError` with Vega-Lite's reason). */
export function compileChart(spec: ChartSpec): vega.Spec {
  return compileWith(runtime, spec);
}

/** Render a Vega-Lite spec to an SVG document string. */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  return renderSvgWith(runtime, spec);
}
