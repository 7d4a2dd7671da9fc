/**
 * One writer per run directory with real processes: a run SIGKILLed mid-way (its lease left
 * behind by a dead process), then two resume processes started together on a copy of it, twenty
 * times. Every time exactly one takes the directory over and finishes it byte-identical to an
 * uninterrupted run; the other exits 2 with E_LOCKED naming the holder, having stored nothing.
 */
import { spawn } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSweep } from '../src/api.js';
import { fixture, tempDir } from './helpers/sweep.js';

// batch: auto, so a second writer would calibrate (and, before the lease, overwrite) batch plans.
const SPEC = {
  name: 'writers',
  experiment: 'noncomputability',
  seed: 31,
  grid: { algorithm: ['gd', 'coin'], K: [6] },
  fixed: { readBits: 4, steps: 100, epsilons: [0.1, 0.5] },
  trials: 200,
} as const;

const CHILD = fileURLToPath(new URL('./fixtures/one-writer-child.mjs', import.meta.url));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

function child(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const p = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => p.on('close', (code) => resolve({ code, stdout, stderr })));
}

let root: string;
let clean: string;
beforeAll(async () => {
  root = tempDir('paradox-writers-');
  await runSweep(SPEC, { outDir: join(root, 'clean'), workers: 1 });
  clean = readFileSync(join(root, 'clean', 'summary.json'), 'utf8');
  // kill -9 when the thread starts its 5th batch: a few batches stored, the lease left behind. With
  // batch: auto the number of batches depends on the machine's speed (measured: 9 on a quiet 2-core
  // machine, about 18 under heavy load), so the kill point must come early enough for a fast one;
  // the toBe(null) below fails loudly if the run ever finishes before it.
  const killed = await child(['run', JSON.stringify(SPEC), join(root, 'killed'), fixture('task-kills-process-at-batch-n.mjs')], { KILL_AT_BATCH: '5' });
  expect(killed.code, killed.stderr).toBe(null);
});

describe('two resume processes on one run directory', () => {
  it('20 times: never two writers — one exits 2 (E_LOCKED, naming the holder) or, when they did not overlap, the second runs nothing; the run ends byte-identical to the clean run', async () => {
    const lockedBy = /^\{"code":"E_LOCKED","message":"run .+ is being written by pid (\d+) on \S+ since \d{4}-\d\d-\d\dT[\d:.]+Z; wait or stop it"\}\n$/;
    let raced = 0;
    for (let i = 0; i < 20; i++) {
      const dir = join(root, `race-${i}`);
      cpSync(join(root, 'killed'), dir, { recursive: true });
      const results = await Promise.all([child(['resume', dir]), child(['resume', dir])]);
      const report = results.map((r) => `exit ${r.code}: ${r.stdout}${r.stderr}`).join('\n');
      const codes = results.map((r) => r.code).sort();
      if (codes[1] === 0) {
        // On a loaded machine the two processes may not overlap at all: the first finished and
        // released the directory before the second opened it. Then the second must find the run
        // complete and run nothing (a second writer would have run trials or failed E_STORE).
        expect(codes, `round ${i}:\n${report}`).toEqual([0, 0]);
        const trialsRun = results.map((r) => (JSON.parse(r.stdout) as { trialsRun: number }).trialsRun).sort((a, b) => a - b);
        expect(trialsRun[0], `round ${i}:\n${report}`).toBe(0);
      } else {
        expect(codes, `round ${i}:\n${report}`).toEqual([0, 2]);
        const loser = results.find((r) => r.code === 2)!;
        expect(loser.stderr, `round ${i}`).toMatch(lockedBy);
        expect(loser.stdout).toBe('');
        raced += 1;
      }
      expect(JSON.parse(results.find((r) => r.code === 0)!.stdout)).toMatchObject({ status: 'complete' });
      expect(readFileSync(join(dir, 'summary.json'), 'utf8'), `round ${i}`).toBe(clean);
    }
    console.log(`one-writer: the two resumes overlapped (one refused with E_LOCKED) in ${raced} of 20 rounds`);
    // About 2.5 s of CPU per round (two processes importing the package, one finishing the run);
    // the limit is for a machine whose cores are shared with other jobs.
  }, 600_000);
});
