/**
 * Progress renderers: a live bar on a TTY, periodic plain lines otherwise. Both read a
 * `ProgressModel`; the frame text is a pure function of a snapshot so it can be tested without a
 * terminal.
 */
import { fit, formatDuration, formatRate, groupInt } from './format.js';
import { fraction, type ProgressModel, type ProgressSnapshot } from './model.js';

/** Where a renderer writes (a `process.stderr`-like stream). */
export interface Output {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The interface the run command drives. */
export interface ProgressRenderer {
  /** Something changed; the renderer redraws at its own pace. */
  update(): void;
  /** Prints a message without breaking the live display. */
  log(line: string): void;
  /** Stops rendering, restores the terminal, and prints `finalLine` if given. */
  finish(finalLine?: string): void;
}

const MAX_ACTIVE_SHOWN = 4;

/** `[██████░░░░]` of `width` cells for `f` in [0, 1]. */
export function bar(f: number, width: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, f)) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/**
 * The counts line: `5/12 cells · 12,400/30,000 trials · 812 trials/s · ETA 19 s`; when no batch
 * finished for a while, `stalled for 42 s` in place of the ETA (which would be stale).
 */
export function statsText(s: ProgressSnapshot): string {
  // With an adaptive stopping rule the total is an upper bound that shrinks as cells stop early.
  const upTo = s.trialsTotalExact ? '' : '≤';
  const trials = `${groupInt(s.trialsDone)}/${upTo}${groupInt(s.trialsTotal)} trials`;
  const eta =
    s.stalledMs !== undefined
      ? `stalled for ${formatDuration(s.stalledMs)}`
      : s.etaMs === undefined
        ? 'ETA ?'
        : `ETA ${upTo}${formatDuration(s.etaMs)}`;
  return `${s.cellsDone}/${s.cellsTotal} cells · ${trials} · ${formatRate(s.rate)} trials/s · ${eta} · ${formatDuration(s.elapsedMs)} elapsed`;
}

/** The lines of one TTY frame, each at most `width` columns. */
export function frameLines(s: ProgressSnapshot, width: number): string[] {
  const f = fraction(s);
  const pct = `${Math.floor(f * 100)}%`.padStart(4);
  const barWidth = Math.max(10, Math.min(40, width - s.name.length - 10));
  const lines = [fit(`${s.name} ${bar(f, barWidth)} ${pct}`, width), fit(`  ${statsText(s)}`, width)];
  for (const a of s.active.slice(0, MAX_ACTIVE_SHOWN)) {
    lines.push(fit(`  ▸ ${a.label}  ${groupInt(a.trialsDone)}/${groupInt(a.maxTrials)}`, width));
  }
  if (s.active.length > MAX_ACTIVE_SHOWN) lines.push(fit(`  ▸ … and ${s.active.length - MAX_ACTIVE_SHOWN} more cells`, width));
  return lines;
}

/** One plain line for logs and pipes. */
export function plainLine(s: ProgressSnapshot): string {
  const f = fraction(s);
  return `${s.name}: ${Math.floor(f * 100)}% · ${statsText(s)}`;
}

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const CLEAR_LINE = '\x1b[2K';

/**
 * Live display on a TTY: redraws in place at most `1000 / intervalMs` times a second (10 by
 * default), hides the cursor while drawing and always shows it again (also on exit), and leaves
 * no partial frame behind when it finishes.
 */
export class TtyRenderer implements ProgressRenderer {
  /** The lines of the frame on screen (empty when none is). */
  private drawn: string[] = [];
  private dirty = true;
  private finished = false;
  private readonly timer: NodeJS.Timeout;
  private readonly restore = (): void => {
    this.out.write(SHOW_CURSOR);
  };

  constructor(
    private readonly model: ProgressModel,
    private readonly out: Output,
    intervalMs = 100,
  ) {
    this.out.write(HIDE_CURSOR);
    // If the process dies without finish() (an uncaught error), do not leave the cursor hidden.
    process.once('exit', this.restore);
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
    this.draw();
  }

  update(): void {
    this.dirty = true;
  }

  log(line: string): void {
    if (this.finished) {
      this.out.write(`${line}\n`);
      return;
    }
    this.erase();
    this.out.write(`${line}\n`);
    this.draw();
  }

