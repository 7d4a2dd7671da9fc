/**
 * The explorer's Web Worker: owns the only WebAssembly instance of the page and runs whole trials
 * in it, so the page stays responsive while a network trains.
 */
import * as Comlink from 'comlink';
import { loadCore, type Core } from '@paradox/core-wasm';
import wasmUrl from '@paradox/core-wasm/build/release.wasm?url';
import { boundaryTrial } from '../src/boundary/trial.js';
import type { ExplorerWorkerApi, WorkerInfo } from './protocol.js';

let core: Promise<Core> | undefined;
let instantiations = 0;
let loadMs = 0;

function getCore(): Promise<Core> {
  core ??= (async () => {
    const t0 = performance.now();
    const c = await loadCore({ source: new URL(wasmUrl, self.location.href) });
    instantiations++;
    loadMs = performance.now() - t0;
    return c;
  })();
  return core;
}

const api: ExplorerWorkerApi = {
  async init(): Promise<WorkerInfo> {
    await getCore();
    const g = globalThis as unknown as { document?: unknown; WorkerGlobalScope?: unknown };
    return {
      scope: globalThis.constructor.name,
      isWorker: typeof g.WorkerGlobalScope !== 'undefined' && typeof g.document === 'undefined',
      instantiations,
      loadMs,
    };
  },
  async train(params) {
    const result = boundaryTrial(await getCore(), params);
    // Grid values are the bulk of the result: transfer their buffers instead of copying them.
    return Comlink.transfer(result, [result.network.values.buffer, result.psi.values.buffer] as ArrayBuffer[]);
  },
};

Comlink.expose(api);
