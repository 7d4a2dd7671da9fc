import type { Progress, RunEvent } from '@paradox/orchestrator';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProgressModel, STALL_AFTER_MS, cellLabel, fraction } from '../src/progress/model.js';
import { JsonStallRenderer, PlainRenderer, TtyRenderer, bar, frameLines, plainLine } from '../src/progress/render.js';
import { formatDuration, groupInt } from '../src/progress/format.js';

function progress(over: Partial<Progress> = {}): Progress {
  return { trialsDone: 0, trialsTotal: 1000, trialsTotalExact: true, cellsDone: 0, cellsTotal: 4, trialsPerSecond: 0, elapsedMs: 0, etaMs: null, ...over };
}

/** A synthetic run: 4 cells × 250 trials, 50-trial batches, two cells in flight. */
function syntheticEvents(): RunEvent[] {
  const ev: RunEvent[] = [];
  let done = 0;
  ev.push({ type: 'run-started', runId: 'r', dir: '/tmp/x', name: 'toy', experiment: 'noncomputability', specHash: 'h', backend: 'local', workers: 2, resumed: false, progress: progress() });
  for (let c = 0; c < 4; c++) {
    ev.push({ type: 'cell-started', cellIndex: c, cellKey: `k${c}`, axes: { algorithm: c % 2 ? 'coin' : 'gd', K: 8 }, maxTrials: 250, progress: progress({ trialsDone: done, cellsDone: c }) });
    for (let b = 0; b < 5; b++) {
      done += 50;
      ev.push({ type: 'batch-done', cellIndex: c, batchIndex: b, trialStart: b * 50, trialCount: 50, trialsMs: 30, attempt: 1, progress: progress({ trialsDone: done, cellsDone: c, trialsPerSecond: 500, elapsedMs: done * 2, etaMs: (1000 - done) * 2 }) });
    }
    ev.push({ type: 'cell-done', cellIndex: c, cellKey: `k${c}`, trials: 250, reason: 'fixed', progress: progress({ trialsDone: done, cellsDone: c + 1, trialsPerSecond: 500, elapsedMs: done * 2, etaMs: (1000 - done) * 2 }) });
  }
  ev.push({ type: 'run-done', status: 'complete', dir: '/tmp/x', summaryPath: '/tmp/x/summary.json', progress: progress({ trialsDone: 1000, cellsDone: 4, trialsPerSecond: 500, elapsedMs: 2000, etaMs: 0 }) });
  return ev;
}

class Sink {
  chunks: string[] = [];
  isTTY = true;
  columns = 80;
  write(s: string): boolean {
    this.chunks.push(s);
    return true;
  }
  get text(): string {
    return this.chunks.join('');
  }
}

