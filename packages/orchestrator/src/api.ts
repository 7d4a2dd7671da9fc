/**
 * The public programmatic API of the orchestrator: what the CLI, the end-to-end tests and users
 * call. Everything else in the package is internal.
 *
 * ```ts
 * const spec = await loadSpec('sweep.yaml');            // SpecError (exit 2) on any problem
 * const res = await runSweep(spec, { outDir: 'runs/x', onEvent: (e) => bar.update(e) });
 * if (res.status === 'cancelled') console.log(`resume with: paradox resume ${res.dir}`);
 * const summary = await readSummary(res.dir);
 * ```
 */
import type { BackendName } from './backends/types.js';
import type { RunEventListener } from './events.js';
import type { NormalisedSpec, SpecInput } from './spec/types.js';
import type { Summary } from './summary/types.js';

/**
 * Options of `runSweep`. Only `outDir` is required; `workers`, `backend`, `batch` and `redis`
 * default to the spec's values (whose own defaults are `auto`, `local`, `auto` and none).
 */
export interface RunOptions {
  /** Run directory to create. Must not exist or be empty (E_USAGE otherwise). */
  outDir: string;
  /** Overrides the spec's `workers` (threads for local; expected capacity for bullmq). */
  workers?: number | 'auto';
  /** Overrides the spec's `backend`. */
  backend?: BackendName;
  /** Overrides the spec's `batch` (trials per batch, or `auto` for ~50–200 ms batches). */
  batch?: number | 'auto';
  /** Redis URL for the bullmq backend (`redis://127.0.0.1:6379`). */
  redis?: string;
  /** Cancels the run cleanly: in-flight batches finish and are stored, summary.json is written, status `cancelled`. */
  signal?: AbortSignal;
  /**
   * Install a SIGINT handler for the run: the first Ctrl-C cancels like `signal`, a second one
   * abandons the batches in flight. Default false. For programs without a handler of their own
   * (the CLI has its own and passes `signal`).
   */
  handleSigint?: boolean;
  /** Receives every event (see events.ts). Listener errors are caught and ignored. */
  onEvent?: RunEventListener;
  /**
   * Test hook: file URL of a task module replacing worker/task.js (fixtures that crash or throw on
   * a chosen batch). Not for production use.
   */
  taskModule?: string;
}

/** Options of `resumeRun`: the execution settings may change, the spec may not. */
export type ResumeOptions = Omit<RunOptions, 'outDir'> & {
  /** If given, must normalise to the stored spec (same hash), else E_SPEC_MISMATCH. */
  spec?: SpecInput | NormalisedSpec | string;
};

/** How a run session ended. Failures are thrown (TrialError, OrchestratorError), not returned. */
export interface RunResult {
  /** `complete` (every cell done) or `cancelled` (stopped by the signal; resume with `resumeRun`). */
  status: 'complete' | 'cancelled';
  /** Absolute run directory. */
  dir: string;
  /** The summary written to `dir/summary.json` (also for cancelled runs: `run.complete` is false). */
  summary: Summary;
  /** Trials run in this session (resumed trials excluded). */
  trialsRun: number;
  /** Wall-clock milliseconds of this session. */
  elapsedMs: number;
}

/** A per-trial row for export: the cell, the trial index and every column value. */
export interface TrialRow {
  cellIndex: number;
  trial: number;
  /** Column name → value (NaN when the trial has no value for it). */
  values: Record<string, number>;
}

/** A stored batch, for export and diagnostics. */
export interface BatchRow {
  cellIndex: number;
  batchIndex: number;
  trialStart: number;
  trialCount: number;
  counts: Record<string, number>;
  worker: string;
  trialsMs: number;
  attempt: number;
}

/** Read access to a run directory's store (export, report). */
export interface RunStoreReader {
  /** The stored normalised spec. */
  readonly spec: NormalisedSpec;
  /** SHA-256 of the spec's result-determining part. */
  readonly specHash: string;
  /** Cells in grid order with their status. */
  cells(): Array<{ index: number; key: string; axes: Record<string, unknown>; params: Record<string, unknown>; trialsDone: number; done: boolean }>;
  /** Stored batches of a cell (or of every cell), in trial order. */
  batches(cellIndex?: number): BatchRow[];
  /** Column names stored for a cell. */
  columns(cellIndex: number): string[];
  /** Per-trial rows of a cell in trial order, streamed (constant memory), limited to the counted trials. */
  trials(cellIndex: number): IterableIterator<TrialRow>;
  /** Close the database. */
  close(): void;
}

export { parseSpec, normaliseSpec, prepareSpec, specHash, expandCells } from './spec/index.js';
export { specJsonSchema } from './spec/schema.js';
export { loadSpec, loadSpecFile, type LoadSpecFileOptions, type SpecFileDocument } from './spec/load.js';
export { MAX_SPEC_BYTES, MAX_YAML_ALIASES } from './spec/parse.js';
export { runSweep, resumeRun } from './run/run.js';
export { readSummary } from './summary/read.js';
export { openRunStore } from './store/reader.js';
