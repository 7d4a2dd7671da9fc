/**
 * Real sweeps through the local backend: determinism across workers and batch sizes, cancellation
 * and resume, failing and crashing workers (fixture task modules), theorem guards, the store reader.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRunStore, readSummary, resumeRun, runSweep } from '../src/api.js';
import { OrchestratorError, TrialError } from '../src/errors.js';
import type { RunEvent } from '../src/events.js';
import { noncomputability } from '../src/experiments/noncomputability.js';
import { expandCells, normaliseSpec } from '../src/spec/index.js';
import { prestartLocalPool, releasePrestartedPool } from '../src/backends/local.js';
import { loadSpec } from '../src/spec/load.js';
import { fixture, fixturePath, SMALL_SPEC, summaryBytes, tempDir } from './helpers/sweep.js';

async function run(spec: Record<string, unknown>, opts: { workers: number; batch: number | 'auto'; taskModule?: string; events?: RunEvent[] }) {
  const dir = join(tempDir(), 'run');
  const res = await runSweep(spec, {
    outDir: dir,
    workers: opts.workers,
    batch: opts.batch,
    ...(opts.taskModule ? { taskModule: opts.taskModule } : {}),
    onEvent: (e) => opts.events?.push(e),
  });
  return { dir, res };
}

describe('determinism', () => {
  it('1, 2 and 4 workers and three batch sizes give byte-identical summary.json', async () => {
    const ref = await run(SMALL_SPEC, { workers: 1, batch: 'auto' });
    expect(ref.res.status).toBe('complete');
    const bytes = summaryBytes(ref.dir);
    const summary = JSON.parse(bytes);
    expect(summary.run.complete).toBe(true);
    expect(summary.run.trialsDone).toBe(90 * 8);
    for (const [workers, batch] of [[2, 'auto'], [4, 'auto'], [2, 7], [4, 64], [1, 13]] as const) {
      const other = await run(SMALL_SPEC, { workers, batch });
      expect(summaryBytes(other.dir), `workers ${workers}, batch ${batch}`).toBe(bytes);
      expect(readFileSync(join(other.dir, 'summary.csv'), 'utf8')).toBe(readFileSync(join(ref.dir, 'summary.csv'), 'utf8'));
    }
  });

  it('instability sweeps are byte-identical across workers and batch sizes too', async () => {
    const spec = { name: 'inst', experiment: 'instability', seed: 11, grid: { method: ['train', 'construct-stable'], m: [4, 6] }, fixed: { epochs: 30, r: 24, s: 8 }, trials: 10 };
    const a = await run(spec, { workers: 1, batch: 'auto' });
    const b = await run(spec, { workers: 2, batch: 3 });
    expect(summaryBytes(b.dir)).toBe(summaryBytes(a.dir));
    const s = JSON.parse(summaryBytes(a.dir));
    expect(s.cells).toHaveLength(4);
    expect(s.cells[2].arch).toBeNull();
    expect(s.cells[0].arch).toEqual([2, 8, 8, 1]);
    // ψ_T (F2) is correct wherever the stripe was observed: on T it is always accurate.
    expect(s.cells[2].accuracy.train.min).toBe(1);
  });

  it('an adaptive stopping rule stops at the same trial whatever the batch size', async () => {
    const spec = { ...SMALL_SPEC, trials: undefined, grid: { algorithm: ['coin', 'hedge'], K: [6] }, zip: {}, fixed: { readBits: 4 }, stop: { rule: 'ci-halfwidth', halfWidth: 0.12, checkEvery: 25, maxTrials: 400 } };
    const a = await run(spec, { workers: 2, batch: 'auto' });
    const b = await run(spec, { workers: 1, batch: 6 });
    expect(summaryBytes(b.dir)).toBe(summaryBytes(a.dir));
    const s = JSON.parse(summaryBytes(a.dir));
    // coin has p = 1/2 at small ε: CP half-width ≤ 0.12 needs ~ 70 trials; hedge is deterministic.
    for (const c of s.cells) {
      expect(c.stopReason).toBe('ci-halfwidth');
      expect(c.trials % 25).toBe(0);
      expect(c.trials).toBeLessThan(400);
    }
  });

  it('trials run past a stopping point are counted apart: trialsUsed is what the results use', async () => {
    // hedge is deterministic (p = 0 or 1): the rule stops at the first checkpoint, 25 trials. With
    // 2 workers the scheduler dispatches 2 × 2 batches of 25 before any result is back, so at
    // least the three batches past trial 25 run and are not part of the results (more when a
    // later batch comes back before the first and frees a slot: that depends on timing).
    const spec = { ...SMALL_SPEC, trials: undefined, grid: { algorithm: ['hedge'], K: [6] }, zip: {}, fixed: { readBits: 4 }, stop: { rule: 'ci-halfwidth', halfWidth: 0.12, checkEvery: 25, maxTrials: 400 } };
    const events: RunEvent[] = [];
    const { dir, res } = await run(spec, { workers: 2, batch: 25, events });
    const s = JSON.parse(summaryBytes(dir));
    expect(s.cells).toHaveLength(1);
    expect(s.cells[0].trials).toBe(25);
    expect(res.trialsUsed).toBe(25);
    expect(res.trialsRun).toBeGreaterThanOrEqual(100);
    expect(res.trialsRun % 25).toBe(0);
    // Progress counts the same trials: the last event's count and rate are the closing line's
    // (trialsUsed, trialsUsed ÷ elapsedMs), and no event on the way counts a discarded batch
    // once its cell has stopped.
    const last = events.at(-1);
    expect(last?.type).toBe('run-done');
    expect(last?.progress?.trialsDone).toBe(res.trialsUsed);
    expect(last?.progress?.elapsedMs).toBe(res.elapsedMs);
    expect(last?.progress?.trialsPerSecond).toBe((res.trialsUsed * 1000) / res.elapsedMs);
    const stopped = events.findIndex((e) => e.type === 'cell-done');
    expect(stopped).toBeGreaterThan(0);
    for (const e of events.slice(stopped)) expect(e.progress?.trialsDone).toBe(25);
    // A fixed count has nothing past its end: both counts agree.
    const fixed = await run({ ...SMALL_SPEC, trials: 10 }, { workers: 2, batch: 4 });
    expect(fixed.res.trialsUsed).toBe(fixed.res.trialsRun);
    expect(fixed.res.trialsUsed).toBe(JSON.parse(summaryBytes(fixed.dir)).run.trialsDone);
  });

  it('batches past an undecided checkpoint wait while another cell has certain work', async () => {
    // Four deterministic cells (hedge: each stops at its first checkpoint, 25 trials) in batches of
    // 25 on 2 workers: the first 2 × 2 batches dispatched are each cell's first batch, not cell 0's
    // batches past its checkpoint (they are dispatched before any result is back, so the order of
    // the cell-started events before the first batch-done is exact).
    const spec = { ...SMALL_SPEC, trials: undefined, grid: { algorithm: ['hedge'], K: [4, 6, 8, 10] }, zip: {}, fixed: { readBits: 4 }, stop: { rule: 'ci-halfwidth', halfWidth: 0.12, checkEvery: 25, maxTrials: 400 } };
    const events: RunEvent[] = [];
    const { dir, res } = await run(spec, { workers: 2, batch: 25, events });
    const first = events.findIndex((e) => e.type === 'batch-done');
    expect(events.slice(0, first).filter((e) => e.type === 'cell-started').map((e) => (e as { cellIndex: number }).cellIndex)).toEqual([0, 1, 2, 3]);
    const s = JSON.parse(summaryBytes(dir));
    expect(s.cells.map((c: { trials: number }) => c.trials)).toEqual([25, 25, 25, 25]);
    expect(res.trialsUsed).toBe(100);
  });

  it('a prestarted pool is adopted by a run with its thread count, replaced by one with another, released otherwise; same results', async () => {
    const ref = await run(SMALL_SPEC, { workers: 2, batch: 'auto' });
    prestartLocalPool(2);
    const adopted = await run(SMALL_SPEC, { workers: 2, batch: 'auto' });
    // Nothing left to release: the run took the pool (and closed it at its end).
    expect(await releasePrestartedPool()).toBe(false);
    prestartLocalPool(3);
    const replaced = await run(SMALL_SPEC, { workers: 2, batch: 7 });
    // The 3-thread pool did not fit: the run destroyed it and started its own.
    expect(await releasePrestartedPool()).toBe(false);
    for (const r of [adopted, replaced]) {
      expect(r.res.status).toBe('complete');
      expect(summaryBytes(r.dir)).toBe(summaryBytes(ref.dir));
    }
    prestartLocalPool(2);
    expect(await releasePrestartedPool()).toBe(true);
    expect(await releasePrestartedPool()).toBe(false);
  });

  it('sprt and confidence-sequence rules: same stop whatever the batch size; decisions reported', async () => {
    const base = { ...SMALL_SPEC, trials: undefined, grid: { algorithm: ['coin', 'hedge'], K: [6] }, zip: {}, fixed: { readBits: 4, epsilons: [0.05, 5] } };
    const sprt = { ...base, stop: { rule: 'sprt', delta: 0.2, alpha: 0.05, beta: 0.05, checkEvery: 10, maxTrials: 2000 } };
    const a = await run(sprt, { workers: 2, batch: 'auto' });
    const b = await run(sprt, { workers: 1, batch: 3 });
    expect(summaryBytes(b.dir)).toBe(summaryBytes(a.dir));
    const s = JSON.parse(summaryBytes(a.dir));
    // coin: p = 1/2 below ε_B (H1: no better than 1/2) and 1 at ε = 5 (H0); hedge: 0 below ε_B, 1 above.
    expect(s.cells[0].stopReason).toBe('sprt');
    expect(s.cells[0].sprt).toEqual({ 'p+ at eps=0.05': 'H1', 'p- at eps=0.05': 'H1', 'p+ at eps=5': 'H0', 'p- at eps=5': 'H0' });
    expect(s.cells[1].sprt).toEqual({ 'p+ at eps=0.05': 'H1', 'p- at eps=0.05': 'H1', 'p+ at eps=5': 'H0', 'p- at eps=5': 'H0' });
    const cs = { ...base, stop: { rule: 'confidence-sequence', halfWidth: 0.2, checkEvery: 10, maxTrials: 2000 } };
    const c = await run(cs, { workers: 2, batch: 'auto' });
    const d = await run(cs, { workers: 1, batch: 4 });
    expect(summaryBytes(d.dir)).toBe(summaryBytes(c.dir));
    for (const cell of JSON.parse(summaryBytes(c.dir)).cells) {
      expect(cell.stopReason).toBe('confidence-sequence');
      for (const row of cell.eps) for (const p of [row.plus, row.minus]) expect(Math.max(p.p - p.cs[0], p.cs[1] - p.p)).toBeLessThanOrEqual(0.2);
    }
  });

  it('summary values agree with the stored per-trial rows', async () => {
    const { dir } = await run(SMALL_SPEC, { workers: 2, batch: 'auto' });
    const summary = await readSummary(dir);
    const store = openRunStore(dir);
    try {
      const cell = summary.cells[1];
      expect(cell?.experiment).toBe('noncomputability');
      if (cell?.experiment !== 'noncomputability') return;
      const rows = [...store.trials(1)];
      expect(rows.length).toBe(90);
      expect(rows.map((r) => r.trial)).toEqual(Array.from({ length: 90 }, (_, i) => i));
      const eps0 = cell.eps[0]!;
      expect(rows.filter((r) => (r.values['dist+'] as number) <= eps0.eps).length).toBe(eps0.plus.k);
      const batches = store.batches(1);
      expect(batches.reduce((a, b) => a + b.trialCount, 0)).toBe(90);
      expect(store.cells()[1]?.done).toBe(true);
    } finally {
      store.close();
    }
    // A reader that stops part-way (break, or an error while exporting) leaves no query open:
    // the store closes, and a second pass starts from trial 0.
    const early = openRunStore(dir);
    for (const t of early.trials(1)) if (t.trial === 5) break;
    expect([...early.trials(1)].length).toBe(90);
    expect(() => early.close()).not.toThrow();
  });
});

describe('cancellation and resume', () => {
  it('an aborted run is resumable and the resumed summary equals the uninterrupted one', async () => {
    const ref = await run(SMALL_SPEC, { workers: 2, batch: 5 });
    const dir = join(tempDir(), 'run');
    const ac = new AbortController();
    let batches = 0;
    const res = await runSweep(SMALL_SPEC, {
      outDir: dir,
      workers: 2,
      batch: 5,
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'batch-done' && ++batches === 20) ac.abort();
      },
    });
    expect(res.status).toBe('cancelled');
    expect(res.summary.run.complete).toBe(false);
    expect(JSON.parse(summaryBytes(dir)).run.complete).toBe(false);
    const events: RunEvent[] = [];
    const resumed = await resumeRun(dir, { workers: 1, onEvent: (e) => events.push(e) });
    expect(resumed.status).toBe('complete');
    expect(events[0]?.type === 'run-started' && events[0].resumed).toBe(true);
    // Only the missing trials ran again.
    expect(resumed.trialsRun).toBe(90 * 8 - (events[0]?.type === 'run-started' ? events[0].progress.trialsDone : 0));
    expect(summaryBytes(dir)).toBe(summaryBytes(ref.dir));
  });

  it('refuses to resume with a different spec, and to run into a used directory', async () => {
    const { dir } = await run({ ...SMALL_SPEC, trials: 10 }, { workers: 1, batch: 'auto' });
    await expect(resumeRun(dir, { spec: { ...SMALL_SPEC, trials: 11 } })).rejects.toMatchObject({ code: 'E_SPEC_MISMATCH', exitCode: 2 });
    await expect(resumeRun(dir, { spec: { ...SMALL_SPEC, trials: 10, workers: 3 } })).resolves.toMatchObject({ status: 'complete', trialsRun: 0 });
    await expect(runSweep(SMALL_SPEC, { outDir: dir })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(resumeRun(tempDir())).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});

describe('failing workers', () => {
  const spec = { ...SMALL_SPEC, grid: { algorithm: ['coin'], K: [4] }, zip: {}, fixed: { readBits: 8 }, trials: 60 };

  it('a deterministic error reaches the user with cell and seed, and is not retried', async () => {
    const events: RunEvent[] = [];
    const err = await run(spec, { workers: 2, batch: 10, taskModule: fixture('worker-throws-on-batch-2.mjs'), events }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrialError);
    const e = err as TrialError;
    expect(e.code).toBe('E_TRIAL');
    expect(e.exitCode).toBe(1);
    expect(e.location).toMatchObject({ cellIndex: 0, seed: SMALL_SPEC.seed, batchIndex: 2, trialStart: 20, trialCount: 10, trial: 23 });
    expect(e.message).toContain('rejected trial 23');
    expect(e.message).toContain(`seed ${SMALL_SPEC.seed}`);
    expect(e.message).toContain('cell 0 noncomputability:');
    expect(events.filter((x) => x.type === 'warning')).toEqual([]);
    const done = events.at(-1);
    expect(done?.type === 'run-done' && done.status).toBe('failed');
  });

  it('a crash is retried once and the run completes with the same summary', async () => {
    const clean = await run(spec, { workers: 2, batch: 10 });
    const events: RunEvent[] = [];
    const crashed = await run(spec, { workers: 2, batch: 10, taskModule: fixture('worker-crashes-once-on-batch-2.mjs'), events });
    expect(crashed.res.status).toBe('complete');
    const warnings = events.filter((x) => x.type === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'W_RETRY', cellIndex: 0 });
    const retried = events.filter((x) => x.type === 'batch-done' && x.attempt === 2);
    expect(retried).toHaveLength(1);
    expect(summaryBytes(crashed.dir)).toBe(summaryBytes(clean.dir));
    const store = openRunStore(crashed.dir);
    expect(store.batches(0).find((b) => b.batchIndex === 2)?.attempt).toBe(2);
    store.close();
  });

  it('a worker that crashes twice on the same batch fails the run with E_WORKER_CRASH', async () => {
    const err = await run(spec, { workers: 2, batch: 10, taskModule: fixture('worker-crashes-always-on-batch-2.mjs') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrialError);
    expect((err as TrialError).code).toBe('E_WORKER_CRASH');
    expect((err as TrialError).location).toMatchObject({ cellIndex: 0, batchIndex: 2, seed: SMALL_SPEC.seed });
  });

  it('a theorem violation inside a trial fails the run naming the seed and trial', async () => {
    const err = await run(spec, { workers: 1, batch: 10, taskModule: fixture('trial-violates-theorem-on-batch-1.mjs') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrialError);
    expect((err as TrialError).code).toBe('E_THEOREM');
    expect((err as TrialError).location).toMatchObject({ trial: 14, seed: SMALL_SPEC.seed });
    expect((err as Error).message).toMatch(/F3 dichotomy violated/);
  });
});

describe('run-level theorem guard (noncomputability)', () => {
  const spec = normaliseSpec({ experiment: 'noncomputability', seed: 3, grid: { readBits: [4, 9] }, fixed: { algorithm: 'coin', K: 8, epsilons: [0.05, 5] }, trials: 100 });
  const [hidden, visible] = expandCells(spec);

  it('fires when p̂⁺ + p̂⁻ exceeds 1 beyond its interval below ε_B with readBits ≤ K', () => {
    const counts = { 'succ+.0': 95, 'succ-.0': 95, 'succ+.1': 100, 'succ-.1': 100 };
    const msg = noncomputability.guard(hidden!, counts, 100, 3, 0.95);
    expect(msg).toMatch(/p̂⁺ \+ p̂⁻ = 1\.9 > 1 beyond its interval .* at ε = 0\.05 < ε_B/);
  });

  it('stays silent within the interval, above ε_B, or when readBits > K', () => {
    expect(noncomputability.guard(hidden!, { 'succ+.0': 52, 'succ-.0': 50 }, 100, 3, 0.95)).toBeNull();
    // ε = 5 is above ε_B: both signs may succeed.
    expect(noncomputability.guard(hidden!, { 'succ+.0': 0, 'succ-.0': 0, 'succ+.1': 100, 'succ-.1': 100 }, 100, 3, 0.95)).toBeNull();
    expect(noncomputability.guard(visible!, { 'succ+.0': 100, 'succ-.0': 100 }, 100, 3, 0.95)).toBeNull();
  });
});

describe('run-level theorem guard (wired into the scheduler)', () => {
  it('fails the run naming the cell when p̂⁺ + p̂⁻ > 1 beyond its interval where readBits ≤ K', async () => {
    const spec = { ...SMALL_SPEC, grid: { algorithm: ['coin'], K: [8] }, zip: {}, fixed: { readBits: 4, epsilons: [0.01] }, trials: 40 };
    const err = await run(spec, { workers: 1, batch: 10, taskModule: fixture('counts-break-exclusivity.mjs') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrialError);
    expect((err as TrialError).code).toBe('E_THEOREM');
    expect((err as Error).message).toMatch(/theorem guard failed: p̂⁺ \+ p̂⁻ = 2 > 1 beyond its interval/);
    expect((err as TrialError).location).toMatchObject({ cellIndex: 0, seed: SMALL_SPEC.seed });
    expect((err as Error).message).toContain('cell 0 noncomputability:');
  });
});

describe('events', () => {
  it('are typed, plain JSON, and carry progress', async () => {
    const events: RunEvent[] = [];
    await run({ ...SMALL_SPEC, trials: 30 }, { workers: 2, batch: 'auto', events });
    expect(events[0]?.type).toBe('run-started');
    expect(events.at(-1)?.type).toBe('run-done');
    const types = new Set(events.map((e) => e.type));
    for (const t of ['cell-started', 'batch-done', 'cell-done']) expect(types.has(t as RunEvent['type'])).toBe(true);
    expect(events.filter((e) => e.type === 'cell-done')).toHaveLength(8);
    const last = events.at(-1);
    if (last?.type !== 'run-done') throw new Error('no run-done');
    expect(last.progress).toMatchObject({ trialsDone: 240, trialsTotal: 240, cellsDone: 8, cellsTotal: 8, trialsTotalExact: true });
    expect(existsSync(last.summaryPath)).toBe(true);
    for (const e of events) expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });

  it('a throwing listener cannot break the run', async () => {
    const res = await runSweep({ ...SMALL_SPEC, trials: 5 }, { outDir: join(tempDir(), 'r'), workers: 1, onEvent: () => { throw new Error('listener'); } });
    expect(res.status).toBe('complete');
  });

  it('the bullmq backend without a Redis URL fails cleanly', async () => {
    await expect(runSweep({ ...SMALL_SPEC, trials: 5 }, { outDir: join(tempDir(), 'r'), workers: 1, backend: 'bullmq' })).rejects.toBeInstanceOf(OrchestratorError);
  });
});

describe('plugins', () => {
  it('a spec file names a plugin next to it; it runs in the workers and is deterministic', async () => {
    const dir = tempDir();
    copyFileSync(fixturePath('plugin-half-slope.mjs'), join(dir, 'half.mjs'));
    const specFile = join(dir, 'plugin.json');
    writeFileSync(specFile, JSON.stringify({ experiment: 'noncomputability', seed: 2, grid: { K: [6] }, fixed: { algorithm: 'plugin', plugin: './half.mjs', readBits: 4, epsilons: [0.1, 10] }, trials: 30 }));
    const spec = await loadSpec(specFile);
    expect(spec.fixed.plugin).toBe(join(dir, 'half.mjs'));
    const a = await runSweep(spec, { outDir: join(dir, 'a'), workers: 2, batch: 7 });
    const b = await runSweep(spec, { outDir: join(dir, 'b'), workers: 1 });
    expect(summaryBytes(b.dir)).toBe(summaryBytes(a.dir));
    const cell = a.summary.cells[0];
    if (cell?.experiment !== 'noncomputability') throw new Error('expected a noncomputability cell');
    // ε = 10 is above any distance: every trial succeeds on both signs.
    expect(cell.eps[1]?.plus.k).toBe(30);
    expect(cell.eps[1]?.minus.k).toBe(30);
    expect(cell.algorithm).toBe('plugin');
  });
});
