/**
 * The experiment adapters on their own: batch data do not depend on how a batch is sliced or cut.
 */
import { loadCore } from '@paradox/core-wasm';
import { describe, expect, it } from 'vitest';
import { instability } from '../src/experiments/instability.js';
import { noncomputability, TRIAL_SLICE } from '../src/experiments/noncomputability.js';
import type { BatchData } from '../src/experiments/types.js';
import { expandCells, normaliseSpec } from '../src/spec/index.js';

function concat(parts: BatchData[]): BatchData {
  const out: BatchData = { counts: {}, columns: {} };
  for (const name of Object.keys(parts[0]!.columns)) {
    const total = parts.reduce((a, p) => a + (p.columns[name]?.length ?? 0), 0);
    const col = new Float64Array(total);
    let o = 0;
    for (const p of parts) {
      col.set(p.columns[name]!, o);
      o += p.columns[name]!.length;
    }
    out.columns[name] = col;
  }
  for (const p of parts) for (const [k, v] of Object.entries(p.counts)) out.counts[k] = (out.counts[k] ?? 0) + v;
  return out;
}

function same(a: BatchData, b: BatchData): void {
  expect(a.counts).toEqual(b.counts);
  expect(Object.keys(a.columns).sort()).toEqual(Object.keys(b.columns).sort());
  for (const k of Object.keys(a.columns)) expect(Buffer.from(a.columns[k]!.buffer).equals(Buffer.from(b.columns[k]!.buffer)), k).toBe(true);
}

describe('experiment adapters', () => {
  it.each([
    ['coin', 6],
    ['coin', 10],
    ['gd', 6],
    ['adam', 10],
  ] as const)('noncomputability (%s, readBits %i, K 8): one batch equals the same trials in other cuts', async (algorithm, readBits) => {
    const core = await loadCore();
    const [cell] = expandCells(normaliseSpec({ experiment: 'noncomputability', seed: 9, fixed: { algorithm, K: 8, readBits, steps: 20 }, trials: 1 }));
    // batches run in slices, and the batched path (gd, adam) puts two trials in a kernel job when
    // both signs read the same data: odd cuts, not multiples of either
    const n = TRIAL_SLICE * 2 + 77;
    const s = { seed: 9, streamHi: cell!.hash32 };
    const whole = await noncomputability.runBatch(core, cell!.params, { ...s, tStart: 0, count: n });
    const parts = [
      await noncomputability.runBatch(core, cell!.params, { ...s, tStart: 0, count: TRIAL_SLICE + 13 }),
      await noncomputability.runBatch(core, cell!.params, { ...s, tStart: TRIAL_SLICE + 13, count: n - TRIAL_SLICE - 13 }),
    ];
    same(whole, concat(parts));
    if (readBits <= 8) {
      // below ε_B at most one sign succeeds per pair where every read is hidden, with one network
      expect(whole.counts['both.0']).toBe(0);
      expect(whole.counts.identical).toBe(n);
    }
    expect(whole.columns['bitsRead+']!.every((v) => v === readBits)).toBe(true);
  });

  it('instability: the same for slices of whole trials', async () => {
    const core = await loadCore();
    const [cell] = expandCells(normaliseSpec({ experiment: 'instability', seed: 4, fixed: { method: 'construct-stable', m: 2, r: 4, s: 0, attacks: ['fgsm'], certify: [], pgdSteps: 1 }, trials: 1 }));
    const s = { seed: 4, streamHi: cell!.hash32 };
    const whole = await instability.runBatch(core, cell!.params, { ...s, tStart: 0, count: 600 });
    const parts = [
      await instability.runBatch(core, cell!.params, { ...s, tStart: 0, count: 13 }),
      await instability.runBatch(core, cell!.params, { ...s, tStart: 13, count: 587 }),
    ];
    same(whole, concat(parts));
    expect(whole.columns['acc.train']!.every((v) => v === 1)).toBe(true);
  });
});
