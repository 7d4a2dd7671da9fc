/**
 * SVG → PNG with resvg (a Rust SVG renderer, no browser, no canvas). resvg draws text only with a
 * font file it can read, so this module finds one and fails clearly when there is none.
 */
import { existsSync } from 'node:fs';
import { renderAsync, Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { CHART_FONT } from '../charts/style.js';
import type { ChartSpec } from '../charts/types.js';
import { ChartError, renderSvg } from './svg.js';

/** Options for `svgToPng` and `renderPng`. */
export interface PngOptions {
  /** Pixels per SVG unit (default 2: sharp on high-density screens and in print). */
  scale?: number;
  /**
   * TrueType/OpenType files to draw text with. Default: DejaVu Sans from the usual system
   * locations (Debian package `fonts-dejavu-core`).
   */
  fontFiles?: string[];
}

/** Where `fonts-dejavu-core` and common distributions put DejaVu Sans. */
export const DEFAULT_FONT_FILES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf',
  '/usr/local/share/fonts/DejaVuSans.ttf',
];

/** The font files that will be used, or a `ChartError` saying what to install. */
export function resolveFontFiles(fontFiles?: string[]): string[] {
  const candidates = fontFiles ?? DEFAULT_FONT_FILES;
  const found = candidates.filter((f) => existsSync(f));
  if (fontFiles && found.length !== fontFiles.length) {
    const absent = fontFiles.filter((f) => !found.includes(f));
    throw new ChartError(`PNG rendering: font file(s) not found: ${absent.join(', ')}`);
  }
  if (found.length === 0) {
    throw new ChartError(
      `PNG rendering needs a TrueType font and found none of ${candidates.join(', ')}; install the Debian package fonts-dejavu-core (apt-get install fonts-dejavu-core) or pass options.fontFiles`,
    );
  }
  return found.slice(0, 1);
}

/** resvg's options for `options` (checked): one definition for the sync and the async path. */
function resvgOptions(options: PngOptions): ResvgRenderOptions {
  const scale = options.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0 && scale <= 8)) {
    throw new ChartError(`PNG rendering: options.scale must be a number in (0, 8], got ${String(scale)}`);
  }
  return {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: false, fontFiles: resolveFontFiles(options.fontFiles), defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
  };
}

/** Rasterise an SVG document to PNG bytes. */
export function svgToPng(svg: string, options: PngOptions = {}): Uint8Array {
  return new Uint8Array(new Resvg(svg, resvgOptions(options)).render().asPng());
}

/**
 * `svgToPng` off this thread: resvg rasterises on libuv's thread pool, so the caller's thread can
 * build the next chart meanwhile (the report does). The same renderer and options: the same bytes.
 */
export async function svgToPngAsync(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  const image = await renderAsync(svg, resvgOptions(options));
  return new Uint8Array(image.asPng());
}

/** Render a Vega-Lite spec straight to PNG bytes. */
export async function renderPng(spec: ChartSpec, options: PngOptions = {}): Promise<Uint8Array> {
  return svgToPng(await renderSvg(spec), options);
}
