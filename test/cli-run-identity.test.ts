/**
 * Which run a directory holds, whether it is intact, and who is to blame when a plugin fails, seen
 * through the built `paradox` binary: a flipped byte in a stored blob and a damaged run.sqlite are
 * reported by export and resume naming the file (and cell and batch), a path the system refuses
 * names itself and the cause; a failing part of a multi-part run is located to its trial and resumed (even
 * from the part's own directory) to the end of the whole run; a run.sqlite from another run of the
 * same spec and seed is refused by its run id (spec.json, and the manifest for a part); a plugin
 * that keeps state between runs is blamed, not paradox.
 */
import { cpSync, existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PhiloxStream, SUBSTREAM } from '@paradox/core-wasm';
import type { Summary } from '@paradox/orchestrator';
import { beforeAll, describe, expect, it } from 'vitest';
import { FLAKY, flakyPart, paradox, ROOT, specDir } from './cli-helpers.js';

/** A plugin that keeps state between runs: the second run of a trial answers differently. */
const STATEFUL = `let calls = 0;
export default {
  name: 'stateful',
  run(ctx) {
    ctx.read(Math.min(ctx.budget, 4));
    calls++;
    const w = new Float64Array(ctx.width * ctx.d);
    const v = new Float64Array(ctx.width);
    w[0] = 1;
    v[0] = calls % 2 === 0 ? 0.25 : 0.5;
    return { network: { w, v }, steps: 0 };
  },
};
`;

const THROWS = { PARADOX_TEST_PLUGIN_THROWS: '1' };

let dir: string;
beforeAll(() => {
  dir = specDir(
    {
      'flaky.mjs': FLAKY,
      'stateful.mjs': STATEFUL,
      'three.yaml': `${flakyPart('a')}---\n${flakyPart('b')}---\n${flakyPart('c')}`,
      'one.yaml': flakyPart('one'),
      'stateful.yaml': flakyPart('stateful', './stateful.mjs'),
    },
    'paradox-identity-',
  );
});

const summary = (run: string): Summary => JSON.parse(readFileSync(join(dir, run, 'summary.json'), 'utf8')) as Summary;

/** Whether the flaky plugin throws on trial t of the cell with this streamHi (its own stream decides). */
function throws(t: number, streamHi: number): boolean {
  return new PhiloxStream({ words: [5, 0, SUBSTREAM.noncomputability.algorithm, t, streamHi] }).uniform() < 0.1;
}

describe('a multi-part run whose first part fails in a plugin', () => {
  it('names the trial, hints the top directory, and resume of the part directory finishes every part', () => {
    const failed = paradox(['run', 'three.yaml', '--out', 'three', '--workers', '1'], { cwd: dir, env: THROWS });
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.stderr).not.toContain('internal error');
    // The error names the plugin, the batch and the one trial; that trial is where the plugin's stream makes it throw.
    const m = /seed 5, streamHi (\d+), batch (\d+) \(trials (\d+)\.\.(\d+)\), trial (\d+)$/m.exec(failed.stderr);
    expect(m, failed.stderr).not.toBeNull();
    const [streamHi, , start, , trial] = m!.slice(1).map(Number) as [number, number, number, number, number];
    expect(failed.stderr).toContain(`the plugin algorithm "${join(dir, 'flaky.mjs')}" threw at trial ${trial}: RangeError: flaky plugin gave up`);
    expect(throws(trial, streamHi)).toBe(true);
    for (let t = start; t < trial; t++) expect(throws(t, streamHi)).toBe(false);
    expect(failed.stderr).toMatch(/continue it with: paradox resume three$/m);
    expect(existsSync(join(dir, 'three', 'b'))).toBe(false);

    // The manifest names the started part's run; a part swapped for another run of the same spec
    // (spec.json and run.sqlite agreeing with each other) is refused on resume, exit 2.
    const other = paradox(['run', 'three.yaml', '--out', 'other', '--workers', '1'], { cwd: dir, env: THROWS });
    expect(other.code, other.stderr).toBe(1);
    const manifest = JSON.parse(readFileSync(join(dir, 'three', 'paradox-runs.json'), 'utf8')) as { runs: Array<{ name: string; runId?: string }> };
    const runIdA = manifest.runs[0]!.runId;
    expect(runIdA).toMatch(/^[0-9a-f-]{36}$/);
    expect(manifest.runs.slice(1).map((r) => r.runId)).toEqual([undefined, undefined]);
    cpSync(join(dir, 'three'), join(dir, 'swapped'), { recursive: true });
    for (const f of ['spec.json', 'run.sqlite']) cpSync(join(dir, 'other', 'a', f), join(dir, 'swapped', 'a', f));
    const refused = paradox(['resume', 'swapped'], { cwd: dir });
    expect(refused.code, refused.stderr).toBe(2);
    const otherId = (JSON.parse(readFileSync(join(dir, 'other', 'a', 'spec.json'), 'utf8')) as { runId: string }).runId;
    expect(refused.stderr).toContain(`run id ${otherId} in the database, ${runIdA} in ${join(dir, 'swapped', 'paradox-runs.json')} (part a)`);
    expect(summary('swapped/a').run.trialsDone).toBe(summary('three/a').run.trialsDone);

    // The part's own directory: the whole run is finished, every part equal to it run alone.
    const resumed = paradox(['resume', join('three', 'a')], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`three/a is the part "a" of the multi-part run three (parts: a, b, c); resuming the whole run, as paradox resume three does`);
    for (const p of ['a', 'b', 'c']) expect(summary(`three/${p}`).run.complete).toBe(true);
    const alone = paradox(['run', 'one.yaml', '--out', 'alone'], { cwd: dir });
    expect(alone.code, alone.stderr).toBe(0);
    const cells = (s: Summary): string => JSON.stringify(s.cells);
    expect(cells(summary('three/a'))).toBe(cells(summary('alone')));
  });
});

