/**
 * The bullmq backend: sweeps on a Redis queue, run by `paradox worker` processes on any number of
 * machines. `createBullmqBackend` is the orchestrator side (a `BackendFactory`), `startWorker` the
 * worker side; both run batches through the same task module as the local backend.
 */
export { createBullmqBackend, preflightBullmq, BULLMQ_BACKEND_DEFAULTS, type BullmqBackendOptions } from './backend.js';
export { startWorker, WORKER_DEFAULTS, type StartWorkerOptions, type WorkerEvent, type WorkerHandle } from './worker.js';
export {
  checkRedis,
  redactUrl,
  RedisBackendError,
  type RedisConnectionOptions,
  type RedisErrorCode,
} from './connection.js';
export { QUEUE_DEFAULTS, type QueueLocation } from './queue.js';
