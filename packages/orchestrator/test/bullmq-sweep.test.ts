/**
 * Whole sweeps on the bullmq backend — real redis-server, real worker processes, the real task
 * module — compared byte for byte with the same sweep on the local backend, including when a
 * worker, Redis or the orchestrator itself is killed mid-run.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/events.js';
import { OrchestratorError, TrialError } from '../src/errors.js';
import { openRunStore, resumeRun, runSweep } from '../src/api.js';
import type { SpecInput } from '../src/spec/types.js';
import { HOLDING_TASK, spawnWorker, stopWorkers, type WorkerProcess } from './helpers/bullmq-workers.js';
import { freePort, startRedis, type RedisServer } from './helpers/redis.js';

/** Small, but long enough (a few seconds, ~100 ms batches) to kill things in the middle. */
const SPEC: SpecInput = {
  name: 'bullmq-equivalence',
  experiment: 'noncomputability',
  seed: 20261125,
  grid: { algorithm: ['gd', 'coin'], K: [4, 8] },
  fixed: { readBits: 16 },
  trials: 500,
};
const TRIALS_PER_CELL = 500;

let redis: RedisServer;
let root: string;
let reference: { summary: Buffer; events: RunEvent[] };
const workers: WorkerProcess[] = [];
let dirCounter = 0;

