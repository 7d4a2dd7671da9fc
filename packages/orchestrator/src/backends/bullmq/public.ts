/**
 * The bullmq backend as the package root exports it. bullmq and ioredis are loaded only when a
 * function that needs them is first called: importing `@paradox/orchestrator` for local sweeps
 * must not pay for the Redis client (~30 MB of resident memory and ~0.15 s of start-up). The
 * backend factory itself is loaded by `runSweep` / `resumeRun` when a spec asks for `bullmq`;
 * the worker side (`startWorker`) is the `@paradox/orchestrator/worker` subpath, so the root never
 * reaches it.
 */
import type { preflightBullmq as preflight } from './backend.js';

export { BULLMQ_BACKEND_DEFAULTS, WORKER_DEFAULTS } from './defaults.js';
export { QUEUE_DEFAULTS, type QueueLocation } from './queue.js';
export { checkRedis, redactUrl, RedisBackendError, type RedisConnectionOptions, type RedisErrorCode } from './connection.js';
export type { BullmqBackendOptions } from './backend.js';

/**
 * The checks a bullmq backend's `start()` makes, without opening a queue, for callers that must
 * fail before they write anything: `E_USAGE` without a URL, `E_BACKEND` (naming the redacted URL
 * and what is wrong) when Redis cannot be reached or refuses the credentials.
 */
export const preflightBullmq: typeof preflight = async (...args) => (await import('./backend.js')).preflightBullmq(...args);
