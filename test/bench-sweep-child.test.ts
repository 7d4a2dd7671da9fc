/**
 * The orchestrator bench's sweep child reports the trial pairs the results use, as the CLI's
 * closing line counts them, and the pairs run past a stopping point apart (pairsRun).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './cli-helpers.js';

const CHILD = join(ROOT, 'bench/orchestrator/sweep-child.mjs');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function sweep(spec: Record<string, unknown>, workers: number, batch?: number): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'paradox-bench-child-'));
  dirs.push(dir);
  const args = [CHILD, JSON.stringify(spec), String(workers), join(dir, 'run'), ...(batch === undefined ? [] : [String(batch)])];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

const BASE = { name: 'child', experiment: 'noncomputability', seed: 5, zip: {}, fixed: { readBits: 4 } };

describe('bench/orchestrator/sweep-child.mjs', () => {
  it('pairs = the pairs the results use; pairsRun counts the batches run past the stopping point too', () => {
    // hedge is deterministic: the rule stops at its first checkpoint (25 pairs), while with 2
    // workers 2 × 2 batches of 25 are dispatched before any comes back: ≥ 3 run past the stop.
    const r = sweep({ ...BASE, grid: { algorithm: ['hedge'], K: [6] }, stop: { rule: 'ci-halfwidth', halfWidth: 0.12, checkEvery: 25, maxTrials: 400 } }, 2, 25);
    expect(r.status).toBe('complete');
    expect(r.pairs).toBe(25);
    expect(r.pairsRun).toBeGreaterThanOrEqual(100);
    expect(typeof r.elapsedMs).toBe('number');
  });

  it('a fixed count: pairs is every pair run, and no pairsRun', () => {
    const r = sweep({ ...BASE, grid: { algorithm: ['coin', 'hedge'], K: [6] }, trials: 30 }, 1);
    expect(r.status).toBe('complete');
    expect(r.pairs).toBe(60);
    expect(r).not.toHaveProperty('pairsRun');
  });
});
