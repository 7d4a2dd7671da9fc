// BullMQ throughput relative to local (issue #6, target ≥ 0.85): the same noncomputability sweep
// run end to end by runSweep on the local backend (piscina, 2 threads) and on the bullmq backend
// with two `paradox worker` processes (1 thread each) on loopback, against a redis-server this
// suite starts in a temporary directory and stops afterwards. Runs alternate local/bullmq so
// that machine noise hits both. Every bullmq summary.json is checked byte-identical to local's.
// The target row uses long-lived workers (how `paradox worker` runs); a second row starts the
// worker processes inside the timing (Node start-up, imports, thread and WASM start-up included).
// Skips with a notice when redis-server is not installed.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep } from '@paradox/orchestrator';
import { describe, rateRow } from '../peers/report.mjs';

const SUITE = 'bullmq';
const WORKLOAD = 'sweep: noncomputability 4 algorithms × 2 K';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function hasRedis() {
  return spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).status === 0;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once('error', () => done(false));
    s.once('data', (d) => done(d.toString().startsWith('+PONG')));
    s.connect(port, '127.0.0.1', () => s.write('PING\r\n'));
  });
}

/** A redis-server as a user would run it for a sweep: AOF on, fsync every second. */
async function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'paradox-bench-redis-'));
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'], { stdio: 'ignore' });
  for (let i = 0; i < 200 && !(await ping(port)); i++) await sleep(25);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A worker process calling the programmatic startWorker (what `paradox worker` does). */
async function startWorkerProcess(url) {
  const entry = import.meta.resolve('@paradox/orchestrator/worker');
  const code = `
    import { startWorker } from ${JSON.stringify(entry)};
    const ac = new AbortController();
    process.on('SIGTERM', () => ac.abort());
    const w = await startWorker({ redis: ${JSON.stringify(url)}, concurrency: 1, signal: ac.signal });
    process.stdout.write('ready\\n');
    await w.closed;
    process.exit(0);`;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    proc.stdout.on('data', (d) => d.toString().includes('ready') && resolve());
    proc.once('exit', (c) => reject(new Error(`bullmq worker exited with ${c} before it was ready`)));
  });
  return {
    async stop() {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** @param {{ quick?: boolean, log?: (s: string) => void }} ctx */
export async function run(ctx = {}) {
  const log = ctx.log ?? console.log;
  const quick = Boolean(ctx.quick);
  const base = { suite: SUITE, workload: WORKLOAD, precision: 'f64' };
  if (!hasRedis()) {
    const row = { ...base, impl: 'bullmq', skipped: 'redis-server is not installed (Debian: apt-get install redis-server)' };
    log(describe(row));
    return [row];
  }
  const trials = quick ? 600 : 12000;
  const runs = quick ? 2 : 3;
  const spec = {
    name: 'bench-bullmq',
    experiment: 'noncomputability',
    seed: 11,
    grid: { algorithm: ['gd', 'adam', 'coin', 'exact-read'], K: [4, 8] },
    fixed: { readBits: 16 },
    trials,
  };
  const work = trials * 8;
  log(`${WORKLOAD}, ${trials} trials per cell (${work} pairs); local: 2 threads; bullmq: 2 worker processes × 1 thread, Redis on loopback; ${runs} alternating runs each after a warm-up`);

  const root = mkdtempSync(join(tmpdir(), 'paradox-bench-bullmq-'));
  const redis = await startRedis();
  const workers = [];
  let n = 0;
  const sweep = async (backend, input = spec) => {
    const dir = join(root, `run-${++n}`);
    const t0 = performance.now();
    const res = await runSweep(input, { outDir: dir, backend, workers: 2, ...(backend === 'bullmq' ? { redis: redis.url } : {}) });
    const secs = (performance.now() - t0) / 1000;
    if (res.status !== 'complete') throw new Error(`${backend} sweep ended ${res.status}`);
    return { secs, summary: readFileSync(join(dir, 'summary.json')) };
  };
  try {
    workers.push(await startWorkerProcess(redis.url), await startWorkerProcess(redis.url));
    // Warm-up: the workers' threads load their WASM cores; the OS caches the files.
    const warm = { ...spec, trials: 50 };
    await sweep('local', warm);
    await sweep('bullmq', warm);
    const local = [];
    const bullmq = [];
    const cold = [];
    let identical = true;
    let reference;
    for (let r = 0; r < runs; r++) {
      const a = await sweep('local');
      const b = await sweep('bullmq');
      reference ??= a.summary;
      identical &&= a.summary.equals(reference) && b.summary.equals(reference);
      local.push(a.secs);
      bullmq.push(b.secs);
    }
    // Long-lived workers are warm (threads started, WASM compiled, JIT done) while each local run
    // starts a fresh pool; so also time bullmq with worker processes started inside the timing.
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      workers.push(await startWorkerProcess(redis.url), await startWorkerProcess(redis.url));
      const b = await sweep('bullmq');
      cold.push((performance.now() - t0) / 1000);
      identical &&= b.summary.equals(reference);
      await Promise.all(workers.splice(0).map((w) => w.stop()));
    }
    const rows = [
      rateRow({ ...base, impl: 'local', variant: 'piscina, 2 threads' }, local, work, 'pairs/s'),
      rateRow({ ...base, impl: 'bullmq', variant: '2 long-lived worker processes × 1 thread, loopback Redis (AOF everysec)' }, bullmq, work, 'pairs/s'),
      rateRow({ ...base, impl: 'bullmq (cold workers)', variant: 'the 2 worker processes started inside the timing' }, cold, work, 'pairs/s'),
    ];
    for (const row of rows) log(describe(row));
    // Other load on the machine changes both numbers; the 1-minute load average says how much.
    const load = loadavg()[0];
    const ratio = { ...base, impl: 'ratio', of: 'bullmq', to: 'local', value: rows[1].median / rows[0].median, target: 0.85, summariesIdentical: identical, loadavg1: load };
    log(describe(ratio) + ` (target ≥ 0.85; summary.json byte-identical to local: ${identical ? 'yes' : 'NO'}; load average ${load.toFixed(1)})`);
    const coldRatio = { ...base, impl: 'ratio', of: 'bullmq (cold workers)', to: 'local', value: rows[2].median / rows[0].median };
    log(describe(coldRatio));
    return [...rows, ratio, coldRatio];
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await redis.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
