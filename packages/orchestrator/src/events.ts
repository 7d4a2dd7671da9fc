/**
 * The typed event stream of a run. The CLI's progress bars and `--json` NDJSON output consume it;
 * every event is plain JSON (one line of NDJSON each). Events report; they never decide anything,
 * so a slow or throwing listener cannot change results (listener errors are caught and dropped).
 */
import type { StopReason } from './stats/stopping.js';
import type { ExperimentKind } from './summary/types.js';

/** Progress counters, present on every event after `run-started`. */
export interface Progress {
  /**
   * Trials finished that the results use (per sign for noncomputability: one pair counts once),
   * including resumed ones: per cell, every completed trial while the cell runs, its trials up to
   * the stopping point once an adaptive rule decided (batches already run past it are discarded,
   * as in `RunResult.trialsUsed`).
   */
  trialsDone: number;
  /**
   * Trials planned. With an adaptive stopping rule this is the upper bound (sum of `maxTrials`),
   * and it shrinks as cells stop early; `trialsTotalExact` says which.
   */
  trialsTotal: number;
  trialsTotalExact: boolean;
  cellsDone: number;
  cellsTotal: number;
  /**
   * Trials per second of this session (resumed trials excluded) counting, like `trialsDone`, the
   * trials the results use (discarded ones are not throughput): smoothed over the last ~5 s; in
   * `run-done`, the session's average (`RunResult.trialsUsed` ÷ `elapsedMs`, the CLI's closing line).
   */
  trialsPerSecond: number;
  /** Milliseconds since this session started. */
  elapsedMs: number;
  /** Estimated milliseconds to go (null while unknown). Upper bound with adaptive stopping. */
  etaMs: number | null;
}

/** The run began (fresh or resumed). */
export interface RunStartedEvent {
  type: 'run-started';
  runId: string;
  dir: string;
  name: string;
  experiment: ExperimentKind;
  specHash: string;
  backend: 'local' | 'bullmq';
  workers: number;
  resumed: boolean;
  progress: Progress;
}

/** A cell's first batch was dispatched in this session. */
export interface CellStartedEvent {
  type: 'cell-started';
  cellIndex: number;
  cellKey: string;
  axes: Record<string, unknown>;
  /** Upper bound of the cell's trials (the fixed count or the rule's maxTrials). */
  maxTrials: number;
  progress: Progress;
}

/** A batch was stored (committed to the run store). */
export interface BatchDoneEvent {
  type: 'batch-done';
  cellIndex: number;
  batchIndex: number;
  trialStart: number;
  trialCount: number;
  /** Milliseconds the worker spent in the trials. */
  trialsMs: number;
  /** 2 when this batch needed the one retry after a worker crash. */
  attempt: number;
  progress: Progress;
}

/** A cell finished: its summary is final. */
export interface CellDoneEvent {
  type: 'cell-done';
  cellIndex: number;
  cellKey: string;
  /** Trials counted in the cell's summary (per sign). */
  trials: number;
  /** Why it stopped. */
  reason: StopReason;
  progress: Progress;
}

/** Something the user should know that does not stop the run. */
export interface WarningEvent {
  type: 'warning';
  /** Stable code: `W_RETRY` (a crashed batch is retried once), `W_NO_WORKERS` (bullmq: batches wait and no worker is connected). */
  code: string;
  message: string;
  cellIndex?: number;
  progress?: Progress;
}

/** The run ended: complete, cancelled (resumable), or failed (the error is also thrown). */
export interface RunDoneEvent {
  type: 'run-done';
  status: 'complete' | 'cancelled' | 'failed';
  dir: string;
  /** Path of summary.json (written in every status; `run.complete` tells). */
  summaryPath: string;
  /** For `failed`: the error's code and message. */
  error?: { code: string; message: string };
  progress: Progress;
}

/** Every event of a run, tagged by `type`. */
export type RunEvent = RunStartedEvent | CellStartedEvent | BatchDoneEvent | CellDoneEvent | WarningEvent | RunDoneEvent;

/** A listener of run events. */
export type RunEventListener = (event: RunEvent) => void;
