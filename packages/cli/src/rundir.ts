/**
 * Run directories: the default `./runs/<name>-<timestamp>`, the never-overwrite rule, and the
 * manifest that ties several specs (one per experiment, like the demo) into one directory.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from './errors.js';

/** File name of the manifest of a multi-spec run directory. */
export const MANIFEST = 'paradox-runs.json';

/** The manifest: which sub-run lives in which subdirectory, with its spec, so `resume` can finish it. */
export interface Manifest {
  format: 'paradox-runs/1';
  /** Preset or file name the runs came from. */
  source: string;
  runs: Array<{ name: string; subdir: string; spec: Record<string, unknown> }>;
}

/** `20261125-131502` in UTC: sortable, no characters that need quoting. */
export function timestamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** True when `dir` exists and is not an empty directory. */
function occupied(dir: string): boolean {
  if (!existsSync(dir)) return false;
  if (!statSync(dir).isDirectory()) return true;
  return readdirSync(dir).length > 0;
}

/**
 * The run directory to create. An explicit `--out` that exists (and is not an empty directory) is
 * an error, never overwritten; the default name gets a `-2`, `-3`, … suffix instead.
 */
export function chooseRunDir(cwd: string, name: string, out: string | undefined, invocation = 'paradox'): string {
  if (out !== undefined) {
    const dir = resolve(cwd, out);
    if (occupied(dir)) {
      const hint = existsSync(join(dir, 'spec.json')) || existsSync(join(dir, MANIFEST)) ? `; to continue that run: ${invocation} resume ${out}` : '';
      throw new UsageError(`--out ${out}: ${dir} already exists and is not empty; paradox never overwrites a run directory (choose a new --out${hint})`, {
        code: 'E_RUN_DIR_EXISTS',
      });
    }
    return dir;
  }
  const base = resolve(cwd, 'runs', `${name.replace(/[^\w.-]+/g, '_')}-${timestamp()}`);
  let dir = base;
  for (let i = 2; occupied(dir); i++) dir = `${base}-${i}`;
  return dir;
}

/** Subdirectory names for several specs: their names, made unique. */
export function subdirNames(names: string[]): string[] {
  const used = new Map<string, number>();
  return names.map((n) => {
    const clean = n.replace(/[^\w.-]+/g, '_') || 'run';
    const k = (used.get(clean) ?? 0) + 1;
    used.set(clean, k);
    return k === 1 ? clean : `${clean}-${k}`;
  });
}

/** Writes the manifest (creating `dir`). */
export function writeManifest(dir: string, m: Manifest): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MANIFEST), `${JSON.stringify(m, null, 2)}\n`);
}

/** The manifest of `dir`, or undefined when `dir` is a single run. */
export function readManifest(dir: string): Manifest | undefined {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return undefined;
  const m = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  if (m.format !== 'paradox-runs/1' || !Array.isArray(m.runs)) throw new UsageError(`${path}: not a paradox-runs/1 manifest`, { code: 'E_RUN_DIR' });
  return m;
}

/** Checks that `dir` is a run directory (single or multi) and returns its absolute path. */
export function requireRunDir(cwd: string, dir: string, command: string): string {
  const abs = resolve(cwd, dir);
  if (!existsSync(abs)) throw new UsageError(`${command}: ${dir}: no such directory; expected a run directory (runs/<name>-<timestamp>)`, { command, code: 'E_RUN_DIR' });
  if (!statSync(abs).isDirectory()) throw new UsageError(`${command}: ${dir}: not a directory; expected a run directory`, { command, code: 'E_RUN_DIR' });
  if (!existsSync(join(abs, MANIFEST)) && !existsSync(join(abs, 'spec.json')) && !existsSync(join(abs, 'summary.json'))) {
    throw new UsageError(`${command}: ${dir}: not a paradox run directory (no spec.json, summary.json or ${MANIFEST} in it)`, { command, code: 'E_RUN_DIR' });
  }
  return abs;
}
