/**
 * The execution backend contract. A backend runs one `BatchTask` at a time per call and knows
 * nothing about cells, stopping rules, the store or ordering: the orchestrator's scheduler
 * (run/scheduler.ts) owns backpressure, retries, duplicate dropping and the batch order of
 * aggregation. Two implementations: `local` (piscina threads, backends/local.ts) and `bullmq`
 * (Redis queue, backends/bullmq/), which must behave identically as seen from here.
 *
 * Flow of one batch:
 *   scheduler ──run(task, signal)──► backend ──► worker/task.ts (same module in both backends)
 *   scheduler ◄── BatchResult       (stored in one transaction, then aggregated in batch order)
 *   scheduler ◄── BatchFailure      (a trial threw: not retried if `error.unrecoverable`; run fails with cell and seed)
 *   scheduler ◄── rejects WorkerCrash (the worker died or the job was lost: retried once, attempt 2)
 *   scheduler ◄── rejects OrchestratorError E_BACKEND (pool or Redis broken: the run fails, resumable)
 *   scheduler ◄── rejects AbortError (the signal fired: the batch is simply not stored)
 */
import type { BatchOutcome, BatchTask } from '../worker/protocol.js';

/** The names accepted by the spec's `backend` key. */
export type BackendName = 'local' | 'bullmq';

/** Runs batches somewhere. Created by a `BackendFactory`, started once, closed once. */
export interface Backend {
  /** `local` or `bullmq`. */
  readonly name: BackendName;
  /**
   * How many batches can usefully run at the same time (threads in the pool; for bullmq the
   * configured capacity of the remote workers). The scheduler keeps at most
   * `2 × concurrency` batches in flight: enough to keep every thread busy, bounded so memory does
   * not grow with the number of trials (this is the backpressure).
   */
  readonly concurrency: number;
  /** Acquire resources (spawn threads, connect to Redis). Rejects with E_BACKEND on failure. */
  start(): Promise<void>;
  /**
   * Run one batch. Resolves with the worker's outcome (`BatchResult` or `BatchFailure`); rejects
   * with a `WorkerCrash` when the worker died or lost the job (transient: the scheduler retries
   * once), with `OrchestratorError('E_BACKEND')` when the backend itself is broken, or with an
   * error named `AbortError` when `signal` fired before the outcome arrived. Calling `run` for a
   * batch key that is already running or done must be harmless (at-least-once delivery): the
   * scheduler drops duplicates by batch key.
   */
  run(task: BatchTask, signal?: AbortSignal): Promise<BatchOutcome>;
  /** Release everything. Idempotent. In-flight `run` calls reject with AbortError. */
  close(): Promise<void>;
}

/** Options every backend factory receives. */
export interface BackendOptions {
  /** Worker threads for `local`; expected remote capacity (concurrency) for `bullmq`. */
  workers: number;
  /** Run id, for backend-level naming (queue names, job ids via `batchKey`). */
  runId: string;
  /** Redis URL (`redis://host:port`), required by `bullmq`. */
  redis?: string;
  /**
   * File URL of the task module (default: the package's worker/task.js). Tests pass fixture
   * modules that crash or throw on chosen batches; production code never sets it.
   */
  taskModule?: string;
  /**
   * Receives what the backend wants a person to know while the run goes on (for bullmq: batches
   * are waiting and no worker is connected). Becomes a `warning` event.
   */
  onNotice?: (code: string, message: string) => void;
}

/** Creates a backend; `local` lives in backends/local.ts, `bullmq` in backends/bullmq/index.ts. */
export type BackendFactory = (options: BackendOptions) => Backend;

/**
 * A worker died (thread exited, process killed, job stalled past its retries) while running a
 * batch. Transient by definition: the scheduler retries the batch once.
 */
export class WorkerCrash extends Error {
  override name = 'WorkerCrash';
  /** True: a crash says nothing about the batch's input. */
  readonly crash = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
