/**
 * Finding and reading the runs a report covers: one run directory, a list of them, or a folder
 * (such as the demo's) whose sub-folders are run directories.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
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
  /** The normalised spec, when the run directory holds one (see `SPEC_FILES`). */
  spec?: unknown;
  /** Where the spec came from (file name), for the report. */
  specSource?: string;
  /** Environment and timing records found in the run directory (see `ENVIRONMENT_FILES`). */
  environment?: Record<string, unknown>;
}

/** File names tried, in order, for the run's normalised spec. */
export const SPEC_FILES = ['spec.json', 'spec.normalised.json', 'spec.normalized.json', 'spec.yaml', 'spec.yml'];

/** File names tried, in order, for a record of the machine and the timings of the run. */
export const ENVIRONMENT_FILES = ['environment.json', 'run.json', 'meta.json', 'timing.json'];

/** Read and check a `summary.json` (format `paradox-summary/1`). */
export function readSummaryFile(path: string): Summary {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ReportError(`${path}: cannot read the run summary (${(e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ReportError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const d = doc as Partial<Summary> | null;
  if (typeof d !== 'object' || d === null || d.format !== 'paradox-summary/1') {
    throw new ReportError(`${path}: expected a paradox summary with "format": "paradox-summary/1"`);
  }
  if (typeof d.run !== 'object' || d.run === null || !Array.isArray(d.cells)) {
    throw new ReportError(`${path}: a paradox summary needs a "run" object and a "cells" array`);
  }
  if (d.run.experiment !== 'noncomputability' && d.run.experiment !== 'instability') {
    throw new ReportError(`${path}: run.experiment must be "noncomputability" or "instability", got ${JSON.stringify(d.run.experiment)}`);
  }
  d.cells.forEach((c, i) => {
    if (c?.experiment !== d.run!.experiment) {
      throw new ReportError(`${path}: cells[${i}].experiment must be ${JSON.stringify(d.run!.experiment)} like the run, got ${JSON.stringify(c?.experiment)}`);
    }
  });
  return d as Summary;
}

function readOptionalJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ReportError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Load one run directory. */
export function loadRun(dir: string): LoadedRun {
  const abs = resolve(dir);
  const summaryPath = join(abs, 'summary.json');
  if (!existsSync(summaryPath)) throw new ReportError(`${abs}: no summary.json here; expected a paradox run directory`);
  const run: LoadedRun = { dir: abs, summary: readSummaryFile(summaryPath) };
  for (const name of SPEC_FILES) {
    const p = join(abs, name);
    if (!existsSync(p)) continue;
    // YAML is shown as written; JSON is parsed so the report can pretty-print it.
    run.spec = name.endsWith('.json') ? readOptionalJson(p) : readFileSync(p, 'utf8');
    run.specSource = name;
    break;
  }
  const env: Record<string, unknown> = {};
  for (const name of ENVIRONMENT_FILES) {
    const p = join(abs, name);
    if (!existsSync(p)) continue;
    const doc = readOptionalJson(p);
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) Object.assign(env, doc);
  }
  if (Object.keys(env).length > 0) run.environment = env;
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
  if (existsSync(join(abs, 'summary.json'))) return [abs];
  // A multi-run directory written by the CLI (the demo) lists its sub-runs in order in a manifest.
  const manifest = join(abs, 'paradox-runs.json');
  if (existsSync(manifest)) {
    const doc = readOptionalJson(manifest) as { runs?: Array<{ subdir?: unknown }> } | null;
    const listed = (doc?.runs ?? []).map((r) => r.subdir).filter((s): s is string => typeof s === 'string');
    const dirs = listed.map((s) => join(abs, s)).filter((d) => existsSync(join(d, 'summary.json')));
    if (dirs.length > 0) return dirs;
  }
  const subs = readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(abs, e.name, 'summary.json')))
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
