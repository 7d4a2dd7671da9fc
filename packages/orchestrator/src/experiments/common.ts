/**
 * Pieces every experiment family shares: a cell's axes as summary values, parameter errors that
 * point at the grid/zip/fixed entry (a `CoreError` with `path: [key]`), and the reading of a file
 * a parameter names (analyse's network and data, verify's network and property).
 */
import { readFileSync } from 'node:fs';
import { CoreError } from '@paradox/core-wasm';
import type { Cell } from '../spec/types.js';
import type { Json } from '../worker/protocol.js';

/** An axis value as a summary scalar: strings, numbers and booleans as they are, anything else as JSON. */
export function scalar(v: Json): string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
}

/** A cell's axes (the values that vary across the sweep) as summary scalars. */
export function axesOf(cell: Cell): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(cell.axes).map(([k, v]) => [k, scalar(v)]));
}

/** Throws the parameter error `params.KEY: expected ALLOWED, got VALUE` located at KEY. */
export function badParam(key: string, allowed: string, value: unknown): never {
  throw new CoreError('E_ARG', `params.${key}: expected ${allowed}, got ${JSON.stringify(value)}`, { path: [key], allowed, value });
}

/** The bytes of the file parameter KEY names; a missing or unreadable file is a parameter error. */
export function readParamFile(key: string, path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as { code?: string }).code;
    return badParam(key, 'a readable file', `${path} (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : (e as Error).message})`);
  }
}

/**
 * Runs `parse` over the file parameter KEY (at PATH) and locates what it throws there: a core
 * error without a location, or any other error (an E_FORMAT), becomes `params.KEY: PATH: …`
 * with ALLOWED saying what the file should be.
 */
export function parseParamFile<T>(key: string, path: string, allowed: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof CoreError && e.path === undefined) {
      throw new CoreError(e.code, `params.${key}: ${path}: ${e.message}`, { path: [key], allowed, value: path, cause: e });
    }
    if (e instanceof Error && !(e instanceof CoreError)) throw new CoreError('E_FORMAT', `params.${key}: ${path}: ${e.message}`, { path: [key], allowed, value: path, cause: e });
    throw e;
  }
}
