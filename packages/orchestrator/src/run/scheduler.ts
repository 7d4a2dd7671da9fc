/**
 * The scheduler: turns cells into batches, keeps a bounded number in flight on a backend, stores
 * each result in one transaction, advances every cell's contiguous frontier in batch order,
 * evaluates stopping rules and theorem guards at checkpoints, retries a crashed batch once, and
 * stops cleanly on cancellation or failure.
 *
 * Determinism does not depend on anything here being ordered: results may arrive in any order and
 * from any worker. Counts are merged only along the frontier (batch order), rules look only at
 * checkpoints, and summaries read per-trial columns in trial order.
 */
import type { Backend } from '../backends/types.js';
import { OrchestratorError, TrialError, type FailureLocation } from '../errors.js';
import type { Progress, RunEvent, RunEventListener } from '../events.js';
import type { ExperimentDefinition } from '../experiments/types.js';
import type { Cell, NormalisedSpec } from '../spec/types.js';
import {
  evaluateStop,
  initialStopState,
  isCheckpoint,
  maxTrialsOf,
  nextCheckpoint,
  planBatches,
  type BatchSizes,
  type PlannedBatch,
  type StopReason,
  type StopState,
} from '../stats/stopping.js';
import type { CellOutcome } from '../summary/build.js';
import type { RunStore } from '../store/db.js';
import { batchKey, PROTOCOL_VERSION, type BatchOutcome, type BatchResult, type BatchTask, type SerializedError } from '../worker/protocol.js';

/** Trials in a cell's first batch under `batch: auto`. */
export const CALIBRATION_TRIALS = 8;
/** Target duration of an auto-sized batch (the spec asks for roughly 50–200 ms). */
export const TARGET_BATCH_MS = 100;
/** A ramp batch at least this long is timed well enough to size the rest. */
export const MIN_TIMED_MS = 40;
/** Largest growth of the ramp per step (a cold first batch overstates the cost per trial). */
export const RAMP_GROWTH = 8;
/** Largest auto-sized batch (bounds the memory of one result). */
export const MAX_AUTO_BATCH = 1 << 16;
/** Default batch deadline: this many times the cell's median time for that many trials… */
export const DEADLINE_FACTOR = 20;
/** …but never less than this (machine load, garbage collection, a cold thread). */
export const DEADLINE_FLOOR_MS = 10_000;
/** Deadline of a batch of a cell with no timed batch yet (the first one of a fresh cell). */
export const DEADLINE_UNTIMED_MS = 600_000;
/** Timings kept per cell for its median. */
const TIMINGS_KEPT = 15;

interface DoneBatch {
  trialStart: number;
  trialCount: number;
  counts: Record<string, number>;
  /** Run in this session (not replayed from the store). */
  session?: boolean;
  /** Number of this session's result (1, 2, …): the rate window's samples from it on include it. */
  seq?: number;
}

interface CellState {
  cell: Cell;
  maxTrials: number;
  /** Batch sizes; `size` null while the auto-sizing ramp is still growing. */
  sizes: BatchSizes;
  /** The batches known so far (only the ramp while `sizes.size` is null). */
  plan: PlannedBatch[];
  done: Map<number, DoneBatch>;
  doneTrials: number;
  inFlight: Set<number>;
  nextDispatch: number;
  frontier: number;
  frontierTrials: number;
  counts: Record<string, number>;
  stop: StopState;
  stoppedAt: number | null;
  stopReason: StopReason | null;
  announced: boolean;
  /** Milliseconds per trial of this session's recent batches of the cell (for the deadline). */
  msPerTrial: number[];
}

/** Everything the scheduler needs for one session. */
export interface SchedulerOptions {
  spec: NormalisedSpec;
  specHash: string;
  runId: string;
  dir: string;
  exp: ExperimentDefinition;
  cells: Cell[];
  store: RunStore;
  backend: Backend;
  batch: number | 'auto';
  resumed: boolean;
  signal?: AbortSignal;
  /** Fires to abandon in-flight batches (second SIGINT). */
  force?: AbortSignal;
  onEvent?: RunEventListener;
}

