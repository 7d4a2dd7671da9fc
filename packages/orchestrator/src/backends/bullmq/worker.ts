/**
 * `paradox worker`: takes batch jobs from Redis and runs them in its own piscina pool with the
 * same task module as the local backend, so a batch gives the same bytes wherever it ran.
 *
 * Failure handling, by who notices:
 * * the task returns a `BatchFailure` → the job fails; `UnrecoverableError` when the failure is
 *   deterministic, so BullMQ never retries it; the whole failure travels in `failedReason`;
 * * this process dies (SIGKILL, power loss) → its job locks expire and another worker's stalled
 *   check puts the jobs back in the queue (at most `maxStalledCount` times);
 * * a piscina thread dies → the job fails as a crash, and the orchestrator retries it once;
 * * shutdown (signal, SIGTERM in the CLI) → stop taking jobs, let in-flight batches finish for up
 *   to `shutdownGraceMs`, then hand the unfinished ones back to the queue for other workers.
 */
import { availableParallelism, hostname } from 'node:os';
import { Worker, UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { Piscina } from 'piscina';
import { OrchestratorError } from '../../errors.js';
import { deadlineFailure, type BatchOutcome, type BatchTask } from '../../worker/protocol.js';
import { TrialProgress } from '../../worker/progress.js';
import { taskThreadData } from '../../worker/shared-core.js';
import { defaultTaskModule } from '../local.js';
import { bullmqConnection, checkRedis, describe, redact, type RedisConnectionOptions } from './connection.js';
import { encodeFailure, isTask, JOB_NAME, QUEUE_DEFAULTS, type QueueLocation } from './queue.js';
import { WORKER_DEFAULTS } from './defaults.js';

/** Options of {@link startWorker}. Only `redis` is required. */
export interface StartWorkerOptions extends QueueLocation {
  /** Redis URL: `redis://[user:password@]host:port[/db]`, `rediss://` for TLS. Never logged. */
  redis: string;
  /** Extra ioredis options passed through (TLS `ca`, `password`, ...). Never logged. */
  redisOptions?: RedisOptions;
  /** Batches run at the same time = piscina threads. Default: the number of cores. */
  concurrency?: number;
  /** Aborting it shuts the worker down gracefully (the CLI wires SIGTERM/SIGINT to it). */
  signal?: AbortSignal;
  /** How long in-flight batches may take to finish on shutdown before they are handed back. */
  shutdownGraceMs?: number;
  /**
   * How long a job's lock lasts without renewal. A killed worker's jobs are re-delivered about
   * `lockDurationMs + stalledIntervalMs` after it died. Renewal runs on the main thread, which
   * stays free because trials run in piscina threads.
   */
  lockDurationMs?: number;
  /** Period of the stalled-job check (jobs of dead workers go back to the queue). */
  stalledIntervalMs?: number;
  /** How many times one job may be re-delivered after stalling before it fails as a crash. */
  maxStalledCount?: number;
  /** How long to wait for Redis at start before failing. */
  connectTimeoutMs?: number;
  /** Name recorded on jobs and shown in messages. Default `host:pid`. */
  name?: string;
  /**
   * File URL or path of the task module. Default: the local backend's (`worker/task.js`). Tests pass
   * fixtures that crash or fail on chosen batches.
   */
  taskModule?: string;
  /** Receives what the worker does (for logs and progress); listener errors are ignored. */
  onEvent?: (event: WorkerEvent) => void;
}

export { WORKER_DEFAULTS } from './defaults.js';

/** How long after the grace period a stuck shutdown (Redis away) cuts its connections. */
const CLOSE_MARGIN_MS = 3_000;

/** What a worker reports. Messages are redacted (no passwords). */
export type WorkerEvent =
  | { type: 'worker-ready'; name: string; concurrency: number; redis: string; queue: string }
  | { type: 'job-started'; jobId: string }
  | { type: 'job-done'; jobId: string; ms: number }
  | { type: 'job-failed'; jobId: string; message: string; unrecoverable: boolean }
  | { type: 'job-returned'; jobId: string }
  | { type: 'worker-error'; message: string }
  | { type: 'worker-stopping'; inFlight: number }
  | { type: 'worker-stopped'; jobsDone: number };

/** A running worker. */
export interface WorkerHandle {
  /** `host:pid` unless named. */
  readonly name: string;
  /** Threads in the pool = jobs at the same time. */
  readonly concurrency: number;
  /** Jobs finished (completed or failed) so far. */
  readonly jobsDone: number;
  /**
   * Stop: take no new jobs, wait up to `shutdownGraceMs` for in-flight batches (0 or `force` hands
   * them back at once), close the pool and the connections. Idempotent.
   */
  close(options?: { force?: boolean }): Promise<void>;
  /** Resolves once the worker has stopped (after `close` or the signal). */
  readonly closed: Promise<void>;
}

interface InFlight {
  job: Job<BatchTask, BatchOutcome>;
  token: string | undefined;
  abort: AbortController;
}

/**
 * Connects to Redis, starts the piscina pool and begins taking jobs; resolves once the worker is
 * ready. Rejects within `connectTimeoutMs` with `OrchestratorError('E_BACKEND')` (exit 1) whose
 * message says what is wrong with the URL, the network or the password (redacted), and with
 * `E_USAGE` (exit 2) for a bad concurrency.
 */
export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  const conn: RedisConnectionOptions = {
    url: options.redis,
    ...(options.redisOptions ? { redisOptions: options.redisOptions } : {}),
  };
  const concurrency = options.concurrency ?? availableParallelism();
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new OrchestratorError('E_USAGE', `worker concurrency: expected an integer ≥ 1, got ${String(options.concurrency)}`);
  }
  const opts = { ...WORKER_DEFAULTS, ...definedOnly(options) };
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const queueName = options.queueName ?? QUEUE_DEFAULTS.queueName;
  let stopped = false;
  const emit = (e: WorkerEvent): void => {
    // Connections cut at shutdown may still report errors afterwards: nothing follows 'stopped'.
    if (stopped) return;
    try {
      options.onEvent?.(e);
    } catch {
      // A listener must not break the worker.
    }
  };

  try {
    await checkRedis(conn, opts.connectTimeoutMs);
  } catch (e) {
    // The same error class and exit status as the orchestrator's (E_BACKEND, exit 1); the
    // message is already redacted.
    throw new OrchestratorError('E_BACKEND', `worker: ${(e as Error).message}`);
  }

  const pool = new Piscina<BatchTask, BatchOutcome>({
    filename: options.taskModule ?? defaultTaskModule(),
    // The core compiled once in this thread, instantiated by every pool thread.
    workerData: await taskThreadData(),
    minThreads: concurrency,
    maxThreads: concurrency,
    // A worker waits for jobs between runs; keep the threads (and their loaded WASM) alive.
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  const inFlight = new Map<string, InFlight>();
  let jobsDone = 0;

  const processor = async (job: Job<BatchTask, BatchOutcome>, token?: string): Promise<BatchOutcome> => {
    const jobId = job.id ?? '?';
    if (job.name !== JOB_NAME || !isTask(job.data)) {
      throw new UnrecoverableError(`job ${jobId} is not a paradox batch (name "${job.name}")`);
    }
    const abort = new AbortController();
    inFlight.set(jobId, { job, token, abort });
    emit({ type: 'job-started', jobId });
    const t0 = Date.now();
    // The batch's deadline stops its thread (piscina starts a fresh one) and fails the job as
    // unrecoverable, so no other worker picks up a batch that loops forever.
    const deadline = new AbortController();
    const limit = job.data.deadlineMs;
    let timedOut = false;
    const timer =
      limit !== undefined
        ? setTimeout(() => {
            timedOut = true;
            deadline.abort();
          }, limit)
        : undefined;
    // The thread marks the trials it runs here, so a deadline names the one that never finished.
    const progress = new TrialProgress();
    try {
      let outcome: BatchOutcome;
      try {
        outcome = await pool.run({ ...job.data, progress: progress.buffer }, { signal: AbortSignal.any([abort.signal, deadline.signal]) });
      } catch (e) {
        if (timedOut && !abort.signal.aborted) {
          jobsDone++;
          const failure = deadlineFailure(job.data, `on worker ${name} and replaced by a fresh one`, progress.state());
          emit({ type: 'job-failed', jobId, message: failure.error.message, unrecoverable: true });
          throw new UnrecoverableError(encodeFailure(failure));
        }
        if (abort.signal.aborted) {
          // Shutdown ran out of grace: give the job back so another worker runs it now, instead of
          // leaving it locked until the stalled check notices.
          await job.moveToWait(token);
          emit({ type: 'job-returned', jobId });
          throw new WaitingError();
        }
        // The thread died: a crash, not a property of the batch. The orchestrator retries once.
        emit({ type: 'job-failed', jobId, message: String((e as Error)?.message ?? e), unrecoverable: false });
        throw new Error(`worker ${name}: the batch's thread crashed: ${String((e as Error)?.message ?? e)}`);
      }
      jobsDone++;
      if (outcome.type === 'batch-failure') {
        emit({ type: 'job-failed', jobId, message: outcome.error.message, unrecoverable: outcome.error.unrecoverable });
        const reason = encodeFailure(outcome);
        throw outcome.error.unrecoverable ? new UnrecoverableError(reason) : new Error(reason);
      }
      emit({ type: 'job-done', jobId, ms: Date.now() - t0 });
      return outcome;
    } finally {
      clearTimeout(timer);
      inFlight.delete(jobId);
    }
  };

  const worker = new Worker<BatchTask, BatchOutcome>(queueName, processor, {
    connection: bullmqConnection(conn),
    prefix: options.prefix ?? QUEUE_DEFAULTS.prefix,
    name,
    concurrency,
    lockDuration: opts.lockDurationMs,
    stalledInterval: opts.stalledIntervalMs,
    maxStalledCount: opts.maxStalledCount,
    autorun: false,
  });
  // Connection errors arrive as events (BullMQ reconnects by itself, retrying every second or
  // two while Redis is away); report them redacted, and each distinct message once per 10 s.
  const lastSaid = new Map<string, number>();
  const reportError = (e: unknown): void => {
    const message = redact(String((e as Error)?.message ?? e), conn);
    const now = Date.now();
    if (now - (lastSaid.get(message) ?? -Infinity) < 10_000) return;
    lastSaid.set(message, now);
    emit({ type: 'worker-error', message });
  };
  worker.on('error', reportError);
  await worker.waitUntilReady();
  void worker.run().catch(reportError);
  emit({ type: 'worker-ready', name, concurrency, redis: describe(conn), queue: queueName });

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | undefined;

  const handBack = (): void => {
    for (const f of inFlight.values()) f.abort.abort();
  };

  const close = (closeOptions: { force?: boolean } = {}): Promise<void> => {
    if (closeOptions.force === true) handBack();
    if (closing) return closing;
    emit({ type: 'worker-stopping', inFlight: inFlight.size });
    closing = (async () => {
      const grace = closeOptions.force === true ? 0 : opts.shutdownGraceMs;
      const timer = setTimeout(handBack, grace);
      // With Redis away, closing would wait forever for replies (the goodbye, the handing back):
      // cut the connections a little after the grace period. Jobs whose end could not be
      // recorded come back to the queue through the stalled check.
      let cut: NodeJS.Timeout | undefined;
      const cutOff = new Promise<void>((resolve) => {
        cut = setTimeout(() => {
          void worker.disconnect().catch(() => undefined);
          resolve();
        }, grace + CLOSE_MARGIN_MS);
      });
      try {
        // Waits for in-flight processors (finished, or handed back after the grace period).
        await Promise.race([worker.close(), cutOff]);
      } finally {
        clearTimeout(timer);
        clearTimeout(cut);
        await pool.destroy();
        emit({ type: 'worker-stopped', jobsDone });
        stopped = true;
        resolveClosed();
      }
    })();
    return closing;
  };

  if (options.signal) {
    if (options.signal.aborted) void close();
    else options.signal.addEventListener('abort', () => void close(), { once: true });
  }
  return {
    name,
    concurrency,
    get jobsDone() {
      return jobsDone;
    },
    close,
    closed,
  };
}

/** The options object without keys whose value is undefined (so defaults are not overwritten). */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
