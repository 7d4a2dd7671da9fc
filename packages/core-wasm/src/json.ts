/**
 * The versioned JSON format of networks:
 *   { "format": "paradox-network/1", "dims": [N_0, …, N_L], "bias": true, "params": [ … ] }
 * with `params` in the flat layout of docs/architecture.md. Doubles survive the round trip exactly
 * (JSON numbers are written with the shortest representation that reads back to the same double).
 */
import { CoreError, formatValue } from './errors.js';
import { createNetwork, paramCount, validateDims, type Network } from './network.js';

/** The format tag written by this version. */
export const NETWORK_FORMAT = 'paradox-network/1';

/** The JSON document of a network. */
export interface NetworkJSON {
  format: typeof NETWORK_FORMAT;
  dims: number[];
  bias: boolean;
  params: number[];
}

/** The JSON document of `net` (a plain object; `JSON.stringify` it to write a file). */
export function networkToJSON(net: Network): NetworkJSON {
  return { format: NETWORK_FORMAT, dims: [...net.dims], bias: net.bias, params: Array.from(net.params) };
}

function fail(path: string, msg: string): never {
  throw new CoreError('E_FORMAT', `${path}: ${msg}`);
}

/**
 * Read a network from its JSON document (an object, or a string to parse). Every problem is a
 * `CoreError` with code `E_FORMAT` naming the path of the offending field.
 */
export function networkFromJSON(doc: unknown): Network {
  let v = doc;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch (e) {
      fail('network', `not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('network', `expected an object, got ${formatValue(v)}`);
  const o = v as Record<string, unknown>;
  if (o.format !== NETWORK_FORMAT) {
    fail('network.format', `expected ${JSON.stringify(NETWORK_FORMAT)}, got ${formatValue(o.format)}`);
  }
  try {
    validateDims(o.dims, 'network.dims');
  } catch (e) {
    // The message already names the path (network.dims[i]); only the code changes.
    throw new CoreError('E_FORMAT', (e as Error).message, { cause: e });
  }
  const dims = o.dims as number[];
  if (typeof o.bias !== 'boolean') fail('network.bias', `expected true or false, got ${formatValue(o.bias)}`);
  if (!Array.isArray(o.params)) fail('network.params', `expected an array of numbers, got ${formatValue(o.params)}`);
  const want = paramCount(dims, o.bias);
  if (o.params.length !== want) {
    fail('network.params', `expected ${want} numbers for dims [${dims.join(', ')}] with bias=${o.bias}, got ${o.params.length}`);
  }
  for (let i = 0; i < o.params.length; i++) {
    const x: unknown = o.params[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) fail(`network.params[${i}]`, `expected a finite number, got ${formatValue(x)}`);
  }
  return createNetwork(dims, o.bias, o.params as number[]);
}
