/**
 * The orchestrator side of the bullmq backend: one BullMQ job per batch, job id = `batchKey(task)`
 * (`run:cell:batch`), the outcome read back from the job's return value.
 *
 * Delivery is at-least-once and every path converges on the same job id, so nothing here needs to
 * be exactly-once: a re-added job that already exists is a no-op, a job that completed while the
 * orchestrator was away is read back instead of run again, and the scheduler drops a second
 * outcome for a batch it already stored.
 *
 * Outcomes arrive through QueueEvents (low latency). Events are a best-effort stream (trimmed,
 * and not replayed across a Redis restart without persistence), so a poll re-reads the state of
 * every outstanding job every `pollIntervalMs`, and re-adds any job that Redis lost.
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { OrchestratorError } from '../../errors.js';
import { batchKey, type BatchOutcome, type BatchTask } from '../../worker/protocol.js';
import { WorkerCrash, type Backend, type BackendOptions } from '../types.js';
import {
  bullmqConnection,
  checkRedis,
  describe,
  redact,
  type RedisConnectionOptions,
} from './connection.js';
import { decodeFailure, isOutcome, JOB_NAME, JOB_OPTIONS, QUEUE_DEFAULTS, type QueueLocation } from './queue.js';
import { BULLMQ_BACKEND_DEFAULTS } from './defaults.js';

/** Options of the bullmq backend: the common backend options plus Redis and queue settings. */
export interface BullmqBackendOptions extends BackendOptions, QueueLocation {
  /** Extra ioredis options passed through (TLS `ca`, `password`, ...). Never logged. */
  redisOptions?: RedisOptions;
  /** How long `start()` waits for Redis before failing. */
  connectTimeoutMs?: number;
  /** How long Redis may be unreachable mid-run before in-flight batches fail with E_BACKEND. */
  redisDownTimeoutMs?: number;
  /** Period of the safety-net poll of outstanding jobs. */
  pollIntervalMs?: number;
  /** How long batches may wait with no worker connected before `onNotice` says so (and repeats). */
  noWorkerNoticeMs?: number;
}

export { BULLMQ_BACKEND_DEFAULTS } from './defaults.js';

/** Approximate length of the queue's event stream. */
const EVENTS_MAX_LEN = 2_000;

interface Pending {
  task: BatchTask;
  resolve: (o: BatchOutcome) => void;
  reject: (e: Error) => void;
  /** True while add/inspect is in progress for this job (the poll leaves it alone). */
  busy: boolean;
  promise: Promise<BatchOutcome>;
}

function abortError(message: string): Error {
  const e = new Error(message);
  e.name = 'AbortError';
  return e;
}

/**
 * The checks `start()` makes, without opening a queue: for callers that must fail before they
 * write anything (a run directory). Throws `E_USAGE` without a URL, `E_BACKEND` (message names the
 * redacted URL and what is wrong) when Redis cannot be reached or refuses the credentials.
 */
export async function preflightBullmq(
  redis: string | undefined,
  options: { redisOptions?: RedisOptions; connectTimeoutMs?: number } = {},
): Promise<void> {
  if (redis === undefined || redis === '') throw missingUrl();
  const conn: RedisConnectionOptions = { url: redis, ...(options.redisOptions ? { redisOptions: options.redisOptions } : {}) };
  try {
    await checkRedis(conn, options.connectTimeoutMs ?? BULLMQ_BACKEND_DEFAULTS.connectTimeoutMs);
  } catch (e) {
    throw new OrchestratorError('E_BACKEND', `bullmq backend: ${(e as Error).message}`);
  }
}

function missingUrl(): OrchestratorError {
  return new OrchestratorError(
    'E_USAGE',
    'backend bullmq needs a Redis URL: set `redis: redis://host:6379` in the spec or pass --redis URL',
  );
}

/** Creates the bullmq backend (a `BackendFactory`). Requires `options.redis`. */
export function createBullmqBackend(options: BullmqBackendOptions): Backend {
  return new BullmqBackend(options);
}

class BullmqBackend implements Backend {
  readonly name = 'bullmq' as const;
  readonly concurrency: number;
  private readonly conn: RedisConnectionOptions;
  private readonly opts: Required<Omit<BullmqBackendOptions, keyof BackendOptions | 'redisOptions'>>;
  private readonly notice: ((code: string, message: string) => void) | undefined;
  /** Since when batches wait with no worker connected (undefined: a worker is there, or nothing waits). */
  private noWorkerSince: number | undefined;
  private lastNotice = 0;
  private queue: Queue | undefined;
  private events: QueueEvents | undefined;
  /** Our own connection, used for health (ready/close events): BullMQ's hide reconnects. */
  private health: Redis | undefined;
  private readonly pending = new Map<string, Pending>();
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private downSince: number | undefined;
  private broken: Error | undefined;
  private closed = false;

