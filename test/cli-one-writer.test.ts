/**
 * One writer per run directory through the binary: `paradox resume` of a run that is still going
 * exits 2 naming the holder, and the run finishes undisturbed. (Twenty rounds of two resumes racing
 * for a killed run's directory: packages/orchestrator/test/one-writer.test.ts.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { paradox, paradoxAsync, requireBuilt, scratch } from './cli-helpers.js';

// Long enough (≈ 20 batches) that the run is still going when the test has seen its first batch.
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
trials: 300
`;

let dir: string;
let clean: string;
beforeAll(() => {
  requireBuilt();
  dir = scratch('paradox-writers-');
  writeFileSync(join(dir, 'writers.yaml'), SPEC);
  const straight = paradox(['run', 'writers.yaml', '--out', 'straight', '--workers', '1'], { cwd: dir });
  expect(straight.code, straight.stderr).toBe(0);
  clean = readFileSync(join(dir, 'straight', 'summary.json'), 'utf8');
});

describe('a second writer', () => {
  it('resume of a run that is still going exits 2 naming pid, host and start; the run finishes undisturbed', async () => {
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
    expect(second.stderr).toMatch(
      new RegExp(`^paradox: run ${join(dir, 'live')} is being written by pid ${p.child.pid} on \\S+ since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z; wait or stop it\\n$`),
    );
    expect((await p.done).code).toBe(0);
    expect(readFileSync(join(dir, 'live', 'summary.json'), 'utf8')).toBe(clean);
  });
});
