/**
 * Crash safety: the orchestrator process is SIGKILLed at several points of a real sweep (a child
 * process running the compiled package), then the run is resumed. The resumed summary.json must be
 * byte-identical to an uninterrupted run's, and the store must hold every trial exactly once.
 *
 * The kills come from inside the child (fixtures/task-kills-process-at-batch-n.mjs: a worker thread
 * starting its KILL_AT_BATCH-th batch kills the whole process), so each one lands before the run
 * ends however fast the machine: a kill sent by this process after reading the N-th batch-done line
 * could arrive after the child had finished the few batches left (auto-sized batches are fewest on
 * a fast machine).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { openRunStore, resumeRun, runSweep } from '../src/api.js';
import { fixture, fixturePath, SMALL_SPEC, summaryBytes, tempDir } from './helpers/sweep.js';

const SPEC = { ...SMALL_SPEC, trials: 120 };

/**
 * Start the child; send it `signal` when `killAfter` batch-done events were printed (0: at
 * run-started), or never (undefined: `env` makes it kill itself). Resolves with what was seen:
 * batches, whether it died of SIGKILL, the exit code and the last event.
 */
function runChild(
  args: string[],
  o: { killAfter?: number; signal?: NodeJS.Signals; env?: Record<string, string> } = {},
): Promise<{ batches: number; killed: boolean; code: number | null; last: { type: string; status?: string } | undefined }> {
  const { killAfter, signal = 'SIGKILL', env = {} } = o;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixturePath('sweep-child.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let batches = 0;
    let sent = false;
    let last: { type: string; status?: string } | undefined;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const e = JSON.parse(line) as { type: string; status?: string };
      last = e;
      if (e.type === 'batch-done') batches++;
      if (killAfter === undefined || sent) return;
      if ((e.type === 'run-started' && killAfter === 0) || (e.type === 'batch-done' && batches >= killAfter)) {
        sent = child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, exitSignal) => {
      if (exitSignal === 'SIGKILL' || code === 0) resolve({ batches, killed: exitSignal === 'SIGKILL' || sent, code, last });
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

/** The environment that makes the child kill itself when one of its threads starts its `n`-th batch. */
const killAtBatch = (n: number): Record<string, string> => ({ TASK_MODULE: fixture('task-kills-process-at-batch-n.mjs'), KILL_AT_BATCH: String(n) });

function checkStore(dir: string): void {
  const store = openRunStore(dir);
  try {
    for (const cell of store.cells()) {
      const batches = store.batches(cell.index);
      let t = 0;
      for (const b of batches) {
        // Contiguous and non-overlapping: every trial stored exactly once.
        expect(b.trialStart).toBe(t);
        t += b.trialCount;
      }
      expect(t).toBe(120);
      expect(new Set(batches.map((b) => b.batchIndex)).size).toBe(batches.length);
    }
  } finally {
    store.close();
  }
}

describe('SIGKILL and resume', () => {
  it('gives a byte-identical summary whatever the kill point, and no batch twice', async () => {
    const refDir = join(tempDir(), 'ref');
    await runSweep(SPEC, { outDir: refDir, workers: 2, batch: 6 });
    const reference = summaryBytes(refDir);

    // The n-th batch a thread starts (2 threads): n = 1 kills before anything is stored, 2 and 3
    // during the auto-sizing ramp, 20 late in the run. A run has at least 48 batches (8 cells; auto
    // sizing cuts each cell into at least 6 with 2 workers), so some thread always reaches its 20th.
    for (const killAt of [1, 2, 3, 5, 20]) {
      const dir = join(tempDir(), 'run');
      // Auto-sized batches for some kill points: a kill during the sizing ramp must resume too.
      const batch = killAt % 2 === 1 ? 'auto' : '6';
      const first = await runChild(['run', JSON.stringify(SPEC), dir, '2', batch], { env: killAtBatch(killAt) });
      expect(first.killed, `kill at batch ${killAt}: the run ended before it (${first.batches} batches)`).toBe(true);
      // A second kill, during the resume, for one of the points.
      if (killAt === 5) {
        const second = await runChild(['resume', dir, '1', 'auto'], { env: killAtBatch(3) });
        expect(second.killed, 'kill during the resume').toBe(true);
      }
      const res = await resumeRun(dir, { workers: 2 });
      expect(res.status).toBe('complete');
      expect(summaryBytes(dir), `kill at batch ${killAt}`).toBe(reference);
      checkStore(dir);
    }
  });
});

describe('SIGINT', () => {
  it('stops cleanly (exit 0, run-done cancelled, summary written) and the run resumes to the same summary', async () => {
    const refDir = join(tempDir(), 'ref');
    await runSweep(SPEC, { outDir: refDir, workers: 1, batch: 4 });
    const dir = join(tempDir(), 'run');
    // 240 batches of 4 trials: the SIGINT sent after the 6th batch-done line always finds the run going.
    const r = await runChild(['run-sigint', JSON.stringify(SPEC), dir, '2', '4'], { killAfter: 6, signal: 'SIGINT' });
    expect(r.killed).toBe(true);
    expect(r.code).toBe(0);
    expect(r.last).toMatchObject({ type: 'run-done', status: 'cancelled' });
    expect(JSON.parse(summaryBytes(dir)).run.complete).toBe(false);
    await resumeRun(dir, { workers: 2 });
    expect(summaryBytes(dir)).toBe(summaryBytes(refDir));
    checkStore(dir);
  });
});
