/**
 * Training plugins for Result I in sweeps (`method: plugin`, `plugin: ./module.mjs`): the module is
 * resolved next to the spec and loaded while validating (a missing one is a spec error, nothing
 * written); its trials are measured by core-wasm's runTrainingPluginTrial in real worker threads;
 * a plugin that throws, returns a malformed network or loops is reported with cell, seed and
 * trial, and the process's next run succeeds.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCore } from '@paradox/core-wasm';
import { describe, expect, it } from 'vitest';
import { openRunStore, runSweep } from '../src/api.js';
import { SpecError, TrialError } from '../src/errors.js';
import { hash32 } from '../src/spec/canonical.js';
import { instability } from '../src/experiments/instability.js';
import type { Json } from '../src/worker/protocol.js';
import { loadSpec } from '../src/spec/load.js';
import { fixturePath, summaryBytes, tempDir } from './helpers/sweep.js';

/**
 * Small cells: a second or so of training per run on one core. The cell key names the plugin by
 * file name and content (spec/file-identity.ts), so the streams, and what a test sees, are the same
 * in every temporary directory; m = 2 is easy enough that accurate networks appear.
 */
const PROBLEM = { m: 2, hidden: [8], optimizer: 'adam', lr: 0.05, epochs: 200, r: 12, s: 4 };

/** A spec file in a fresh directory with the fixture plugin copied next to it as ./trainer.mjs. */
function specFile(fixture: string, fixed: Record<string, unknown>, extra: Record<string, unknown> = {}): { dir: string; file: string } {
  const dir = tempDir();
  copyFileSync(fixturePath(fixture), join(dir, 'trainer.mjs'));
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify({ experiment: 'instability', seed: 11, grid: { m: [PROBLEM.m] }, fixed: { ...PROBLEM, m: undefined, method: 'plugin', plugin: './trainer.mjs', ...fixed }, trials: 6, batch: 2, ...extra }));
  return { dir, file };
}

async function failure(fixture: string, epochs: number, extra: Record<string, unknown> = {}): Promise<TrialError> {
  const { dir, file } = specFile(fixture, { epochs }, extra);
  const spec = await loadSpec(file);
  const err = (await runSweep(spec, { outDir: join(dir, 'run'), workers: 2 }).catch((e: unknown) => e)) as TrialError;
  expect(err).toBeInstanceOf(TrialError);
  return err;
}

