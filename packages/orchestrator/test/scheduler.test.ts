/**
 * The scheduler's frontier and stopping logic with a fake backend (no threads, no WASM): results
 * that arrive out of order, a crashed ramp batch, a batch that fails twice, and a replay after
 * cancellation must all give the counts and stop points of the plain in-order run, which are
 * computed here trial by trial without the scheduler. A result for a batch another writer already
 * stored fails the run instead of being counted twice.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../src/events.js';
import { WorkerCrash, type Backend } from '../src/backends/types.js';
import type { ExperimentDefinition } from '../src/experiments/types.js';
import { BatchScheduler, type SchedulerEnd } from '../src/run/scheduler.js';
import type { Cell, NormalisedSpec, StopRule } from '../src/spec/types.js';
import { evaluateStop, initialStopState, isCheckpoint, maxTrialsOf } from '../src/stats/stopping.js';
import { RunStore } from '../src/store/db.js';
import { batchResult, type BatchOutcome, type BatchResult, type BatchTask } from '../src/worker/protocol.js';

const RUN_ID = 'run-fake';

/** Whether trial `t` of cell `c` is a "hit": a fixed pseudo-random function of (c, t) only. */
function hit(c: number, t: number): boolean {
  let h = Math.imul(t + 1, 0x9e3779b1) ^ Math.imul(c + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0 < 0x66666666; // p ≈ 0.4
}

/** The experiment the scheduler sees: one tracked proportion `k / trials`, no guard. */
const fakeExperiment: ExperimentDefinition = {
  name: 'noncomputability',
  paramKeys: ['c'],
  normaliseParams: (p) => p,
  runBatch: () => {
    throw new Error('the scheduler never runs trials itself');
  },
  tracked: (_params, counts, trials) => [{ name: 'p', k: counts.k ?? 0, n: trials }],
  guard: () => null,
  summarise: () => {
    throw new Error('not used');
  },
};

function cells(n: number): Cell[] {
  return Array.from({ length: n }, (_, i) => ({ index: i, key: `fake:{"c":${i}}`, hash32: i, axes: { c: i }, params: { c: i } }));
}

function specWith(stop: StopRule): NormalisedSpec {
  return { name: 'fake', experiment: 'noncomputability', seed: 1, grid: { c: [0, 1, 2] }, zip: {}, fixed: {}, stop, confidence: 0.95, backend: 'local', workers: 2, batch: 'auto' };
}

/** The result a worker would return for a task: counts from the trials alone. */
function resultOf(task: BatchTask, trialsMs: number): BatchResult {
  let k = 0;
  for (let t = task.trialStart; t < task.trialStart + task.trialCount; t++) if (hit(task.cellIndex, t)) k++;
  return batchResult(task, { k }, {}, { worker: 'fake', trialsMs, wallMs: trialsMs });
}

interface FakeOptions {
  concurrency?: number;
  /** Which pending task finishes next: the oldest, the newest, or a seeded shuffle. */
  order?: 'fifo' | 'lifo' | 'shuffle';
  /** Reject this call with a WorkerCrash (after the optional side effect). */
  crash?: (task: BatchTask) => boolean;
  /** Trial time the fake reports (drives auto batch sizing). */
  msPerTrial?: number;
  /** Called with the result just before it is delivered (e.g. to store it behind the scheduler's back). */
  beforeDeliver?: (result: BatchResult) => void;
}

/** A backend that answers from `resultOf`, releasing pending tasks one per macrotask in the chosen order. */
class FakeBackend implements Backend {
  readonly name = 'local' as const;
  readonly concurrency: number;
  readonly calls: BatchTask[] = [];
  private readonly pending: Array<{ task: BatchTask; resolve: (o: BatchOutcome) => void; reject: (e: Error) => void }> = [];
  private rng = 12345;
  constructor(private readonly o: FakeOptions = {}) {
    this.concurrency = o.concurrency ?? 2;
  }
  async start(): Promise<void> {}
  async close(): Promise<void> {}
  run(task: BatchTask): Promise<BatchOutcome> {
    this.calls.push(task);
    return new Promise((resolve, reject) => {
      this.pending.push({ task, resolve, reject });
      setImmediate(() => this.release());
    });
  }
  private release(): void {
    if (this.pending.length === 0) return;
    let i = 0;
    if (this.o.order === 'lifo') i = this.pending.length - 1;
    else if (this.o.order === 'shuffle') {
      this.rng = (Math.imul(this.rng, 1103515245) + 12345) >>> 0;
      i = this.rng % this.pending.length;
    }
    const [p] = this.pending.splice(i, 1);
    if (!p) return;
    if (this.o.crash?.(p.task)) p.reject(new WorkerCrash(`fake crash on ${p.task.cellIndex}:${p.task.batchIndex}`));
    else {
      const r = resultOf(p.task, p.task.trialCount * (this.o.msPerTrial ?? 0.5));
      this.o.beforeDeliver?.(r);
      p.resolve(r);
    }
  }
}

function newStore(spec: NormalisedSpec, n: number): { dir: string; store: RunStore } {
  const dir = mkdtempSync(join(tmpdir(), 'paradox-sched-'));
  return { dir, store: RunStore.create(dir, spec, 'hash', RUN_ID, cells(n)) };
}

async function session(spec: NormalisedSpec, store: RunStore, dir: string, backend: Backend, batch: number | 'auto', extra: { signal?: AbortSignal; onEvent?: (e: { type: string }) => void; resumed?: boolean } = {}): Promise<SchedulerEnd> {
  const s = new BatchScheduler({
    spec,
    specHash: 'hash',
    runId: RUN_ID,
    dir,
    exp: fakeExperiment,
    cells: cells(3),
    store,
    backend,
    batch,
    resumed: extra.resumed ?? false,
    ...(extra.signal ? { signal: extra.signal } : {}),
    ...(extra.onEvent ? { onEvent: extra.onEvent } : {}),
  });
  return s.run();
}

/** What every cell must end with, computed trial by trial: counts and stop point of the rule. */
function expected(rule: StopRule, nCells: number): Array<{ trials: number; k: number; stopReason: string }> {
  return Array.from({ length: nCells }, (_, c) => {
    let k = 0;
    let state = initialStopState();
    const max = maxTrialsOf(rule);
    for (let t = 1; t <= max; t++) {
      if (hit(c, t - 1)) k++;
      if (!isCheckpoint(rule, t)) continue;
      const v = evaluateStop(rule, [{ name: 'p', k, n: t }], t, 0.95, state);
      state = v.state;
      if (v.stop) return { trials: t, k, stopReason: v.reason ?? 'max-trials' };
    }
    throw new Error('the rule never stopped');
  });
}

function summary(end: SchedulerEnd): Array<{ trials: number; k: number; stopReason: string | null }> {
  return end.outcomes.map((o) => ({ trials: o.trials, k: o.counts.k ?? 0, stopReason: o.stopReason }));
}

const FIXED: StopRule = { rule: 'fixed', trials: 300 };
const ADAPTIVE: StopRule = { rule: 'ci-halfwidth', halfWidth: 0.08, minTrials: 25, maxTrials: 2000, checkEvery: 25 };

describe('scheduler frontier and stopping (fake backend)', () => {
  it('the adaptive rule stops where the trial-by-trial computation stops (and early: the test can tell)', () => {
    const want = expected(ADAPTIVE, 3);
    for (const w of want) {
      expect(w.stopReason).toBe('ci-halfwidth');
      expect(w.trials % 25).toBe(0);
      expect(w.trials).toBeLessThan(2000);
    }
    // The cells differ, so a mix-up between cells would show.
    expect(new Set(want.map((w) => `${w.trials}/${w.k}`)).size).toBeGreaterThan(1);
  });

  for (const rule of [FIXED, ADAPTIVE]) {
    for (const order of ['fifo', 'lifo', 'shuffle'] as const) {
      for (const batch of [7, 50, 'auto'] as const) {
        it(`${rule.rule}: results ${order}, batch ${batch} → the in-order counts and stop points`, async () => {
          const spec = specWith(rule);
          const { dir, store } = newStore(spec, 3);
          const backend = new FakeBackend({ order, concurrency: 3 });
          const end = await session(spec, store, dir, backend, batch);
          expect(end.status).toBe('complete');
          expect(summary(end)).toEqual(expected(rule, 3));
          // Every dispatched batch is distinct: nothing ran twice.
          const keys = backend.calls.map((t) => `${t.cellIndex}:${t.batchIndex}`);
          expect(new Set(keys).size).toBe(keys.length);
          // Stored stop points agree with the outcome (the resume cache).
          expect(store.cells().map((c) => c.stoppedAt)).toEqual(expected(rule, 3).map((w) => w.trials));
          store.close();
        });
      }
    }
  }

  it('progress counts the trials the results use: batches past a stopping point leave the count and the rate when the cell stops', async () => {
    // A clock that moves 50 ms per result (~240 results: the 5-s rate window slides): the expected
    // rate at every event is then computable from the events alone.
    let clock = 1000;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => clock);
    try {
      const spec = specWith(ADAPTIVE);
      const { dir, store } = newStore(spec, 3);
      // Newest first, 6 batches in flight: batches past a checkpoint come back before it.
      const backend = new FakeBackend({ order: 'lifo', concurrency: 3, beforeDeliver: () => void (clock += 50) });
      const events: RunEvent[] = [];
      const end = await session(spec, store, dir, backend, 25, { onEvent: (e) => events.push(e as RunEvent) });
      expect(end.status).toBe('complete');
      expect(end.trialsRun).toBeGreaterThan(end.trialsUsed);
      const stoppedAt = new Map<number, number>();
      // This session's results in arrival order (one rate sample each), and whether each still counts.
      const results: Array<{ cell: number; start: number; count: number; afterStop: boolean; at: number }> = [];
      const kept = (r: (typeof results)[number]): number => {
        const stop = stoppedAt.get(r.cell);
        return r.afterStop || (stop !== undefined && r.start >= stop) ? 0 : r.count;
      };
      let checked = 0;
      let slid = false;
      for (const e of events) {
        if (e.type === 'batch-done') results.push({ cell: e.cellIndex, start: e.trialStart, count: e.trialCount, afterStop: stoppedAt.has(e.cellIndex), at: e.progress.elapsedMs + 1000 });
        if (e.type === 'cell-done') stoppedAt.set(e.cellIndex, e.trials);
        if (!('progress' in e) || !e.progress || results.length === 0) continue;
        const used = results.reduce((a, r) => a + kept(r), 0);
        expect(e.progress.trialsDone).toBe(used);
        if (e.type === 'run-done') continue;
        const t = e.progress.elapsedMs + 1000;
        // The window's first sample: samples older than ~5 s are dropped (two always stay).
        let j = 0;
        while (results.length - j > 2 && t - results[j + 1]!.at > 5000) j++;
        if (j > 0) slid = true;
        if (t - results[j]!.at <= 200) continue;
        // A sample holds the trials used up to its result, less those discarded since.
        const before = results.slice(0, j + 1).reduce((a, r) => a + kept(r), 0);
        expect(e.progress.trialsPerSecond).toBeCloseTo(((used - before) * 1000) / (t - results[j]!.at), 9);
        checked++;
      }
      expect(checked, `${results.length} results`).toBeGreaterThan(10);
      expect(slid).toBe(true);
      expect(end.progress.trialsDone).toBe(end.trialsUsed);
      expect(end.progress.trialsPerSecond).toBe((end.trialsUsed * 1000) / end.progress.elapsedMs);
      store.close();
    } finally {
      now.mockRestore();
    }
  });

  it('a worker crash on a ramp batch is retried once, and the run ends as if nothing happened', async () => {
    const spec = specWith(ADAPTIVE);
    const plain = newStore(spec, 3);
    await session(spec, plain.store, plain.dir, new FakeBackend({ order: 'shuffle' }), 'auto');
    const { dir, store } = newStore(spec, 3);
    // Batch 1 of cell 1 is the second ramp batch (calibration 8 trials, then ×8).
    const crashed = new Set<string>();
    const backend = new FakeBackend({
      order: 'shuffle',
      crash: (t) => {
        const key = `${t.cellIndex}:${t.batchIndex}`;
        if (t.cellIndex !== 1 || t.batchIndex !== 1 || crashed.has(key)) return false;
        crashed.add(key);
        return true;
      },
    });
    const events: string[] = [];
    const end = await session(spec, store, dir, backend, 'auto', { onEvent: (e) => events.push(e.type) });
    expect(end.status).toBe('complete');
    expect(crashed.size).toBe(1);
    expect(backend.calls.filter((t) => t.cellIndex === 1 && t.batchIndex === 1).map((t) => t.attempt)).toEqual([1, 2]);
    expect(events).toContain('warning');
    expect(summary(end)).toEqual(expected(ADAPTIVE, 3));
    // The ramp (and so every batch boundary) is the same as without the crash.
    expect(store.cells().map((c) => c.plan)).toEqual(plain.store.cells().map((c) => c.plan));
    expect(store.cells()[1]?.plan?.ramp.slice(0, 2)).toEqual([8, 64]);
    plain.store.close();
    store.close();
  });

  it('a result whose batch is already stored by someone else is refused (E_STORE), never counted twice', async () => {
    const spec = specWith(FIXED);
    const { dir, store } = newStore(spec, 3);
    // Another writer stores batch 1:2 just before this session's copy of it arrives.
    const backend = new FakeBackend({ beforeDeliver: (r) => (r.cellIndex === 1 && r.batchIndex === 2 ? void store.insertBatch(r, 1) : undefined) });
    const end = await session(spec, store, dir, backend, 50);
    expect(end.status).toBe('failed');
    expect((end.error as { code?: string }).code).toBe('E_STORE');
    expect(end.error?.message).toContain(`batch ${RUN_ID}:1:2 is already stored but was not run by this process`);
    // The stored copy is there once.
    expect(store.batches(1).filter((b) => b.batchIndex === 2)).toHaveLength(1);
    store.close();
  });

  it('a crash on both attempts fails the run naming the batch, and what was stored stays resumable', async () => {
    const spec = specWith(FIXED);
    const { dir, store } = newStore(spec, 3);
    const backend = new FakeBackend({ crash: (t) => t.cellIndex === 2 && t.batchIndex === 3 });
    const end = await session(spec, store, dir, backend, 50);
    expect(end.status).toBe('failed');
    expect(end.error?.message).toMatch(/batch failed twice: fake crash on 2:3/);
    expect((end.error as { code?: string }).code).toBe('E_WORKER_CRASH');
    // Resume with a healthy backend: the same result as an uninterrupted run.
    const again = await session(spec, store, dir, new FakeBackend({ order: 'lifo' }), 50, { resumed: true });
    expect(again.status).toBe('complete');
    expect(summary(again)).toEqual(expected(FIXED, 3));
    store.close();
  });

  it('replay: a session cancelled midway and resumed on a new store handle reaches the same stop points, running only missing batches', async () => {
    for (const rule of [FIXED, ADAPTIVE]) {
      const spec = specWith(rule);
      const { dir, store } = newStore(spec, 3);
      const stop = new AbortController();
      let done = 0;
      const first = await session(spec, store, dir, new FakeBackend({ order: 'shuffle' }), 'auto', {
        signal: stop.signal,
        onEvent: (e) => {
          if (e.type === 'batch-done' && ++done === 9) stop.abort();
        },
      });
      expect(first.status).toBe('cancelled');
      const stored = new Set(store.batches().map((b) => `${b.cellIndex}:${b.batchIndex}`));
      expect(stored.size).toBeGreaterThanOrEqual(9);
      store.close();
      const reopened = RunStore.open(dir);
      const backend = new FakeBackend({ order: 'lifo' });
      const second = await session(spec, reopened, dir, backend, 'auto', { resumed: true });
      expect(second.status).toBe('complete');
      expect(summary(second)).toEqual(expected(rule, 3));
      for (const t of backend.calls) expect(stored.has(`${t.cellIndex}:${t.batchIndex}`)).toBe(false);
      reopened.close();
    }
  });
});
