/**
 * Spec text: bytes to text (size limit, UTF-8 checked with the place of the first bad byte), text
 * to documents (every YAML document with an alias limit, or one JSON document), and relative
 * plugin paths made absolute. Problems here are `E_SPEC_SYNTAX`: the content cannot be read as a
 * spec at all, so there are no spec paths to report.
 */
import { isAbsolute, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { OrchestratorError } from '../errors.js';
import { fileParamKeys, mapFileValues } from './file-paths.js';

/** Largest spec file read (bytes). A real spec is a few kilobytes; 1 MiB leaves ample room. */
export const MAX_SPEC_BYTES = 1 << 20;
/**
 * Largest number of YAML alias dereferences in one document. Anchors and aliases are handy for
 * sharing a block between documents, but a chain of aliases of aliases ("billion laughs") expands
 * exponentially; past this many the document is refused.
 */
export const MAX_YAML_ALIASES = 100;

/** An E_SPEC_SYNTAX error. */
export function syntaxError(message: string): OrchestratorError {
  return new OrchestratorError('E_SPEC_SYNTAX', message);
}

/** Byte offset of the first byte that is not well-formed UTF-8, or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    let n: number;
    let min: number;
    if (c < 0x80) {
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    if (i + n >= b.length) return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

/**
 * Decode spec bytes as UTF-8 (a leading byte-order mark is dropped). Throws E_SPEC_SYNTAX naming
 * the line and column of the first byte that is not UTF-8, and the byte itself.
 */
export function decodeSpecBytes(bytes: Uint8Array, where: string): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < bad; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    // The column counts characters, as an editor shows them.
    const column = new TextDecoder().decode(bytes.subarray(lineStart, bad)).length + 1;
    const hex = (bytes[bad] as number).toString(16).toUpperCase().padStart(2, '0');
    throw syntaxError(`${where}: not UTF-8 text: byte 0x${hex} at line ${line}, column ${column} (byte offset ${bad}); save the file as UTF-8`);
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parse spec text into its documents: every YAML document (YAML accepts JSON too), or one JSON
 * document when `format` is `json`. Empty documents (a trailing `---`) are dropped. Throws
 * E_SPEC_SYNTAX on a syntax error (with line and column), an alias bomb, or a file without a spec.
 */
export function parseSpecDocuments(text: string, format: 'yaml' | 'json', where: string): unknown[] {
  let objects: unknown[];
  if (format === 'json') {
    try {
      objects = [JSON.parse(text)];
    } catch (e) {
      throw syntaxError(`${where}: not valid JSON: ${(e as Error).message}`);
    }
  } else {
    objects = [];
    for (const d of parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true, version: '1.2' })) {
      const err = d.errors[0];
      if (err) {
        const pos = err.linePos?.[0];
        const at = pos ? `line ${pos.line}, column ${pos.col}` : 'an unknown place';
        const what = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        throw syntaxError(`${where}: YAML syntax error at ${at}: ${what}`);
      }
      try {
        objects.push(d.toJS({ maxAliasCount: MAX_YAML_ALIASES }));
      } catch (e) {
        // The yaml library throws a ReferenceError when the alias count is exceeded.
        if (e instanceof ReferenceError) {
          throw syntaxError(
            `${where}: YAML aliases expand too much (more than ${MAX_YAML_ALIASES} alias uses in one document, as in a "billion laughs" document); write the values out or use fewer aliases`,
          );
        }
        throw e;
      }
    }
    objects = objects.filter((o) => o !== null && o !== undefined);
  }
  if (objects.length === 0) throw syntaxError(`${where}: the file holds no spec (it is empty)`);
  objects.forEach((o, i) => {
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      const what = Array.isArray(o) ? 'a list' : JSON.stringify(o);
      throw syntaxError(`${where}${objects.length > 1 ? ` (document ${i + 1})` : ''}: expected a mapping of spec keys (name, experiment, seed, grid, fixed, …), got ${what}`);
    }
  });
  return objects;
}

/**
 * A file named in a spec file means "next to the spec", not "next to wherever paradox was
 * started": relative values of the experiment's file parameters (`fileParams` of its definition:
 * a plugin module, an analysed network and data set; `plugin` when the experiment is unknown), in
 * fixed, grid or zip, become absolute against `base` (a run directory stores them relative to
 * itself: spec/file-paths.ts). URLs (`file:`, `https:`, `data:`) are kept. Returns a new document;
 * `doc` is not changed.
 */
export function resolvePluginPaths(doc: Record<string, unknown>, base: string): Record<string, unknown> {
  const fix = (v: unknown): unknown => (typeof v === 'string' && v.length > 0 && !isAbsolute(v) && !/^[a-z]+:/i.test(v) ? resolve(base, v) : v);
  return mapFileValues(doc, fileParamKeys(doc), fix);
}
