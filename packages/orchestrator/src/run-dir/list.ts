/**
 * The single runs of a run directory: itself, or the started parts of a multi-spec run in
 * manifest order, each with a label (`source/name` for parts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES } from './files.js';
import { readManifest } from './manifest.js';

/** One run in a run directory. */
export interface RunEntry {
  /** The run's name (a part of a multi-spec run: `source/name`). */
  label: string;
  /** Absolute or caller-relative directory of the run (joined onto `dir`). */
  dir: string;
}

/** A single run's name: from summary.json, else the stored spec (a run that failed early has no summary), else the folder name. */
function runName(dir: string): string {
  for (const file of [RUN_FILES.summary, RUN_FILES.spec]) {
    try {
      const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { run?: { name?: unknown }; name?: unknown };
      const name = file === RUN_FILES.summary ? doc.run?.name : doc.name;
      if (typeof name === 'string') return name;
    } catch {
      // the next source
    }
  }
  return dir.replace(/[\\/]+$/, '').replace(/^.*[\\/]/, '');
}

/** The runs of `dir`: itself when it is a single run, else the started parts its manifest lists (those with a spec.json). */
export function listRuns(dir: string): RunEntry[] {
  const manifest = readManifest(dir);
  if (!manifest) return [{ label: runName(dir), dir }];
  return manifest.runs
    .map((r) => ({ label: `${manifest.source}/${r.name}`, dir: join(dir, r.subdir) }))
    .filter((r) => existsSync(join(r.dir, RUN_FILES.spec)));
}