describe('formatting', () => {
  it('groups digits and words durations', () => {
    expect(groupInt(1234567)).toBe('1,234,567');
    expect(groupInt(999)).toBe('999');
    expect(formatDuration(4200)).toBe('4.2 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(formatDuration(7_620_000)).toBe('2 h 07 min');
  });
  it('draws a bar of fixed width', () => {
    expect(bar(0, 10)).toBe('[░░░░░░░░░░]');
    expect(bar(0.5, 10)).toBe('[█████░░░░░]');
    expect(bar(1.7, 4)).toBe('[████]');
  });
});

describe('ProgressModel', () => {
  it('tracks the overall counts and the cells in flight from events', () => {
    let t = 0;
    const m = new ProgressModel('toy', { now: () => t });
    const ev = syntheticEvents();
    for (const e of ev.slice(0, 4)) m.apply(e); // started, cell 0 started, two batches
    let s = m.snapshot();
    expect(s.trialsDone).toBe(100);
    expect(s.active).toEqual([{ label: 'algorithm=gd K=8', trialsDone: 100, maxTrials: 250 }]);
    expect(fraction(s)).toBeCloseTo(0.1);
    t = 1000; // a second later without events: elapsed moves on, ETA counts down
    s = m.snapshot();
    expect(s.elapsedMs).toBe(200 + 1000);
    expect(s.etaMs).toBe(1800 - 1000);
    for (const e of ev.slice(4)) m.apply(e);
    s = m.snapshot();
    expect(s.active).toEqual([]);
    expect(s.cellsDone).toBe(4);
    expect(fraction(s)).toBe(1);
  });

  it('falls back to cells for the fraction when the total is only an upper bound', () => {
    const m = new ProgressModel('x');
    m.apply({ type: 'cell-done', cellIndex: 0, cellKey: 'k', trials: 10, reason: 'sprt', progress: progress({ trialsTotalExact: false, trialsTotal: 1e6, trialsDone: 10, cellsDone: 1 }) });
    expect(fraction(m.snapshot())).toBe(0.25);
    expect(frameLines(m.snapshot(), 200)[1]).toContain('10/≤1,000,000 trials');
  });

  it('labels cells by their axes', () => {
    expect(cellLabel({ algorithm: 'gd', lambda: 0.05, arch: [2, 4, 1] })).toBe('algorithm=gd lambda=0.05 arch=[2,4,1]');
    expect(cellLabel({})).toBe('(single cell)');
  });
});

describe('frameLines', () => {
  it('shows a bar, counts, rate, ETA and the cells in flight, each line within the width', () => {
    const m = new ProgressModel('toy', { now: () => 0 });
    const ev = syntheticEvents();
    for (const e of ev.slice(0, 7)) m.apply(e);
    for (const width of [40, 80, 200]) {
      const lines = frameLines(m.snapshot(), width);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(width);
    }
    const lines = frameLines(m.snapshot(), 200);
    expect(lines[0]).toMatch(/^toy \[█+░+\]\s+25%$/);
    expect(lines[1]).toBe('  0/4 cells · 250/1,000 trials · 500 trials/s · ETA 1.5 s · 0.5 s elapsed');
    expect(lines[2]).toBe('  ▸ algorithm=gd K=8  250/250');
  });

  it('lists at most four cells in flight', () => {
    const m = new ProgressModel('wide', { now: () => 0 });
    for (let c = 0; c < 7; c++) m.apply({ type: 'cell-started', cellIndex: c, cellKey: `k${c}`, axes: { c }, maxTrials: 10, progress: progress() });
    const lines = frameLines(m.snapshot(), 100);
    expect(lines.filter((l) => l.includes('▸ c='))).toHaveLength(4);
    expect(lines.at(-1)).toContain('and 3 more cells');
  });

  it('plain lines carry the same numbers without escapes', () => {
    const m = new ProgressModel('toy', { now: () => 0 });
    for (const e of syntheticEvents().slice(0, 7)) m.apply(e);
    const line = plainLine(m.snapshot());
    expect(line).toBe('toy: 25% · 0/4 cells · 250/1,000 trials · 500 trials/s · ETA 1.5 s · 0.5 s elapsed');
    expect(line).not.toContain('\x1b');
  });
});

describe('TtyRenderer', () => {
  afterEach(() => vi.useRealTimers());

  it('redraws at most 10 times a second, however many events arrive', () => {
    vi.useFakeTimers();
    const sink = new Sink();
    const m = new ProgressModel('toy');
    const r = new TtyRenderer(m, sink);
    const framesBefore = sink.chunks.filter((c) => c.includes('toy [')).length;
    for (const e of syntheticEvents()) {
      m.apply(e);
      r.update();
    }
    vi.advanceTimersByTime(1000);
    const frames = sink.chunks.filter((c) => c.includes('toy [')).length - framesBefore;
    expect(frames).toBeGreaterThanOrEqual(1);
    expect(frames).toBeLessThanOrEqual(10);
    r.finish('done');
  });

  it('hides the cursor while drawing, then erases its frame, prints the final line and shows the cursor', () => {
    vi.useFakeTimers();
    const sink = new Sink();
    const m = new ProgressModel('toy');
    const r = new TtyRenderer(m, sink);
    for (const e of syntheticEvents().slice(0, 5)) m.apply(e);
    r.update();
    vi.advanceTimersByTime(150);
    r.log('a message');
    r.finish('Finished toy.');
    const text = sink.text;
    expect(text.startsWith('\x1b[?25l')).toBe(true);
    expect(text.endsWith('Finished toy.\n\x1b[?25h')).toBe(true);
    // Every frame drawn is erased: as many "up + clear" moves as frame lines written.
    const ESC = String.fromCharCode(27);
    const drawnLines = (text.match(new RegExp(`${ESC}\\[2K[^${ESC}\\n\\r]+\\n`, 'g')) ?? []).length;
    const erased = text.split(`${ESC}[1A${ESC}[2K`).length - 1;
    expect(erased).toBe(drawnLines);
    // The message survives above the live area.
    expect(text).toContain('a message\n');
    r.finish('twice'); // idempotent
    expect(sink.text).toBe(text);
  });
});

describe('TtyRenderer on a resized terminal', () => {
  afterEach(() => vi.useRealTimers());
  it('erases every row of a frame whose lines wrap after the terminal was narrowed', () => {
    vi.useFakeTimers();
    const sink = new Sink();
    sink.columns = 100;
    const m = new ProgressModel('toy');
    const r = new TtyRenderer(m, sink);
    for (const e of syntheticEvents().slice(0, 5)) m.apply(e);
    r.update();
    vi.advanceTimersByTime(150);
    const ESC = String.fromCharCode(27);
    const frame = sink.chunks.filter((c) => c.includes('toy [')).at(-1)!;
    const lines = frame.split('\n').filter((l) => l.length > 0).map((l) => l.replace(`${ESC}[2K`, ''));
    sink.columns = 30; // the user narrows the window: long lines now take several rows
    sink.chunks = [];
    r.finish('done');
    const rowsNow = lines.reduce((n, l) => n + Math.max(1, Math.ceil([...l].length / 30)), 0);
    expect(rowsNow).toBeGreaterThan(lines.length);
    expect(sink.text.split(`${ESC}[1A${ESC}[2K`).length - 1).toBe(rowsNow);
  });
});

describe('PlainRenderer', () => {
  afterEach(() => vi.useRealTimers());
  it('prints a plain line per period only when something changed', () => {
    vi.useFakeTimers();
    const sink = new Sink();
    sink.isTTY = false;
    const m = new ProgressModel('toy');
    const r = new PlainRenderer(m, sink, 1000);
    const ev = syntheticEvents();
    for (const e of ev.slice(0, 6)) m.apply(e);
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(3000); // nothing new: no repeated lines
    for (const e of ev.slice(6)) m.apply(e);
    vi.advanceTimersByTime(1000);
    r.finish('Finished.');
    const lines = sink.text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^toy: \d+% · /);
    expect(lines[1]).toMatch(/^toy: 100% · 4\/4 cells/);
    expect(lines[2]).toBe('Finished.');
    expect(sink.text).not.toContain('\x1b');
  });
});

