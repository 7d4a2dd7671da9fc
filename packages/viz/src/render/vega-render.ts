/**
 * Vega-Lite → Vega → SVG with a given vega runtime (`vega-runtime.ts`), without a canvas: vega's
 * headless `View.toSVG` measures text with its own estimate. `svg.ts` binds these to the runtime
 * it loads; the build (the code cache of the bundle) and the tests call them with others.
 */
import type * as vega from 'vega';
import type * as vl from 'vega-lite';
import type { ChartSpec } from '../charts/types.js';
import type { VegaRuntime } from './vega-runtime.js';

/** A chart spec that does not compile or render; `message` names the chart and the cause. */
export class ChartError extends Error {
  override readonly name = 'ChartError';
}

/** Compile a Vega-Lite spec to a Vega spec with runtime `v` (throws `ChartError` with Vega-Lite's reason). */
export function compileWith(v: VegaRuntime, spec: ChartSpec): vega.Spec {
  // Vega-Lite logs warnings to the console; a library must not write to its user's terminal.
  const logger = v.logger(v.Warn);
  logger.warn = () => logger;
  try {
    return v.compile(spec as unknown as vl.TopLevelSpec, { logger }).spec;
  } catch (e) {
    throw new ChartError(`chart ${describe(spec)} is not a valid Vega-Lite spec: ${(e as Error).message}`, { cause: e });
  }
}

/** Render a Vega-Lite spec to an SVG document string with runtime `v`. */
export async function renderSvgWith(v: VegaRuntime, spec: ChartSpec): Promise<string> {
  const compiled = compileWith(v, spec);
  const warnings: string[] = [];
  const logger = v.logger(v.Warn);
  // Vega prints warnings to the console by default; collect them instead so a chart never writes
  // to a user's terminal, and surface them in errors when rendering fails.
  logger.warn = (...args: readonly unknown[]) => {
    warnings.push(args.map(String).join(' '));
    return logger;
  };
  // Data URLs inside specs (decision-boundary rasters) are the only loads charts need; refuse any
  // other URL so that rendering a user-edited spec never reaches the network or the disk.
  const loader = v.loader({ mode: 'http' });
  const sanitize = loader.sanitize.bind(loader);
  loader.sanitize = async (uri: string, options: Parameters<typeof sanitize>[1]) => {
    if (!uri.startsWith('data:')) throw new ChartError(`chart ${describe(spec)}: refusing to load ${JSON.stringify(uri)}; charts may only embed data: URLs`);
    return sanitize(uri, options);
  };
  const view = new v.View(v.parse(compiled), { renderer: 'none', logger, loader });
  try {
    return await view.toSVG();
  } catch (e) {
    const tail = warnings.length ? ` (vega warnings: ${warnings.join('; ')})` : '';
    throw new ChartError(`chart ${describe(spec)} failed to render: ${(e as Error).message}${tail}`, { cause: e });
  } finally {
    view.finalize();
  }
}

function describe(spec: ChartSpec): string {
  const t = spec['title'];
  return typeof t === 'string' ? JSON.stringify(t) : '(untitled)';
}
