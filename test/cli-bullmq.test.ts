/**
 * The distributed path through the built binary: a real `redis-server`, a `paradox worker`
 * process, and `paradox run --backend bullmq`; the summary equals the local backend's byte for
 * byte, and the worker stops cleanly on Ctrl-C.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../packages/orchestrator/test/helpers/redis.js';
import { paradox, paradoxAsync, specDir, waitForOutput } from './cli-helpers.js';

const SPEC = `name: queued
experiment: noncomputability
seed: 3
grid:
  algorithm: [gd, coin]
  K: [8]
  readBits: [4, 16]
fixed:
  steps: 200
  epsilons: [0.1, 0.45, 0.5]
trials: 60
batch: 20
`;

let dir: string;
let redis: RedisServer;
beforeAll(async () => {
  dir = specDir({ 'queued.yaml': SPEC });
  redis = await startRedis({ persistent: false });
});
afterAll(async () => {
  await redis?.dispose();
});

describe('paradox worker + run --backend bullmq', () => {
  it('runs a sweep through Redis with the same result as the local backend', async () => {
    const worker = paradoxAsync(['worker', '--redis', redis.url, '--concurrency', '1'], { cwd: dir });
    await waitForOutput(worker, (o) => /^Worker \S+ ready: 1 threads/m.test(o.stderr), 'the worker was ready');

    const queued = paradox(['run', 'queued.yaml', '--backend', 'bullmq', '--redis', redis.url, '--out', 'via-redis'], { cwd: dir });
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stderr).toMatch(/^Running queued: noncomputability, 4 cells, 240 trials, bullmq backend/m);
    const local = paradox(['run', 'queued.yaml', '--out', 'local'], { cwd: dir });
    expect(local.code, local.stderr).toBe(0);
    expect(readFileSync(join(dir, 'via-redis/summary.json'), 'utf8')).toBe(readFileSync(join(dir, 'local/summary.json'), 'utf8'));

    worker.child.kill('SIGINT');
    const w = await worker.done;
    expect(w.code).toBe(0);
    expect(w.stderr).toMatch(/Worker stopped after (\d+) batches\.\n$/);
    // 4 cells × 60 trials / 20 per batch; at-least-once delivery may add a duplicate, never fewer.
    expect(Number(/after (\d+) batches/.exec(w.stderr)![1])).toBeGreaterThanOrEqual(12);
  });
});
