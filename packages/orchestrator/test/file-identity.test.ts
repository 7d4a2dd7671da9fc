/**
 * A cell names its files (plugin modules, networks, data) by file name and content, not by the
 * absolute path its spec's relative path resolves to (spec/file-identity.ts): the same project run
 * from two directories draws the same streams — for a Result I training plugin and for a Result II
 * algorithm plugin alike — and an edited file is another cell.
 */
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openRunStore, resumeRun, runSweep } from '../src/api.js';
import { fileIdentity, identityParams } from '../src/spec/file-identity.js';
import { expandCells } from '../src/spec/index.js';
import { loadSpec } from '../src/spec/load.js';
import { fixturePath, tempDir } from './helpers/sweep.js';

/** Write `spec` as spec.json in a fresh project directory (nested, so the two paths differ in depth too) with the fixture copied next to it. */
function project(fixture: string, as: string, spec: Record<string, unknown>, depth: number): { dir: string; file: string } {
  let dir = tempDir();
  for (let i = 0; i < depth; i++) dir = join(dir, `moved-${i}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(fixturePath(fixture), join(dir, as));
  const file = join(dir, 'spec.json');
  writeFileSync(file, JSON.stringify(spec));
  return { dir, file };
}

/** Every stored trial row of every cell, as bytes (cell key, trial, column, f64 hex). */
function rowBytes(runDir: string): string[] {
  const store = openRunStore(runDir);
  try {
    const out: string[] = [];
    store.cells().forEach((c, i) => {
      for (const row of store.trials(i)) {
        for (const [name, v] of Object.entries(row.values).sort(([a], [b]) => (a < b ? -1 : 1))) {
          out.push(`${c.key} ${row.trial} ${name} ${Buffer.from(Float64Array.of(v).buffer).toString('hex')}`);
        }
      }
    });
    return out;
  } finally {
    store.close();
  }
}

/** Run the same project from two directories; return both run directories and project directories. */
async function twice(fixture: string, as: string, spec: Record<string, unknown>): Promise<Array<{ dir: string; run: string }>> {
  const out: Array<{ dir: string; run: string }> = [];
  for (const depth of [0, 2]) {
    const { dir, file } = project(fixture, as, spec, depth);
    const r = await runSweep(await loadSpec(file), { outDir: join(dir, 'run'), workers: depth === 0 ? 1 : 2 });
    out.push({ dir, run: r.dir });
  }
  return out;
}

describe('cells name their files by content, not by where the project sits', () => {
  it('a training plugin (Result I): the same rows and summary from two directories', async () => {
    const spec = {
      experiment: 'instability', seed: 11, grid: { m: [2, 3] },
      fixed: { hidden: [6], optimizer: 'adam', lr: 0.05, epochs: 40, r: 10, s: 4, method: 'plugin', plugin: './trainer.mjs' }, trials: 4, batch: 2,
    };
    const [a, b] = await twice('training-plugin-same-as-train.mjs', 'trainer.mjs', spec);
    const ra = rowBytes(a!.run);
    expect(ra.length).toBeGreaterThan(0);
    expect(rowBytes(b!.run)).toEqual(ra);
    // The key holds the file's name and content hash, not a directory.
    expect(ra[0]).toMatch(/"plugin":"trainer\.mjs sha256:[0-9a-f]{16}"/);
    expect(ra.some((l) => l.includes(a!.dir))).toBe(false);
    // summary.json is the same bytes: it names the plugin relative to the run directory, and the spec hash names it by content.
    expect(readFileSync(join(b!.run, 'summary.json'), 'utf8')).toBe(readFileSync(join(a!.run, 'summary.json'), 'utf8'));
  }, 120_000);

  it('a Result II algorithm plugin drawing from its stream: the same rows and summary from two directories', async () => {
    const spec = { experiment: 'noncomputability', seed: 4, grid: { K: [6] }, fixed: { algorithm: 'plugin', plugin: './nan.mjs', readBits: 4, epsilons: [0.1, 0.6] }, trials: 40, batch: 10 };
    const [a, b] = await twice('plugin-nan-sometimes.mjs', 'nan.mjs', spec);
    const ra = rowBytes(a!.run);
    expect(rowBytes(b!.run)).toEqual(ra);
    const sa = readFileSync(join(a!.run, 'summary.json'), 'utf8');
    expect(readFileSync(join(b!.run, 'summary.json'), 'utf8')).toBe(sa);
    // The plugin's NaN count depends on the stream: it is the same (and not trivially zero or all).
    const nan = (JSON.parse(sa) as { cells: Array<{ pluginNaN: { runs: number; of: number } }> }).cells[0]!.pluginNaN;
    expect(nan.runs).toBeGreaterThan(0);
    expect(nan.runs).toBeLessThan(nan.of);
  }, 120_000);

  it('an edited file is another cell with other streams, and a run of the old one is not resumed with it; URLs and unreadable paths stand as written', async () => {
    const { dir, file } = project('training-plugin-same-as-train.mjs', 'trainer.mjs', {
      experiment: 'instability', seed: 1, fixed: { m: 4, hidden: [3], epochs: 5, r: 8, s: 2, method: 'plugin', plugin: './trainer.mjs' }, trials: 2,
    }, 0);
    const before = expandCells(await loadSpec(file))[0]!;
    const run = await runSweep(await loadSpec(file), { outDir: join(dir, 'run'), workers: 1 });
    appendFileSync(join(dir, 'trainer.mjs'), '\n// edited\n');
    const after = expandCells(await loadSpec(file))[0]!;
    expect(after.key).not.toBe(before.key);
    expect(after.hash32).not.toBe(before.hash32);
    const err = (await resumeRun(run.dir).catch((e: unknown) => e)) as Error & { code?: string };
    expect(err.code).toBe('E_SPEC_MISMATCH');
    expect(err.message).toContain(`the file ${join(dir, 'trainer.mjs')} (plugin) changed since the run started (was "trainer.mjs sha256:`);
    expect(err.message).toContain('restore the file or start a new run');
    // The same bytes under another name in another directory: only the name differs.
    const other = join(tempDir(), 'trainer.mjs');
    writeFileSync(other, readFileSync(join(dir, 'trainer.mjs')));
    expect(fileIdentity(other)).toBe(fileIdentity(join(dir, 'trainer.mjs')));
    expect(fileIdentity(pathToFileURL(other).href)).toBe(fileIdentity(other));
    expect(fileIdentity('data:text/javascript,export default 1')).toBe('data:text/javascript,export default 1');
    expect(fileIdentity(join(dir, 'nowhere.mjs'))).toBe(join(dir, 'nowhere.mjs'));
    expect(identityParams({ plugin: other, m: 4 }, ['plugin', 'network'])).toEqual({ plugin: fileIdentity(other), m: 4 });
  }, 120_000);
});
