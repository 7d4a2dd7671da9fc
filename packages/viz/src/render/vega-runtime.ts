/**
 * Loads the vega runtime for the chart renderer. `pnpm build` bundles `vega-entry.ts` (with all of
 * vega and vega-lite it needs) into one CommonJS file, `dist/vendor/vega.cjs`, and stores V8's code
 * cache for it, taken after rendering a sample chart (`scripts/bundle-vega.mjs`). Loading that
 * file with its cache skips resolving and linking ~300 ES modules and most of the parsing and
 * compiling of the code a chart runs. Without a build, the renderer imports `vega-entry.ts`, i.e.
 * the vega and vega-lite packages. Both run the same code (the bundle takes vega-canvas's
 * build without a canvas, which is what the packages do when the optional `canvas` package is not
 * installed), so a chart renders to the same bytes whichever is loaded.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** What the renderer uses from vega and vega-lite (`vega-entry.ts`). */
export type VegaRuntime = typeof import('./vega-entry.js');

// `src/render/` and `dist/render/` are both two levels under the package root, so the source
// (under vitest) and the build load the same files.
const root = new URL('../../', import.meta.url);

/** The bundle: one CommonJS file (made by `scripts/bundle-vega.mjs`). */
export const VEGA_BUNDLE = fileURLToPath(new URL('dist/vendor/vega.cjs', root));

/** V8's code cache for `VEGA_BUNDLE` (rejected by V8, harmlessly, if node or the file changed). */
export const VEGA_CODE_CACHE = `${VEGA_BUNDLE}.cache`;

/** Which runtime `loadVegaRuntime` loads: the bundle when it has been built, else the packages. */
export function vegaRuntimeSource(): 'bundle' | 'packages' {
  return existsSync(VEGA_BUNDLE) ? 'bundle' : 'packages';
}

/** A loaded bundle, its compiled script (for `createCachedData`) and what V8 did with the cache. */
export interface LoadedVegaBundle {
  runtime: VegaRuntime;
  script: Script;
  cache: 'accepted' | 'rejected' | 'none';
}

/**
 * Compiles and runs `VEGA_BUNDLE` as a CommonJS module in this context, with `cachedData` (V8's
 * code cache for this exact source) when given. The build calls it to make the cache.
 */
export function runVegaBundle(cachedData?: Buffer): LoadedVegaBundle {
  const source = readFileSync(VEGA_BUNDLE, 'utf8');
  // The CommonJS wrapper on the first line keeps the bundle's line numbers in stack traces.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: VEGA_BUNDLE,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as VegaRuntime };
  const init = script.runInThisContext() as (e: object, r: NodeRequire, m: object, f: string, d: string) => void;
  init(module.exports, createRequire(VEGA_BUNDLE), module, VEGA_BUNDLE, dirname(VEGA_BUNDLE));
  return { runtime: module.exports, script, cache: cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted' };
}

/** Loads the runtime `source` names (default: `vegaRuntimeSource()`). */
export async function loadVegaRuntime(source = vegaRuntimeSource()): Promise<VegaRuntime> {
  if (source === 'packages') return import('./vega-entry.js');
  return runVegaBundle(existsSync(VEGA_CODE_CACHE) ? readFileSync(VEGA_CODE_CACHE) : undefined).runtime;
}
