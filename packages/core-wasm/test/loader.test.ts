import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { compileCore, CoreError, loadCore } from '../src/index.js';

describe('loadCore', () => {
  it('loads the release build from the package by default', async () => {
    const core = await loadCore();
    expect(core.raw.exports.abi_version()).toBe(1);
  });

  it('loads the debug build and from raw bytes', async () => {
    const bytes = await readFile(new URL('../build/debug.wasm', import.meta.url));
    const core = await loadCore({ source: bytes, target: 'debug' });
    expect(core.raw.exports.abi_version()).toBe(1);
  });

  it('compileCore compiles once for many instances, in this thread and in worker threads', async () => {
    const mod = await compileCore();
    expect(mod).toBeInstanceOf(WebAssembly.Module);
    const [a, b] = await Promise.all([loadCore({ source: mod }), loadCore({ source: mod })]);
    // Two instances of one module: separate memories.
    expect(a.raw.exports.memory).not.toBe(b.raw.exports.memory);
    expect(a.raw.exports.abi_version()).toBe(1);
    // A compiled module survives the trip to a worker thread (workerData is structured-cloned).
    const w = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       WebAssembly.instantiate(workerData.mod, { env: { abort() {}, seed() { return 0; }, trace() {} } })
         .then((i) => parentPort.postMessage(i.exports.abi_version()));`,
      { eval: true, workerData: { mod } },
    );
    const abi = await new Promise((res, rej) => {
      w.once('message', res);
      w.once('error', rej);
    });
    await w.terminate();
    expect(abi).toBe(1);
    const debug = await compileCore({ target: 'debug' });
    expect(WebAssembly.Module.exports(debug).length).toBeGreaterThan(0);
    await expect(compileCore({ source: new Uint8Array([1, 2, 3]) })).rejects.toMatchObject({ name: 'CoreError', code: 'E_LOAD' });
  });

  it('reports a clear E_LOAD error for bytes that are not a module', async () => {
    await expect(loadCore({ source: new Uint8Array([1, 2, 3]) })).rejects.toMatchObject({
      name: 'CoreError',
      code: 'E_LOAD',
    });
    await expect(loadCore({ source: new Uint8Array([1, 2, 3]) })).rejects.toBeInstanceOf(CoreError);
  });

  it('frees every block of a scope so the same space is reused', async () => {
    const core = await loadCore();
    const first = core.raw.scoped((s) => s.alloc(1024));
    const second = core.raw.scoped((s) => s.alloc(1024));
    expect(second).toBe(first);
  });
});

describe('kernel aborts', () => {
  it('a kernel reached with bad input aborts into a typed CoreError, not a trap', async () => {
    for (const target of ['release', 'debug'] as const) {
      const core = await loadCore({ target });
      const count = core.raw.fn<(dims: number, L: number, bias: number) => number>('nn_param_count');
      const err = (() => {
        try {
          core.raw.scoped((s) => count(s.i32([2, 0, 1]), 2, 1));
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(CoreError);
      expect((err as CoreError).code).toBe('E_ARG');
      // The module is still usable afterwards.
      expect(core.raw.scoped((s) => count(s.i32([2, 3, 1]), 2, 1))).toBe(13);
    }
  });
});
