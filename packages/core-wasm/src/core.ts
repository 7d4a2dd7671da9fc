/**
 * `Core`: one instantiated WebAssembly module with typed methods. Load it once and reuse it; it is
 * cheap to call and holds no per-call state between calls.
 */
import { RawModule, type WasmSource, type WasmTarget } from './internal/module.js';

/** Options for `loadCore`. */
export interface LoadOptions {
  /**
   * Where to read the module from: a URL, a path string, bytes or a compiled module. In Node the
   * default is the `build/<target>.wasm` file shipped with the package; in a browser bundle pass a
   * URL (e.g. `new URL('@paradox/core-wasm/build/release.wasm', import.meta.url)`) or bytes.
   */
  source?: WasmSource;
  /** `release` (optimised, SIMD, asserts off; default) or `debug` (asserts on). */
  target?: WasmTarget;
}

/** An instantiated core. Obtain one with `loadCore()`. */
export class Core {
  /** @internal */
  readonly raw: RawModule;
  /** @internal use `loadCore` */
  constructor(raw: RawModule) {
    this.raw = raw;
  }
}

/** Load and instantiate the WebAssembly core. */
export async function loadCore(options: LoadOptions = {}): Promise<Core> {
  return new Core(await RawModule.instantiate(options.source, options.target ?? 'release'));
}
