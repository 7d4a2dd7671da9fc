/**
 * The parts of vega and vega-lite the chart renderer uses (`render/svg.ts`), in one module. It is
 * the entry point of the single-file bundle `dist/vendor/vega.js` that `pnpm build` makes with
 * esbuild (`scripts/bundle-vega.mjs`), and the renderer's fallback when that bundle is absent.
 * Same code either way: the bundle only saves Node from resolving and linking the ~300 ES modules
 * of vega's packages and d3 on every run (≈ 0.3 CPU-s per `paradox run`).
 */
export { loader, logger, parse, View, Warn } from 'vega';
export { compile } from 'vega-lite';
