/**
 * A network from a file: ONNX (`.onnx`, see `loadOnnx`) or `paradox-network/1` JSON (any other
 * extension, see `networkFromJSON`). The one owner of "which loader does this file need", used by
 * the CLI (`analyse`, `verify`, `stripes judge`) and by the orchestrator's `analyse` sweeps.
 */
import { CoreError, formatValue } from '../errors.js';
import { importNodeBuiltin, isNode } from '../internal/node.js';
import { networkFromJSON } from '../json.js';
import type { Network } from '../network.js';
import { loadOnnx } from './onnx.js';

/** True when `name` is read as ONNX (extension `.onnx`, any case); anything else is read as JSON. */
export function isOnnxName(name: string): boolean {
  return name.toLowerCase().endsWith('.onnx');
}

/**
 * The network in a file's bytes; `name` (the file name or path) chooses the loader by extension.
 * Errors are `CoreError('E_FORMAT')` from the loader, naming the node or JSON field.
 */
export function networkFromBytes(bytes: Uint8Array, name: string): Network {
  if (isOnnxName(name)) return loadOnnx(bytes);
  return networkFromJSON(new TextDecoder('utf-8').decode(bytes));
}

/**
 * Read a network file (Node only). `path` is resolved against `base` (default: the working
 * directory). A missing file is `CoreError('E_NOT_FOUND')`, a directory or unreadable file
 * `E_ARG`; the message does not repeat the path, so callers prefix it with the name the user gave.
 */
export async function readNetworkFile(path: string, base?: string): Promise<Network> {
  if (typeof path !== 'string' || path === '') throw new CoreError('E_ARG', `network file: expected a path, got ${formatValue(path)}`);
  if (!isNode()) throw new CoreError('E_ARG', 'readNetworkFile needs Node; in a browser pass the bytes to networkFromBytes');
  const { readFile } = await importNodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
  const { resolve } = await importNodeBuiltin<typeof import('node:path')>('path');
  const file = base === undefined ? resolve(path) : resolve(base, path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new CoreError('E_NOT_FOUND', 'no such file', { cause: e });
    throw new CoreError('E_ARG', `cannot read the file (${code === 'EISDIR' ? 'it is a directory' : (e as Error).message})`, { cause: e });
  }
  return networkFromBytes(bytes, file);
}
