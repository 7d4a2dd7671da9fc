/**
 * Run directories: the default `./runs/<name>-<timestamp>`, the never-overwrite rule, and the
 * manifest that ties several specs (one per experiment, like the demo) into one directory.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { RUN_FILES } from '@paradox/orchestrator/run-dir';
import { join, resolve } from 'node:path';
import { UsageError } from './errors.js';

export { readManifest, writeManifest, type Manifest } from '@paradox/orchestrator/run-dir';

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
      const hint = existsSync(join(dir, RUN_FILES.spec)) || existsSync(join(dir, RUN_FILES.manifest)) ? `; to continue that run: ${invocation} resume ${out}` : '';
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

/** Checks that `dir` is a run directory (single or multi) and returns its absolute path. */
export function requireRunDir(cwd: string, dir: string, command: string): string {
  const abs = resolve(cwd, dir);
  if (!existsSync(abs)) throw new UsageError(`${command}: ${dir}: no such directory; expected a run directory (runs/<name>-<timestamp>)`, { command, code: 'E_RUN_DIR' });
  if (!statSync(abs).isDirectory()) throw new UsageError(`${command}: ${dir}: not a directory; expected a run directory`, { command, code: 'E_RUN_DIR' });
  if (!existsSync(join(abs, RUN_FILES.manifest)) && !existsSync(join(abs, RUN_FILES.spec)) && !existsSync(join(abs, RUN_FILES.summary))) {
    throw new UsageError(`${command}: ${dir}: not a paradox run directory (no ${RUN_FILES.spec}, ${RUN_FILES.summary} or ${RUN_FILES.manifest} in it)`, { command, code: 'E_RUN_DIR' });
  }
  return abs;
}
