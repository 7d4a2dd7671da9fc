/**
 * Instantiation of the WebAssembly module and the raw linear-memory helpers the typed wrappers use.
 * Nothing here is part of the public API: users get `Core` (src/core.ts) and pass it to the typed
 * functions.
 */
import { CoreError, type CoreErrorCode } from '../errors.js';
import { importNodeBuiltin, isNode, nodeCwd } from './node.js';

/** ABI version this wrapper was written against (see assembly/index.ts). */
export const ABI_VERSION = 1;

/** Raw exports of the module. Every kernel area adds its functions here as `any`-free signatures. */
export interface RawExports {
  memory: WebAssembly.Memory;
  mem_alloc(bytes: number): number;
  mem_free(ptr: number): void;
  /** Bytes in used heap blocks after a full collection, -1 if the allocator walk failed (tests' leak probe). */
  mem_live_bytes(): number;
  abi_version(): number;
  // Kernel functions are looked up by name through `fn()`; see RawModule.fn.
  [name: string]: unknown;
}

/** Where the module bytes come from. */
export type WasmSource = URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

/** Which build of the module to load. */
export type WasmTarget = 'release' | 'debug';

async function bytesFrom(source: URL | string): Promise<ArrayBuffer | Uint8Array> {
  const url = typeof source === 'string' ? new URL(source, isNode() ? `file://${nodeCwd()}/` : globalThis.location?.href) : source;
  if (url.protocol === 'file:' && isNode()) {
    const { readFile } = await importNodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
    return readFile(url);
  }
  const res = await fetch(url);
  if (!res.ok) throw new CoreError('E_LOAD', `could not fetch the WebAssembly module from ${url.href}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

/** Default location of a build next to this file (dist/internal → build/). */
export function defaultWasmUrl(target: WasmTarget): URL {
  // @vite-ignore: a bundler must not copy every build it could match here (the debug build is
  // 350 KB); a page that bundles the core passes its own URL (e.g. `release.wasm?url`).
  return new URL(/* @vite-ignore */ `../../build/${target}.wasm`, import.meta.url);
}

const CODE_RE = /^\[(E_[A-Z]+)\]\s*/;

/**
 * An instantiated module plus helpers to move typed arrays in and out of linear memory.
 * Views into memory are re-created on every access because `memory.grow` detaches them.
 */
export class RawModule {
  readonly exports: RawExports;

  private constructor(exports: RawExports) {
    this.exports = exports;
  }

  /**
   * Compile a source (a compiled module is returned as it is); in Node the default is the file
   * next to the package. Errors are `E_LOAD`.
   */
  static async compile(source: WasmSource | undefined, target: WasmTarget = 'release'): Promise<WebAssembly.Module> {
    try {
      if (source instanceof WebAssembly.Module) return source;
      if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return await WebAssembly.compile(source as BufferSource);
      return await WebAssembly.compile((await bytesFrom(source ?? defaultWasmUrl(target))) as BufferSource);
    } catch (e) {
      if (e instanceof CoreError) throw e;
      throw new CoreError('E_LOAD', `could not compile the WebAssembly module: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Instantiate from a source; in Node the default is the file next to the package. */
  static async instantiate(source: WasmSource | undefined, target: WasmTarget = 'release'): Promise<RawModule> {
    const mod = await RawModule.compile(source, target);
    // The imports need the instance they belong to (to read abort messages), which exists only
    // after instantiation: hence the holder filled in below.
    const holder: { self?: RawModule } = {};
    const imports = {
      env: {
        abort(msgPtr: number, filePtr: number, line: number, col: number): never {
          const self = holder.self;
          const msg = self ? self.readString(msgPtr) : '(no message)';
          const file = self ? self.readString(filePtr) : '';
          const m = CODE_RE.exec(msg);
          if (m) throw new CoreError(m[1] as CoreErrorCode, msg.slice(m[0].length));
          throw new CoreError('E_TRAP', `assertion failed in the WebAssembly core: ${msg} (${file}:${line}:${col}); this is a bug, please report it`);
        },
        seed(): number {
          // Math.random inside the core is never used: all randomness comes from Philox streams.
          throw new CoreError('E_TRAP', 'the WebAssembly core asked for an unseeded random number; this is a bug');
        },
        trace(): void {},
      },
    };
    const instance = await WebAssembly.instantiate(mod, imports);
    const self = new RawModule(instance.exports as unknown as RawExports);
    holder.self = self;
    const abi = self.exports.abi_version();
    if (abi !== ABI_VERSION) {
      throw new CoreError('E_LOAD', `WebAssembly module ABI ${abi} does not match wrapper ABI ${ABI_VERSION}; rebuild the package`);
    }
    return self;
  }

  /** Look up a kernel export by name; throws E_LOAD if the module lacks it. */
  fn<F extends (...args: never[]) => unknown>(name: string): F {
    const f = this.exports[name];
    if (typeof f !== 'function') throw new CoreError('E_LOAD', `the WebAssembly module has no export ${JSON.stringify(name)}; rebuild the package`);
    return f as F;
  }

  /** Read an AssemblyScript string (UTF-16, byte length stored 4 bytes before the pointer). */
  readString(ptr: number): string {
    if (!ptr) return '';
    const buf = this.exports.memory.buffer;
    const byteLen = new Uint32Array(buf, ptr - 4, 1)[0] ?? 0;
    const chars = new Uint16Array(buf, ptr, byteLen >>> 1);
    let s = '';
    for (let i = 0; i < chars.length; i += 4096) s += String.fromCharCode(...chars.subarray(i, i + 4096));
    return s;
  }

  /**
   * Run `body` with a scratch scope: every block allocated through the scope is freed when the
   * body returns or throws. Results must be copied out (`readF64` etc. return copies) before then.
   */
  scoped<T>(body: (s: Scope) => T): T {
    const scope = new Scope(this);
    try {
      return body(scope);
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) {
        throw new CoreError('E_TRAP', `the WebAssembly core trapped: ${e.message}; this is a bug, please report it`, { cause: e });
      }
      throw e;
    } finally {
      scope.freeAll();
    }
  }
}