  finish(finalLine?: string): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.timer);
    this.erase();
    if (finalLine !== undefined) this.out.write(`${finalLine}\n`);
    this.out.write(SHOW_CURSOR);
    process.removeListener('exit', this.restore);
  }

  private tick(): void {
    // The elapsed time and ETA move even without events, so redraw at least once a second.
    if (this.dirty || performance.now() - this.lastDraw > 1000) {
      this.erase();
      this.draw();
    }
  }

  private lastDraw = 0;

  private draw(): void {
    // A pseudo-terminal may report 0 columns; assume the classic 80 then.
    const width = Math.max(20, (this.out.columns || 80) - 1);
    const snap = this.model.snapshot();
    // Nothing to show before the run has started (no cells known yet): avoid a flash of "0/0".
    if (snap.cellsTotal === 0) return;
    const lines = frameLines(snap, width);
    this.out.write(lines.map((l) => `${CLEAR_LINE}${l}`).join('\n') + '\n');
    this.drawn = lines;
    this.dirty = false;
    this.lastDraw = performance.now();
  }

  /**
   * Moves up over the last frame and clears it, leaving the cursor where the frame started. If the
   * terminal was narrowed since the frame was drawn, its lines now wrap: count the rows they take
   * at the current width so no remnant is left behind.
   */
  private erase(): void {
    if (this.drawn.length === 0) return;
    const cols = Math.max(1, this.out.columns || 80);
    let rows = 0;
    for (const l of this.drawn) rows += Math.max(1, Math.ceil([...l].length / cols));
    let s = '';
    for (let i = 0; i < rows; i++) s += `\x1b[1A${CLEAR_LINE}`;
    this.out.write(`${s}\r`);
    this.drawn = [];
  }
}

/** How often progress goes to a log or pipe (not a terminal): one whole line per period at most. */
export const PLAIN_PROGRESS_MS = 5000;

/** Non-TTY output: one plain line every `everyMs` (and none in between), then the final line. */
export class PlainRenderer implements ProgressRenderer {
  private readonly timer: NodeJS.Timeout;
  private finished = false;
  private lastPrinted = -1;

  constructor(
    private readonly model: ProgressModel,
    private readonly out: Output,
    everyMs = PLAIN_PROGRESS_MS,
  ) {
    this.timer = setInterval(() => this.print(), everyMs);
    this.timer.unref();
  }

  update(): void {}

  log(line: string): void {
    this.out.write(`${line}\n`);
  }

  finish(finalLine?: string): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.timer);
    if (finalLine !== undefined) this.out.write(`${finalLine}\n`);
  }

  private print(): void {
    const s = this.model.snapshot();
    // Nothing new since the last line: stay quiet rather than repeat it — unless the run is
    // stalled, which is news every period (`stalled for 15 s`, `… 20 s`).
    if (s.trialsDone === this.lastPrinted && s.stalledMs === undefined) return;
    this.lastPrinted = s.trialsDone;
    this.out.write(`${plainLine(s)}\n`);
  }
}

/**
 * `--json` mode: the orchestrator's events go to stdout elsewhere; this renderer only adds, every
 * `everyMs` while no batch finishes, a `{type: 'stalled', stalledMs, progress}` event (the
 * events themselves stop arriving, so a consumer could not tell a stall from a slow batch).
 */
export class JsonStallRenderer implements ProgressRenderer {
  private readonly timer: NodeJS.Timeout;
  private finished = false;

  constructor(
    private readonly model: ProgressModel,
    private readonly emit: (event: Record<string, unknown>) => void,
    everyMs = PLAIN_PROGRESS_MS,
  ) {
    this.timer = setInterval(() => this.tick(), everyMs);
    this.timer.unref();
  }

  update(): void {}
  log(): void {}

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.timer);
  }

  private tick(): void {
    const s = this.model.snapshot();
    if (s.stalledMs === undefined) return;
    this.emit({
      type: 'stalled',
      stalledMs: Math.round(s.stalledMs),
      progress: { trialsDone: s.trialsDone, trialsTotal: s.trialsTotal, cellsDone: s.cellsDone, cellsTotal: s.cellsTotal, elapsedMs: Math.round(s.elapsedMs) },
    });
  }
}
