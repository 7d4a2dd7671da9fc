/**
 * Multi-spec run directories: a file of several YAML documents (the demo) runs each document into
 * its own subdirectory, and the manifest (`paradox-runs.json`) says which part lives where, with
 * its spec, so that `resume` can finish parts and start those never begun.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileError, makeDirs, OrchestratorError } from '../errors.js';
import { RUN_FILES, writeFileAtomic } from './files.js';

/** The manifest of a multi-spec run directory. */
export interface Manifest {
  format: 'paradox-runs/1';
  /** Preset or file name the runs came from. */
  source: string;
  /**
   * Each part: its spec's name, its subdirectory, the spec document (re-validated to start it
   * later) and, once the part has started, its run id (checked against the part's database on resume).
   */
  runs: Array<{
    name: string;
    subdir: string;
    spec: Record<string, unknown>;
    runId?: string;
    /**
     * The directory of the spec file the part came from, relative to the manifest's directory: the
     * spec document's file values are stored relative to the manifest's directory
     * (spec/file-paths.ts `storedFilePaths`) and the part's summary names them from there.
     */
    specDir?: string;
  }>;
}

/** Write `dir/paradox-runs.json` (creating `dir`), atomically: a failed write leaves the old manifest and no temporary file. */
export function writeManifest(dir: string, m: Manifest): void {
  try {
    makeDirs(dir);
  } catch (e) {
    throw fileError(e, dir, 'create the run directory');
  }
  writeFileAtomic(join(dir, RUN_FILES.manifest), `${JSON.stringify(m, null, 2)}\n`);
}

/** Record the run id of a part (by its subdirectory) in `top`'s manifest, once the part has started. */
export function recordPartRunId(top: string, subdirPath: string, runId: string): void {
  const m = readManifest(top);
  const part = m?.runs.find((r) => join(top, r.subdir) === resolve(subdirPath));
  if (!m || !part || part.runId === runId) return;
  part.runId = runId;
  writeManifest(top, m);
}

/** The manifest of `dir`, or undefined when `dir` is a single run. E_USAGE when it is not a paradox-runs/1 manifest. */
export function readManifest(dir: string): Manifest | undefined {
  const path = join(dir, RUN_FILES.manifest);
  if (!existsSync(path)) return undefined;
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (e) {
    throw new OrchestratorError('E_USAGE', `${path}: not valid JSON (${(e as Error).message})`);
  }
  if (m?.format !== 'paradox-runs/1' || !Array.isArray(m.runs)) throw new OrchestratorError('E_USAGE', `${path}: not a paradox-runs/1 manifest`);
  return m;
}

/** A part of a multi-spec run, found from its own directory. */
export interface PartOf {
  /** The multi-spec run's top directory (holding the manifest). */
  top: string;
  manifest: Manifest;
  /** The part's entry in the manifest. */
  part: Manifest['runs'][number];
}

/**
 * When `dir` is the subdirectory of a part of a multi-spec run (its parent's manifest lists it),
 * the top directory and the part; otherwise undefined. Resuming or reporting a part alone would
 * leave the other parts out: callers turn to the top directory instead.
 */
export function partOf(dir: string): PartOf | undefined {
  const abs = resolve(dir);
  const top = dirname(abs);
  if (top === abs) return undefined;
  let manifest: Manifest | undefined;
  try {
    manifest = readManifest(top);
  } catch {
    return undefined; // a broken manifest beside it: the directory is treated as a run of its own
  }
  const part = manifest?.runs.find((r) => join(top, r.subdir) === abs);
  return manifest && part ? { top, manifest, part } : undefined;
}