describe('a run.sqlite dropped in from another run of the same spec and seed', () => {
  it('is refused on resume by its run id (exit 2), naming both ids', () => {
    for (const out of ['x1', 'x2']) expect(paradox(['run', 'one.yaml', '--out', out, '--workers', '1'], { cwd: dir, env: THROWS }).code).toBe(1);
    const id = (run: string): string => (JSON.parse(readFileSync(join(dir, run, 'spec.json'), 'utf8')) as { runId: string }).runId;
    expect(id('x1')).not.toBe(id('x2'));
    cpSync(join(dir, 'x2', 'run.sqlite'), join(dir, 'x1', 'run.sqlite'));
    const r = paradox(['resume', 'x1'], { cwd: dir });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`run.sqlite belongs to another run than spec.json: same spec and seed, but run id ${id('x2')} in the database and ${id('x1')} in spec.json`);
    expect(r.stderr).not.toContain('internal error');
  });
});

describe('a plugin that is not a function of its context', () => {
  it('is blamed for the failed check, not paradox', () => {
    const r = paradox(['run', 'stateful.yaml', '--out', 'stateful', '--workers', '1'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('an algorithm must be a deterministic function of its context');
    expect(r.stderr).toContain('The failing cell runs a plugin algorithm');
    expect(r.stderr).not.toContain('bug in paradox');
    expect(r.stderr).not.toContain('internal error');
  });
});

describe('a damaged run directory', () => {
  /** A run stopped by the failing plugin (its first throw is at trial 3: batch 0 of 2 trials is stored; resumable). */
  function stoppedRun(out: string): string {
    const r = paradox(['run', 'one.yaml', '--out', out, '--workers', '1'], { cwd: dir, env: THROWS });
    expect(r.code, r.stderr).toBe(1);
    return join(dir, out);
  }
  const leftovers = (d: string): string[] => readdirSync(d).filter((f) => /\.(tmp|partial)-/.test(f) || f.startsWith('trials.'));

  it('a flipped byte in a stored blob: export and resume exit 1 naming the file, cell, column and batch', () => {
    // A finished run, so the batch at trial 0 is stored whatever the load (a run stopped by a
    // failing trial may store none: under load its first batch can hold the failing trial).
    const finished = paradox(['run', 'one.yaml', '--out', 'flipped', '--workers', '1'], { cwd: dir });
    expect(finished.code, finished.stderr).toBe(0);
    const run = join(dir, 'flipped');
    // The test package has no SQLite of its own: the orchestrator's.
    const Database = createRequire(join(ROOT, 'packages/orchestrator/package.json'))('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Database(join(run, 'run.sqlite'));
    // A blob of the batch at trial 0, which export reads (it exports the stored prefix of trials).
    const row = db
      .prepare('SELECT r.cell, r.batch, r.name, r.data FROM results r JOIN batches b ON b.cell = r.cell AND b.idx = r.batch WHERE b.trial_start = 0 ORDER BY r.name LIMIT 1')
      .get() as { cell: number; batch: number; name: string; data: Buffer } | undefined;
    expect(row, JSON.stringify(db.prepare('SELECT cell, idx, trial_start, trial_count FROM batches').all())).toBeDefined();
    if (!row) return;
    const data = Buffer.from(row.data);
    data[data.length >> 1]! ^= 0x01;
    db.prepare('UPDATE results SET data = ? WHERE cell = ? AND batch = ? AND name = ?').run(data, row.cell, row.batch, row.name);
    db.close();
    const expected = `${join(run, 'run.sqlite')}: stored column ${row.name} of cell ${row.cell}, batch ${row.batch} is corrupt`;
    const exported = paradox(['export', 'flipped', '--format', 'csv', '--rows', 'trials'], { cwd: dir });
    expect(exported.code, exported.stderr).toBe(1);
    expect(exported.stderr).toContain(expected);
    expect(exported.stderr).not.toContain('internal error');
    expect(leftovers(run)).toEqual([]);
    const resumed = paradox(['resume', 'flipped'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(resumed.stderr).toContain(expected);
    expect(resumed.stderr).not.toContain('internal error');
    expect(leftovers(run)).toEqual([]);
  });

  it('a flipped byte in a finished run: resume checks the stored results all the same and exits 1 naming them', () => {
    const done = paradox(['run', 'one.yaml', '--out', 'finished-flipped', '--workers', '1'], { cwd: dir });
    expect(done.code, done.stderr).toBe(0);
    const run = join(dir, 'finished-flipped');
    const intact = paradox(['resume', 'finished-flipped'], { cwd: dir });
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stderr).toContain('one is already complete.');
    const Database = createRequire(join(ROOT, 'packages/orchestrator/package.json'))('better-sqlite3') as typeof import('better-sqlite3');
    const db = new Database(join(run, 'run.sqlite'));
    const row = db.prepare("SELECT cell, batch, name, data FROM results WHERE name = 'dist+' ORDER BY batch DESC LIMIT 1").get() as { cell: number; batch: number; name: string; data: Buffer };
    const data = Buffer.from(row.data);
    data[0]! ^= 0x80;
    db.prepare('UPDATE results SET data = ? WHERE cell = ? AND batch = ? AND name = ?').run(data, row.cell, row.batch, row.name);
    db.close();
    const r = paradox(['resume', 'finished-flipped'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${join(run, 'run.sqlite')}: stored column dist+ of cell ${row.cell}, batch ${row.batch} is corrupt`);
    expect(r.stderr).not.toContain('internal error');
  });

  it('a truncated run.sqlite: export and resume name the file and say it is damaged', () => {
    const run = stoppedRun('truncated');
    const db = join(run, 'run.sqlite');
    truncateSync(db, Math.floor(statSync(db).size * 0.6));
    for (const args of [['export', 'truncated', '--format', 'json', '--rows', 'trials'], ['resume', 'truncated']]) {
      const r = paradox(args, { cwd: dir });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^paradox: ${db.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot [a-z ]+: the database is damaged \\(database disk image is malformed\\)`, 'm'));
      expect(r.stderr).not.toContain('internal error');
      expect(leftovers(run)).toEqual([]);
    }
  });

  it('a run directory whose path runs through a file: exit 2 naming the path and ENOTDIR, for one spec and for several', () => {
    writeFileSync(join(dir, 'plain-file'), 'x\n');
    for (const spec of ['one.yaml', 'three.yaml']) {
      const r = paradox(['run', spec, '--out', join('plain-file', 'run')], { cwd: dir });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`paradox: ${join(dir, 'plain-file', 'run')}: cannot create the run directory: a part of the path is not a directory (ENOTDIR)`);
    }
  });
});
