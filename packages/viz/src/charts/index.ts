/**
 * The charts a summary supports: 1–2 for a noncomputability run, 3–5 for an instability run.
 * (Chart 6, decision boundaries, needs a trial's networks, not a summary: see `boundary/`.)
 */
import { analyseRadiusChart, robustAccuracyChart } from './analyse.js';
import { dichotomyChart } from './dichotomy.js';
import { phaseDiagramChart } from './phase-diagram.js';
import { radiusDistributionsChart } from './radius-distributions.js';
import { successVsEpsilonChart } from './success-vs-epsilon.js';
import type { Chart, Summary } from './types.js';
import { unstableVsStripesChart } from './unstable-vs-stripes.js';

/** Every summary chart that applies to the run's experiment, in report order. */
export function summaryCharts(summary: Summary): Chart[] {
  if (summary.run.experiment === 'noncomputability') return [successVsEpsilonChart(summary), phaseDiagramChart(summary)];
  if (summary.run.experiment === 'analyse') return [robustAccuracyChart(summary), analyseRadiusChart(summary)];
  // A verify run is a list of instances: its report is the headline sentence and the cell table.
  if (summary.run.experiment === 'verify') return [];
  return [dichotomyChart(summary), unstableVsStripesChart(summary), radiusDistributionsChart(summary)];
}

export { analyseCells, analyseLabel, analyseRadiusChart, radiusFindingAnalyse, robustAccuracyChart, robustAccuracyFinding } from './analyse.js';
export { dichotomyChart, rowAtMu } from './dichotomy.js';
export { phaseDiagramChart, type PhaseDiagramOptions } from './phase-diagram.js';
export { radiusDistributionsChart, type RadiusDistributionsOptions } from './radius-distributions.js';
export { successVsEpsilonChart, type SuccessMeasure, type SuccessVsEpsilonOptions } from './success-vs-epsilon.js';
export { unstableVsStripesChart } from './unstable-vs-stripes.js';
export {
  decisionBoundaryChart,
  type AdversarialPoint,
  type BoundaryPanel,
  type BoundaryPoint,
  type BoundaryScene,
} from './decision-boundary.js';
export { BOUND_COLOURS, boundColourScale, CLASS_COLOURS, classColourScale, OKABE_ITO, CHART_FONT, chartConfig, seriesColour, seriesColourScale, SERIES_COLOURS } from './style.js';
export type { Chart, ChartId, ChartSpec } from './types.js';
