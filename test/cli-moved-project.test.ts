/**
 * A project moved together with its runs, through the built `paradox` binary: a multi-part run
 * whose first part stopped in a plugin (its second part never started) is moved with its project
 * (`mv proj proj2`) and `paradox resume` there finishes both parts — the stopped one from its
 * run directory, the unstarted one from the manifest — to the bytes of an uninterrupted run of the
 * same project elsewhere. No file the run directory holds names the project's absolute path.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLAKY, flakyPart, paradox, specDir } from './cli-helpers.js';

/** A project: two-part spec under lab/, its plugin under lab/lib/. */
function project(): string {
  const dir = specDir({}, 'paradox-moved-');
  mkdirSync(join(dir, 'lab', 'lib'), { recursive: true });
  writeFileSync(join(dir, 'lab', 'lib', 'flaky.mjs'), FLAKY);
  writeFileSync(join(dir, 'lab', 'two.yaml'), `${flakyPart('a', './lib/flaky.mjs')}---\n${flakyPart('b', './lib/flaky.mjs')}`);
  return dir;
}

/** Every file under `dir` (relative paths). */
function files(dir: string, at = ''): string[] {
  return readdirSync(join(dir, at)).flatMap((f) => (statSync(join(dir, at, f)).isDirectory() ? files(dir, join(at, f)) : [join(at, f)]));
}

describe('a multi-part run moved with its project', () => {
  it('resumes in the new place, the unstarted part from the manifest, to the bytes of an uninterrupted run', () => {
    const clean = project();
    const ok = paradox(['run', 'lab/two.yaml', '--out', 'runs/two', '--workers', '1'], { cwd: clean });
    expect(ok.code, ok.stderr).toBe(0);

    const first = project();
    const failed = paradox(['run', 'lab/two.yaml', '--out', 'runs/two', '--workers', '1'], { cwd: first, env: { PARADOX_TEST_PLUGIN_THROWS: '1' } });
    expect(failed.code, failed.stderr).toBe(1);
    expect(readdirSync(join(first, 'runs', 'two')).sort()).toEqual(['a', 'paradox-runs.json']);
    const moved = `${first}-moved`;
    renameSync(first, moved);
    for (const f of files(join(moved, 'runs'))) {
      if (!f.endsWith('.sqlite-wal') && !f.endsWith('.sqlite-shm')) expect(readFileSync(join(moved, 'runs', f), 'utf8'), f).not.toContain(first);
    }

    const resumed = paradox(['resume', 'runs/two'], { cwd: moved });
    expect(resumed.code, resumed.stderr).toBe(0);
    for (const p of ['a', 'b']) {
      const bytes = readFileSync(join(moved, 'runs', 'two', p, 'summary.json'), 'utf8');
      expect(bytes, p).toBe(readFileSync(join(clean, 'runs', 'two', p, 'summary.json'), 'utf8'));
      // The plugin as the spec names it, relative to the spec file.
      expect((JSON.parse(bytes) as { cells: Array<{ params: { plugin: string } }> }).cells[0]!.params.plugin).toBe('lib/flaky.mjs');
    }
  }, 240_000);
});
