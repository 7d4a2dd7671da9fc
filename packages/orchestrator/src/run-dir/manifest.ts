/**
 * Multi-spec run directories: a file of several YAML documents (the demo) runs each document into
 * its own subdirectory, and the manifest (`paradox-runs.json`) says which part lives where, with
 * its spec, so that `resume` can finish parts and start those never begun.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OrchestratorError } from '../errors.js';
import { RUN_FILES } from './files.js';

/** The manifest of a multi-spec run directory. */
export interface Manifest {
  format: 'paradox-runs/1';
  /** Preset or file name the runs came from. */
  source: string;
  /** Each part: its spec's name, its subdirectory, and the spec document (re-validated to start it later). */
  runs: Array<{ name: string; subdir: string; spec: Record<string, unknown> }>;
}

/** Write `dir/paradox-runs.json` (creating `dir`). */
export function writeManifest(dir: string, m: Manifest): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, RUN_FILES.manifest), `${JSON.stringify(m, null, 2)}\n`);
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
