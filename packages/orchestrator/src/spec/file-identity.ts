/**
 * Path-independent identities of the files a cell names (its experiment's `fileParams`: a plugin
 * module, an analysed network and data set, a verified property). A cell's key — and so its hash32,
 * the Philox streamHi of its trials — and the spec hash (spec/index.ts `hashedDocument`) are built
 * from these, not from the absolute paths the spec
 * file's relative paths resolve to (spec/parse.ts `resolvePluginPaths`): the same spec run from
 * another directory, or after the project directory moved, draws the same streams and gives the
 * same numbers. A file's identity is its name and the SHA-256 of its bytes, so editing the file
 * makes a new cell (other streams), renaming the directory does not. A plugin module is hashed as
 * the file named; modules it imports are not part of its identity.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Json } from '../worker/protocol.js';
import { localPath } from './file-paths.js';

/**
 * The identity of one file parameter's value: `"<file name> sha256:<first 16 hex digits>"` for a
 * local file (a path — a relative one from the working directory — or a `file:` URL) that can be
 * read; the value itself otherwise (other URLs such as `data:` name no directory; a file that
 * cannot be read is reported by the experiment's own validation). `cache` (path → identity) reads each file once per expansion.
 */
export function fileIdentity(value: string, cache: Map<string, string> = new Map()): string {
  const hit = cache.get(value);
  if (hit !== undefined) return hit;
  // A relative path means the working directory, as for the plugin loader and the file readers.
  const local = localPath(value);
  const path = local === null ? null : resolve(local);
  let id = value;
  if (path !== null) {
    try {
      const digest = createHash('sha256').update(readFileSync(path)).digest('hex');
      id = `${basename(path)} sha256:${digest.slice(0, 16)}`;
    } catch {
      id = value;
    }
  }
  cache.set(value, id);
  return id;
}

/**
 * `params` with every file parameter (`keys`) that holds a string replaced by its `fileIdentity`:
 * what a cell key is built from. Other values are kept; `params` is not changed.
 */
export function identityParams(params: Record<string, Json>, keys: readonly string[], cache: Map<string, string> = new Map()): Record<string, Json> {
  let out: Record<string, Json> | null = null;
  for (const k of keys) {
    const v = params[k];
    if (typeof v !== 'string') continue;
    out ??= { ...params };
    out[k] = fileIdentity(v, cache);
  }
  return out ?? params;
}

/** A file whose identity is not the one a run's cell key holds (changedFile). */
export interface ChangedFile {
  /** `the file <path> (<param>) changed since the run started (was <id>, now <id>)`, or `… cannot be read (the run used <id>)`. */
  message: string;
  /** True when the file cannot be read now (moved or deleted), false when its content or name changed. */
  unreadable: boolean;
}

/**
 * Why a cell's stored key (`stored`, from a run's database) differs from the key its parameters
 * give now, when the reason is a file: the first file parameter whose identity changed; null
 * when no file identity explains the difference.
 */
export function changedFile(stored: string, params: Record<string, Json>, keys: readonly string[]): ChangedFile | null {
  let was: Record<string, unknown>;
  try {
    was = JSON.parse(stored.slice(stored.indexOf(':') + 1)) as Record<string, unknown>;
  } catch {
    return null;
  }
  for (const k of keys) {
    const v = params[k];
    if (typeof v !== 'string') continue;
    const now = fileIdentity(v);
    if (was[k] === now) continue;
    // An identity equal to the value itself, where the run had a content identity: a local file that cannot be read.
    if (now === v && /sha256:/.test(String(was[k]))) return { message: `the file ${v} (${k}) cannot be read (the run used ${JSON.stringify(was[k])})`, unreadable: true };
    return { message: `the file ${v} (${k}) changed since the run started (was ${JSON.stringify(was[k])}, now ${JSON.stringify(now)})`, unreadable: false };
  }
  return null;
}
