/**
 * The instability experiment's `exactRadius` option: per-trial columns of exact ℓ∞ radii (core-wasm
 * exactRadius over the complete verifier) — spec errors naming the option's field, the columns
 * equal to a direct computation on the trial's network, sound against the trial's own
 * [certified, attacked] brackets, in the one summary/CSV table, and byte-identical across workers
 * and batch sizes (node limits only, no time limit).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exactRadius, loadCore } from '@paradox/core-wasm';
import { boundaryDistance, runInstabilityTrial } from '@paradox/core-wasm/instability';
import { runSweep } from '../src/api.js';
import { SpecError } from '../src/errors.js';
import { expandCells, normaliseSpec } from '../src/spec/index.js';
import { summaryBytes, tempDir } from './helpers/sweep.js';

const SPEC = {
  name: 'exact',
  experiment: 'instability',
  seed: 7,
  fixed: { m: 4, r: 10, s: 0, epochs: 40, hidden: [6], attacks: ['line', 'pgd'], exactRadius: { points: 6, tol: 1e-4, maxNodes: 3000 } },
  trials: 4,
};

function specError(spec: unknown): string[] {
  try {
    normaliseSpec(spec);
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return (e as SpecError).issues.map((i) => i.message);
  }
  throw new Error('no error');
}

describe('instability exactRadius option', () => {
  it('spec errors name the option field, what is allowed and the value', () => {
    const bad = (ex: unknown, extra: Record<string, unknown> = {}) => specError({ ...SPEC, fixed: { ...SPEC.fixed, ...extra, exactRadius: ex } });
    expect(bad({ tol: 2 })[0]).toMatch(/^fixed\.exactRadius\.tol: .*expected a relative tolerance in \[1e-12, 1\), got 2/);
    expect(bad({ points: 11 })[0]).toMatch(/^fixed\.exactRadius\.points: .*\[1, 10\], got 11/);
    expect(bad({ maxNode: 5 })[0]).toMatch(/^fixed\.exactRadius\.maxNode: .*one of tol, maxNodes, points/);
    expect(bad('yes')[0]).toMatch(/^fixed\.exactRadius: .*true, false or an object/);
    expect(bad(true, { norm: 'l2' })[0]).toMatch(/^fixed\.exactRadius: .*norm: linf/);
    // true takes the defaults; absent or false adds nothing to the cell (spec hashes unchanged).
    const [on] = expandCells(normaliseSpec({ ...SPEC, fixed: { ...SPEC.fixed, exactRadius: true } }));
    expect(on!.params.exactRadius).toEqual({ tol: 1e-6, maxNodes: 20000, points: 10 });
    const [off] = expandCells(normaliseSpec({ ...SPEC, fixed: { ...SPEC.fixed, exactRadius: false } }));
    expect('exactRadius' in off!.params).toBe(false);
  });

  it('columns equal a direct computation, bracket the trial radii soundly, and are byte-identical across workers and batch sizes', async () => {
    const dirA = join(tempDir(), 'a');
    const dirB = join(tempDir(), 'b');
    await runSweep(SPEC, { outDir: dirA, workers: 1, batch: 'auto' });
    await runSweep(SPEC, { outDir: dirB, workers: 2, batch: 1 });
    expect(summaryBytes(dirB)).toBe(summaryBytes(dirA));
    expect(readFileSync(join(dirB, 'summary.csv'), 'utf8')).toBe(readFileSync(join(dirA, 'summary.csv'), 'utf8'));
    const summary = JSON.parse(summaryBytes(dirA));
    const cell = summary.cells[0];
    // Direct: the same trials, the same points, exactRadius called here.
    const core = await loadCore();
    const [c] = expandCells(normaliseSpec(SPEC));
    const { exactRadius: _e, ...trialParams } = c!.params as Record<string, unknown>;
    const minLower: number[] = [];
    const medianUpper: number[] = [];
    for (let t = 0; t < 4; t++) {
      const tr = runInstabilityTrial(core, trialParams, { seed: 7, streamHi: c!.hash32, trial: t });
      const lo: number[] = [];
      const up: number[] = [];
      for (let i = 0; i < 6; i++) {
        const x = tr.train.x.subarray(2 * i, 2 * i + 2);
        const r = exactRadius(core, tr.network, x, tr.train.y[i]!, 'binary', { maxRadius: boundaryDistance(x[0]!, 4) * (1 - 2 ** -50), tol: 1e-4, maxNodes: 3000, timeLimit: Infinity });
        lo.push(r.lower);
        up.push(r.upper);
        // Both ends sound against the trial's own bracket: a verified ball is never beyond a confirmed witness.
        expect(r.lower).toBeLessThanOrEqual(tr.points.attacked[i]!);
        expect(tr.points.certified[i]!).toBeLessThanOrEqual(r.upper);
      }
      minLower.push(Math.min(...lo));
      medianUpper.push([...up].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[2]!);
    }
    const fin = (v: number[]) => v.filter(Number.isFinite);
    expect(cell.exactRadius.minLower.min).toBe(Math.min(...fin(minLower)));
    expect(cell.exactRadius.minLower.max).toBe(Math.max(...fin(minLower)));
    expect(cell.exactRadius.medianUpper.n).toBe(fin(medianUpper).length);
    if (fin(medianUpper).length) expect(cell.exactRadius.medianUpper.max).toBe(Math.max(...fin(medianUpper)));
    expect(cell.exactRadius.medianLower.max).toBeLessThanOrEqual(cell.exactRadius.medianUpper.max);
    expect(cell.exactRadius.points).toBe(6);
    // One table: the option's statistics are columns of summary.csv.
    const header = readFileSync(join(dirA, 'summary.csv'), 'utf8').split('\n')[0]!.split(',');
    for (const k of ['exactRadius.minLower.mean', 'exactRadius.medianUpper.median', 'exactRadius.maxRelWidth.max', 'exactRadius.undecided.mean', 'exactRadius.tol']) expect(header).toContain(k);
  });
});
