/**
 * Finding and reading the runs a report covers: one run directory, a list of them, or a folder
 * (such as the demo's) whose sub-folders are run directories.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { RUN_FILES } from '@paradox/orchestrator/run-dir';
import { parseSummary } from '@paradox/orchestrator/summary';
import type { Summary } from '../charts/types.js';

/** A report input that is not usable; the message names the path and what was expected. */
export class ReportError extends Error {
  override readonly name = 'ReportError';
}

/** What the report knows about one run. */
export interface LoadedRun {
  /** Absolute run directory. */
  dir: string;
  summary: Summary;
  /** The normalised spec (`spec.json`), when the run directory holds one. */
  spec?: unknown;
  /** Where the spec came from (its file name), for the report. */
  specSource?: string;
}

/**
 * Read and check a `summary.json` with the orchestrator's reader (the one definition of a valid
 * summary); problems become ReportErrors naming the file.
 */
export function readSummaryFile(path: string): Summary {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ReportError(`${path}: cannot read the run summary (${(e as Error).message})`);
  }
  try {
    return parseSummary(text, path);
  } catch (e) {
    throw new ReportError((e as Error).message);
  }
}

function readOptionalJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ReportError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Load one run directory: its summary and, when present, its stored spec (the files are RUN_FILES'). */
export function loadRun(dir: string): LoadedRun {
  const abs = resolve(dir);
  const summaryPath = join(abs, RUN_FILES.summary);
  if (!existsSync(summaryPath)) throw new ReportError(`${abs}: no ${RUN_FILES.summary} here; expected a paradox run directory`);
  const run: LoadedRun = { dir: abs, summary: readSummaryFile(summaryPath) };
  const specPath = join(abs, RUN_FILES.spec);
  if (existsSync(specPath)) {
    run.spec = readOptionalJson(specPath);
    run.specSource = RUN_FILES.spec;
  }
  return run;
}

/**
 * The run directories a report target names: itself when it holds `summary.json`, otherwise the
 * sub-runs its `paradox-runs.json` manifest lists (in that order) or, without one, its immediate
 * sub-folders that hold a `summary.json` (sorted by name), as the demo writes one per experiment.
 */
export function findRunDirs(target: string): string[] {
  const abs = resolve(target);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new ReportError(`${abs}: not a directory; expected a paradox run directory`);
  if (existsSync(join(abs, RUN_FILES.summary))) return [abs];
  // A multi-run directory written by the CLI (the demo) lists its sub-runs in order in a manifest.
  const manifest = join(abs, RUN_FILES.manifest);
  if (existsSync(manifest)) {
    const doc = readOptionalJson(manifest) as { runs?: Array<{ subdir?: unknown }> } | null;
    const listed = (doc?.runs ?? []).map((r) => r.subdir).filter((s): s is string => typeof s === 'string');
    const dirs = listed.map((s) => join(abs, s)).filter((d) => existsSync(join(d, RUN_FILES.summary)));
    if (dirs.length > 0) return dirs;
  }
  const subs = readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(abs, e.name, RUN_FILES.summary)))
    .map((e) => join(abs, e.name))
    .sort();
  if (subs.length === 0) {
    throw new ReportError(`${abs}: no summary.json here or in any sub-folder; expected a paradox run directory (or a folder of them, as the demo writes)`);
  }
  return subs;
}

/** Load every run a target names (a directory or a list of directories). */
export function loadRuns(target: string | string[]): LoadedRun[] {
  const dirs = Array.isArray(target) ? target.flatMap(findRunDirs) : findRunDirs(target);
  if (dirs.length === 0) throw new ReportError('no run directories given');
  return dirs.map(loadRun);
}

/** A short label for a run: its spec name, else its folder name. */
export function runLabel(run: LoadedRun): string {
  return run.summary.run.name || basename(run.dir);
}
