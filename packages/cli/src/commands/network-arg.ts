/**
 * The file arguments of `analyse`, `verify` and `stripes`: the NET argument (the file read by
 * core-wasm's `readNetworkFile`, ONNX or paradox-network/1 JSON by extension), other input files,
 * core-wasm's complaints about what they hold, and the never-overwritten --out file. Every problem
 * is a usage error (exit 2) naming the command and the file as the user wrote it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Network } from '@paradox/core-wasm';
import { UsageError } from '../errors.js';

/** Read the network file `path` (relative to `cwd`) for command `command`; throws `UsageError`. */
export async function readNetworkArg(command: string, cwd: string, path: string): Promise<Network> {
  const { readNetworkFile } = await import('@paradox/core-wasm/onnx');
  try {
    return await readNetworkFile(path, cwd);
  } catch (e) {
    const err = e as { name?: string; code?: string; message?: string };
    if (err.name !== 'CoreError') throw e;
    // A missing file names what it was; a bad file names the file and what is wrong inside it.
    const what = err.code === 'E_NOT_FOUND' ? `network ${path}` : path;
    throw new UsageError(`${command}: ${what}: ${err.message}`, { command, code: err.code ?? 'E_FORMAT', cause: e });
  }
}

/** The bytes of the input file `path` (relative to `cwd`); a missing file is E_NOT_FOUND naming `what`. */
export function readFileArg(command: string, cwd: string, path: string, what: string): Buffer {
  const p = resolve(cwd, path);
  if (!existsSync(p)) throw new UsageError(`${command}: ${what} ${path}: no such file`, { command, code: 'E_NOT_FOUND' });
  return readFileSync(p);
}

/**
 * `f()`, with a CoreError it throws (a problem in the user's file or value) turned into a usage
 * error (exit 2) of `command` saying `what: <message>`, with the error's code (`fallbackCode` if it
 * has none). Other errors pass through.
 */
export function coreAsUsage<T>(command: string, what: string, f: () => T, fallbackCode = 'E_FORMAT'): T {
  try {
    return f();
  } catch (e) {
    const err = e as { name?: string; code?: string; message?: string };
    if (err.name === 'CoreError') throw new UsageError(`${command}: ${what}: ${err.message}`, { command, code: err.code ?? fallbackCode, cause: e });
    throw e;
  }
}

/** paradox never overwrites a file: an --out that exists (absolute `out`) is E_OUT_EXISTS. */
export function refuseExistingOut(command: string, cwd: string, out: string): void {
  if (existsSync(out)) throw new UsageError(`${command}: ${relative(cwd, out)} already exists; paradox never overwrites it (choose another --out)`, { command, code: 'E_OUT_EXISTS' });
}