/** How the session ended. */
export interface SchedulerEnd {
  status: 'complete' | 'cancelled' | 'failed';
  error?: Error;
  outcomes: CellOutcome[];
  /** Trials run in this session, including batches past a cell's stopping point (discarded). */
  trialsRun: number;
  /** Trials run in this session that the results keep: `trialsRun` minus those past a stopping point. */
  trialsUsed: number;
  progress: Progress;
}

function addCounts(into: Record<string, number>, add: Record<string, number>): void {
  for (const [k, v] of Object.entries(add)) into[k] = (into[k] ?? 0) + v;
}

/**
 * The batch scheduler of one session of a run (a fresh run, or one resume): runs the cells to
 * completion, cancellation or failure.
 */
export class BatchScheduler {
  private readonly o: SchedulerOptions;
  private readonly states: CellState[];
  private readonly maxInFlight: number;
  private inFlight = 0;
  private firstOpen = 0;
  private cancelled = false;
  private failure: Error | undefined;
  private trialsRun = 0;
  /** This session's trials in batches the results keep (before their cell's stopping point). */
  private trialsUsed = 0;
  private readonly t0 = performance.now();
  /** Rate window: `[time, trialsUsed, result number]` samples, one per result, over the last ~5 s. */
  private readonly rate: Array<[number, number, number]> = [];
  /** Results of this session so far. */
  private results = 0;
  private cellsDone = 0;
  /** Running totals for progress (kept incrementally: a sweep may have 10^5 cells). */
  private doneSum = 0;
  private totalSum = 0;
  private openCells = 0;
  private retryQueue: BatchTask[] = [];
  private wake: (() => void) | undefined;

  constructor(o: SchedulerOptions) {
    this.o = o;
    this.maxInFlight = 2 * o.backend.concurrency;
    const stored = o.store.cells();
    const fixedSizes: BatchSizes[] = [];
    this.states = o.cells.map((cell) => {
      const row = stored[cell.index];
      let sizes: BatchSizes = row?.plan ?? { ramp: [], size: null };
      if (!row?.plan && typeof o.batch === 'number') {
        // A fixed batch size needs no timing: plan now (stored, so a resume with another `batch`
        // setting keeps this cell's batches).
        sizes = { ramp: [], size: o.batch };
        fixedSizes[cell.index] = sizes;
      }
      return {
        cell,
        maxTrials: maxTrialsOf(o.spec.stop),
        sizes,
        plan: planBatches(o.spec.stop, sizes),
        done: new Map(),
        doneTrials: 0,
        inFlight: new Set(),
        nextDispatch: 0,
        frontier: 0,
        frontierTrials: 0,
        counts: {},
        stop: initialStopState(),
        stoppedAt: null,
        stopReason: null,
        announced: false,
        msPerTrial: [],
      };
    });
    if (fixedSizes.length > 0) o.store.setPlans(fixedSizes.flatMap((sz, i) => (sz ? [[i, sz] as const] : [])));
    // Replay what is stored: the same frontier/checkpoint code as live results, so a resumed run
    // reaches exactly the decisions the uninterrupted run reached.
    for (const b of o.store.batches()) {
      const st = this.states[b.cellIndex];
      if (!st) throw new OrchestratorError('E_STORE', `${o.dir}: stored batch of unknown cell ${b.cellIndex}`);
      const planned = st.plan[b.batchIndex];
      if (!planned || planned.start !== b.trialStart || planned.count !== b.trialCount) {
        throw new OrchestratorError('E_STORE', `${o.dir}: stored batch ${b.cellIndex}:${b.batchIndex} (trials ${b.trialStart}+${b.trialCount}) does not match the cell's plan`);
      }
      st.done.set(b.batchIndex, b);
      this.advance(st, true);
    }
    for (const st of this.states) {
      st.doneTrials = [...st.done.values()].reduce((a, b) => a + (st.stoppedAt === null || b.trialStart < st.stoppedAt ? b.trialCount : 0), 0);
      if (st.stoppedAt !== null) this.cellsDone++;
      this.doneSum += st.doneTrials;
      this.totalSum += st.stoppedAt ?? st.maxTrials;
      if (st.stoppedAt === null) this.openCells++;
    }
  }

