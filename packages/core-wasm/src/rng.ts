/**
 * Random streams of the core (Philox4x32-10, keyed by seed, stream id and substream; see
 * docs/architecture.md). These functions run in WebAssembly and give exactly the numbers the
 * kernels draw; `PhiloxStream` is the same generator in plain TypeScript.
 */
import type { Core } from './core.js';
import { CoreError } from './errors.js';
import { numberOption } from './internal/args.js';
import { LIMITS } from './network.js';
import { streamWords, type StreamKey } from './rng/philox.js';

export { PhiloxStream, philox4x32_10, splitU64, type StreamKey, type U64 } from './rng/philox.js';
export { SUBSTREAM } from './rng/substreams.js';

function words(key: StreamKey): [number, number, number, number, number] {
  try {
    return streamWords(key);
  } catch (e) {
    throw new CoreError('E_ARG', `stream key: ${(e as Error).message}`);
  }
}

function fill(core: Core, key: StreamKey, kind: number, n: number, skip: number): Float64Array {
  numberOption(n, 'n', 0, LIMITS.maxDataValues, true);
  numberOption(skip, 'skip', 0, 2 ** 31 - 1 - n, true);
  const w = words(key);
  const f = core.raw.fn<(...a: number[]) => void>('rng_fill');
  return core.raw.scoped((s) => {
    const out = s.alloc(n * 8);
    f(...w, kind, skip, out, n);
    return s.readF64(out, n);
  });
}

/** The first `n` 32-bit words of a stream (after skipping `skip` words). */
export function randomU32(core: Core, key: StreamKey, n: number, skip = 0): Uint32Array {
  return Uint32Array.from(fill(core, key, 0, n, skip));
}

/** `n` uniform doubles in [0, 1) with 53 random bits each (two words per value). */
export function randomUniform(core: Core, key: StreamKey, n: number, skip = 0): Float64Array {
  return fill(core, key, 1, n, skip);
}

/** `n` standard normal values (Box–Muller, both values of each pair used). */
export function randomNormal(core: Core, key: StreamKey, n: number, skip = 0): Float64Array {
  return fill(core, key, 2, n, skip);
}

/** A uniformly random permutation of 0..n−1 (Fisher–Yates from the stream). */
export function randomPermutation(core: Core, key: StreamKey, n: number): Int32Array {
  numberOption(n, 'n', 0, LIMITS.maxPoints, true);
  const w = words(key);
  const f = core.raw.fn<(...a: number[]) => void>('rng_permutation');
  return core.raw.scoped((s) => {
    const out = s.alloc(n * 4);
    f(...w, out, n);
    return s.readI32(out, n);
  });
}

/** One raw Philox4x32-10 block computed by the core (for known-answer tests). */
export function philoxBlock(core: Core, counter: readonly [number, number, number, number], key: readonly [number, number]): Uint32Array {
  for (const [i, v] of [...counter, ...key].entries()) numberOption(v, `counter/key word ${i}`, 0, 0xffffffff, true);
  const f = core.raw.fn<(...a: number[]) => void>('rng_philox_block');
  return core.raw.scoped((s) => {
    const out = s.alloc(16);
    f(...counter, ...key, out);
    return Uint32Array.from(s.readI32(out, 4));
  });
}
