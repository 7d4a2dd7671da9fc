/**
 * The messages between the orchestrator and whatever runs batches: a piscina thread (local
 * backend) or a `paradox worker` process (bullmq backend). Everything here is plain JSON —
 * structured-cloneable for piscina and JSON-serialisable for BullMQ job data and return values —
 * so both backends move the same objects unchanged.
 *
 * A worker receives a `BatchTask` and *resolves* with a `BatchOutcome`: either a `BatchResult` or
 * a `BatchFailure`. Errors are returned, not thrown, because a thrown error loses its `code` and
 * custom fields when it crosses a thread or a Redis queue. A rejected task therefore means the
 * worker itself died (a crash), which the orchestrator retries once.
 */

import type { BatchProgressState } from './progress.js';

/** Version of this protocol; a worker refuses tasks of another version (unrecoverable). */
export const PROTOCOL_VERSION = 2;

/** The two experiment families. */
export type ExperimentName = 'noncomputability' | 'instability' | 'analyse' | 'verify';

/** A JSON value (cell parameters are JSON). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One batch of consecutive trials of one cell. */
export interface BatchTask {
  type: 'batch';
  protocol: typeof PROTOCOL_VERSION;
  /** Run id (random at creation, kept across resumes); with cell and batch it keys a batch globally. */
  runId: string;
  /** Index of the cell in grid order (0-based). */
  cellIndex: number;
  /** Canonical cell key (`experiment:` + canonical JSON of the cell parameters). */
  cellKey: string;
  /** hash32(cellKey): the Philox `streamHi` of every trial of the cell. */
  cellHash32: number;
  /** Index of the batch within the cell, in trial order (0-based). */
  batchIndex: number;
  experiment: ExperimentName;
  /** The cell's parameters: axes merged over `fixed`, defaults filled (validated by the spec schema). */
  params: { [key: string]: Json };
  /** Sweep seed, an integer in [0, 2^53): Philox key (seed mod 2^32, floor(seed / 2^32)). */
  seed: number;
  /** First trial index (the Philox `streamLo` of the first trial). */
  trialStart: number;
  /** Number of consecutive trials: trialStart .. trialStart + trialCount − 1. */
  trialCount: number;
  /** 1 for the first try, 2 for the retry after a worker crash. */
  attempt: number;
  /**
   * Wall-clock limit of the batch in milliseconds, enforced where it runs (the local pool, or the
   * `paradox worker` that took the job): past it the thread is terminated and replaced, and the
   * batch fails with E_DEADLINE (unrecoverable). Absent: no limit. Never changes results.
   */
  deadlineMs?: number;
  /**
   * Set only by a backend handing the task to a thread of its own process (never sent over
   * Redis): where the thread marks the trials it is running (worker/progress.ts), so a batch
   * stopped at its deadline names the trial that never finished.
   */
  progress?: SharedArrayBuffer;
}

/**
 * Per-trial values of one quantity, in trial order: little-endian float64 bytes, deflate-raw
 * compressed, base64 encoded (JSON-safe for BullMQ). NaN marks a trial without a value (e.g. a
 * diverged training). Decode with `decodeColumn` (worker/columns.ts).
 */
export interface EncodedColumn {
  encoding: 'f64le-deflate-base64';
  /** Number of values (= the batch's trialCount). */
  length: number;
  data: string;
}

/**
 * What a batch produced. The partial aggregate is integer counts (merged by exact addition) plus
 * per-trial columns; every float in summary.json is computed from the columns in trial order, so
 * summaries do not depend on how trials were cut into batches.
 */
export interface BatchResult {
  type: 'batch-result';
  protocol: typeof PROTOCOL_VERSION;
  runId: string;
  cellIndex: number;
  batchIndex: number;
  trialStart: number;
  trialCount: number;
  /**
   * Integer counters for this batch, e.g. `succ+.0` (successes of sign + at ε index 0),
   * `diverged`, `f3.applies`. The experiment adapter defines the names; all are integers.
   */
  counts: Record<string, number>;
  /** Per-trial columns by quantity name (`dist+`, `cost-`, `bitsRead`, `acc.train`, ...). */
  columns: Record<string, EncodedColumn>;
  /** Where and how long: diagnostics only, never part of summary.json. */
  timing: BatchTiming;
}

/** Diagnostics of one batch execution. */
export interface BatchTiming {
  /** `host:pid:threadId` of the worker that ran it. */
  worker: string;
  /** Milliseconds spent in the trials (excludes loading the WASM core). */
  trialsMs: number;
  /** Milliseconds from task receipt to result (includes encoding and, on a fresh thread, loading). */
  wallMs: number;
}

