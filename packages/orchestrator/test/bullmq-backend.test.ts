/**
 * The bullmq backend against a real redis-server and real worker processes, with a deterministic
 * fixture task module (so these tests do not depend on the experiments). The end-to-end sweeps
 * with the real task module are in bullmq-sweep.test.ts.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBullmqBackend, preflightBullmq, type BullmqBackendOptions } from '../src/backends/bullmq/backend.js';
import { QUEUE_DEFAULTS } from '../src/backends/bullmq/queue.js';
import { WorkerCrash, type Backend } from '../src/backends/types.js';
import { OrchestratorError } from '../src/errors.js';
import { batchKey, PROTOCOL_VERSION, type BatchOutcome, type BatchResult, type BatchTask, type Json } from '../src/worker/protocol.js';
import { ECHO_TASK, spawnWorker, stopWorkers, type WorkerProcess } from './helpers/bullmq-workers.js';
import { freePort, settleWithin, startRedis, type RedisServer } from './helpers/redis.js';

let redis: RedisServer;
const workers: WorkerProcess[] = [];
const backends: Backend[] = [];
let runCounter = 0;

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
  await stopWorkers(workers.splice(0));
});
afterAll(async () => {
  await redis.dispose();
});

function task(runId: string, batchIndex: number, params: Record<string, Json> = {}, attempt = 1): BatchTask {
  return {
    type: 'batch',
    protocol: PROTOCOL_VERSION,
    runId,
    cellIndex: 0,
    cellKey: 'instability:{}',
    cellHash32: 12345,
    batchIndex,
    experiment: 'instability',
    params,
    seed: 42,
    trialStart: batchIndex * 10,
    trialCount: 10,
    attempt,
  };
}

async function expected(t: BatchTask): Promise<BatchOutcome> {
  const mod = (await import(ECHO_TASK)) as { default: (t: BatchTask) => Promise<BatchOutcome> };
  return mod.default(t);
}

/** The outcome without `timing`, which says where it ran and is not part of any result. */
function stripTiming(o: BatchOutcome): unknown {
  if (o.type !== 'batch-result') return o;
  const { timing: _timing, ...rest } = o;
  return rest;
}

async function backend(runId: string, workersCapacity = 2, options: Partial<BullmqBackendOptions> = {}): Promise<Backend> {
  const b = createBullmqBackend({ runId, workers: workersCapacity, redis: redis.url, pollIntervalMs: 300, ...options });
  backends.push(b);
  await b.start();
  return b;
}

async function addWorker(options: { concurrency?: number; graceMs?: number; env?: Record<string, string> } = {}): Promise<WorkerProcess> {
  const w = await spawnWorker(redis.url, { taskModule: ECHO_TASK, ...options });
  workers.push(w);
  return w;
}

const started = (w: WorkerProcess, id: string): number =>
  w.events.filter((e) => e.type === 'job-started' && e.jobId === id).length;

