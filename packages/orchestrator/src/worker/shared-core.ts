/**
 * One compiled WebAssembly core for a whole pool of task threads. The thread that creates a
 * piscina pool (the local backend, `paradox worker`) compiles the core once and passes it in
 * the pool's `workerData`; every task thread instantiates that module instead of reading and
 * compiling the file itself (a `WebAssembly.Module` is structured-cloneable between threads; the
 * compiled code travels with it).
 */
import { compileCore } from '@paradox/core-wasm';

/** What a task thread receives as `workerData` from the pool that started it. */
export interface TaskThreadData {
  /** The compiled core, or absent when compiling failed in the pool's thread. */
  coreModule?: WebAssembly.Module;
}

/**
 * The `workerData` for a pool of task threads. A compile failure here is not thrown: the threads
 * then load the core themselves and report the failure per batch, as they always did (a load
 * failure is retried once, then names its cause).
 */
export async function taskThreadData(): Promise<TaskThreadData> {
  try {
    return { coreModule: await compileCore() };
  } catch {
    return {};
  }
}

/** The compiled core a pool handed this thread, or undefined (not a pool thread, or none given). */
export function sharedCoreModule(data: unknown): WebAssembly.Module | undefined {
  const m = (data as TaskThreadData | null | undefined)?.coreModule;
  return m instanceof WebAssembly.Module ? m : undefined;
}