  private emit(e: RunEvent): void {
    if (!this.o.onEvent) return;
    try {
      this.o.onEvent(e);
    } catch {
      // A listener must not be able to break or alter a run.
    }
  }

  /**
   * Progress counters now. `trialsDone` and the rate count the trials the results use: per cell,
   * every completed trial while it runs, its trials up to the stopping point once decided (batches
   * past it are discarded, as in `trialsUsed`). `final` (the end of the session): the rate is the
   * session's average, `trialsUsed` over `elapsedMs`, the figure the CLI's closing line prints.
   */
  progress(final = false): Progress {
    const now = performance.now();
    const done = this.doneSum;
    const total = this.totalSum;
    const exact = this.o.spec.stop.rule === 'fixed' || this.openCells === 0;
    // Throughput over the last ~5 s of this session.
    while (this.rate.length > 2 && now - (this.rate[1] as [number, number, number])[0] > 5000) this.rate.shift();
    const first = this.rate[0];
    const elapsedMs = now - this.t0;
    let tps = 0;
    if (!final && first && now - first[0] > 200) tps = Math.max(0, ((this.trialsUsed - first[1]) * 1000) / (now - first[0]));
    else if (elapsedMs > 0) tps = (this.trialsUsed * 1000) / elapsedMs;
    return {
      trialsDone: done,
      trialsTotal: total,
      trialsTotalExact: exact,
      cellsDone: this.cellsDone,
      cellsTotal: this.states.length,
      trialsPerSecond: tps,
      elapsedMs,
      etaMs: tps > 0 ? ((total - done) * 1000) / tps : null,
    };
  }

  /** Merge completed batches along the frontier; evaluate rules and guards at checkpoints. */
  private advance(st: CellState, replay: boolean): void {
    const rule = this.o.spec.stop;
    while (st.stoppedAt === null) {
      const b = st.done.get(st.frontier);
      if (!b) break;
      addCounts(st.counts, b.counts);
      st.frontier++;
      st.frontierTrials += b.trialCount;
      // The guard looks at every frontier position (a violation should stop the run as early as
      // possible); the stopping rule only at checkpoints (so its decisions ignore batch sizes).
      const message = this.o.exp.guard(st.cell, st.counts, st.frontierTrials, this.o.spec.seed, this.o.spec.confidence);
      if (message !== null) {
        this.fail(new TrialError('E_THEOREM', `theorem guard failed: ${message}`, this.location(st, st.frontier - 1)));
        return;
      }
      if (!isCheckpoint(rule, st.frontierTrials)) continue;
      const tracked = this.o.exp.tracked(st.cell.params, st.counts, st.frontierTrials);
      const v = evaluateStop(rule, tracked, st.frontierTrials, this.o.spec.confidence, st.stop);
      st.stop = v.state;
      if (v.stop) {
        st.stoppedAt = st.frontierTrials;
        st.stopReason = v.reason ?? 'max-trials';
        if (!replay) {
          this.o.store.setStopped(st.cell.index, st.stoppedAt, st.stopReason);
          this.cellsDone++;
          this.openCells--;
          // Batches past the stopping point were speculative work (dispatched before the rule
          // could decide): run, stored, but not part of the results.
          // The rate window forgets them too: every sample taken since one came back counted it.
          for (const d of st.done.values()) {
            if (!d.session || d.trialStart < st.stoppedAt) continue;
            this.trialsUsed -= d.trialCount;
            for (let i = this.rate.length - 1; i >= 0; i--) {
              const sample = this.rate[i] as [number, number, number];
              if (d.seq === undefined || sample[2] < d.seq) break;
              sample[1] -= d.trialCount;
            }
          }
          const doneNow = Math.min(st.doneTrials, st.stoppedAt);
          this.doneSum -= st.doneTrials - doneNow;
          st.doneTrials = doneNow;
          this.totalSum -= st.maxTrials - st.stoppedAt;
          this.emit({ type: 'cell-done', cellIndex: st.cell.index, cellKey: st.cell.key, trials: st.stoppedAt, reason: st.stopReason, progress: this.progress() });
        }
      }
    }
  }

