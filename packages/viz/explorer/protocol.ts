/**
 * What the explorer's worker exposes through comlink. The page never touches the WebAssembly
 * module: every call below runs in the worker.
 */
import type { BoundaryTrial, BoundaryTrialParams } from '../src/boundary/trial.js';

/** Where the worker's code runs, as the worker itself sees it (the test asserts on this). */
export interface WorkerInfo {
  /** The global scope's constructor name: `DedicatedWorkerGlobalScope` inside a worker. */
  scope: string;
  /** True when `importScripts`-style worker globals exist and `document` does not. */
  isWorker: boolean;
  /** WebAssembly instantiations done by this worker. */
  instantiations: number;
  /** Milliseconds to fetch, compile and instantiate the core. */
  loadMs: number;
}

/** The worker's API. */
export interface ExplorerWorkerApi {
  /** Load core-wasm (once) and say where it runs. */
  init(): Promise<WorkerInfo>;
  /** Run one trial: sample T and V, train, construct ψ_T, attack, certify, evaluate on the grid. */
  train(params: BoundaryTrialParams): Promise<BoundaryTrial>;
}
