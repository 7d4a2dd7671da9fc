/**
 * The NET argument of `analyse`, `verify` and `stripes judge`: the file read by core-wasm's
 * `readNetworkFile` (ONNX or paradox-network/1 JSON by extension), every problem a usage error
 * (exit 2) naming the command and the file as the user wrote it.
 */
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
