/**
 * What the progress renderers show, fed by the orchestrator's typed run events: overall cells
 * and trials, the cells running now, trials/s and ETA (the orchestrator smooths the rate; the
 * model only keeps the elapsed time moving between events), or how long the run has been stalled
 * when no batch finished for STALL_AFTER_MS.
 */
import type { Progress, RunEvent } from '@paradox/orchestrator';
import { formatValue } from './format.js';

/** A cell that is running right now. */
export interface ActiveCell {
  /** Short human label: the cell's axis values (`algorithm=gd K=8 readBits=16`). */
  label: string;
  trialsDone: number;
  /** Upper bound of the cell's trials. */
  maxTrials: number;
}

/** Everything a renderer needs for one frame. */
export interface ProgressSnapshot {
  /** Run name (e.g. `breakdown`, or `demo/instability`). */
  name: string;
  cellsTotal: number;
  cellsDone: number;
  /** Planned trials overall (an upper bound when `trialsTotalExact` is false). */
  trialsTotal: number;
  trialsTotalExact: boolean;
  trialsDone: number;
  active: ActiveCell[];
  elapsedMs: number;
  /** Trials per second over the recent window. */
  rate: number;
  /** Estimated milliseconds left, or undefined while unknown (and while stalled). */
  etaMs: number | undefined;
  /**
   * Milliseconds since the last batch finished (or the run started) once that is at least
   * STALL_AFTER_MS: the rate and ETA then describe the past, and renderers say `stalled for …`.
   */
  stalledMs: number | undefined;
}

/** No batch finished for this long: the run is shown as stalled instead of with its last ETA. */
export const STALL_AFTER_MS = 10_000;

/** `algorithm=gd K=8 readBits=16` from a cell's axes. */
export function cellLabel(axes: Record<string, unknown>): string {
  const parts = Object.entries(axes).map(([k, v]) => `${k}=${formatValue(v)}`);
  return parts.length > 0 ? parts.join(' ') : '(single cell)';
}

/** Mutable progress state; `apply(event)` for each run event, `snapshot()` for each frame. */
export class ProgressModel {
  name: string;
  private progress: Progress = {
    trialsDone: 0,
    trialsTotal: 0,
    trialsTotalExact: true,
    cellsDone: 0,
    cellsTotal: 0,
    trialsPerSecond: 0,
    elapsedMs: 0,
    etaMs: null,
  };
  /** Active cells by index, in start order. */
  private readonly active = new Map<number, ActiveCell>();
  /** Local clock at the last progress update, to advance elapsed/ETA between events. */
  private progressAt: number;
  /** Local clock when the last batch finished (or the run started); undefined before the start and after the end. */
  private lastBatchAt: number | undefined;
  private readonly now: () => number;

  constructor(name: string, options: { now?: () => number } = {}) {
    this.name = name;
    this.now = options.now ?? (() => performance.now());
    this.progressAt = this.now();
  }

  /** Folds one run event into the state. */
  apply(e: RunEvent): void {
    if (e.progress) {
      this.progress = e.progress;
      this.progressAt = this.now();
    }
    if (e.type === 'run-started' || e.type === 'batch-done') this.lastBatchAt = this.now();
    if (e.type === 'run-done') this.lastBatchAt = undefined;
    switch (e.type) {
      case 'cell-started':
        this.active.set(e.cellIndex, { label: cellLabel(e.axes), trialsDone: 0, maxTrials: e.maxTrials });
        break;
      case 'batch-done': {
        const a = this.active.get(e.cellIndex);
        if (a) a.trialsDone = Math.max(a.trialsDone, e.trialStart + e.trialCount);
        break;
      }
      case 'cell-done':
        this.active.delete(e.cellIndex);
        break;
      case 'run-done':
        this.active.clear();
        break;
      default:
        break;
    }
  }

  /** A frozen frame for rendering. */
  snapshot(): ProgressSnapshot {
    const p = this.progress;
    const now = this.now();
    const since = Math.max(0, now - this.progressAt);
    const quiet = this.lastBatchAt === undefined ? 0 : now - this.lastBatchAt;
    const stalledMs = quiet >= STALL_AFTER_MS ? quiet : undefined;
    const eta = p.etaMs === null || stalledMs !== undefined ? undefined : Math.max(0, p.etaMs - since);
    return {
      name: this.name,
      cellsTotal: p.cellsTotal,
      cellsDone: p.cellsDone,
      trialsTotal: p.trialsTotal,
      trialsTotalExact: p.trialsTotalExact,
      trialsDone: p.trialsDone,
      active: [...this.active.values()].map((a) => ({ ...a })),
      elapsedMs: p.elapsedMs + since,
      rate: p.trialsPerSecond,
      etaMs: eta,
      stalledMs,
    };
  }
}

/** Overall completion in [0, 1]: by trials when the total is known, otherwise by cells. */
export function fraction(s: ProgressSnapshot): number {
  if (s.trialsTotalExact && s.trialsTotal > 0) return Math.min(1, s.trialsDone / s.trialsTotal);
  return s.cellsTotal > 0 ? Math.min(1, s.cellsDone / s.cellsTotal) : 0;
}
