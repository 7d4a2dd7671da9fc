/**
 * A run directory names the files its spec names (plugins, network files) relative to itself, and
 * the spec hash names them by content (spec/file-paths.ts, spec/file-identity.ts): the same
 * project run in two places gives the same summary.json bytes and spec hash, with no absolute
 * path in them; a project copied elsewhere together with its interrupted run resumes there (the
 * original removed) to the bytes of an uninterrupted run; an edited file is refused, naming it; and
 * a run made before paths were stored relative (absolute paths, the old hash) still resumes in place.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { absoluteFilePaths, resumeRun, runSweep, storedFilePaths } from '../src/api.js';
import { canonicalJson } from '../src/spec/canonical.js';
import { specHash, specHashMatches } from '../src/spec/index.js';
import { loadSpec } from '../src/spec/load.js';
import type { NormalisedSpec } from '../src/spec/types.js';
import { DB_FILE } from '../src/store/db.js';
import type { Json } from '../src/worker/protocol.js';
import { fixturePath, summaryBytes, tempDir } from './helpers/sweep.js';

/** Two plugins on a grid axis (so paths appear in axes and params), one of them in a subdirectory. */
const SPEC = {
  name: 'moved',
  experiment: 'noncomputability',
  seed: 9,
  grid: { plugin: ['./plugins/nan.mjs', './half.mjs'], K: [6] },
  fixed: { algorithm: 'plugin', readBits: 4, epsilons: [0.1, 0.6] },
  trials: 60,
  batch: 10,
};

/** A project directory at `root/where` (nested `depth` deep): spec.yaml, its plugins, and later its runs. */
function project(root: string, depth: number): { dir: string; spec: string } {
  let dir = root;
  for (let i = 0; i < depth; i++) dir = join(dir, `level-${i}`);
  mkdirSync(join(dir, 'plugins'), { recursive: true });
  copyFileSync(fixturePath('plugin-nan-sometimes.mjs'), join(dir, 'plugins', 'nan.mjs'));
  copyFileSync(fixturePath('plugin-half-slope.mjs'), join(dir, 'half.mjs'));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(SPEC));
  return { dir, spec: join(dir, 'spec.json') };
}

/** Run the project's spec into `dir/runs/r`, stopping after `stopAfter` batches when given. */
async function run(p: { dir: string; spec: string }, stopAfter?: number) {
  const ac = new AbortController();
  let batches = 0;
  return runSweep(await loadSpec(p.spec), {
    outDir: join(p.dir, 'runs', 'r'),
    workers: 1,
    signal: ac.signal,
    onEvent: (e) => {
      if (stopAfter !== undefined && e.type === 'batch-done' && ++batches === stopAfter) ac.abort();
    },
  });
}

