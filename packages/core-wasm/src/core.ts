/**
 * `Core`: one instantiated WebAssembly module, the first argument of every function of the package.
 * Load it once and reuse it; it holds no per-call state between calls.
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

/**
 * An instantiated core, obtained with `loadCore()` and passed as the first argument to every
 * function of the package (`train(core, …)`, `runInstabilityTrials(core, …)`). It has no public
 * members: the module inside is an implementation detail and is not in the published types.
 */
export class Core {
  /** Keeps `Core` nominal in the published types (no object literal passes for one). */
  declare private readonly brand: never;
  /** @internal the instantiated module, for this package's wrappers only */
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

/**
 * Compile the WebAssembly core without instantiating it. The result can be passed to
 * `loadCore({ source })` any number of times, and posted to worker threads (a
 * `WebAssembly.Module` is structured-cloneable, e.g. in `workerData`), so a pool of threads
 * compiles the module once instead of once per thread. Errors are `E_LOAD`, as for `loadCore`.
 */
export async function compileCore(options: LoadOptions = {}): Promise<WebAssembly.Module> {
  return RawModule.compile(options.source, options.target ?? 'release');
}
