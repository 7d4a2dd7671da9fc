/**
 * Loads the vega runtime for the chart renderer: the prebuilt single-file bundle
 * `dist/vendor/vega.js` (made from `vega-entry.ts` by `scripts/bundle-vega.mjs` at build time)
 * when it exists, else `vega-entry.ts` itself, which imports the vega and vega-lite packages.
 * Both run the same code, so a chart renders to the same bytes whichever is loaded.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What the renderer uses from vega and vega-lite (`vega-entry.ts`). */
export type VegaRuntime = typeof import('./vega-entry.js');

/**
 * The bundle, relative to this module: `src/render/` and `dist/render/` are both two levels under
 * the package root, so the source (under vitest) and the build load the same file.
 */
export const VEGA_BUNDLE = new URL('../../dist/vendor/vega.js', import.meta.url);

/** Which runtime `loadVegaRuntime` loads: the bundle when it has been built, else the packages. */
export function vegaRuntimeSource(): 'bundle' | 'packages' {
  return existsSync(fileURLToPath(VEGA_BUNDLE)) ? 'bundle' : 'packages';
}

/** Imports the runtime `vegaRuntimeSource()` names. */
export async function loadVegaRuntime(source = vegaRuntimeSource()): Promise<VegaRuntime> {
  if (source === 'bundle') return (await import(/* @vite-ignore */ VEGA_BUNDLE.href)) as VegaRuntime;
  return import('./vega-entry.js');
}
