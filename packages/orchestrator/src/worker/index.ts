/**
 * `@paradox/orchestrator/worker`: everything a process that runs batches needs — the protocol
 * (tasks, outcomes, errors), the batch task itself, and `startWorker`, the worker side of the
 * bullmq backend (`paradox worker`). Importing this subpath loads bullmq and ioredis; the package
 * root never does, so a local sweep does not pay for the Redis client.
 */
export * from './protocol.js';
export { makeTask } from './task.js';
export { startWorker, type StartWorkerOptions, type WorkerEvent, type WorkerHandle } from '../backends/bullmq/worker.js';
export { WORKER_DEFAULTS } from '../backends/bullmq/defaults.js';
