/**
 * @paradox/viz — charts (Vega-Lite specs kept as data, rendered to SVG and PNG), decision-boundary
 * images, the self-contained `report.html`, and the browser explorer. See README.md.
 */
export * from './charts/index.js';
export { compileChart, renderSvg, ChartError } from './render/svg.js';
export { renderPng, svgToPng, svgToPngAsync, resolveFontFiles, DEFAULT_FONT_FILES, type PngOptions } from './render/png.js';
export { encodePng, pngDataUrl } from './boundary/png.js';
export {
  colourRegions,
  regionOf,
  gridInputs,
  stripesExtent,
  stripesLabel,
  stripesOnGrid,
  REGION_COLOURS,
  type PlaneExtent,
  type PlaneGrid,
} from './boundary/grid.js';
export { writeReport, type ReportOptions, type ReportResult } from './report/write.js';
export { findRunDirs, loadRun, loadRuns, readSummaryFile, ReportError, type LoadedRun } from './report/load.js';
export { headlines, type Headline } from './report/headline.js';
export { serveExplorer, startExplorer, explorerDir, type ServeExplorerOptions, type ExplorerServer } from './serve.js';
export { boundaryScene, boundaryTrial, type BoundaryTrial, type BoundaryTrialParams, type ClassifierView } from './boundary/trial.js';