/** An error as it crosses a thread or process boundary; rebuilt on the other side. */
export interface SerializedError {
  name: string;
  /** Stable code of the original error (`E_THEOREM`, `E_ARG`, `E_TRAP`, ...) when it had one. */
  code?: string;
  message: string;
  stack?: string;
  /**
   * True when retrying cannot help: a deterministic error (bad parameter, theorem violation, trap
   * on this input). False only for transient failures (a crash, lost connection).
   */
  unrecoverable: boolean;
  /** The failing trial (stream low word) when the worker knows it. */
  trial?: number;
}

/** A batch that failed inside the worker (the worker itself survived). */
export interface BatchFailure {
  type: 'batch-failure';
  protocol: typeof PROTOCOL_VERSION;
  runId: string;
  cellIndex: number;
  batchIndex: number;
  error: SerializedError;
}

/** What the task function resolves with: the discriminated union the backends pass back. */
export type BatchOutcome = BatchResult | BatchFailure;

/** Stable key of a batch (BullMQ job id, duplicate detection): `run:cell:batch`. */
export function batchKey(task: Pick<BatchTask, 'runId' | 'cellIndex' | 'batchIndex'>): string {
  return `${task.runId}:${task.cellIndex}:${task.batchIndex}`;
}

/** The result message of `task`: its identity and trial range, with what its trials produced. */
export function batchResult(task: BatchTask, counts: Record<string, number>, columns: Record<string, EncodedColumn>, timing: BatchTiming): BatchResult {
  return {
    type: 'batch-result',
    protocol: PROTOCOL_VERSION,
    runId: task.runId,
    cellIndex: task.cellIndex,
    batchIndex: task.batchIndex,
    trialStart: task.trialStart,
    trialCount: task.trialCount,
    counts,
    columns,
    timing,
  };
}

/** The failure message of `task`. */
export function batchFailure(task: BatchTask, error: SerializedError): BatchFailure {
  return { type: 'batch-failure', protocol: PROTOCOL_VERSION, runId: task.runId, cellIndex: task.cellIndex, batchIndex: task.batchIndex, error };
}

/** Serialise any thrown value for the trip across a boundary. */
export function serializeError(e: unknown, unrecoverable: boolean, trial?: number): SerializedError {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const out: SerializedError = { name: e.name, message: e.message, unrecoverable };
    if (typeof code === 'string') out.code = code;
    if (e.stack !== undefined) out.stack = e.stack;
    const t = trial ?? (e as { trial?: unknown }).trial;
    if (typeof t === 'number') out.trial = t;
    return out;
  }
  const out: SerializedError = { name: 'Error', message: String(e), unrecoverable };
  if (trial !== undefined) out.trial = trial;
  return out;
}

/**
 * The failure of a batch stopped at its deadline (`task.deadlineMs`): unrecoverable, since a trial
 * that loops will loop again. It names the trial that never
 * finished (`progress`, from the batch's TrialProgress) — a single trial when the experiment runs
 * them one by one (plugin algorithms), else the
 * slice it was in; a thread that reported the task but no trial was still loading; one that
 * reported nothing gets the whole batch named.
 */
export function deadlineFailure(task: BatchTask, where: string, progress: BatchProgressState = { reported: false }): BatchFailure {
  const { running, reported } = progress;
  const s = (task.deadlineMs ?? 0) / 1000;
  const last = task.trialStart + task.trialCount - 1;
  const inside = running !== undefined && running.first >= task.trialStart && running.last <= last && running.first <= running.last;
  let what: string;
  if (inside && running.first === running.last) {
    what = `trial ${running.first} never finished (the trials before it in the batch did): run it alone to see why, or raise the spec's batchTimeout if it is merely slow`;
  } else if (inside) {
    what = `it was running trials ${running.first}..${running.last} when it was stopped: one of them may loop forever; run them alone to find it, or raise the spec's batchTimeout if the batch is merely slow`;
  } else if (running === undefined && reported) {
    what = `it had not started a trial yet (loading the WASM core or a plugin took the whole deadline): raise the spec's batchTimeout`;
  } else {
    what = `a trial may loop forever (a plugin?): run those trials alone to find it, or raise the spec's batchTimeout if the batch is merely slow`;
  }
  const error: SerializedError = {
    name: 'DeadlineError',
    code: 'E_DEADLINE',
    message: `batch ${batchKey(task)} (trials ${task.trialStart}..${last}) did not finish within its deadline of ${s} s; its thread was stopped ${where}; ${what}`,
    unrecoverable: true,
  };
  if (inside && running.first === running.last) error.trial = running.first;
  return batchFailure(task, error);
}