describe('bullmq backend with two worker processes', () => {
  it('runs every batch once on some worker and returns the task module outcome', async () => {
    const runId = `r${++runCounter}`;
    const [w1, w2] = [await addWorker(), await addWorker()];
    const b = await backend(runId);
    const tasks = Array.from({ length: 24 }, (_, i) => task(runId, i, { sleepMs: 20 }));
    const outcomes = await Promise.all(tasks.map((t) => b.run(t)));
    for (let i = 0; i < tasks.length; i++) {
      expect(stripTiming(outcomes[i]!)).toEqual(stripTiming(await expected(tasks[i]!)));
      expect(started(w1, batchKey(tasks[i]!)) + started(w2, batchKey(tasks[i]!))).toBe(1);
    }
    // Both processes took part: the queue spreads work.
    const workersSeen = new Set(outcomes.map((o) => (o as BatchResult).timing.worker.split(':')[0]));
    expect(workersSeen).toEqual(new Set([String(w1.proc.pid), String(w2.proc.pid)]));
  });

  it('a second run() of the same batch is harmless and gives the same outcome', async () => {
    const runId = `r${++runCounter}`;
    const w = await addWorker();
    const b = await backend(runId);
    const t = task(runId, 0, { sleepMs: 100 });
    const [a, c] = await Promise.all([b.run(t), b.run(t)]);
    expect(a).toEqual(c);
    expect(started(w, batchKey(t))).toBe(1);
  });

  it('a batch that completed while no orchestrator listened is read back, not run again', async () => {
    const runId = `r${++runCounter}`;
    const w = await addWorker();
    const t = task(runId, 3);
    // A previous orchestrator enqueued the job and died; the worker finished it meanwhile.
    const q = new Queue(QUEUE_DEFAULTS.queueName, { connection: { url: redis.url } });
    await q.add('batch', t, { jobId: batchKey(t) });
    await w.waitFor((e) => e.type === 'job-done' && e.jobId === batchKey(t));
    await q.close();
    const b = await backend(runId);
    const out = await b.run(t);
    expect(stripTiming(out)).toEqual(stripTiming(await expected(t)));
    expect(started(w, batchKey(t))).toBe(1);
  });

  it('a job left under the same id for other trials (an earlier batch plan) is replaced, not trusted', async () => {
    const runId = `r${++runCounter}`;
    const w = await addWorker();
    const old = { ...task(runId, 4), trialStart: 1000, trialCount: 7 };
    const q = new Queue(QUEUE_DEFAULTS.queueName, { connection: { url: redis.url } });
    await q.add('batch', old, { jobId: batchKey(old) });
    await w.waitFor((e) => e.type === 'job-done' && e.jobId === batchKey(old));
    await q.close();
    const b = await backend(runId);
    const t = task(runId, 4);
    const out = await b.run(t);
    expect(stripTiming(out)).toEqual(stripTiming(await expected(t)));
    expect(started(w, batchKey(t))).toBe(2);
  });

  it('a deterministic failure comes back as an unrecoverable BatchFailure and is not retried', async () => {
    const runId = `r${++runCounter}`;
    const w = await addWorker();
    const b = await backend(runId);
    const t = task(runId, 2, { failBatch: 2 });
    const out = await b.run(t);
    expect(out.type).toBe('batch-failure');
    if (out.type !== 'batch-failure') return;
    expect(out.error).toMatchObject({ code: 'E_THEOREM', unrecoverable: true, trial: 21 });
    await new Promise((r) => setTimeout(r, 500));
    expect(started(w, batchKey(t))).toBe(1);
    // The job is in the failed set as an UnrecoverableError with a single attempt.
    const q = new Queue(QUEUE_DEFAULTS.queueName, { connection: { url: redis.url } });
    const job = await q.getJob(batchKey(t));
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBe(1);
    await q.close();
    // A later session (a resume, perhaps with a fixed build) runs it again rather than trusting it.
    const again = await backend(runId);
    expect((await again.run(t)).type).toBe('batch-failure');
    expect(started(w, batchKey(t))).toBe(2);
  });

  it('a transient (recoverable) failure is returned as such, and its retry runs the batch again', async () => {
    const runId = `r${++runCounter}`;
    const w = await addWorker();
    const b = await backend(runId);
    const t = task(runId, 5, { transientBatch: 5 });
    const first = await b.run(t);
    expect(first).toMatchObject({ type: 'batch-failure', error: { unrecoverable: false } });
    const retry = { ...t, attempt: 2 };
    expect(stripTiming(await b.run(retry))).toEqual(stripTiming(await expected(retry)));
    expect(started(w, batchKey(t))).toBe(2);
  });

  it('a crashed thread rejects with WorkerCrash; the retry (attempt 2) re-enqueues and succeeds', async () => {
    const runId = `r${++runCounter}`;
    const w = await addWorker();
    const b = await backend(runId);
    const t = task(runId, 1, { crashBatch: 1 });
    await expect(b.run(t)).rejects.toBeInstanceOf(WorkerCrash);
    const retry = { ...t, attempt: 2 };
    const out = await b.run(retry);
    expect(stripTiming(out)).toEqual(stripTiming(await expected(retry)));
    expect(started(w, batchKey(t))).toBe(2);
  });
});