  private location(st: CellState, batchIndex: number, trial?: number): FailureLocation {
    const planned = st.plan[batchIndex] ?? { start: 0, count: 0 };
    const loc: FailureLocation = {
      cellIndex: st.cell.index,
      cellKey: st.cell.key,
      seed: this.o.spec.seed,
      streamHi: st.cell.hash32,
      batchIndex,
      trialStart: planned.start,
      trialCount: planned.count,
    };
    if (trial !== undefined) loc.trial = trial;
    return loc;
  }

  private fail(e: Error): void {
    if (!this.failure) this.failure = e;
    this.wake?.();
  }

  /**
   * The wall-clock limit of a batch: the spec's `batchTimeout` when set; otherwise
   * DEADLINE_FACTOR × the cell's median time per trial × the batch's trials, at least
   * DEADLINE_FLOOR_MS, or DEADLINE_UNTIMED_MS while the cell has no timed batch.
   */
  deadlineMs(st: CellState, count: number): number {
    const fixed = this.o.spec.batchTimeout;
    if (fixed !== undefined) return Math.round(fixed * 1000);
    if (st.msPerTrial.length === 0) return DEADLINE_UNTIMED_MS;
    const sorted = [...st.msPerTrial].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    return Math.max(DEADLINE_FLOOR_MS, Math.ceil(DEADLINE_FACTOR * median * count));
  }

  private task(st: CellState, batchIndex: number, start: number, count: number, attempt: number): BatchTask {
    return {
      type: 'batch',
      protocol: PROTOCOL_VERSION,
      runId: this.o.runId,
      cellIndex: st.cell.index,
      cellKey: st.cell.key,
      cellHash32: st.cell.hash32,
      batchIndex,
      experiment: this.o.spec.experiment,
      params: st.cell.params,
      seed: this.o.spec.seed,
      trialStart: start,
      trialCount: count,
      attempt,
      deadlineMs: this.deadlineMs(st, count),
    };
  }

  /**
   * The next batch to run, or undefined when none is ready: in cell order then batch order, but a
   * batch that lies past a checkpoint its cell has not reached yet (the rule may stop the cell
   * there, and then the batch is run for nothing) waits while another cell has a batch that is
   * certainly needed. Which batches run when never changes the results (they depend only on each
   * cell's frontier); it changes how many trials are thrown away past a stopping point.
   */
  private nextTask(): BatchTask | undefined {
    const retry = this.retryQueue.shift();
    if (retry) return retry;
    return this.nextPlanned(false) ?? this.nextPlanned(true);
  }

  /**
   * True when `start` lies at or past a checkpoint after the cell's frontier: a batch there runs
   * only if the rule does not stop the cell at that checkpoint. Never for a fixed count (its one
   * checkpoint is the end).
   */
  private speculative(st: CellState, start: number): boolean {
    const rule = this.o.spec.stop;
    return rule.rule !== 'fixed' && nextCheckpoint(rule, st.frontierTrials) <= start;
  }

  /**
   * The first batch in cell order then batch order; with `speculate` false only a batch before its
   * cell's next checkpoint. The scan stops at the first cell not started yet (its first batch is
   * never speculative), so it passes at most the cells already under way.
   */
  private nextPlanned(speculate: boolean): BatchTask | undefined {
    for (let i = this.firstOpen; i < this.states.length; i++) {
      const st = this.states[i] as CellState;
      const exhausted = st.stoppedAt !== null || (st.sizes.size !== null && st.nextDispatch >= st.plan.length);
      if (exhausted && i === this.firstOpen) {
        this.firstOpen++;
        continue;
      }
      if (exhausted) continue;
      if (st.sizes.size === null && st.sizes.ramp.length === 0) {
        // Auto-sizing starts with a small batch; its result decides the next (see nextSizes).
        st.sizes = { ramp: [CALIBRATION_TRIALS], size: null };
        st.plan = planBatches(this.o.spec.stop, st.sizes);
      }
      while (st.nextDispatch < st.plan.length && (st.done.has(st.nextDispatch) || st.inFlight.has(st.nextDispatch))) st.nextDispatch++;
      const b = st.plan[st.nextDispatch];
      if (!b) continue;
      if (!speculate && this.speculative(st, b.start)) continue;
      const idx = st.nextDispatch++;
      return this.task(st, idx, b.start, b.count, 1);
    }
    return undefined;
  }