  constructor(options: BullmqBackendOptions) {
    if (options.redis === undefined || options.redis === '') throw missingUrl();
    if (options.runId.includes(':')) {
      // BullMQ accepts custom job ids with exactly two ':' — the ones batchKey puts in.
      throw new OrchestratorError('E_USAGE', `run id "${options.runId}" must not contain ':'`);
    }
    this.conn = { url: options.redis, ...(options.redisOptions ? { redisOptions: options.redisOptions } : {}) };
    this.concurrency = Math.max(1, options.workers);
    this.opts = {
      queueName: options.queueName ?? QUEUE_DEFAULTS.queueName,
      prefix: options.prefix ?? QUEUE_DEFAULTS.prefix,
      connectTimeoutMs: options.connectTimeoutMs ?? BULLMQ_BACKEND_DEFAULTS.connectTimeoutMs,
      redisDownTimeoutMs: options.redisDownTimeoutMs ?? BULLMQ_BACKEND_DEFAULTS.redisDownTimeoutMs,
      pollIntervalMs: options.pollIntervalMs ?? BULLMQ_BACKEND_DEFAULTS.pollIntervalMs,
      noWorkerNoticeMs: options.noWorkerNoticeMs ?? BULLMQ_BACKEND_DEFAULTS.noWorkerNoticeMs,
    };
    this.notice = options.onNotice;
  }

