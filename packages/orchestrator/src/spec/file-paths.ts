/**
 * Where the files a spec names (its experiment's `fileParams`: a plugin module, an analysed network
 * and data set, a verified property) are written, in each of the forms a spec takes:
 *
 * * in a spec file, as its user wrote them: relative to the spec file (made absolute on load:
 *   spec/parse.ts `resolvePluginPaths`);
 * * in memory (a NormalisedSpec, a cell's params): absolute, what experiments and workers open;
 * * in what a run directory stores (`spec.json`, the database's spec and cells, `summary.json`,
 *   a multi-spec manifest): relative to that directory, with `/` separators, so a project moved or
 *   copied together with its runs (`mv proj proj2`, a clone elsewhere, another user's home) still
 *   finds its files, and two copies of a project store the same bytes.
 *
 * * in `summary.json` (a result document): relative to the spec file's directory again, as the user
 *   wrote them (with `/` separators), whatever the run directory or the project's place: the run
 *   stores where that directory is, relative to itself (`specDir` of spec.json and the database's
 *   spec; for an object spec, the working directory its relative paths meant).
 *
 * A stored value that is absolute (written by a paradox before stored paths were relative, or a
 * file on another drive) stays as it is; a URL (`https:`, `data:`) is no directory's and stays as
 * written, a `file:` URL counts as its path. Results never depend on any of these paths: cells and
 * the spec hash name files by content (spec/file-identity.ts).
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getExperiment } from '../experiments/registry.js';
import type { ExperimentName, Json } from '../worker/protocol.js';

/** A URL scheme at the start of a value (two letters at least, so a Windows drive `C:` is a path). */
const URL_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/** The file parameters of the experiment a document names (`plugin` when it names none this build knows). */
export function fileParamKeys(doc: { experiment?: unknown }): readonly string[] {
  const exp = typeof doc.experiment === 'string' ? getExperiment(doc.experiment as ExperimentName) : undefined;
  return exp?.fileParams ?? ['plugin'];
}

/**
 * `doc` (a spec document: its `fixed`, `grid` and `zip`) with every value of a file parameter
 * (`keys`) passed through `fn`; other values are kept. Returns a new document; `doc` is not changed.
 */
export function mapFileValues<T extends object>(doc: T, keys: readonly string[], fn: (value: unknown) => unknown): T {
  const out = { ...doc } as Record<string, unknown>;
  const fixed = out.fixed;
  if (fixed && typeof fixed === 'object' && !Array.isArray(fixed)) {
    const f = { ...(fixed as Record<string, unknown>) };
    for (const k of keys) if (k in f) f[k] = fn(f[k]);
    out.fixed = f;
  }
  for (const section of ['grid', 'zip']) {
    const axes = out[section];
    if (axes && typeof axes === 'object' && !Array.isArray(axes)) {
      const a = { ...(axes as Record<string, unknown>) };
      for (const k of keys) if (Array.isArray(a[k])) a[k] = (a[k] as unknown[]).map(fn);
      out[section] = a;
    }
  }
  return out as T;
}

/** The local path a file value names (a path, or a `file:` URL's path), or null (another URL, not a string, empty). */
export function localPath(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0) return null;
  if (/^file:/i.test(value)) {
    try {
      return fileURLToPath(value);
    } catch {
      return null;
    }
  }
  return isAbsolute(value) || !URL_SCHEME.test(value) ? value : null;
}

/**
 * A file value as a run directory `dir` stores it: relative to `dir` with `/` separators (a
 * relative value means the working directory, as for the plugin loader and the file readers);
 * absolute only when no relative path leads there (another drive). URLs are kept.
 */
export function storedFileValue(value: unknown, dir: string): unknown {
  const path = localPath(value);
  if (path === null) return value;
  const rel = relative(resolve(dir), resolve(path));
  return isAbsolute(rel) ? rel : rel.split(sep).join('/');
}

/** Spec file directories of the specs `loadSpecFile` read (so that a run can name files as its spec does). */
const specDirs = new WeakMap<object, string>();

/** Record that `spec`'s relative file values were written relative to `dir` (its spec file's directory). */
export function rememberSpecDir(spec: object, dir: string): void {
  specDirs.set(spec, resolve(dir));
}

/** The directory `spec`'s file values were written relative to (its spec file's), when it was read from a file. */
export function specDirOf(spec: object): string | undefined {
  return specDirs.get(spec);
}

/** A directory `target` relative to `dir` as a run directory stores it (`.` for `dir` itself). */
export function storedDir(target: string, dir: string): string {
  const rel = storedFileValue(target, dir) as string;
  return rel === '' ? '.' : rel;
}

/** A stored file value made absolute again: a relative one is relative to the run directory `dir`. */
export function absoluteFileValue(value: unknown, dir: string): unknown {
  if (typeof value !== 'string' || value.length === 0 || isAbsolute(value) || URL_SCHEME.test(value)) return value;
  return resolve(dir, value);
}

/** `doc` (a spec or spec document) with its file values as run directory `dir` stores them (storedFileValue). */
export function storedFilePaths<T extends { experiment?: unknown }>(doc: T, dir: string): T {
  return mapFileValues(doc, fileParamKeys(doc), (v) => storedFileValue(v, dir));
}

/** A spec or spec document read from run directory `dir` with its file values absolute again (absoluteFileValue). */
export function absoluteFilePaths<T extends { experiment?: unknown }>(doc: T, dir: string): T {
  return mapFileValues(doc, fileParamKeys(doc), (v) => absoluteFileValue(v, dir));
}

/** A cell's `params` or `axes` with its file parameters (`keys`) passed through `fn`; `values` itself is returned when none is present. */
export function mapFileParams<T extends Record<string, unknown> | Record<string, Json>>(values: T, keys: readonly string[], fn: (value: unknown) => unknown): T {
  let out: Record<string, unknown> | null = null;
  for (const k of keys) {
    if (!(k in values)) continue;
    out ??= { ...values };
    out[k] = fn(values[k]);
  }
  return (out ?? values) as T;
}
