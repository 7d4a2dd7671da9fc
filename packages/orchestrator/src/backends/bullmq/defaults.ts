/**
 * Defaults of the bullmq backend and worker, in a module that loads neither bullmq nor ioredis:
 * the package root re-exports them, and a process that only uses the local backend should not pay
 * for the Redis client (~30 MB of resident memory).
 */

/** How long the preflight waits for Redis before giving up. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 4_000;

/** Defaults of the bullmq-specific options. */
export const BULLMQ_BACKEND_DEFAULTS = {
  connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
  redisDownTimeoutMs: 30_000,
  pollIntervalMs: 1_000,
  /** Batches waiting and no worker connected for this long: say so (and again every as long). */
  noWorkerNoticeMs: 10_000,
} as const;

/** Defaults of {@link StartWorkerOptions}. */
export const WORKER_DEFAULTS = {
  shutdownGraceMs: 30_000,
  // Sized to batches of ~100 ms, renewed from the worker's main thread (never busy: trials run in
  // pool threads): a killed worker's job is back in the queue within ~lock + interval = 15 s,
  // instead of the minute the BullMQ defaults would leave it locked.
  lockDurationMs: 10_000,
  stalledIntervalMs: 5_000,
  maxStalledCount: 3,
  connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
} as const;
