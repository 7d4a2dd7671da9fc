/**
 * One writer per run directory, end to end: a run killed with SIGKILL (its lease left behind by a
 * dead process), then two `paradox resume` processes started together on it, twenty times. Every
 * time exactly one takes the directory over and finishes it byte-identical to an uninterrupted
 * run; the other exits 2 at once naming the holder, having run nothing.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { paradox, paradoxAsync, requireBuilt, scratch } from './cli-helpers.js';

// batch: auto, so each resume would calibrate (and, before the lease, overwrite) batch plans.
const SPEC = `name: writers
experiment: noncomputability
seed: 31
grid:
  algorithm: [gd, coin]
  K: [6]
  readBits: [4]
fixed:
  steps: 150
  epsilons: [0.1, 0.5]
trials: 96
`;

let dir: string;
let clean: string;
beforeAll(async () => {
  requireBuilt();
  dir = scratch('paradox-writers-');
  writeFileSync(join(dir, 'writers.yaml'), SPEC);
  const straight = paradox(['run', 'writers.yaml', '--out', 'straight', '--workers', '1'], { cwd: dir });
  expect(straight.code, straight.stderr).toBe(0);
  clean = readFileSync(join(dir, 'straight', 'summary.json'), 'utf8');
  // Killed without a chance to clean up once a few batches are stored.
  const p = paradoxAsync(['run', 'writers.yaml', '--out', 'killed', '--json', '--workers', '1'], { cwd: dir });
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if ((p.output().stdout.match(/"type":"batch-done"/g) ?? []).length >= 3) {
        clearInterval(timer);
        p.child.kill('SIGKILL');
        resolve();
      }
    }, 10);
    p.done.then(() => reject(new Error(`finished before it could be killed:\n${p.output().stderr}`)), reject);
  });
  await p.done;
});

describe('two resumes of one run directory at once', () => {
  it('20 times: one exits 2 at once naming the holder, the other finishes byte-identical to the clean run', async () => {
    for (let i = 0; i < 20; i++) {
      const run = `race-${i}`;
      cpSync(join(dir, 'killed'), join(dir, run), { recursive: true });
      const a = paradoxAsync(['resume', run, '--workers', '1'], { cwd: dir });
      const b = paradoxAsync(['resume', run, '--workers', '1'], { cwd: dir });
      const results = await Promise.all([a.done, b.done]);
      const codes = results.map((r) => r.code).sort();
      expect(codes, `round ${i}:\n${results.map((r) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`).join('\n---\n')}`).toEqual([0, 2]);
      const loser = results.find((r) => r.code === 2)!;
      expect(loser.stderr).toMatch(new RegExp(`^paradox: run ${join(dir, run)} is being written by pid \\d+ on \\S+ since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; wait or stop it\\n$`));
      // Refused before anything ran: no "Resuming …" line, nothing on stdout.
      expect(loser.stdout).toBe('');
      expect(readFileSync(join(dir, run, 'summary.json'), 'utf8'), `round ${i}`).toBe(clean);
    }
  });

  it('a resume while the run itself still goes is refused the same way', async () => {
    const p = paradoxAsync(['run', 'writers.yaml', '--out', 'live', '--json', '--workers', '1'], { cwd: dir });
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (p.output().stdout.includes('"type":"batch-done"')) {
          clearInterval(timer);
          // Frozen, so it is certainly still "going" (alive, lease held) when the resume looks.
          p.child.kill('SIGSTOP');
          resolve();
        }
      }, 10);
      p.done.then(() => reject(new Error(`finished too soon:\n${p.output().stderr}`)), reject);
    });
    const second = paradox(['resume', 'live'], { cwd: dir });
    p.child.kill('SIGCONT');
    expect(second.code, second.stderr).toBe(2);
    expect(second.stderr).toContain(`is being written by pid ${p.child.pid} on `);
    expect((await p.done).code).toBe(0);
    expect(readFileSync(join(dir, 'live', 'summary.json'), 'utf8')).toBe(clean);
  });
});
