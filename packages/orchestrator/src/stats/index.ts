/**
 * `@paradox/orchestrator/stats`: the intervals every summary reports (Clopper–Pearson, Wilson,
 * Hoeffding, the confidence sequence) and the interval of a min or sum of two proportions, for
 * anyone who recomputes or checks a number of a summary.
 */
export { clopperPearson, hoeffding, minInterval, sumInterval, wilson, type Interval } from './intervals.js';
export { confidenceSequence, sprtDecision, type SprtDecision } from './sequential.js';
