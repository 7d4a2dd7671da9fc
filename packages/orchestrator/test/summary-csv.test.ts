/**
 * summary.csv golden content: a fixed small sweep (seed, cells and trials fixed, so bit-identical
 * by the determinism contract) must write exactly the committed file, byte for byte — its layout
 * (summary/table.ts: run, cell, cellId, complete, one column per axis, one row per cell and ε,
 * nested fields dotted, intervals as .lo/.hi, lists as JSON arrays, params last) and numbers.
 * Regenerate the fixture only for a deliberate change (PARADOX_WRITE_GOLDEN=1), and say why in the commit.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSweep } from '../src/run/run.js';

const GOLDEN = new URL('./fixtures/summary-golden.csv', import.meta.url);

describe('summary.csv', () => {
  it.each([16, 7])('a fixed sweep (batch %i) writes exactly the golden file', async (batch) => {
    const dir = join(mkdtempSync(join(tmpdir(), 'paradox-csv-')), 'run');
    await runSweep(
      { name: 'golden', experiment: 'noncomputability', seed: 3, grid: { algorithm: ['coin', 'hedge'], K: [4] }, fixed: { readBits: 8, epsilons: [0.25, 0.5] }, trials: 40, batch },
      { outDir: dir, workers: 1 },
    );
    const csv = readFileSync(join(dir, 'summary.csv'), 'utf8');
    const lines = csv.trimEnd().split('\n');
    // Two cells × two ε: four rows under one header.
    expect(lines).toHaveLength(5);
    expect(lines[0]?.startsWith('run,cell,cellId,complete,algorithm,K,')).toBe(true);
    expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(['0', '0', '1', '1']);
    if (process.env.PARADOX_WRITE_GOLDEN === '1') writeFileSync(GOLDEN, csv);
    expect(csv).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});
