/**
 * `@paradox/orchestrator/summary`: the summary.json contract — its types, its one reader
 * (`readSummary` for a run directory, `parseSummary` for text already read), its headline numbers
 * and the terms they use — without the run machinery (workers, store, queues). The CLI, the report
 * and any other reader word these numbers; none recomputes them.
 */
export type * from './types.js';
export { parseSummary, readSummary } from './read.js';
export * from './headline.js';
export * from './terms.js';
export { clopperPearson } from '../stats/intervals.js';