/** Allocation scope for one call into the core; see `RawModule.scoped`. */
export class Scope {
  private readonly blocks: number[] = [];
  constructor(private readonly m: RawModule) {}

  /** Allocate `bytes` bytes (at least 16, aligned to 16). */
  alloc(bytes: number): number {
    const ptr = this.m.exports.mem_alloc(Math.max(16, bytes));
    this.blocks.push(ptr);
    return ptr;
  }

  /** Copy a float array into fresh memory and return its pointer. */
  f64(data: ArrayLike<number>): number {
    const ptr = this.alloc(data.length * 8);
    new Float64Array(this.m.exports.memory.buffer, ptr, data.length).set(data);
    return ptr;
  }

  /** Allocate `n` zeroed f64 slots. */
  f64Zeros(n: number): number {
    const ptr = this.alloc(n * 8);
    new Float64Array(this.m.exports.memory.buffer, ptr, n).fill(0);
    return ptr;
  }

  /** Copy an int array into fresh memory (as i32) and return its pointer. */
  i32(data: ArrayLike<number>): number {
    const ptr = this.alloc(data.length * 4);
    new Int32Array(this.m.exports.memory.buffer, ptr, data.length).set(data);
    return ptr;
  }

  /** Allocate `n` zeroed i32 slots. */
  i32Zeros(n: number): number {
    const ptr = this.alloc(n * 4);
    new Int32Array(this.m.exports.memory.buffer, ptr, n).fill(0);
    return ptr;
  }

  /** Copy `n` f64 values out of memory. */
  readF64(ptr: number, n: number): Float64Array {
    return new Float64Array(this.m.exports.memory.buffer, ptr, n).slice();
  }

  /** Copy `n` i32 values out of memory. */
  readI32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.m.exports.memory.buffer, ptr, n).slice();
  }

  /** Free every block of this scope (called by `RawModule.scoped`). */
  freeAll(): void {
    for (let i = this.blocks.length - 1; i >= 0; i--) this.m.exports.mem_free(this.blocks[i]!);
    this.blocks.length = 0;
  }
}