describe('a project and its runs can move', () => {
  it('the same project in two places: the same summary.json bytes and spec hash, no absolute path in the run directory', async () => {
    const a = project(tempDir('paradox-proj-'), 0);
    const b = project(tempDir('paradox-proj-'), 3);
    const ra = await run(a);
    const rb = await run(b);
    expect(ra.status).toBe('complete');
    expect(ra.summary.run.specHash).toBe(rb.summary.run.specHash);
    expect(specHash(await loadSpec(a.spec))).toBe(specHash(await loadSpec(b.spec)));
    expect(summaryBytes(rb.dir)).toBe(summaryBytes(ra.dir));
    const summary = summaryBytes(ra.dir);
    expect(summary).not.toContain(a.dir);
    // The summary names the files as the spec wrote them (relative to the spec file); the stored
    // spec relative to the run directory, and where the spec file was.
    const cells = (JSON.parse(summary) as { cells: Array<{ axes: { plugin: string }; params: { plugin: string } }> }).cells;
    expect(cells.map((c) => c.axes.plugin)).toEqual(['plugins/nan.mjs', 'half.mjs']);
    expect(cells.map((c) => c.params.plugin)).toEqual(['plugins/nan.mjs', 'half.mjs']);
    expect(JSON.parse(readFileSync(join(ra.dir, 'spec.json'), 'utf8'))).toMatchObject({ grid: { plugin: ['../../plugins/nan.mjs', '../../half.mjs'] }, specDir: '../..' });
    for (const f of ['spec.json', 'summary.csv']) expect(readFileSync(join(ra.dir, f), 'utf8')).not.toContain(a.dir);
    // Another run directory (outside the project, at another depth): the same summary bytes.
    const rc = await runSweep(await loadSpec(a.spec), { outDir: join(tempDir('paradox-out-'), 'x', 'y', 'z'), workers: 1 });
    expect(summaryBytes(rc.dir)).toBe(summary);
    const db = new Database(join(ra.dir, DB_FILE), { readonly: true });
    try {
      const rows = db.prepare("SELECT value FROM meta WHERE key = 'spec' UNION ALL SELECT axes || params FROM cells").all() as Array<{ value: string }>;
      expect(rows.length).toBe(3);
      for (const r of rows) expect(r.value).not.toContain(a.dir);
    } finally {
      db.close();
    }
  }, 120_000);

  it('a project copied elsewhere with its interrupted run (the original removed) resumes there to the bytes of an uninterrupted run', async () => {
    const clean = await run(project(tempDir('paradox-proj-'), 1));
    const root = tempDir('paradox-proj-');
    const p = project(root, 1);
    const cut = await run(p, 3);
    expect(cut.status).toBe('cancelled');
    const moved = join(tempDir('paradox-moved-'), 'elsewhere', 'proj');
    cpSync(p.dir, moved, { recursive: true });
    rmSync(root, { recursive: true, force: true });
    const resumed = await resumeRun(join(moved, 'runs', 'r'), { workers: 1 });
    expect(resumed.status).toBe('complete');
    expect(resumed.trialsRun).toBeGreaterThan(0);
    expect(summaryBytes(resumed.dir)).toBe(summaryBytes(clean.dir));
    // Resuming with the spec file of the moved project: the same run.
    await expect(resumeRun(resumed.dir, { spec: await loadSpec(join(moved, 'spec.json')) })).resolves.toMatchObject({ status: 'complete', trialsRun: 0 });
  }, 120_000);

  it('an edited file is refused on resume, naming the file; a missing one too', async () => {
    const p = project(tempDir('paradox-proj-'), 0);
    const cut = await run(p, 2);
    expect(cut.status).toBe('cancelled');
    const moved = join(tempDir('paradox-moved-'), 'proj');
    cpSync(p.dir, moved, { recursive: true });
    appendFileSync(join(moved, 'half.mjs'), '\n// edited\n');
    const err = (await resumeRun(join(moved, 'runs', 'r')).catch((e: unknown) => e)) as Error & { code?: string; exitCode?: number };
    expect(err.code).toBe('E_SPEC_MISMATCH');
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(`the file ${join(moved, 'half.mjs')} (plugin) changed since the run started (was "half.mjs sha256:`);
    expect(err.message).toContain('restore the file or start a new run');
    rmSync(join(moved, 'half.mjs'));
    const gone = (await resumeRun(join(moved, 'runs', 'r')).catch((e: unknown) => e)) as Error & { code?: string };
    expect(gone.code).toBe('E_SPEC_MISMATCH');
    expect(gone.message).toContain(`the file ${join(moved, 'half.mjs')} (plugin) cannot be read (the run used "half.mjs sha256:`);
    // The original, untouched, still resumes.
    await expect(resumeRun(cut.dir, { workers: 1 })).resolves.toMatchObject({ status: 'complete' });
  }, 120_000);

  it('a run made before paths were stored relative (absolute paths, the path hash) resumes in place; moved, it says why it cannot', async () => {
    const p = project(tempDir('paradox-proj-'), 0);
    const clean = await run(project(tempDir('paradox-proj-'), 0));
    const cut = await run(p, 3);
    expect(cut.status).toBe('cancelled');
    // Rewrite the run as the paradox before this change stored it: the spec with absolute paths
    // and its hash over them (the same document, files by path), in spec.json and the database.
    const dir = cut.dir;
    const stored = JSON.parse(readFileSync(join(dir, 'spec.json'), 'utf8')) as NormalisedSpec & { runId: string };
    const { specDir: _d, ...abs } = absoluteFilePaths(stored, dir) as typeof stored & { specDir?: string };
    const { runId: _r, ...spec } = abs;
    const oldHash = createHash('sha256')
      .update(canonicalJson({
        format: 'paradox-spec/1', name: spec.name, experiment: spec.experiment, seed: spec.seed,
        grid: Object.entries(spec.grid), zip: Object.entries(spec.zip), fixed: spec.fixed, stop: spec.stop, confidence: spec.confidence,
      } as unknown as Json))
      .digest('hex');
    expect(oldHash).not.toBe(specHash(spec));
    expect(specHashMatches(spec, oldHash)).toBe('paths');
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(abs, null, 2));
    const db = new Database(join(dir, DB_FILE));
    db.prepare("UPDATE meta SET value = ? WHERE key = 'spec'").run(JSON.stringify(spec));
    db.prepare("UPDATE meta SET value = ? WHERE key = 'specHash'").run(oldHash);
    db.close();
    // Moved away from its files, it cannot find them, and says so.
    const moved = join(tempDir('paradox-moved-'), 'proj');
    cpSync(p.dir, moved, { recursive: true });
    rmSync(join(p.dir, 'plugins'), { recursive: true });
    const err = (await resumeRun(join(moved, 'runs', 'r')).catch((e: unknown) => e)) as Error & { code?: string };
    expect(err.code).toBe('E_SPEC_MISMATCH');
    expect(err.message).toContain(`the file ${join(p.dir, 'plugins', 'nan.mjs')} (plugin) cannot be read`);
    expect(err.message).toContain('made by a paradox that stored absolute paths: put the project back where it was to resume it');
    // In place (files back) with a file edited: refused, naming it, with nothing about moving.
    cpSync(join(moved, 'plugins'), join(p.dir, 'plugins'), { recursive: true });
    const half = readFileSync(join(p.dir, 'half.mjs'));
    appendFileSync(join(p.dir, 'half.mjs'), '\n// edited\n');
    const edited = (await resumeRun(dir).catch((e: unknown) => e)) as Error & { code?: string };
    expect(edited.code).toBe('E_SPEC_MISMATCH');
    expect(edited.message).toContain(`the file ${join(p.dir, 'half.mjs')} (plugin) changed since the run started`);
    expect(edited.message).not.toContain('put the project back');
    writeFileSync(join(p.dir, 'half.mjs'), half);
    // In place, unchanged: it resumes, keeps its stored hash, and its results are the clean run's.
    const resumed = await resumeRun(dir, { workers: 1 });
    expect(resumed.status).toBe('complete');
    expect(resumed.summary.run.specHash).toBe(oldHash);
    // Not knowing where its spec file was, it names the files relative to the run directory.
    type Cells = { cells: Array<{ params: { plugin: string }; eps: unknown; pluginNaN: unknown }> };
    const got = (JSON.parse(summaryBytes(dir)) as Cells).cells;
    const want = (JSON.parse(summaryBytes(clean.dir)) as Cells).cells;
    expect(got.map((c) => c.params.plugin)).toEqual(['../../plugins/nan.mjs', '../../half.mjs']);
    expect(got.map((c) => [c.eps, c.pluginNaN])).toEqual(want.map((c) => [c.eps, c.pluginNaN]));
    expect(summaryBytes(dir)).not.toContain(p.dir);
  }, 120_000);

  it('an object spec naming its plugins relative to the working directory: interrupted and resumed, the bytes and hash of the same spec with absolute paths', async () => {
    const p = project(tempDir('paradox-proj-'), 0);
    const files = (f: (path: string) => string) => ({ ...SPEC, grid: { ...SPEC.grid, plugin: [f(join(p.dir, 'plugins', 'nan.mjs')), f(join(p.dir, 'half.mjs'))] } });
    const rel = files((path) => relative(process.cwd(), path));
    expect(rel.grid.plugin[0]).not.toMatch(/^\//);
    const abs = await runSweep(files((path) => path), { outDir: join(tempDir('paradox-out-'), 'abs'), workers: 1 });
    const ac = new AbortController();
    let batches = 0;
    const cut = await runSweep(rel, {
      outDir: join(tempDir('paradox-out-'), 'rel'), workers: 1, signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'batch-done' && ++batches === 3) ac.abort();
      },
    });
    expect(cut.status).toBe('cancelled');
    const resumed = await resumeRun(cut.dir, { workers: 1 });
    expect(resumed.status).toBe('complete');
    expect(resumed.summary.run.specHash).toBe(abs.summary.run.specHash);
    expect(summaryBytes(cut.dir)).toBe(summaryBytes(abs.dir));
  }, 120_000);

  it('stored file values: relative to the run directory with / separators, URLs kept, absolute again on reading', () => {
    const doc = {
      experiment: 'instability',
      fixed: { plugin: '/p/q/train.mjs', network: 'file:///p/net.onnx', m: 3 },
      grid: { plugin: ['/p/a.mjs', 'https://example.org/b.mjs', 'data:text/javascript,export default 1'] },
      zip: {},
    };
    const stored = storedFilePaths(doc, '/p/runs/r');
    expect(stored).toEqual({
      experiment: 'instability',
      fixed: { plugin: '../../q/train.mjs', network: '../../net.onnx', m: 3 },
      grid: { plugin: ['../../a.mjs', 'https://example.org/b.mjs', 'data:text/javascript,export default 1'] },
      zip: {},
    });
    expect(absoluteFilePaths(stored, '/p/runs/r')).toEqual({ ...doc, fixed: { ...doc.fixed, network: '/p/net.onnx' } });
    // Moved together: the same stored document, the new place on reading.
    expect(absoluteFilePaths(stored, '/elsewhere/x/runs/r').grid.plugin[0]).toBe('/elsewhere/x/a.mjs');
    // A value stored absolute (by an older paradox) stays absolute.
    expect(absoluteFilePaths(doc, '/p/runs/r').fixed.plugin).toBe('/p/q/train.mjs');
  });
});
