/**
 * Worker processes for the bullmq tests: each is a real child process running
 * fixtures/bullmq-worker.mjs (which calls the built `startWorker`), so that killing one is killing
 * a machine's worker, not a thread.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WorkerEvent } from '../../src/backends/bullmq/worker.js';

const script = fileURLToPath(new URL('../fixtures/bullmq-worker.mjs', import.meta.url));
const built = fileURLToPath(new URL('../../dist/backends/bullmq/index.js', import.meta.url));

/** The echo fixture task module (deterministic, fails/crashes on request). */
export const ECHO_TASK = new URL('../fixtures/bullmq-echo-task.mjs', import.meta.url).href;

/** A task module that never finishes the HOLD_FROM_JOB-th batch of a thread (env), nor any later one. */
export const HOLDING_TASK = new URL('../fixtures/task-holds-from-job-n.mjs', import.meta.url).href;

/** A worker child process and what it has reported. */
export interface WorkerProcess {
  readonly proc: ChildProcess;
  readonly events: WorkerEvent[];
  readonly stderr: () => string;
  /** Resolves with the first event (past or future) matching `pred`. */
  waitFor(pred: (e: WorkerEvent) => boolean, timeoutMs?: number): Promise<WorkerEvent>;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

/** Spawns a worker process and waits until it reports `worker-ready`. */
export async function spawnWorker(
  redisUrl: string,
  options: { concurrency?: number; taskModule?: string; graceMs?: number; env?: Record<string, string> } = {},
): Promise<WorkerProcess> {
  if (!existsSync(built)) {
    throw new Error(`the bullmq worker tests need the built package: run \`pnpm build\` in packages/orchestrator (missing ${built})`);
  }
  const args = [script, redisUrl, String(options.concurrency ?? 1)];
  if (options.taskModule !== undefined) args.push(options.taskModule);
  const env = { ...process.env, ...options.env, ...(options.graceMs !== undefined ? { GRACE_MS: String(options.graceMs) } : {}) };
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const events: WorkerEvent[] = [];
  const waiters: Array<{ pred: (e: WorkerEvent) => boolean; resolve: (e: WorkerEvent) => void }> = [];
  let err = '';
  let buf = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  proc.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let e: WorkerEvent;
      try {
        e = JSON.parse(line) as WorkerEvent;
      } catch {
        continue;
      }
      events.push(e);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i]!;
        if (w.pred(e)) {
          waiters.splice(i, 1);
          w.resolve(e);
        }
      }
    }
  });
  const exited = new Promise<number | string>((r) => proc.once('exit', (code, sig) => r(code ?? sig ?? -1)));
  const waitFor = (pred: (e: WorkerEvent) => boolean, timeoutMs = 30_000): Promise<WorkerEvent> => {
    const found = events.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker ${proc.pid}: no matching event within ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
      waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  };
  const w: WorkerProcess = { proc, events, stderr: () => err, waitFor, exited };
  await Promise.race([
    waitFor((e) => e.type === 'worker-ready', 20_000),
    exited.then((code) => {
      throw new Error(`worker process exited (${code}) before it was ready:\n${err}`);
    }),
  ]);
  return w;
}

/** SIGTERM (graceful) every still-running worker and wait for them; SIGKILL after 15 s. */
export async function stopWorkers(workers: WorkerProcess[]): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.proc.exitCode !== null || w.proc.signalCode !== null) return;
      w.proc.kill('SIGTERM');
      const t = setTimeout(() => w.proc.kill('SIGKILL'), 15_000);
      await w.exited;
      clearTimeout(t);
    }),
  );
}