  /**
   * Auto-sizing: after the last ramp batch of a cell, either fix the steady size (the batch was long
   * enough to time, or the ramp reached its cap) or grow the ramp by at most ×8. The sizes are stored
   * with that batch, so a resume continues with exactly the same batches.
   */
  private nextSizes(st: CellState, r: BatchResult): BatchSizes {
    const c = r.trialCount;
    const ms = Math.max(r.timing.trialsMs, 1e-3);
    const covered = st.plan.reduce((a, b) => a + b.count, 0);
    // Enough batches per cell to keep every worker busy even when the sweep has a single cell.
    const cap = Math.max(1, Math.min(MAX_AUTO_BATCH, Math.ceil((st.maxTrials - covered) / (2 * this.o.backend.concurrency))));
    const ideal = Math.max(1, Math.round((c * TARGET_BATCH_MS) / ms));
    if (covered >= st.maxTrials || ms >= MIN_TIMED_MS || ideal <= c || c >= cap) {
      return { ramp: st.sizes.ramp, size: Math.min(ideal, cap) };
    }
    return { ramp: [...st.sizes.ramp, Math.min(RAMP_GROWTH * c, ideal, cap)], size: null };
  }

  private onOutcome(st: CellState, task: BatchTask, outcome: BatchOutcome): void {
    if (outcome.type === 'batch-failure') {
      this.onFailure(st, task, outcome.error);
      return;
    }
    const r = outcome;
    if (r.cellIndex !== task.cellIndex || r.batchIndex !== task.batchIndex || r.trialStart !== task.trialStart || r.trialCount !== task.trialCount || r.runId !== task.runId) {
      this.fail(new OrchestratorError('E_BACKEND', `backend returned batch ${batchKey(r)} (trials ${r.trialStart}+${r.trialCount}) for ${batchKey(task)}`));
      return;
    }
    let sizes: BatchSizes | undefined;
    if (st.sizes.size === null && r.batchIndex === st.sizes.ramp.length - 1) sizes = this.nextSizes(st, r);
    const stored = this.o.store.insertBatch(r, task.attempt, sizes);
    if (!stored) {
      // A duplicate (at-least-once delivery) of a batch this session already counted. One that is
      // stored but not counted here was written by someone else: never mix two writers' batches.
      if (st.done.has(r.batchIndex)) return;
      throw new OrchestratorError('E_STORE', `${this.o.dir}: batch ${batchKey(r)} is already stored but was not run by this process; was another process writing this run?`);
    }
    if (sizes) {
      st.sizes = sizes;
      st.plan = planBatches(this.o.spec.stop, sizes);
    }
    const seq = ++this.results;
    st.done.set(r.batchIndex, { trialStart: r.trialStart, trialCount: r.trialCount, counts: r.counts, session: true, seq });
    if (st.stoppedAt === null) {
      st.doneTrials += r.trialCount;
      this.doneSum += r.trialCount;
      this.trialsUsed += r.trialCount;
    }
    this.trialsRun += r.trialCount;
    this.rate.push([performance.now(), this.trialsUsed, seq]);
    if (r.trialCount > 0) {
      st.msPerTrial.push(r.timing.trialsMs / r.trialCount);
      if (st.msPerTrial.length > TIMINGS_KEPT) st.msPerTrial.shift();
    }
    this.emit({
      type: 'batch-done',
      cellIndex: r.cellIndex,
      batchIndex: r.batchIndex,
      trialStart: r.trialStart,
      trialCount: r.trialCount,
      trialsMs: r.timing.trialsMs,
      attempt: task.attempt,
      progress: this.progress(),
    });
    this.advance(st, false);
  }

  private onFailure(st: CellState, task: BatchTask, err: SerializedError): void {
    const loc = this.location(st, task.batchIndex, err.trial);
    loc.trialStart = task.trialStart;
    loc.trialCount = task.trialCount;
    const remote = { name: err.name, message: err.message, ...(err.code !== undefined ? { code: err.code } : {}), ...(err.stack !== undefined ? { stack: err.stack } : {}) };
    if (err.unrecoverable) {
      const code = err.code === 'E_THEOREM' || err.code === 'E_DEADLINE' ? err.code : 'E_TRIAL';
      this.fail(new TrialError(code, `a trial failed: ${err.code ? `[${err.code}] ` : ''}${err.message}`, loc, remote));
      return;
    }
    this.retryOrFail(st, task, `${err.name}: ${err.message}`, 'E_TRIAL', remote);
  }