describe('bullmq backend when a worker process dies or stops', () => {
  it('SIGKILL mid-job: the job is re-delivered to the other worker and delivered once', async () => {
    const runId = `r${++runCounter}`;
    // The victim never finishes a batch, so the kill is mid-job however late this process reads
    // its job-started line.
    const victim = await addWorker({ env: { ECHO_HOLD: '1' } });
    const b = await backend(runId);
    const t = task(runId, 0);
    const out = b.run(t);
    await victim.waitFor((e) => e.type === 'job-started' && e.jobId === batchKey(t));
    victim.proc.kill('SIGKILL');
    await victim.exited;
    const survivor = await addWorker();
    const result = await out;
    expect(stripTiming(result)).toEqual(stripTiming(await expected(t)));
    expect((result as BatchResult).timing.worker.split(':')[0]).toBe(String(survivor.proc.pid));
    expect(started(survivor, batchKey(t))).toBe(1);
  });

  it('SIGTERM lets an in-flight batch finish, then the process exits 0', async () => {
    const runId = `r${++runCounter}`;
    const w = await addWorker();
    const b = await backend(runId);
    const t = task(runId, 0, { sleepMs: 800 });
    const out = b.run(t);
    await w.waitFor((e) => e.type === 'job-started');
    w.proc.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(w.events.some((e) => e.type === 'job-done' && e.jobId === batchKey(t))).toBe(true);
    expect(stripTiming(await out)).toEqual(stripTiming(await expected(t)));
  });

  it('SIGTERM with no grace left hands the batch back to the queue for another worker', async () => {
    const runId = `r${++runCounter}`;
    // Never finishes its batch: the SIGTERM always finds it mid-job.
    const w = await addWorker({ graceMs: 0, env: { ECHO_HOLD: '1' } });
    const b = await backend(runId);
    const t = task(runId, 0);
    const out = b.run(t);
    await w.waitFor((e) => e.type === 'job-started');
    w.proc.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(w.events.some((e) => e.type === 'job-returned' && e.jobId === batchKey(t))).toBe(true);
    const other = await addWorker();
    const result = await out;
    expect((result as BatchResult).timing.worker.split(':')[0]).toBe(String(other.proc.pid));
  });
});

describe('bullmq backend with no worker at all', () => {
  it('says so after noWorkerNoticeMs, keeps saying so, and stops once a worker takes the batch', async () => {
    const runId = 'lonely';
    const notices: string[] = [];
    const b = await backend(runId, 1, { pollIntervalMs: 100, noWorkerNoticeMs: 300, onNotice: (code, message) => notices.push(`${code} ${message}`) });
    const out = b.run(task(runId, 0));
    while (notices.length < 2) await new Promise((r) => setTimeout(r, 50));
    expect(notices[0]).toMatch(/^W_NO_WORKERS no paradox worker has been connected to redis:\/\/127\.0\.0\.1:\d+ for \d+ s; 1 batch waiting\. Start one: paradox worker --redis URL$/);
    await addWorker();
    const outcome = await out;
    expect(outcome.type).toBe('batch-result');
    const seen = notices.length;
    await new Promise((r) => setTimeout(r, 700));
    expect(notices.length).toBe(seen);
  });
});

