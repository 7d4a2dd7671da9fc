/**
 * Crash safety: the orchestrator process is SIGKILLed at several points of a real sweep (a child
 * process running the compiled package), then the run is resumed. The resumed summary.json must be
 * byte-identical to an uninterrupted run's, and the store must hold every trial exactly once.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { openRunStore, resumeRun, runSweep } from '../src/api.js';
import { fixturePath, SMALL_SPEC, summaryBytes, tempDir } from './helpers/sweep.js';

const SPEC = { ...SMALL_SPEC, trials: 120 };

/**
 * Start the child; send it `signal` when `killAfter` batch-done events were printed. Resolves
 * with what was seen: batches, whether the signal was sent, the exit code and the last event.
 */
function runChild(args: string[], killAfter: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<{ batches: number; killed: boolean; code: number | null; last: { type: string; status?: string } | undefined }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixturePath('sweep-child.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let batches = 0;
    let killed = false;
    let last: { type: string; status?: string } | undefined;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const e = JSON.parse(line) as { type: string; status?: string };
      last = e;
      if (e.type === 'run-started' && killAfter === 0 && !killed) {
        killed = child.kill(signal);
      }
      if (e.type === 'batch-done' && ++batches >= killAfter && !killed) {
        killed = child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, exitSignal) => {
      if (exitSignal === 'SIGKILL' || code === 0) resolve({ batches, killed, code, last });
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}

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

    for (const killAfter of [0, 1, 2, 9, 40]) {
      const dir = join(tempDir(), 'run');
      // Auto-sized batches for some kill points: a kill during the sizing ramp must resume too.
      const batch = killAfter % 2 === 0 ? 'auto' : '6';
      const first = await runChild(['run', JSON.stringify(SPEC), dir, '2', batch], killAfter);
      expect(first.killed, `kill after ${killAfter}`).toBe(true);
      // A second kill, during the resume, for one of the points.
      if (killAfter === 9) {
        const second = await runChild(['resume', dir, '1', 'auto'], 5);
        expect(second.killed).toBe(true);
      }
      const res = await resumeRun(dir, { workers: 2 });
      expect(res.status).toBe('complete');
      expect(summaryBytes(dir), `kill after ${killAfter}`).toBe(reference);
      checkStore(dir);
    }
  });
});

describe('SIGINT', () => {
  it('stops cleanly (exit 0, run-done cancelled, summary written) and the run resumes to the same summary', async () => {
    const refDir = join(tempDir(), 'ref');
    await runSweep(SPEC, { outDir: refDir, workers: 1, batch: 4 });
    const dir = join(tempDir(), 'run');
    const r = await runChild(['run-sigint', JSON.stringify(SPEC), dir, '2', '4'], 6, 'SIGINT');
    expect(r.killed).toBe(true);
    expect(r.code).toBe(0);
    expect(r.last).toMatchObject({ type: 'run-done', status: 'cancelled' });
    expect(JSON.parse(summaryBytes(dir)).run.complete).toBe(false);
    await resumeRun(dir, { workers: 2 });
    expect(summaryBytes(dir)).toBe(summaryBytes(refDir));
    checkStore(dir);
  });
});