  async start(): Promise<void> {
    try {
      await checkRedis(this.conn, this.opts.connectTimeoutMs);
    } catch (e) {
      throw this.backendError(`bullmq backend: ${(e as Error).message}`);
    }
    const connection = bullmqConnection(this.conn);
    const common = { connection, prefix: this.opts.prefix };
    // Completed events carry whole batch results; a shorter event stream bounds Redis memory
    // (the poll covers any event trimmed before it was read).
    this.queue = new Queue(this.opts.queueName, { ...common, streams: { events: { maxLen: EVENTS_MAX_LEN } } });
    this.events = new QueueEvents(this.opts.queueName, common);
    // BullMQ emits connection errors as events; unhandled they would crash the process, and
    // their text may quote the URL. Reconnection is automatic; `health` tracks the outage.
    this.queue.on('error', () => undefined);
    this.events.on('error', () => undefined);
    this.events.on('completed', ({ jobId, returnvalue }) => this.onCompleted(jobId, returnvalue));
    // A failure event is checked against the job before it counts: a late event of a job that
    // failed before (and has since been re-added for the retry) must not fail the retry.
    this.events.on('failed', ({ jobId }) => void this.recheck(jobId));
    this.health = new Redis(this.conn.url, { ...connection, lazyConnect: true });
    this.health.on('error', () => undefined);
    this.health.on('ready', () => (this.downSince = undefined));
    this.health.on('close', () => (this.downSince ??= Date.now()));
    try {
      await Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady(), this.health.connect()]);
    } catch (e) {
      await this.close();
      throw this.backendError(`bullmq backend: cannot open the queue on ${describe(this.conn)}: ${redact(String((e as Error).message), this.conn)}`);
    }
    this.pollTimer = setInterval(() => void this.poll(), this.opts.pollIntervalMs);
    this.pollTimer.unref();
  }

  run(task: BatchTask, signal?: AbortSignal): Promise<BatchOutcome> {
    if (this.closed || this.queue === undefined) return Promise.reject(abortError('bullmq backend is closed'));
    if (this.broken) return Promise.reject(this.broken);
    if (signal?.aborted) return Promise.reject(abortError('batch cancelled'));
    const id = batchKey(task);
    const existing = this.pending.get(id);
    // A second run() of a batch already in flight shares the first one's outcome.
    if (existing) return this.withSignal(existing.promise, signal);
    let resolve!: (o: BatchOutcome) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<BatchOutcome>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry: Pending = { task, resolve, reject, busy: true, promise };
    // Registered before the add, so an outcome event that beats add()'s reply is not missed.
    this.pending.set(id, entry);
    void this.submit(id, entry);
    return this.withSignal(promise, signal);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(abortError('bullmq backend closed'));
    }
    // Closing waits for Redis replies; with Redis gone that would hang, so give up after a while.
    const quit = Promise.allSettled([this.events?.close(), this.queue?.close(), this.health?.quit()]);
    const timedOut = await Promise.race([quit.then(() => false), sleep(2_000).then(() => true)]);
    if (timedOut) {
      this.health?.disconnect();
      await Promise.race([Promise.allSettled([this.events?.disconnect(), this.queue?.disconnect()]), sleep(1_000)]);
    }
  }

  /** Enqueue idempotently, then look at the job in case it finished before we listened. */
  private async submit(id: string, entry: Pending): Promise<void> {
    try {
      const queue = this.queue!;
      const found = await readJob(queue, id);
      if (found === undefined) {
        await queue.add(JOB_NAME, entry.task, { ...JOB_OPTIONS, jobId: id });
        return;
      }
      const { job, state } = found;
      const stale = !sameBatch(job.data as BatchTask, entry.task);
      // A failed job is never read back: within a session the scheduler asks again only to retry
      // (a crash or a transient failure), and a failure left by an earlier session is what a
      // resume is meant to try again (perhaps with a fixed build).
      const rerun = state === 'failed';
      if ((stale && state !== 'active') || rerun) {
        // Same key, other trials (an earlier session cut the cell differently), or a re-run: the
        // old job must go before the id can be used again.
        await job.remove();
        await queue.add(JOB_NAME, entry.task, { ...JOB_OPTIONS, jobId: id });
      } else if (!stale) {
        this.settleFromJob(id, job, state);
      }
      // A stale job that is running is left to finish; its outcome is refused (onCompleted) and
      // the poll replaces it once it is no longer active.
    } catch (e) {
      const err = e as Error;
      if (err?.name === 'ReplyError') {
        // Redis answered "no" (out of memory, read-only replica, ...): retrying will not help.
        this.fail(this.backendError(`bullmq backend: Redis at ${describe(this.conn)} refused batch ${id}: ${redact(err.message, this.conn)}`));
      }
      // Otherwise connection trouble: the poll retries; the outage timer decides when to give up.
    } finally {
      entry.busy = false;
    }
  }

  /** Resolve/reject from a job's stored state (used by submit and the poll). */
  private settleFromJob(id: string, job: Job, state: string): void {
    if (state === 'completed') this.onCompleted(id, job.returnvalue);
    else if (state === 'failed') this.onFailed(id, job.failedReason);
  }

  private onCompleted(id: string, returnvalue: unknown): void {
    const p = this.pending.get(id);
    if (p === undefined) return; // another run's job, or a duplicate already collected
    const value = typeof returnvalue === 'string' ? safeParse(returnvalue) : returnvalue;
    if (!isOutcome(value) || batchKey(value) !== id) {
      this.pending.delete(id);
      p.reject(new WorkerCrash(`batch ${id}: a worker returned something that is not a batch outcome of this protocol`));
      return;
    }
    if (value.type === 'batch-result' && (value.trialStart !== p.task.trialStart || value.trialCount !== p.task.trialCount)) {
      // The outcome of a stale job with this id (other trials): not ours. Replace the job.
      if (!p.busy) {
        p.busy = true;
        void this.submit(id, p);
      }
      return;
    }
    this.pending.delete(id);
    p.resolve(value);
    void this.forget(id);
  }

  /** Settle `id` from the job's current state in Redis (when it is finished). */
  private async recheck(id: string): Promise<void> {
    const entry = this.pending.get(id);
    if (entry === undefined || entry.busy || this.queue === undefined) return;
    try {
      const found = await readJob(this.queue, id);
      if (found === undefined || this.pending.get(id) !== entry || entry.busy) return;
      if (sameBatch(found.job.data as BatchTask, entry.task)) this.settleFromJob(id, found.job, found.state);
    } catch {
      // Redis hiccup: the poll will look again.
    }
  }

  private onFailed(id: string, failedReason: string | undefined): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    const failure = decodeFailure(failedReason);
    if (failure !== undefined) {
      p.resolve(failure);
    } else {
      p.reject(new WorkerCrash(`batch ${id} was lost by its worker: ${redact(failedReason ?? 'no reason given', this.conn)}`));
    }
  }

  /** Drop a collected job from Redis (best effort: age limits clean up whatever this misses). */
  private async forget(id: string): Promise<void> {
    try {
      await this.queue?.remove(id);
    } catch {
      // Locked by a duplicate delivery still running, or Redis away: harmless.
    }
  }

  /** Safety net for lost events and lost jobs; also enforces the Redis outage limit. */
  private async poll(): Promise<void> {
    if (this.closed) return;
    // The outage limit comes before the in-flight guard: a poll that was waiting on Redis when it
    // went away stays pending until Redis returns (BullMQ's connections queue commands while
    // offline), and behind that guard the limit would never be enforced.
    if (this.downSince !== undefined && Date.now() - this.downSince > this.opts.redisDownTimeoutMs) {
      this.fail(
        this.backendError(
          `bullmq backend: lost the connection to Redis at ${describe(this.conn)} for more than ` +
            `${Math.round(this.opts.redisDownTimeoutMs / 1000)} s; completed batches are stored, resume the run once Redis is back`,
        ),
      );
      return;
    }
    if (this.polling || this.downSince !== undefined || this.pending.size === 0) return;
    this.polling = true;
    try {
      await this.checkWorkers();
      const ids = [...this.pending].filter(([, p]) => !p.busy).map(([id]) => id);
      await Promise.all(
        ids.map(async (id) => {
          const found = await readJob(this.queue!, id);
          const entry = this.pending.get(id);
          if (entry === undefined || entry.busy) return;
          if (found === undefined) {
            // Redis lost it (restart without persistence, or an outside flush): add it again.
            entry.busy = true;
            void this.submit(id, entry);
            return;
          }
          const { job, state } = found;
          if (!sameBatch(job.data as BatchTask, entry.task)) {
            if (state !== 'active') {
              entry.busy = true;
              void this.submit(id, entry);
            }
            return;
          }
          this.settleFromJob(id, job, state);
        }),
      );
    } catch {
      // Redis hiccup: next tick.
    } finally {
      this.polling = false;
    }
  }

  /**
   * Batches are waiting: is anyone there to run them? Without a worker for `noWorkerNoticeMs` the
   * run says so, and keeps saying so every as long, instead of waiting silently forever.
   */
  private async checkWorkers(): Promise<void> {
    if (this.notice === undefined || this.queue === undefined) return;
    const workers = await this.queue.getWorkersCount();
    const now = Date.now();
    if (workers > 0) {
      this.noWorkerSince = undefined;
      return;
    }
    this.noWorkerSince ??= now;
    const waited = now - this.noWorkerSince;
    if (waited >= this.opts.noWorkerNoticeMs && now - this.lastNotice >= this.opts.noWorkerNoticeMs) {
      this.lastNotice = now;
      try {
        this.notice(
          'W_NO_WORKERS',
          `no paradox worker has been connected to ${describe(this.conn)} for ${Math.round(waited / 1000)} s; ` +
            `${this.pending.size} batch${this.pending.size === 1 ? '' : 'es'} waiting. Start one: paradox worker --redis URL`,
        );
      } catch {
        // a listener cannot break the backend
      }
    }
  }

  private fail(error: Error): void {
    this.broken = error;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(error);
    }
  }

  /**
   * `message` must already be safe (foreign text passed through `redact` where it was quoted):
   * redacting the whole sentence again would also blank our own words whenever the password is
   * an ordinary word. The cause is deliberately not attached: it may quote the URL.
   */
  private backendError(message: string): OrchestratorError {
    return new OrchestratorError('E_BACKEND', message);
  }

  private withSignal(promise: Promise<BatchOutcome>, signal?: AbortSignal): Promise<BatchOutcome> {
    if (signal === undefined) return promise;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(abortError('batch cancelled'));
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e as Error);
        },
      );
    });
  }
}

/**
 * A job and its state, read in that order on purpose: a job finishes atomically (state and return
 * value in one script), so reading the state first guarantees that a finished job's hash already
 * holds its return value. The other order can see "completed" with an empty return value.
 */
async function readJob(queue: Queue, id: string): Promise<{ job: Job; state: string } | undefined> {
  const state = await queue.getJobState(id);
  if (state === 'unknown') return undefined;
  const job = await queue.getJob(id);
  return job === undefined ? undefined : { job, state };
}

/** True when a queued job's task describes the same trials as `task` (attempt aside). */
function sameBatch(a: BatchTask | undefined, b: BatchTask): boolean {
  return (
    a !== undefined &&
    a.trialStart === b.trialStart &&
    a.trialCount === b.trialCount &&
    a.seed === b.seed &&
    a.cellHash32 === b.cellHash32 &&
    a.experiment === b.experiment &&
    JSON.stringify(a.params) === JSON.stringify(b.params)
  );
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