describe('bullmq backend and Redis itself', () => {
  it('survives a Redis stop and restart (persistence on) mid-run', async () => {
    const runId = `r${++runCounter}`;
    await addWorker();
    await addWorker();
    const b = await backend(runId);
    const tasks = Array.from({ length: 12 }, (_, i) => task(runId, i, { sleepMs: 150 }));
    const all = Promise.all(tasks.map((t) => b.run(t)));
    await new Promise((r) => setTimeout(r, 400));
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1_000));
    await redis.restart();
    const outcomes = await all;
    for (let i = 0; i < tasks.length; i++) expect(stripTiming(outcomes[i]!)).toEqual(stripTiming(await expected(tasks[i]!)));
  });

  it('Redis gone for longer than the outage limit: a clear E_BACKEND, and a later session finishes the batch', async () => {
    const runId = `r${++runCounter}`;
    await addWorker();
    const b = await backend(runId, 1, { pollIntervalMs: 200, redisDownTimeoutMs: 1_000 });
    const t = task(runId, 0, { sleepMs: 1_500 });
    const out = b.run(t).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    await redis.stop();
    const t0 = Date.now();
    let err: unknown;
    let waited = Infinity;
    try {
      // Bounded, so a backend that never enforces its limit fails this test alone: Redis is
      // restarted whatever happens, and the tests after this one find it running.
      err = await settleWithin(out, 60_000, 'E_BACKEND after the outage');
      waited = Date.now() - t0;
    } finally {
      await redis.restart();
    }
    expect(waited).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(OrchestratorError);
    expect((err as OrchestratorError).code).toBe('E_BACKEND');
    expect((err as Error).message).toMatch(/lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ for more than 1 s; .*resume/);
    const again = await backend(runId);
    expect(stripTiming(await again.run(t))).toEqual(stripTiming(await expected(t)));
  });

  it('a poll stuck on a hung Redis does not suspend the outage limit: Redis frozen, then killed, gives E_BACKEND', async () => {
    const runId = `r${++runCounter}`;
    await addWorker();
    const b = await backend(runId, 1, { pollIntervalMs: 100, redisDownTimeoutMs: 1_000 });
    const out = b.run(task(runId, 0, { sleepMs: 3_000 })).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    // Frozen for several poll periods: a poll is now waiting on a server that answers nothing, and
    // it stays pending after the kill (BullMQ's connections keep commands until Redis returns).
    redis.freeze();
    await new Promise((r) => setTimeout(r, 600));
    await redis.crash();
    let err: unknown;
    try {
      err = await settleWithin(out, 30_000, 'E_BACKEND after the outage');
    } finally {
      await redis.restart();
    }
    expect(err).toBeInstanceOf(OrchestratorError);
    expect((err as OrchestratorError).code).toBe('E_BACKEND');
    expect((err as Error).message).toMatch(/lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ for more than 1 s/);
  });

  it('SIGTERM while Redis is away: the worker still exits, a few seconds after its grace period', async () => {
    const w = await addWorker({ graceMs: 500 });
    await redis.stop();
    try {
      await new Promise((r) => setTimeout(r, 500));
      const t0 = Date.now();
      w.proc.kill('SIGTERM');
      expect(await w.exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(8_000);
      expect(w.events.at(-1)?.type).toBe('worker-stopped');
    } finally {
      await redis.restart();
    }
  });

  it('Redis refusing writes (out of memory) fails the batch with E_BACKEND naming the reason', async () => {
    const full = await startRedis({ persistent: false });
    const b = createBullmqBackend({ runId: 'oom', workers: 1, redis: full.url, pollIntervalMs: 200 });
    try {
      await b.start();
      const admin = new Redis(full.url);
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      await admin.config('SET', 'maxmemory', '1');
      await admin.quit();
      const err = await b.run(task('oom', 0)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OrchestratorError);
      expect((err as OrchestratorError).code).toBe('E_BACKEND');
      expect((err as Error).message).toMatch(/refused batch oom:0:0: .*OOM/);
    } finally {
      await b.close();
      await full.dispose();
    }
  });

  it('start() fails within seconds with E_BACKEND when Redis is down, with the address', async () => {
    const port = await freePort();
    const b = createBullmqBackend({ runId: 'x', workers: 1, redis: `redis://:pw-secret@127.0.0.1:${port}` });
    const t0 = Date.now();
    const err = await b.start().catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(OrchestratorError);
    expect((err as OrchestratorError).code).toBe('E_BACKEND');
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error).message).not.toContain('pw-secret');
  });

  it('a missing Redis URL is a usage error', async () => {
    expect(() => createBullmqBackend({ runId: 'x', workers: 1 })).toThrow(/needs a Redis URL/);
    await expect(preflightBullmq(undefined)).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('preflightBullmq passes on a live Redis and fails like start() on a dead one', async () => {
    await expect(preflightBullmq(redis.url)).resolves.toBeUndefined();
    const port = await freePort();
    await expect(preflightBullmq(`redis://:pw-secret@127.0.0.1:${port}`)).rejects.toMatchObject({
      code: 'E_BACKEND',
      message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${port}: connection refused`)) as unknown,
    });
  });
});