describe('a stalled run', () => {
  afterEach(() => vi.useRealTimers());
  const started = (): RunEvent => syntheticEvents()[0]!;
  const batch = (trialsDone: number): RunEvent => ({
    type: 'batch-done', cellIndex: 0, batchIndex: 0, trialStart: 0, trialCount: 50, trialsMs: 30, attempt: 1,
    progress: progress({ trialsDone, trialsPerSecond: 500, elapsedMs: 1000, etaMs: 1900 }),
  });

  it('says "stalled for N s" instead of the last ETA once no batch finished for STALL_AFTER_MS, and the ETA again after the next batch', () => {
    let t = 0;
    const m = new ProgressModel('toy', { now: () => t });
    m.apply(started());
    m.apply(batch(50));
    t = STALL_AFTER_MS - 1;
    expect(m.snapshot().stalledMs).toBeUndefined();
    expect(plainLine(m.snapshot())).toMatch(/ · ETA \d/);
    t = STALL_AFTER_MS + 32_000;
    const s = m.snapshot();
    expect(s.stalledMs).toBe(STALL_AFTER_MS + 32_000);
    expect(s.etaMs).toBeUndefined();
    expect(frameLines(s, 120)[1]).toContain(`· stalled for ${formatDuration(STALL_AFTER_MS + 32_000)} ·`);
    expect(plainLine(s)).not.toContain('ETA');
    m.apply(batch(100));
    expect(m.snapshot().stalledMs).toBeUndefined();
    expect(plainLine(m.snapshot())).toMatch(/ · ETA \d/);
    // A run that has not started (or has ended) is not stalled, however long ago.
    const idle = new ProgressModel('idle', { now: () => t });
    expect(idle.snapshot().stalledMs).toBeUndefined();
    m.apply(syntheticEvents().at(-1)!);
    t += 10 * STALL_AFTER_MS;
    expect(m.snapshot().stalledMs).toBeUndefined();
  });

  it('prints a plain line every period while stalled, and emits a stalled event in --json mode', () => {
    vi.useFakeTimers();
    let t = 0;
    const m = new ProgressModel('toy', { now: () => t });
    const sink = new Sink();
    sink.isTTY = false;
    const plain = new PlainRenderer(m, sink, 5000);
    const events: Array<Record<string, unknown>> = [];
    const json = new JsonStallRenderer(m, (e) => events.push(e), 5000);
    m.apply(started());
    m.apply(batch(50));
    t = 5000;
    vi.advanceTimersByTime(5000); // progress since the last line: one line with the ETA
    for (const at of [10_000, 15_000, 20_000]) {
      t = at;
      vi.advanceTimersByTime(5000);
    }
    plain.finish();
    json.finish();
    const lines = sink.text.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('ETA');
    expect(lines.slice(1).map((l) => /stalled for (.*?) ·/.exec(l)?.[1])).toEqual(['10 s', '15 s', '20 s'].map((x) => formatDuration(Number.parseInt(x, 10) * 1000)));
    expect(events.map((e) => [e.type, e.stalledMs])).toEqual([
      ['stalled', 10_000],
      ['stalled', 15_000],
      ['stalled', 20_000],
    ]);
    expect(events[0]!.progress).toMatchObject({ trialsDone: 50, trialsTotal: 1000 });
  });
});