  private retryOrFail(st: CellState, task: BatchTask, why: string, code: 'E_TRIAL' | 'E_WORKER_CRASH', remote?: { name: string; message: string }): void {
    if (task.attempt < 2) {
      this.emit({ type: 'warning', code: 'W_RETRY', message: `batch ${task.cellIndex}:${task.batchIndex} failed (${why}); retrying once`, cellIndex: task.cellIndex, progress: this.progress() });
      st.inFlight.add(task.batchIndex);
      this.retryQueue.push({ ...task, attempt: task.attempt + 1 });
      return;
    }
    const loc = this.location(st, task.batchIndex);
    loc.trialStart = task.trialStart;
    loc.trialCount = task.trialCount;
    this.fail(new TrialError(code, `batch failed twice: ${why}`, loc, remote));
  }

  private dispatch(task: BatchTask): void {
    const st = this.states[task.cellIndex] as CellState;
    if (!st.announced) {
      st.announced = true;
      this.emit({ type: 'cell-started', cellIndex: st.cell.index, cellKey: st.cell.key, axes: st.cell.axes, maxTrials: st.maxTrials, progress: this.progress() });
    }
    st.inFlight.add(task.batchIndex);
    this.inFlight++;
    this.o.backend.run(task, this.o.force).then(
      (outcome) => {
        this.inFlight--;
        st.inFlight.delete(task.batchIndex);
        try {
          this.onOutcome(st, task, outcome);
        } catch (e) {
          this.fail(e as Error);
        }
        this.wake?.();
      },
      (e: unknown) => {
        this.inFlight--;
        st.inFlight.delete(task.batchIndex);
        const err = e as Error & { crash?: boolean };
        if (err.name === 'AbortError') {
          // Not stored: a resume runs it again.
        } else if (err.crash) {
          this.retryOrFail(st, task, err.message, 'E_WORKER_CRASH');
        } else if (err instanceof OrchestratorError) this.fail(err);
        else this.fail(new OrchestratorError('E_BACKEND', `backend failed on batch ${batchKey(task)}: ${err.message}`, { cause: e }));
        this.wake?.();
      },
    );
  }

  /** Run until every cell stopped, the signal fired, or something failed. */
  async run(): Promise<SchedulerEnd> {
    const onAbort = () => {
      this.cancelled = true;
      this.wake?.();
    };
    this.o.signal?.addEventListener('abort', onAbort, { once: true });
    if (this.o.signal?.aborted) this.cancelled = true;
    try {
      for (;;) {
        while (!this.cancelled && !this.failure && this.inFlight < this.maxInFlight) {
          const t = this.nextTask();
          if (!t) break;
          this.dispatch(t);
        }
        if (this.inFlight === 0) break;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = undefined;
      }
    } finally {
      this.o.signal?.removeEventListener('abort', onAbort);
    }
    const complete = this.states.every((s) => s.stoppedAt !== null);
    const status = this.failure ? 'failed' : complete ? 'complete' : 'cancelled';
    const end: SchedulerEnd = { status, outcomes: this.outcomes(), trialsRun: this.trialsRun, trialsUsed: this.trialsUsed, progress: this.progress(true) };
    if (this.failure) end.error = this.failure;
    return end;
  }

  /** Per-cell outcomes for the summary. */
  outcomes(): CellOutcome[] {
    return this.states.map((st) => {
      const o: CellOutcome = {
        cell: st.cell,
        trials: st.stoppedAt ?? st.frontierTrials,
        complete: st.stoppedAt !== null,
        stopReason: st.stopReason,
        counts: st.counts,
      };
      if (this.o.spec.stop.rule === 'sprt') {
        const tracked = this.o.exp.tracked(st.cell.params, st.counts, o.trials);
        o.sprt = Object.fromEntries(tracked.map((t) => [t.name, st.stop.sprt[t.name] ?? 'undecided']));
      }
      return o;
    });
  }
}
