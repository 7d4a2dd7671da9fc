/**
 * What a chart builder returns: a Vega-Lite specification kept as plain JSON (users can save,
 * edit and re-render it) plus the words the report prints around it.
 */
import type { CellSummary, InstabilityCell, Moments, NoncomputabilityCell, Summary } from '@paradox/orchestrator/summary';

export type { CellSummary, InstabilityCell, Moments, NoncomputabilityCell, Summary };

/**
 * A Vega-Lite top-level specification as plain JSON. Typed loosely on purpose: the specs are data
 * that users edit by hand, and `renderSvg` validates them by compiling.
 */
export type ChartSpec = { $schema: string } & Record<string, unknown>;

/** Stable identifiers of the six charts of SPEC §6. */
export type ChartId =
  | 'success-vs-epsilon'
  | 'phase-diagram'
  | 'dichotomy'
  | 'unstable-vs-stripes'
  | 'radius-distributions'
  | 'decision-boundary'
  | 'analyse-robust-accuracy'
  | 'analyse-radii';

/** A chart with its report text. */
export interface Chart {
  id: ChartId;
  /** Short title (also the spec's title). */
  title: string;
  /** One or two sentences telling the reader what to look for. */
  caption: string;
  /** Cells the chart could not draw because they have no finished trials yet. */
  missing: number;
  spec: ChartSpec;
}
