/**
 * @paradox/orchestrator — sweeps, deterministic parallel execution, statistics, run store and
 * resume. The public API is in api.ts; the worker protocol and backend contract are exported for
 * the distributed worker and custom backends.
 */
export * from './api.js';
export * from './errors.js';
export type * from './events.js';
export type * from './spec/types.js';
export type * from './summary/types.js';
export * from './summary/headline.js';
export * from './summary/terms.js';
export * from './summary/table.js';
export * from './worker/protocol.js';
export * from './backends/types.js';
export * from './backends/bullmq/public.js';
