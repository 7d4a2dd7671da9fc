/**
 * The local backend: a piscina pool of worker threads on this machine, each running
 * worker/task.js with its own WASM core instance (of the one module this thread compiles for the
 * pool; instantiated once per thread, reused for every batch).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { OrchestratorError } from '../errors.js';
import { deadlineFailure, type BatchOutcome, type BatchTask } from '../worker/protocol.js';
import { TrialProgress } from '../worker/progress.js';
import { taskThreadData } from '../worker/shared-core.js';
import { WorkerCrash, type Backend, type BackendFactory, type BackendOptions } from './types.js';

/**
 * The compiled task module. Worker threads cannot load TypeScript, so when this file runs from
 * src/ (tests under vitest) the task is taken from the package's dist/ build.
 */
export function defaultTaskModule(): string {
  const here = new URL('../worker/task.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here.href;
  const built = new URL('../../dist/worker/task.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built.href;
  throw new OrchestratorError('E_BACKEND', `worker task module not found at ${fileURLToPath(here)} or ${fileURLToPath(built)}; build @paradox/orchestrator first (pnpm build)`);
}

/**
 * V8 heap limits of each worker thread (MB). A worker holds one batch at a time, and the adapters
 * run it in slices, so its live heap stays small; without limits V8 lets garbage pile up to
 * ~50 MB per thread before collecting, which would dominate the process RSS. Raise them with
 * PARADOX_WORKER_OLD_MB / PARADOX_WORKER_YOUNG_MB for plugins that need more; a thread that runs
 * out is reported as a crash (retried once, then E_WORKER_CRASH naming the limit).
 */
export const WORKER_HEAP_MB = {
  old: Number(process.env.PARADOX_WORKER_OLD_MB ?? 64),
  young: Number(process.env.PARADOX_WORKER_YOUNG_MB ?? 6),
};

/** `workers: auto` → the number of cores this process may use. */
export function autoWorkers(): number {
  return Math.max(1, availableParallelism());
}

/** A piscina pool of `workers` task threads running `filename`, each given the compiled core. */
async function createPool(filename: string, workers: number): Promise<Piscina> {
  // Compiled once here, instantiated by every thread (and by the replacement of a thread that died).
  const workerData = await taskThreadData();
  try {
    return new Piscina({
      filename,
      workerData,
      minThreads: workers,
      maxThreads: workers,
      // One batch per thread at a time: a batch is CPU-bound WASM, interleaving would only add latency.
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      // No queue limit here: the scheduler bounds in-flight batches itself (backpressure), and
      // a limit would turn a burst from another caller into spurious failures.
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_HEAP_MB.young, maxOldGenerationSizeMb: WORKER_HEAP_MB.old },
    });
  } catch (e) {
    throw new OrchestratorError('E_BACKEND', `could not start the local worker pool: ${(e as Error).message}`, { cause: e });
  }
}

/** The pool `prestartLocalPool` started, until a local run adopts it or it is released. */
let prestarted: { workers: number; filename: string; pool: Promise<Piscina> } | undefined;

/**
 * Starts the pool of the next local run now: its threads boot (Node's worker bootstrap and the
 * task module, ~0.25 CPU-s each) while the caller loads and checks the spec and creates the run
 * store, instead of inside the run. The next local backend with this many threads (and the
 * default task module) adopts it; one with another count destroys it and starts its own. Call
 * `releasePrestartedPool` when no run may follow (a bad spec), so its threads do not linger.
 */
export function prestartLocalPool(workers: number): void {
  void releasePrestartedPool();
  const filename = defaultTaskModule();
  const pool = createPool(filename, Math.max(1, workers));
  // A failure here is met again, and reported, by the run's own start.
  pool.catch(() => undefined);
  prestarted = { workers: Math.max(1, workers), filename, pool };
}

/** Destroys a prestarted pool no run adopted; resolves true when there was one. */
export async function releasePrestartedPool(): Promise<boolean> {
  const p = prestarted;
  prestarted = undefined;
  if (!p) return false;
  const pool = await p.pool.catch(() => undefined);
  if (pool) await pool.destroy();
  return true;
}

/** The prestarted pool when it fits (`workers` threads of `filename`), else undefined (an unfitting one is destroyed). */
async function adoptPrestarted(workers: number, filename: string): Promise<Piscina | undefined> {
  const p = prestarted;
  if (!p) return undefined;
  if (p.workers !== workers || p.filename !== filename) {
    await releasePrestartedPool();
    return undefined;
  }
  prestarted = undefined;
  return p.pool.catch(() => undefined);
}

class LocalBackend implements Backend {
  readonly name = 'local' as const;
  readonly concurrency: number;
  private pool: Piscina | undefined;
  private readonly filename: string;

  constructor(options: BackendOptions) {
    this.concurrency = Math.max(1, options.workers);
    this.filename = options.taskModule ?? defaultTaskModule();
  }

  async start(): Promise<void> {
    this.pool = (await adoptPrestarted(this.concurrency, this.filename)) ?? (await createPool(this.filename, this.concurrency));
  }

  async run(task: BatchTask, signal?: AbortSignal): Promise<BatchOutcome> {
    const pool = this.pool;
    if (!pool) throw new OrchestratorError('E_BACKEND', 'local backend used before start()');
    // One signal for both ways a running batch is stopped: the caller's (cancellation) and the
    // batch's deadline. Aborting a running piscina task terminates its thread; the pool starts a
    // fresh one, so a batch that loops forever costs one thread restart, not the pool.
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) stop.abort();
    let timedOut = false;
    const timer =
      task.deadlineMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            stop.abort();
          }, task.deadlineMs)
        : undefined;
    // The thread marks the trials it runs here, so a deadline names the one that never finished.
    const progress = new TrialProgress();
    try {
      return (await pool.run({ ...task, progress: progress.buffer }, { signal: stop.signal })) as BatchOutcome;
    } catch (e) {
      const err = e as Error;
      if (timedOut && !signal?.aborted) return deadlineFailure(task, 'and replaced by a fresh one', progress.state());
      if (err.name === 'AbortError') throw err;
      // Anything else that rejects a piscina task means the thread died (process.exit in the
      // thread, an uncaught exception outside the task, out of memory): a crash, retried once.
      const oom = (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      const hint = oom ? ` (the thread exceeded its ${WORKER_HEAP_MB.old} MB heap; raise PARADOX_WORKER_OLD_MB)` : '';
      throw new WorkerCrash(`worker thread died while running batch ${task.cellIndex}:${task.batchIndex}: ${err.message}${hint}`, { cause: e });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await pool.destroy();
  }
}

/** Create the local (piscina) backend. */
export const createLocalBackend: BackendFactory = (options) => new LocalBackend(options);
