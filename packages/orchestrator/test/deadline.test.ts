/**
 * Batch deadlines on the local backend with a real looping plugin: the run fails within the
 * deadline with E_DEADLINE naming cell, seed and trials, instead of hanging forever.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { PhiloxStream, SUBSTREAM } from '@paradox/core-wasm';
import { describe, expect, it } from 'vitest';
import { runSweep } from '../src/api.js';
import { TrialError } from '../src/errors.js';
import { loadSpec } from '../src/spec/load.js';
import { fixturePath, tempDir } from './helpers/sweep.js';
import { writeFileSync } from 'node:fs';

describe('a plugin that loops forever on some trials', () => {
  it('fails the run with E_DEADLINE naming the cell, seed, the batch\'s trials and the trial that never finished; the failed batch is not stored', async () => {
    const dir = tempDir();
    copyFileSync(fixturePath('plugin-loops-sometimes.mjs'), join(dir, 'loops.mjs'));
    const specFile = join(dir, 'loops.json');
    writeFileSync(
      specFile,
      JSON.stringify({
        experiment: 'noncomputability',
        seed: 9,
        grid: { K: [6] },
        fixed: { algorithm: 'plugin', plugin: './loops.mjs', readBits: 4, epsilons: [0.1] },
        trials: 400,
        batch: 5,
        batchTimeout: 8,
      }),
    );
    const spec = await loadSpec(specFile);
    const err = (await runSweep(spec, { outDir: join(dir, 'run'), workers: 2 }).catch((e: unknown) => e)) as TrialError;
    expect(err).toBeInstanceOf(TrialError);
    expect(err.code).toBe('E_DEADLINE');
    expect(err.exitCode).toBe(1);
    const { trialStart, trialCount, batchIndex, cellIndex, seed } = err.location;
    expect({ cellIndex, seed, trialCount }).toEqual({ cellIndex: 0, seed: 9, trialCount: 5 });
    expect(trialStart).toBe(batchIndex * 5);
    expect(err.message).toContain(`did not finish within its deadline of 8 s`);
    expect(err.message).toContain(`trials ${trialStart}..${trialStart + 4}`);
    expect(err.message).toContain('seed 9');
    // The thread marked each trial before running it: the error names the one that never finished,
    // and it is the first trial of the batch on which the plugin's own stream makes it loop.
    const trial = err.location.trial as number;
    expect(trial).toBeGreaterThanOrEqual(trialStart);
    expect(trial).toBeLessThanOrEqual(trialStart + 4);
    const loops = (t: number): boolean =>
      new PhiloxStream({ words: [9, 0, SUBSTREAM.noncomputability.algorithm, t, err.location.streamHi] }).uniform() < 0.05;
    expect(loops(trial)).toBe(true);
    for (let t = trialStart; t < trial; t++) expect(loops(t)).toBe(false);
    expect(err.message).toContain(`trial ${trial} never finished`);
    expect(err.message).toMatch(new RegExp(`batch ${batchIndex} \\(trials ${trialStart}\\.\\.${trialStart + 4}\\), trial ${trial}$`, 'm'));
  });
});
