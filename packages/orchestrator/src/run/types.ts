/**
 * What `runSweep` and `resumeRun` take and return: the run layer's own types (api.ts re-exports
 * them), so the run code never imports the package facade.
 */
import type { BackendName } from '../backends/types.js';
import type { RunEventListener } from '../events.js';
import type { NormalisedSpec, SpecInput } from '../spec/types.js';
import type { Summary } from '../summary/types.js';

/**
 * Options of `runSweep`. Only `outDir` is required; `workers`, `backend`, `batch` and `redis`
 * default to the spec's values (whose own defaults are `auto`, `local`, `auto` and none).
 */
export interface RunOptions {
  /** Run directory to create. Must not exist or be empty (E_USAGE otherwise). */
  outDir: string;
  /**
   * Which code produces the run (versions, build hash, git commit), stored in spec.json under
   * `provenance`. Not part of the spec hash: the same spec run by other code is the same run.
   */
  provenance?: Record<string, unknown>;
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
   * Stops the run now: batches in flight are abandoned (not stored; a resume runs them again),
   * summary.json is written, status `cancelled`. What SIGTERM means to the CLI.
   */
  abandon?: AbortSignal;
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
  /**
   * The run id the caller's own records hold for this directory (a multi-spec manifest), and
   * where it comes from (named in the error): a database with another id is refused, E_RUN_MISMATCH.
   */
  expectRunId?: { runId: string; source: string };
};

/** How a run session ended. Failures are thrown (TrialError, OrchestratorError), not returned. */
export interface RunResult {
  /** `complete` (every cell done) or `cancelled` (stopped by the signal; resume with `resumeRun`). */
  status: 'complete' | 'cancelled';
  /** Absolute run directory. */
  dir: string;
  /** The summary written to `dir/summary.json` (also for cancelled runs: `run.complete` is false). */
  summary: Summary;
  /**
   * Trials run in this session (resumed trials excluded), including speculative batches past a
   * cell's stopping point: with an adaptive rule, batches already in flight when a checkpoint
   * stops the cell are run and stored but not part of the results.
   */
  trialsRun: number;
  /** Trials of this session the results use: `trialsRun` minus the batches past a stopping point. */
  trialsUsed: number;
  /** Wall-clock milliseconds of this session. */
  elapsedMs: number;
}