describe('instability method: plugin (a training plugin loaded from a module path)', () => {
  it('a plugin returning what the train kernel returned gives the built-in train method\'s rows byte for byte (every column), byte-identical across 1 and 2 workers', async () => {
    const { dir, file } = specFile('training-plugin-same-as-train.mjs', { radii: [0.002, 0.02], exactRadius: { points: 3, maxNodes: 2000 } });
    const spec = await loadSpec(file);
    const a = await runSweep(spec, { outDir: join(dir, 'a'), workers: 2 });
    const b = await runSweep(spec, { outDir: join(dir, 'b'), workers: 1, batch: 6 });
    expect(summaryBytes(b.dir)).toBe(summaryBytes(a.dir));
    const cell = a.summary.cells[0];
    if (cell?.experiment !== 'instability') throw new Error('expected an instability cell');
    expect(cell.method).toBe('plugin');
    expect(cell.arch).toEqual([2, 8, 1]);
    expect(cell.trials).toBe(6);

    const core = await loadCore();
    const store = openRunStore(a.dir);
    try {
      const key = store.cells()[0]!.key;
      const rows = [...store.trials(0)];
      expect(rows.map((r) => r.trial)).toEqual([0, 1, 2, 3, 4, 5]);
      // The built-in method's batch on the same trial streams (the plugin cell's streamHi), same hyperparameters.
      const params = instability.normaliseParams({ ...PROBLEM, radii: [0.002, 0.02], exactRadius: { points: 3, maxNodes: 2000 }, method: 'train' }) as Record<string, Json>;
      const builtin = await instability.runBatch(core, params, { seed: 11, streamHi: hash32(key), tStart: 0, count: 6 });
      const names = Object.keys(builtin.columns).sort();
      expect(Object.keys(rows[0]!.values).sort()).toEqual(names);
      expect(names).toContain('exactRadius.medianUpper');
      const bytes = (x: number): string => Buffer.from(Float64Array.of(x).buffer).toString('hex');
      for (const row of rows) {
        for (const name of names) {
          expect([row.trial, name, bytes(row.values[name]!)]).toEqual([row.trial, name, bytes(builtin.columns[name]![row.trial]!)]);
        }
      }
      // Every column is measured: no NaN left for a plugin (the final loss is the loss history's last entry).
      for (const row of rows) for (const name of names) expect([row.trial, name, Number.isNaN(row.values[name])]).toEqual([row.trial, name, false]);
      expect(cell.accurate.k).toBe(builtin.counts.accurate);
      expect(cell.accurateUnstable).toMatchObject({ k: builtin.counts.accurateUnstable, n: builtin.counts.accurate });
      // The data must exercise the count: some accurate networks (m = 2 is easy to fit; P(N) = 9 ≥ m − 1: F3 does not apply).
      expect(builtin.counts.accurate).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  }, 120_000);

  it('a plugin that throws fails the run naming cell, seed, trial and the plugin', async () => {
    const err = await failure('training-plugin-bad.mjs', 1);
    expect(err.exitCode).toBe(1);
    const trial = err.location.trial as number;
    expect(trial).toBeGreaterThanOrEqual(0);
    expect(err.message).toContain('training plugin "');
    expect(err.message).toMatch(new RegExp(`trainer\\.mjs", seed 11, trial ${trial}: the training plugin threw: my trainer ran out of ideas`));
    expect(err.message).toContain(`cell 0 ${err.location.cellKey}`);
    expect(err.message).toContain('seed 11');
  }, 120_000);

  it('a plugin that returns a network of the wrong shape or NaN weights is reported with cell, seed and trial', async () => {
    const shape = await failure('training-plugin-bad.mjs', 2);
    expect(shape.message).toMatch(/trainer\.mjs", seed 11, trial \d+: the training plugin returned a network with dims \[2,3,1\], the architecture is fixed at \[2, 8, 1\]/);
    expect(shape.message).toContain('seed 11');
    expect(shape.location.trial).toBeTypeOf('number');
    const nan = await failure('training-plugin-bad.mjs', 3);
    expect(nan.message).toMatch(/trainer\.mjs", seed 11, trial \d+: the training plugin returned a non-finite parameter 0 \(NaN\)/);
    expect(nan.location.trial).toBeTypeOf('number');
    expect(nan.exitCode).toBe(shape.exitCode);
  }, 120_000);

  it('a plugin that loops forever fails with E_DEADLINE naming the trial; the next run in the same process succeeds', async () => {
    const err = await failure('training-plugin-bad.mjs', 4, { batchTimeout: 8 });
    expect(err.code).toBe('E_DEADLINE');
    const trial = err.location.trial as number;
    expect(trial).toBe(err.location.trialStart);
    expect(err.message).toContain(`trial ${trial} never finished`);
    expect(err.message).toContain('seed 11');
    // The threads stopped at the deadline were replaced: a good plugin runs to completion.
    const { dir, file } = specFile('training-plugin-bad.mjs', { epochs: 5 });
    const ok = await runSweep(await loadSpec(file), { outDir: join(dir, 'run'), workers: 2 });
    expect(ok.summary.cells[0]?.trials).toBe(6);
  }, 120_000);

  it('a missing plugin module, a plugin that is not a path or an unknown method is a spec error and nothing is written', async () => {
    const { dir, file } = specFile('training-plugin-same-as-train.mjs', { plugin: './nowhere.mjs' });
    const err = (await loadSpec(file).catch((e: unknown) => e)) as SpecError;
    expect(err).toBeInstanceOf(SpecError);
    expect(err.exitCode).toBe(2);
    expect(err.issues.map((i) => [i.path, i.value])).toEqual([['fixed.plugin', join(dir, 'nowhere.mjs')]]);
    expect(err.issues[0]?.message).toMatch(/^fixed\.plugin: expected a module that exists and exports a training plugin .*could not import/);
    expect(existsSync(join(dir, 'run'))).toBe(false);
    const other = specFile('training-plugin-same-as-train.mjs', { plugin: 7 });
    const e2 = (await loadSpec(other.file).catch((e: unknown) => e)) as SpecError;
    expect(e2).toBeInstanceOf(SpecError);
    expect(e2.message).toMatch(/fixed\.plugin: expected the path of a training plugin module \(with method: plugin\), got 7/);
    const e3 = (await loadSpec(specFile('training-plugin-same-as-train.mjs', { method: 'magic' }).file).catch((e: unknown) => e)) as SpecError;
    expect(e3.message).toMatch(/one of train, .*shortcut, plugin, network-file, got "magic"/);
  }, 120_000);
});