const newDir = (): string => join(root, `run-${++dirCounter}`);
const summaryOf = (dir: string): Buffer => readFileSync(join(dir, 'summary.json'));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'paradox-bullmq-sweep-'));
  redis = await startRedis({ persistent: true });
  const events: RunEvent[] = [];
  const dir = newDir();
  await runSweep(SPEC, { outDir: dir, backend: 'local', workers: 2, onEvent: (e) => events.push(e) });
  reference = { summary: summaryOf(dir), events };
});
afterEach(async () => {
  await stopWorkers(workers.splice(0));
});
afterAll(async () => {
  await redis?.dispose();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function twoWorkers(): Promise<[WorkerProcess, WorkerProcess]> {
  const [a, b] = await Promise.all([spawnWorker(redis.url), spawnWorker(redis.url)]);
  workers.push(a, b);
  return [a, b];
}

/** Every cell's stored batches tile [0, trials) exactly once: nothing lost, nothing counted twice. */
function expectEachTrialStoredOnce(dir: string): void {
  const store = openRunStore(dir);
  try {
    for (const cell of store.cells()) {
      const batches = store.batches(cell.index).sort((a, b) => a.trialStart - b.trialStart);
      expect(new Set(batches.map((b) => b.batchIndex)).size).toBe(batches.length);
      let next = 0;
      for (const b of batches) {
        expect(b.trialStart).toBe(next);
        next += b.trialCount;
      }
      expect(next).toBe(TRIALS_PER_CELL);
    }
  } finally {
    store.close();
  }
}

/** The events that do not depend on scheduling, reduced to what must match across backends. */
function stableEvents(events: RunEvent[]): unknown[] {
  return events
    .filter((e) => e.type === 'cell-started' || e.type === 'cell-done' || e.type === 'run-done')
    .map((e) => {
      if (e.type === 'cell-started') return { type: e.type, cellIndex: e.cellIndex, cellKey: e.cellKey, axes: e.axes, maxTrials: e.maxTrials };
      if (e.type === 'cell-done') return { type: e.type, cellIndex: e.cellIndex, trials: e.trials, reason: e.reason };
      return { type: e.type, status: e.status, trialsDone: e.progress.trialsDone, trialsTotal: e.progress.trialsTotal };
    })
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

function trialsPerCell(events: RunEvent[]): number[] {
  const out = [0, 0, 0, 0];
  for (const e of events) if (e.type === 'batch-done') out[e.cellIndex] = (out[e.cellIndex] ?? 0) + e.trialCount;
  return out;
}

describe('a sweep on bullmq with two worker processes', () => {
  it('gives a summary.json byte-identical to the local run, and the same events', async () => {
    const [a, b] = await twoWorkers();
    const events: RunEvent[] = [];
    const dir = newDir();
    const res = await runSweep(SPEC, { outDir: dir, backend: 'bullmq', redis: redis.url, workers: 2, onEvent: (e) => events.push(e) });
    expect(res.status).toBe('complete');
    expect(summaryOf(dir).equals(reference.summary)).toBe(true);
    expect(stableEvents(events)).toEqual(stableEvents(reference.events));
    expect(trialsPerCell(events)).toEqual(trialsPerCell(reference.events));
    // Every event type carries the same fields as the local backend's.
    const shape = (evs: RunEvent[]) => [...new Set(evs.map((e) => `${e.type}:${Object.keys(e).sort().join(',')}`))].sort();
    expect(shape(events)).toEqual(shape(reference.events));
    const started = events.find((e) => e.type === 'run-started');
    expect(started).toMatchObject({ backend: 'bullmq', resumed: false });
    // Both processes did work.
    expect(a.events.some((e) => e.type === 'job-done')).toBe(true);
    expect(b.events.some((e) => e.type === 'job-done')).toBe(true);
    expectEachTrialStoredOnce(dir);
  });

  it('an instability sweep is byte-identical to the local run too', async () => {
    await twoWorkers();
    const spec: SpecInput = {
      name: 'bullmq-instability',
      experiment: 'instability',
      seed: 5,
      grid: { m: [8] },
      zip: { method: ['train', 'construct-stable'], hidden: [[4], [8]] },
      fixed: { d: 2, r: 64, s: 32, epochs: 200, lr: 0.03 },
      trials: 24,
    };
    const local = newDir();
    const remote = newDir();
    await runSweep(spec, { outDir: local, backend: 'local', workers: 2 });
    await runSweep(spec, { outDir: remote, backend: 'bullmq', redis: redis.url, workers: 2 });
    expect(summaryOf(remote).equals(summaryOf(local))).toBe(true);
  });

  it('a worker SIGKILLed mid-job: its job is re-delivered, the summary is identical, nothing counted twice', async () => {
    // The victim holds its third batch until it is killed, so the kill is mid-job by construction:
    // with the plain task a ~100 ms batch could finish (and say job-done) before a loaded test
    // process had read the victim's job-started line, and the test then failed on its own premise.
    const [victim, survivor] = await Promise.all([
      spawnWorker(redis.url, { taskModule: HOLDING_TASK, env: { HOLD_FROM_JOB: '3' } }),
      spawnWorker(redis.url),
    ]);
    workers.push(victim, survivor);
    const dir = newDir();
    const run = runSweep(SPEC, { outDir: dir, backend: 'bullmq', redis: redis.url, workers: 2 });
    // Kill it in the middle of its third batch.
    let seen = 0;
    const third = await victim.waitFor((e) => e.type === 'job-started' && ++seen === 3);
    victim.proc.kill('SIGKILL');
    await victim.exited;
    const res = await run;
    expect(res.status).toBe('complete');
    const lostJob = (third as { jobId: string }).jobId;
    expect(victim.events.some((e) => e.type === 'job-done' && e.jobId === lostJob)).toBe(false);
    expect(survivor.events.some((e) => e.type === 'job-done' && e.jobId === lostJob)).toBe(true);
    expect(summaryOf(dir).equals(reference.summary)).toBe(true);
    expectEachTrialStoredOnce(dir);
  });

  it.each([
    ['stopped (SIGTERM)', () => redis.stop()],
    ['killed (SIGKILL)', () => redis.crash()],
  ])('Redis %s and restarted mid-run (persistence on): the run completes identically', async (_how, down) => {
    await twoWorkers();
    const dir = newDir();
    let done = 0;
    let bounced: Promise<void> | undefined;
    const res = await runSweep(SPEC, {
      outDir: dir,
      backend: 'bullmq',
      redis: redis.url,
      workers: 2,
      onEvent: (e) => {
        if (e.type === 'batch-done' && ++done === 4) {
          bounced = (async () => {
            await down();
            await new Promise((r) => setTimeout(r, 1_500));
            await redis.restart();
          })();
        }
      },
    });
    await bounced;
    expect(res.status).toBe('complete');
    expect(summaryOf(dir).equals(reference.summary)).toBe(true);
    expectEachTrialStoredOnce(dir);
  });

  it('the orchestrator SIGKILLed mid-run and resumed against the same Redis: identical', async () => {
    const [a, b] = await twoWorkers();
    const dir = newDir();
    const script = fileURLToPath(new URL('./fixtures/bullmq-orchestrator.mjs', import.meta.url));
    // It kills itself right after its 6th batch-done (of at least 28): mid-run on any machine.
    const child = spawn(process.execPath, [script, JSON.stringify(SPEC), dir, redis.url], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KILL_AFTER_BATCHES: '6' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const exited = new Promise<number | string>((r) => child.once('exit', (c, s) => r(c ?? s ?? -1)));
    expect(await exited, `the orchestrator was to kill itself after its 6th batch:\n${stderr}`).toBe('SIGKILL');
    const jobsBefore = a.events.length + b.events.length;
    const events: RunEvent[] = [];
    const res = await resumeRun(dir, { backend: 'bullmq', redis: redis.url, workers: 2, onEvent: (e) => events.push(e) });
    expect(res.status).toBe('complete');
    expect(events.find((e) => e.type === 'run-started')).toMatchObject({ resumed: true, backend: 'bullmq' });
    expect(summaryOf(dir).equals(reference.summary)).toBe(true);
    expectEachTrialStoredOnce(dir);
    expect(a.events.length + b.events.length).toBeGreaterThan(jobsBefore);
  });
});

describe('a plugin that loops forever, on bullmq', () => {
  it('fails its batch as unrecoverable naming the trial, is never re-delivered, and the next run on the same worker process succeeds', async () => {
    const [worker] = await Promise.all([spawnWorker(redis.url)]);
    workers.push(worker!);
    const w = worker!;
    const dir = newDir();
    mkdirSync(dir);
    copyFileSync(fileURLToPath(new URL('./fixtures/plugin-loops-sometimes.mjs', import.meta.url)), join(dir, 'loops.mjs'));
    const looping: SpecInput = {
      name: 'loops',
      experiment: 'noncomputability',
      seed: 9,
      grid: { K: [6] },
      fixed: { algorithm: 'plugin', plugin: join(dir, 'loops.mjs'), readBits: 4, epsilons: [0.1] },
      trials: 400,
      batch: 5,
      batchTimeout: 8,
    };
    const first = join(dir, 'first');
    const err = (await runSweep(looping, { outDir: first, backend: 'bullmq', redis: redis.url, workers: 1 }).catch((e: unknown) => e)) as TrialError;
    expect(err).toBeInstanceOf(TrialError);
    expect(err.code).toBe('E_DEADLINE');
    expect(err.location.trial).toBeGreaterThanOrEqual(err.location.trialStart);
    expect(err.message).toContain(`trial ${err.location.trial} never finished`);
    expect(err.message).toMatch(new RegExp(`its thread was stopped on worker \\S*${String(w.proc.pid)} and replaced by a fresh one`));
    const failed = (await w.waitFor((e) => e.type === 'job-failed' && e.unrecoverable)) as { jobId: string };
    const runId = (JSON.parse(readFileSync(join(first, 'spec.json'), 'utf8')) as { runId: string }).runId;
    expect(failed.jobId.startsWith(`${runId}:`)).toBe(true);
    // The run ended after its other batch in flight finished; nothing of it is left to run.
    const endOfFirst = w.events.length;

    // The same worker process (its looping thread replaced) runs the next sweep to the end.
    const second = newDir();
    const small: SpecInput = { ...SPEC, name: 'after-the-loop', grid: { algorithm: ['coin'], K: [4] }, trials: 60 };
    const done = await runSweep(small, { outDir: second, backend: 'bullmq', redis: redis.url, workers: 1 });
    expect(done.status).toBe('complete');
    const local = newDir();
    await runSweep(small, { outDir: local, backend: 'local', workers: 1 });
    expect(summaryOf(second).equals(summaryOf(local))).toBe(true);
    expect(w.proc.exitCode).toBeNull();
    // The looping job ran once (failed, never re-delivered), and no job of the failed run was
    // taken after it ended: the loop poisoned nobody.
    const started = (id: string): number => w.events.filter((e) => e.type === 'job-started' && (e as { jobId: string }).jobId === id).length;
    expect(started(failed.jobId)).toBe(1);
    const after = w.events.slice(endOfFirst);
    expect(after.filter((e) => e.type === 'job-started' && (e as { jobId: string }).jobId.startsWith(`${runId}:`))).toEqual([]);
    expect(after.some((e) => e.type === 'job-done')).toBe(true);
  });
});

describe('bullmq connection errors at the start of a run', () => {
  let guarded: RedisServer;
  beforeAll(async () => {
    guarded = await startRedis({ password: 'the-right-password', persistent: false });
  });
  afterAll(async () => {
    await guarded?.dispose();
  });
  const cases: Array<[string, () => Promise<string>, RegExp]> = [
    ['Redis down (nothing listening)', async () => `redis://127.0.0.1:${await freePort()}`, /connection refused/],
    ['a wrong password', async () => `redis://:not-the-password@127.0.0.1:${guarded.port}`, /rejected the credentials/],
    ['no password for a Redis that requires one', async () => `redis://127.0.0.1:${guarded.port}`, /requires a password/],
    ['a URL that is not a Redis URL', async () => 'http://127.0.0.1:6379', /unsupported scheme/],
  ];
  it.each(cases)('%s: a clear E_BACKEND error (exit 1) within seconds, and no run directory', async (_name, url, message) => {
    const dir = newDir();
    const t0 = Date.now();
    const err = await runSweep(SPEC, { outDir: dir, backend: 'bullmq', redis: await url(), workers: 2 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(6_000);
    expect(err).toBeInstanceOf(OrchestratorError);
    expect((err as OrchestratorError).code).toBe('E_BACKEND');
    expect((err as OrchestratorError).exitCode).toBe(1);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('not-the-password');
    // Redis is checked before anything is written: no run directory at all.
    expect(existsSync(dir)).toBe(false);
  });

  it('takes the URL from the spec (`redis:`) and stores the spec without the password', async () => {
    const dir = newDir();
    const url = `redis://:not-the-password@127.0.0.1:${guarded.port}`;
    const err = await runSweep({ ...SPEC, backend: 'bullmq', redis: url }, { outDir: dir, workers: 2 }).catch((e: unknown) => e);
    expect((err as OrchestratorError).code).toBe('E_BACKEND');
    expect((err as Error).message).toMatch(/rejected the credentials/);
    expect((err as Error).message).not.toContain('not-the-password');
    expect(existsSync(dir)).toBe(false);
  });
});
